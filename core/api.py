"""Shared pieces of the REST API at ``/api/v1/``.

Every app's ``api/`` package builds on these:

- :class:`ORJSONRenderer`: JSON through orjson (the list endpoints render hundreds of rows).
- :class:`JSONParser`: DRF's JSON parser, with a body nested too deep answered 400, not 500.
- :func:`api_exception_handler`: one JSON error shape for every failure, with field errors,
  and the Django exceptions the services raise (``ValidationError``, ``PermissionDenied``,
  ``DoesNotExist``) mapped to 400, 403 and 404, so bad input never becomes a 500.
- :class:`KeysetPagination`: stable cursor pagination over a unique ordering key, with no
  ``COUNT`` over the table: each page costs one query whatever its position or size.
- ETags and ``If-Match``: :func:`etag_of`, :func:`if_match_check`, :func:`not_modified`.
- :class:`RoleWritePermission`: reads need a login; writes need the role the service needs
  (the same :mod:`core.roles` checks), so a refusal comes before any validation.
- :class:`InputSerializer`: refuses unknown fields and server-assigned ones (``ref``).
- :class:`Links`: absolute URLs of related records, built without a ``reverse()`` per row.

The base views (``ListApi``, ``RecordApi``) are in :mod:`core.api_views` and the schema class
in :mod:`core.api_schema`: DRF's settings name classes of this module, so it must not import
DRF's views.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import decimal
import functools
import hashlib
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import orjson
from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import DataError, connection
from django.db.models import DateTimeField, F, Func, Q, QuerySet
from django.db.models.expressions import BaseExpression
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.http import parse_etags
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter
from rest_framework import authentication, exceptions, serializers, status
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.pagination import BasePagination
from rest_framework.parsers import JSONParser as DRFJSONParser
from rest_framework.permissions import SAFE_METHODS, BasePermission
from rest_framework.renderers import BaseRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.utils.urls import remove_query_param, replace_query_param

from core import roles

# --- rendering -------------------------------------------------------------------------------


def _orjson_default(value: Any) -> Any:
    """What orjson cannot write itself: lazy strings, decimals, sets, querysets."""
    if isinstance(value, Promise):
        return str(value)
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, set | frozenset | tuple | QuerySet):
        return list(value)
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def json_bytes(data: Any, *, sort_keys: bool = False) -> bytes:
    """``data`` as JSON bytes (orjson); dates as ISO 8601, datetimes with their offset."""
    option = orjson.OPT_SORT_KEYS if sort_keys else 0
    return orjson.dumps(data, default=_orjson_default, option=option)


class PDFRenderer(BaseRenderer):
    """``application/pdf``: lets a client ask for a PDF download (the bytes pass through)."""

    media_type = "application/pdf"
    format = "pdf"
    charset = None
    render_style = "binary"

    def render(
        self,
        data: Any,
        accepted_media_type: str | None = None,
        renderer_context: Mapping[str, Any] | None = None,
    ) -> bytes:
        return data if isinstance(data, bytes) else json_bytes(data)


class ORJSONRenderer(BaseRenderer):
    """``application/json`` written by orjson: several times faster than ``json`` on lists."""

    media_type = "application/json"
    format = "json"
    charset = None

    def render(
        self,
        data: Any,
        accepted_media_type: str | None = None,
        renderer_context: Mapping[str, Any] | None = None,
    ) -> bytes:
        if data is None:
            return b""
        return json_bytes(data)


class ContentNegotiation(DefaultContentNegotiation):
    """DRF's content negotiation, with the usual request answered without parsing ``Accept``.

    With no ``Accept`` header, ``*/*``, or exactly the first renderer's media type, and no
    ``?format=`` or format suffix, DRF's answer is always the first renderer and its media
    type; this returns that at once (DRF parses and orders the header on every request).
    Any other request gets DRF's negotiation, 406 included.
    """

    def select_renderer(
        self, request: Request, renderers: Sequence[BaseRenderer], format_suffix: Any = None
    ) -> tuple[BaseRenderer, str]:
        if renderers and format_suffix is None:
            first = renderers[0]
            accept = request.META.get("HTTP_ACCEPT", "*/*")
            if accept in ("*/*", first.media_type) and (
                self.settings.URL_FORMAT_OVERRIDE not in request.query_params
            ):
                return first, first.media_type
        return super().select_renderer(request, renderers, format_suffix)


