"""Links to many records from one ``reverse``.

A page or a list links hundreds of refs (the meeting page's actions, the register's rows,
the refs written in discussion); ``reverse`` per link cost more than the rest of a row. A
maker reverses its route once, with a marker for the one path argument, and then builds
each link by putting the key in the marker's place. The API's absolute links are built the
same way by ``core.api.Links``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import quote

from django.urls import reverse

# Digits only, so that it fits every path converter a record's key uses (str, slug, int).
_MARKER = "987654321987"


def url_maker(name: str, *, prefix: str = "") -> Callable[[Any], str]:
    """A function from a key (a ref, code or id) to the URL of route ``name`` with that key
    as its one path argument, built from one ``reverse``; ``prefix`` (an origin such as
    ``http://host``) goes before each URL.

    Keys of capitals, digits, ``.`` and ``-`` (every ref, ``core.refs``) go in as they are;
    anything else is quoted. Raises NoReverseMatch when there is no such route.
    """
    before, _, after = reverse(name, args=[_MARKER]).partition(_MARKER)
    before = prefix + before

    def url(key: Any) -> str:
        if type(key) is int:  # an id: digits only, nothing to check or quote
            return f"{before}{key}{after}"
        text = str(key)
        plain = text.isascii() and text.replace(".", "").replace("-", "").isalnum()
        return f"{before}{text if plain else quote(text, safe='')}{after}"

    return url
