"""What the search finds: one :class:`SearchKind` per kind of record, registered once.

A kind says how one of its records reads as a :class:`Document` (the words searched, what a
result shows, what the filters compare) and which of its records a user may see (a
``visible_to(user)`` queryset, ``core.visibility``). Adding a kind (a meeting's papers) is
one :func:`register` call in ``composer.search.kinds``: the index follows its saves and
deletes, the rebuild reads it, the filters offer it.
"""

from __future__ import annotations

import datetime as dt
import html
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Model, QuerySet
from django.utils.html import strip_tags


@dataclass(frozen=True)
class Document:
    """A record as the search index holds it (``composer.models.SearchDocument``).

    ``date`` is the record's date for the date filter; a record of a meeting (``meeting_id``
    set) takes its meeting's date, and follows it when the meeting moves.
    """

    title: str
    body: str = ""
    ref: str = ""
    place: str = ""
    link: str = ""
    committee_id: int | None = None
    meeting_id: int | None = None
    date: dt.date | None = None


@dataclass(frozen=True)
class SearchKind:
    """A kind of record the search finds.

    ``visible(user)`` is the records ``user`` may see (a queryset of the model, filtered by
    its ``visible_to(user)`` verb), or None when every signed-in user sees them all (change
    requests). ``related`` maps another model to the records of this kind to index again
    when one of its rows is saved (an area renamed: its discussion items' place).
    ``records`` is the queryset the rebuild reads, joined as ``document`` needs.
    """

    name: str
    label: str
    plural: str
    model: type[Model]
    document: Callable[[Any], Document]
    visible: Callable[[Any], QuerySet | None]
    records: Callable[[], QuerySet]
    related: Mapping[type[Model], Callable[[Any], Iterable[Any]]] = field(default_factory=dict)


KINDS: dict[str, SearchKind] = {}


def register(kind: SearchKind) -> SearchKind:
    """Add ``kind`` to what the search finds (once per name)."""
    if kind.name in KINDS:
        raise ValueError(f"Search kind {kind.name!r} is registered already.")
    KINDS[kind.name] = kind
    return kind


def kind_of(model: type[Model]) -> SearchKind | None:
    """The kind indexing ``model``'s records, if any."""
    return next((k for k in KINDS.values() if k.model is model), None)


# Characters the highlighting uses as its marks (composer.search.highlight): never indexed.
MARK_START, MARK_END = "\x02", "\x03"
_CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_BREAK_TAG_RE = re.compile(r"<\s*(?:br|/p|/li|/div|/h\d|/tr|/td)\b[^>]*>", re.IGNORECASE)
_SPACES_RE = re.compile(r"\s+")


def plain_text(*parts: str | None, is_html: bool = False) -> str:
    """The words of ``parts`` as one line of text: tags removed (``is_html``: a line break or
    block end becomes a space), entities read, control characters dropped."""
    texts = []
    for part in parts:
        text = part or ""
        if is_html:
            text = html.unescape(strip_tags(_BREAK_TAG_RE.sub(" ", text)))
        texts.append(text)
    return _SPACES_RE.sub(" ", _CONTROL_RE.sub(" ", " ".join(texts))).strip()