def datetime_text(value: dt.datetime | str | None, tz: dt.tzinfo | None = None) -> str | None:
    """An aware datetime as the API writes it: Europe/London ISO 8601, ``Z`` when UTC.

    The same text DRF's ``DateTimeField`` writes, for rows built without a serializer.
    ``tz``: the current time zone, looked up once by a caller writing many rows. A string
    is a :class:`DateTimeText` column already formatted by PostgreSQL (local text with
    microseconds, a space, the UTC offset in seconds), finished here.
    """
    if value is None:
        return None
    if isinstance(value, str):
        local, _, offset = value.rpartition(" ")
        if local.endswith(".000000"):
            local = local[:-7]  # as isoformat(): no fraction for a whole second
        return local + _utc_offset_text(int(offset))
    text = value.astimezone(tz or timezone.get_current_timezone()).isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


@functools.cache
def _utc_offset_text(seconds: int) -> str:
    """``Z``, ``+01:00``: the offset as isoformat() writes it, with DRF's ``Z`` for UTC."""
    if seconds == 0:
        return "Z"
    hours, rest = divmod(abs(seconds), 3600)
    minutes, secs = divmod(rest, 60)
    text = f"{'-' if seconds < 0 else '+'}{hours:02d}:{minutes:02d}"
    return f"{text}:{secs:02d}" if secs else text


