"""ETags of records and the ``If-Match`` / ``If-None-Match`` preconditions on them."""

from __future__ import annotations

import hashlib
from typing import Any

from django.utils.http import parse_etags
from drf_spectacular.utils import OpenApiParameter
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response

from core.api.errors import PreconditionFailed
from core.api.links import Links
from core.api.renderers import json_bytes


def etag_of(data: Any, links: Links | None = None) -> str:
    """A strong ETag of a record's representation (SHA-256 of its canonical JSON).

    The scheme and host are left out, so a client reaching the API under another host name
    gets the same ETag for the same state. Any visible change (a field, an owner, a new
    progress update) gives a new ETag.
    """
    raw = json_bytes(data, sort_keys=True)
    if links is not None and links.origin:
        raw = raw.replace(links.origin.encode(), b"")
    return '"' + hashlib.sha256(raw).hexdigest()[:40] + '"'


def if_match_check(request: Request, current_etag: str) -> None:
    """Raise :class:`PreconditionFailed` (412) when ``If-Match`` names another state.

    No ``If-Match`` header: the write goes ahead (a client that does not use ETags). With
    one, it must be ``*`` or list the current ETag (strong comparison, RFC 9110 13.1.1), so
    two editors who both send the ETag they read never overwrite each other silently.
    """
    header = request.headers.get("If-Match")
    if header is None:
        return
    tags = parse_etags(header)
    if "*" in tags or current_etag in tags:
        return
    raise PreconditionFailed(current_etag)


def not_modified(request: Request, current_etag: str) -> bool:
    """True when ``If-None-Match`` already names ``current_etag`` (answer 304)."""
    header = request.headers.get("If-None-Match")
    if header is None:
        return False
    tags = parse_etags(header)
    return "*" in tags or current_etag in tags or f"W/{current_etag}" in tags


def response_with_etag(
    data: Any, links: Links, *, status_code: int = status.HTTP_200_OK, **kwargs: Any
) -> Response:
    """A response carrying ``data`` and its ETag header."""
    response = Response(data, status=status_code, **kwargs)
    response["ETag"] = etag_of(data, links)
    return response


IF_MATCH_PARAMETER = OpenApiParameter(
    name="If-Match",
    type=str,
    location=OpenApiParameter.HEADER,
    required=False,
    description="The ETag you read (GET answers it in the ETag header). When given and no "
    "longer current, the write is refused with 412 and nothing changes.",
)
IF_NONE_MATCH_PARAMETER = OpenApiParameter(
    name="If-None-Match",
    type=str,
    location=OpenApiParameter.HEADER,
    required=False,
    description="An ETag you hold: 304 with no body when the record still has it.",
)
ETAG_HEADER = OpenApiParameter(
    name="ETag",
    type=str,
    location=OpenApiParameter.HEADER,
    response=True,
    description="The record's current state; send it back in If-Match to write safely.",
)