class DateTimeText(Func):
    """A timestamp column for :func:`datetime_text`, formatted by PostgreSQL.

    Turning a page's timestamps into Europe/London ISO text in Python (the time zone
    conversion and ``isoformat``, about 25,000 instructions each) was a fifth of the CPU of
    the action list (issue #7). On PostgreSQL this reads the column as one text: the local
    time in the current time zone with microseconds, a space and the UTC offset in
    seconds, which datetime_text finishes with two string operations. Elsewhere (SQLite)
    it is the column itself, read as an aware datetime.
    """

    arity = 1
    output_field = DateTimeField()

    def as_sql(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        return compiler.compile(self.get_source_expressions()[0])

    def as_postgresql(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        column, params = compiler.compile(self.get_source_expressions()[0])
        local = f"({column} AT TIME ZONE %s)"
        sql = (
            f"(to_char({local}, 'YYYY-MM-DD\"T\"HH24:MI:SS.US') || ' ' || "
            f"EXTRACT(EPOCH FROM {local} - ({column} AT TIME ZONE 'UTC'))::integer)"
        )
        zone = timezone.get_current_timezone_name()
        return sql, (*params, zone, *params, zone, *params)


# --- errors ----------------------------------------------------------------------------------

NON_FIELD_ERRORS = "non_field_errors"


def _flatten_errors(detail: Any, prefix: str = "") -> dict[str, list[str]]:
    """DRF's nested error detail as ``{"field": [...], "owners.0": [...]}``."""
    flat: dict[str, list[str]] = {}
    if isinstance(detail, Mapping):
        for key, value in detail.items():
            name = NON_FIELD_ERRORS if key in ("__all__", NON_FIELD_ERRORS) and not prefix else key
            for sub_key, messages in _flatten_errors(
                value, f"{prefix}.{name}" if prefix else str(name)
            ).items():
                flat.setdefault(sub_key, []).extend(messages)
    elif isinstance(detail, list | tuple):
        if all(not isinstance(item, Mapping | list | tuple) for item in detail):
            flat.setdefault(prefix or NON_FIELD_ERRORS, []).extend(str(item) for item in detail)
        else:
            for index, item in enumerate(detail):
                if not item:
                    continue
                path = f"{prefix}.{index}" if prefix else str(index)
                for sub_key, messages in _flatten_errors(item, path).items():
                    flat.setdefault(sub_key, []).extend(messages)
    elif detail is not None:
        flat.setdefault(prefix or NON_FIELD_ERRORS, []).append(str(detail))
    return flat


def django_validation_detail(exc: DjangoValidationError) -> dict[str, list[str]]:
    """A service's ValidationError as field errors (``__all__`` → ``non_field_errors``)."""
    if hasattr(exc, "error_dict"):
        return {
            (NON_FIELD_ERRORS if field == "__all__" else field): list(messages)
            for field, messages in exc.message_dict.items()
        }
    return {NON_FIELD_ERRORS: list(exc.messages)}


class PreconditionFailed(exceptions.APIException):
    """412: the ``If-Match`` ETag is not the record's current one (someone else wrote)."""

    status_code = status.HTTP_412_PRECONDITION_FAILED
    default_detail = (
        "The record has changed since you read it. Fetch it again, reapply your change, "
        "and send the new ETag in If-Match."
    )
    default_code = "precondition_failed"

    def __init__(self, current_etag: str | None = None) -> None:
        super().__init__()
        self.current_etag = current_etag


def api_exception_handler(exc: Exception, context: Mapping[str, Any]) -> Response | None:
    """Turn any failure into the one error shape (see :class:`ErrorSerializer`).

    ``{"status": 400, "code": "invalid", "detail": "…", "errors": {"due_date": ["…"]}}``.
    Django's ValidationError (from the services) becomes 400 with its field errors,
    PermissionDenied 403, a missing record 404, and a database refusal of a value
    (``DataError``: out of range, NUL characters) 400. Anything else stays a 500.
    """
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(django_validation_detail(exc))
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied(*exc.args)
    elif isinstance(exc, Http404 | ObjectDoesNotExist):
        exc = exceptions.NotFound()
    elif isinstance(exc, DataError):
        exc = exceptions.ValidationError(
            {NON_FIELD_ERRORS: ["A value is out of the range the database accepts."]}
        )
    from rest_framework.views import exception_handler as drf_exception_handler

    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    assert isinstance(exc, exceptions.APIException)
    if isinstance(exc, exceptions.ValidationError):
        errors = _flatten_errors(exc.detail)
        detail = "The request has errors; see errors."
        if set(errors) == {NON_FIELD_ERRORS} and len(errors[NON_FIELD_ERRORS]) == 1:
            detail = errors[NON_FIELD_ERRORS][0]
        code = "invalid"
    else:
        errors = {}
        detail = str(exc.detail)
        code = exc.get_codes() if isinstance(exc.get_codes(), str) else exc.default_code
    response.data = {
        "status": response.status_code,
        "code": code,
        "detail": detail,
        "errors": errors,
    }
    if isinstance(exc, PreconditionFailed) and exc.current_etag:
        response["ETag"] = exc.current_etag
    return response


class ErrorSerializer(serializers.Serializer):
    """The one error shape of the API (documentation only)."""

    status = serializers.IntegerField(help_text="The HTTP status code, repeated.")
    code = serializers.CharField(
        help_text="A stable machine-readable code: invalid, not_authenticated, "
        "permission_denied, not_found, precondition_failed, parse_error…"
    )
    detail = serializers.CharField(help_text="What went wrong, for a person.")
    errors = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        help_text="Field errors: field name (dotted for nested input, such as owners.0) to "
        "messages; non_field_errors for errors of the whole request. Empty unless 400.",
    )


# --- links -----------------------------------------------------------------------------------

# Path parameters are replaced by this marker once per process, so that building a URL
# per row is a string replace rather than a reverse() (which costs ~20 µs each).
_MARKER = "987654321987"
_path_templates: dict[str, str] = {}


def _path_template(name: str, kwarg: str) -> str:
    key = f"{name}:{kwarg}"
    template = _path_templates.get(key)
    if template is None:
        template = reverse(name, kwargs={kwarg: _MARKER})
        _path_templates[key] = template
    return template


class Links:
    """Absolute URLs of API records for one request.

    ``links.url("api-meeting-detail", "DAG028")`` → ``http://host/api/v1/meetings/DAG028/``.
    Names are the URL names in the apps' ``api/urls.py``; the key is the one path parameter.
    """

    KWARGS = {
        "api-committee-detail": "code",
        "api-meeting-detail": "ref",
        "api-agenda-item-detail": "pk",
        "api-discussion-item-detail": "pk",
        "api-action-detail": "ref",
        "api-decision-detail": "ref",
        "api-change-request-detail": "ref",
        "api-release-detail": "code",
        "api-organisation-detail": "pk",
        "api-person-detail": "pk",
        "api-headline-report-list": "ref",
        "api-action-update-list": "ref",
        "api-action-review-list": "ref",
        "api-ia-response-list": "ref",
    }

    def __init__(self, request: Request | None) -> None:
        self.origin = request.build_absolute_uri("/").rstrip("/") if request is not None else ""

    def url(self, name: str, key: Any) -> str:
        """The absolute URL of ``name`` for the key (a ref, code or id)."""
        return self.origin + _path_template(name, self.KWARGS[name]).replace(_MARKER, str(key))

    def path(self, name: str, **kwargs: Any) -> str:
        """The absolute URL of any named route (``reverse()``, cached for routes without
        parameters)."""
        if kwargs:
            return self.origin + reverse(name, kwargs=kwargs)
        template = _path_templates.get(name)
        if template is None:
            template = _path_templates[name] = reverse(name)
        return self.origin + template

    @classmethod
    def of(cls, context: Mapping[str, Any]) -> Links:
        """The Links of a serializer context (made once per request and kept there)."""
        links = context.get("links")
        if links is None:
            links = cls(context.get("request"))
            if isinstance(context, dict):
                context["links"] = links
        return links


def link(links: Links, name: str, key: Any, **extra: Any) -> dict[str, Any] | None:
    """A related record: its key fields plus ``url``; None when ``key`` is None."""
    if key is None:
        return None
    return {**extra, "url": links.url(name, key)}


# --- ETags and preconditions -----------------------------------------------------------------


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


# --- prepared statements ---------------------------------------------------------------------


@contextmanager
def prepared_statements() -> Iterator[None]:
    """On PostgreSQL, prepare the queries run inside (bound server-side, plan kept).

    Planning the action list's page query (five joins and the owners subquery) costs
    PostgreSQL about 1.5 ms, more than running it; a prepared statement is planned once per
    connection and then reused, so under load (``CONN_MAX_AGE``: workers keep their
    connection) the database spends about a third of the CPU per request. Only the hot,
    fixed-shape reads of the API opt in, instead of switching every query of the app to
    server-side binding (``OPTIONS["server_side_binding"]``), which changes how some
    queries are typed. psycopg prepares a statement from its second run and keeps up to
    100 per connection. The setting ``API_PREPARED_STATEMENTS=False`` turns it off (a
    connection pooler in transaction mode, such as PgBouncer's, cannot keep them).
    Nor does it prepare while queries are logged (``DEBUG``, a test capturing them): psycopg
    keeps no SQL text for a prepared run, so the log would show none. Elsewhere (SQLite) it
    does nothing.
    """
    if (
        connection.vendor != "postgresql"
        or connection.queries_logged
        or not settings.API_PREPARED_STATEMENTS
    ):
        yield
        return
    from django.db.backends.postgresql.base import ServerBindingCursor

    connection.ensure_connection()
    raw = connection.connection
    factory, threshold = raw.cursor_factory, raw.prepare_threshold
    raw.cursor_factory, raw.prepare_threshold = ServerBindingCursor, 1
    try:
        yield
    finally:
        raw.cursor_factory, raw.prepare_threshold = factory, threshold


# --- authentication --------------------------------------------------------------------------


@functools.cache
def _token_query(vendor: str) -> tuple[str, list[str], list[str]]:
    """The token lookup's SQL and the token's and user's field names, built once per process.

    One row: the token's columns, its user's, and the user's group names as a JSON array
    (``null`` on PostgreSQL for a user in no group).
    """
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from rest_framework.authtoken.models import Token

    user_model = get_user_model()
    qn = connection.ops.quote_name
    token_fields = list(Token._meta.concrete_fields)
    user_fields = list(user_model._meta.concrete_fields)
    membership = user_model.groups.through._meta
    names = "json_agg(g.name)::text" if vendor == "postgresql" else "json_group_array(g.name)"
    columns = ", ".join(
        [f"t.{qn(f.column)}" for f in token_fields] + [f"u.{qn(f.column)}" for f in user_fields]
    )
    tables = {
        "token": qn(Token._meta.db_table),
        "token_user": qn(Token._meta.get_field("user").column),
        "token_key": qn(Token._meta.pk.column),
        "user": qn(user_model._meta.db_table),
        "user_id": qn(user_model._meta.pk.column),
        "membership": qn(membership.db_table),
        "member": qn(membership.get_field("user").column),
        "member_group": qn(membership.get_field("group").column),
        "group": qn(Group._meta.db_table),
        "group_id": qn(Group._meta.pk.column),
    }
    # Identifiers come from the models' metadata, quoted; the key is the one parameter.
    sql = (  # noqa: S608
        "SELECT {columns}, (SELECT {names} FROM {membership} ug"
        " JOIN {group} g ON g.{group_id} = ug.{member_group} WHERE ug.{member} = u.{user_id})"
        " FROM {token} t JOIN {user} u ON u.{user_id} = t.{token_user}"
        " WHERE t.{token_key} = %s"
    ).format(columns=columns, names=names, **tables)
    return sql, [f.attname for f in token_fields], [f.attname for f in user_fields]


class TokenAuthentication(authentication.TokenAuthentication):
    """DRF's token authentication (``Authorization: Token <key>``) in one query.

    DRF's own reads the token with its user, and then every request read the user's roles
    (:func:`core.roles.user_roles`) with a second query. Here one hand-written query
    reads the token, the user and their group names, and caches the roles on the user: on
    the action list that is a query and about 1.5 ms of CPU less per request. Refusals are
    DRF's (an unknown token, an inactive user: 401).
    """

    def authenticate_credentials(self, key: str) -> tuple[Any, Any]:
        from django.contrib.auth import get_user_model
        from rest_framework.authtoken.models import Token

        sql, token_names, user_names = _token_query(connection.vendor)
        with prepared_statements(), connection.cursor() as cursor:
            cursor.execute(sql, [key])
            row = cursor.fetchone()
        if row is None:
            raise exceptions.AuthenticationFailed(_("Invalid token."))
        split = len(token_names)
        token = Token.from_db(connection.alias, token_names, row[:split])
        user = get_user_model().from_db(
            connection.alias, user_names, row[split : split + len(user_names)]
        )
        if not user.is_active:
            raise exceptions.AuthenticationFailed(_("User inactive or deleted."))
        token.user = user
        group_names = row[-1]
        roles.user_roles_cache(user, orjson.loads(group_names) if group_names else ())
        return user, token


# --- permissions -----------------------------------------------------------------------------


class RoleWritePermission(BasePermission):
    """Reads need a login; writes need the role the view's service requires.

    A view names the check in ``write_permission`` (a function of the user from
    :mod:`core.roles`, the same one the service calls; PMO by default) and the refusal
    text in ``write_denied_message``. ``write_permission = None`` leaves the decision to the
    view (object-level rules such as "owners may post updates"). Anonymous users get 401.
    """

    def has_permission(self, request: Request, view: Any) -> bool:
        user = request.user
        if user is None or not user.is_authenticated:
            return False
        if request.method in SAFE_METHODS:
            return True
        check: Callable[[Any], bool] | None = getattr(view, "write_permission", roles.is_pmo)
        if check is None or check(user):
            return True
        self.message = getattr(
            view, "write_denied_message", "Only the PMO (secretariat) can do this."
        )
        return False


# --- input -----------------------------------------------------------------------------------


class JSONParser(DRFJSONParser):
    """DRF's JSON parser, with a body nested too deep for Python's parser answered 400.

    ``json`` raises RecursionError (not a ValueError) past about a thousand levels of
    ``[[[…`` or ``{"a": {"a": …``, which DRF's parser lets through as a 500.
    """

    def parse(self, stream: Any, media_type: str | None = None, parser_context: Any = None) -> Any:
        try:
            return super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise exceptions.ParseError(
                "JSON parse error - the body is nested too deeply."
            ) from None


SERVER_ASSIGNED_FIELDS = frozenset({"ref", "id", "seq", "number", "url", "version"})


class InputSerializer(serializers.Serializer):
    """Input of a write: unknown fields are refused, server-assigned ones (``ref``) named.

    A typo (``due_dat``) or a ref chosen by the client is an error, never silently ignored.
    """

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, Mapping):
            errors: dict[str, list[str]] = {}
            for key in data:
                if key in self.fields and not self.fields[key].read_only:
                    continue
                if key in SERVER_ASSIGNED_FIELDS:
                    errors[key] = [f"The server assigns the {key}; leave it out."]
                else:
                    errors[key] = ["Unknown field."]
            if errors:
                raise serializers.ValidationError(errors)
        return super().to_internal_value(data)


def validated_input(
    serializer_class: type[serializers.Serializer],
    request: Request,
    *,
    partial: bool = False,
    context: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """The request body validated by ``serializer_class``; raises ValidationError (400)."""
    serializer = serializer_class(
        data=request.data, partial=partial, context={"request": request, **(context or {})}
    )
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


# --- pagination ------------------------------------------------------------------------------


@dataclass(frozen=True)
class OrderKey:
    """An ordering a list offers: its public name and the columns it sorts by.

    Columns are ORM paths or expressions and must never be NULL (wrap nullable ones in
    ``Coalesce``); the primary key is appended so the key is unique and pages are stable.
    """

    name: str
    columns: tuple[str | BaseExpression, ...]
    description: str = ""
    descending: bool = False


class KeysetPagination(BasePagination):
    """Cursor ("keyset") pagination: ``?cursor=…&page_size=…&ordering=…``.

    A page is the rows strictly after (or, going back, before) the position encoded in
    the cursor, in the chosen ordering with the primary key as the tie-breaker. Rows
    added or removed elsewhere never shift a page, no page repeats or skips a row, and no
    ``COUNT`` is run: every page costs one query whatever its position. The view lists
    its orderings in ``keyset_orderings`` (first is the default); ``-name`` reverses one.
    Answers ``{"next": url|null, "previous": url|null, "results": [...]}``.
    """

    page_size = 50
    max_page_size = 500
    cursor_query_param = "cursor"
    page_size_query_param = "page_size"
    ordering_query_param = "ordering"

    def __init__(self) -> None:
        self.next_url: str | None = None
        self.previous_url: str | None = None

    # view → orderings
    @staticmethod
    def orderings(view: Any) -> dict[str, OrderKey]:
        keys: Sequence[OrderKey] = getattr(view, "keyset_orderings", ()) or (
            OrderKey("id", ("pk",), "creation order"),
        )
        return {key.name: key for key in keys}

    def _ordering(self, request: Request, view: Any) -> tuple[OrderKey, bool]:
        orderings = self.orderings(view)
        wanted = request.query_params.get(self.ordering_query_param)
        if not wanted:
            key = next(iter(orderings.values()))
            return key, key.descending
        reverse = wanted.startswith("-")
        key = orderings.get(wanted[1:] if reverse else wanted)
        if key is None:
            choices = ", ".join(sorted(orderings))
            raise exceptions.ValidationError(
                {self.ordering_query_param: [f"Order by one of {choices} (prefix - to reverse)."]}
            )
        return key, key.descending != reverse

    def _page_size(self, request: Request) -> int:
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None:
            return self.page_size
        try:
            size = int(raw)
        except ValueError:
            size = 0
        if size < 1:
            raise exceptions.ValidationError(
                {self.page_size_query_param: [f"A whole number from 1 to {self.max_page_size}."]}
            )
        return min(size, self.max_page_size)

    def _decode(self, raw: str, ordering: str, width: int) -> tuple[list[Any], bool]:
        invalid = exceptions.ValidationError(
            {self.cursor_query_param: ["This cursor is not valid for this list and ordering."]}
        )
        try:
            payload = orjson.loads(base64.urlsafe_b64decode(raw.encode("ascii") + b"=="))
        except (ValueError, UnicodeEncodeError, binascii.Error, orjson.JSONDecodeError):
            raise invalid from None
        if (
            not isinstance(payload, dict)
            or payload.get("o") != ordering
            or not isinstance(payload.get("v"), list)
            or len(payload["v"]) != width
            or not all(
                isinstance(v, int | str)
                and not isinstance(v, bool)
                and (not isinstance(v, str) or "\x00" not in v)
                and (not isinstance(v, int) or abs(v) < 2**63)
                for v in payload["v"]
            )
        ):
            raise invalid
        return payload["v"], bool(payload.get("r"))

    @staticmethod
    def _encode(ordering: str, values: list[Any], reverse: bool) -> str:
        payload: dict[str, Any] = {"o": ordering, "v": values}
        if reverse:
            payload["r"] = 1
        return base64.urlsafe_b64encode(json_bytes(payload)).decode("ascii").rstrip("=")

    @staticmethod
    def _position(row: Any, names: list[str]) -> list[Any]:
        values = [row[n] if isinstance(row, Mapping) else getattr(row, n) for n in names]
        return [
            v.isoformat() if isinstance(v, dt.date | dt.datetime | dt.time) else v for v in values
        ]

    def paginate_queryset(
        self, queryset: QuerySet, request: Request, view: Any = None
    ) -> list[Any]:
        """The rows of the requested page (one query); sets the next and previous links."""
        key, descending = self._ordering(request, view)
        size = self._page_size(request)
        columns = list(key.columns)
        if columns[-1] not in ("pk", "id"):
            columns.append("pk")  # the tie-breaker that makes the key unique
        names = [f"_ks{i}" for i in range(len(columns))]
        queryset = queryset.annotate(
            **{n: (F(c) if isinstance(c, str) else c) for n, c in zip(names, columns, strict=True)}
        )
        raw_cursor = request.query_params.get(self.cursor_query_param)
        values: list[Any] | None = None
        backwards = False
        if raw_cursor:
            values, backwards = self._decode(raw_cursor, key.name, len(names))
            values = self._prepare(queryset, names, values)
        sort_descending = descending != backwards
        if values is not None:
            queryset = queryset.filter(self._after(names, values, sort_descending))
        order = [f"-{n}" if sort_descending else n for n in names]
        rows = list(queryset.order_by(*order)[: size + 1])
        has_more = len(rows) > size
        rows = rows[:size]
        if backwards:
            rows.reverse()
        has_next = True if backwards else has_more
        has_previous = has_more if backwards else values is not None
        url = request.build_absolute_uri()
        self.next_url = self.previous_url = None
        if rows and has_next:
            cursor = self._encode(key.name, self._position(rows[-1], names), False)
            self.next_url = replace_query_param(url, self.cursor_query_param, cursor)
        if rows and has_previous:
            cursor = self._encode(key.name, self._position(rows[0], names), True)
            self.previous_url = replace_query_param(url, self.cursor_query_param, cursor)
        elif has_previous:
            self.previous_url = remove_query_param(url, self.cursor_query_param)
        return rows

    @staticmethod
    def _prepare(queryset: QuerySet, names: list[str], values: list[Any]) -> list[Any]:
        """Cursor values as the columns' Python types; a tampered cursor is a 400."""
        prepared = []
        for name, value in zip(names, values, strict=True):
            field = queryset.query.annotations[name].output_field
            try:
                value = field.to_python(value)
                if isinstance(value, dt.datetime) and value.tzinfo is not None:
                    # Stored in UTC: a time whose UTC is past year 9999 or before year 1
                    # (9999-12-31T23:59-01:00) overflows when the database driver converts it.
                    value.astimezone(dt.UTC)
                prepared.append(value)
            except (DjangoValidationError, TypeError, ValueError, OverflowError):
                raise exceptions.ValidationError(
                    {"cursor": ["This cursor is not valid for this list and ordering."]}
                ) from None
        return prepared

    @staticmethod
    def _after(names: list[str], values: list[Any], descending: bool) -> Q:
        """Rows strictly after ``values`` in lexicographic order of ``names``.

        ``(a > x) OR (a = x AND b > y) …``, led by ``a >= x``, which the OR implies: the
        database can then start the page at ``x`` in an index on ``a`` instead of reading
        the list from its start and filtering (a late page of 100,000 actions).
        """
        op = "lt" if descending else "gt"
        condition = Q()
        for i in range(len(names)):
            term = Q(**{f"{names[j]}": values[j] for j in range(i)})
            term &= Q(**{f"{names[i]}__{op}": values[i]})
            condition |= term
        if len(names) > 1:
            condition = Q(**{f"{names[0]}__{op}e": values[0]}) & condition
        return condition

    def get_paginated_response(self, data: Any) -> Response:
        return Response(self.paginated_data(data))

    def paginated_data(self, data: Any) -> dict[str, Any]:
        return {"next": self.next_url, "previous": self.previous_url, "results": data}

    def get_paginated_response_schema(self, schema: dict[str, Any]) -> dict[str, Any]:
        return {
            "type": "object",
            "required": ["next", "previous", "results"],
            "properties": {
                "next": {
                    "type": "string",
                    "nullable": True,
                    "format": "uri",
                    "description": "The next page, or null on the last page.",
                },
                "previous": {
                    "type": "string",
                    "nullable": True,
                    "format": "uri",
                    "description": "The previous page, or null on the first page.",
                },
                "results": schema,
            },
        }

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        orderings = self.orderings(view)
        names = list(orderings)
        described = "; ".join(
            f"{k.name}: {k.description}" if k.description else k.name for k in orderings.values()
        )
        return [
            {
                "name": self.cursor_query_param,
                "required": False,
                "in": "query",
                "description": "Opaque position from a next or previous link.",
                "schema": {"type": "string"},
            },
            {
                "name": self.page_size_query_param,
                "required": False,
                "in": "query",
                "description": f"Rows per page (default {self.page_size}, at most "
                f"{self.max_page_size}).",
                "schema": {"type": "integer", "minimum": 1, "maximum": self.max_page_size},
            },
            {
                "name": self.ordering_query_param,
                "required": False,
                "in": "query",
                "description": f"Sort order ({described}); prefix - to reverse. Default "
                f"{names[0]}.",
                "schema": {"type": "string", "enum": names + [f"-{n}" for n in names]},
            },
        ]


def choices_help(choices: Iterable[tuple[str, str]]) -> str:
    """``open`` (Open), ``closed`` (Closed)…: enum values with their labels, for help text."""
    return ", ".join(f"{value} ({label})" for value, label in choices)


class DateTimeInputField(serializers.DateTimeField):
    """An aware date and time from 1900 to 2999 (stored in UTC).

    Far-off years are refused: Europe/London before 1847 keeps local mean time, an offset
    of -00:01:15 that RFC 3339 (and so every API client) cannot write.
    """

    def to_internal_value(self, value: Any) -> dt.datetime:
        result = super().to_internal_value(value)
        if not 1900 <= result.year <= 2999:
            raise serializers.ValidationError("Give a date and time from 1900 to 2999.")
        return result
