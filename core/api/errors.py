"""The API's one error shape, and the exception handler that gives every failure it.

DRF's settings name :func:`api_exception_handler`; :class:`ErrorSerializer` documents the
shape in the schema (:mod:`core.api.schema`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ObjectDoesNotExist
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import DataError
from django.http import Http404
from rest_framework import exceptions, serializers, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from core.services import RecordLockedError

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


class Conflict(exceptions.APIException):
    """409: the record is locked by a decision (``core.services.RecordLockedError``)."""

    status_code = status.HTTP_409_CONFLICT
    default_detail = "The record is locked."
    default_code = "locked"


def api_exception_handler(exc: Exception, context: Mapping[str, Any]) -> Response | None:
    """Turn any failure into the one error shape (see :class:`ErrorSerializer`).

    ``{"status": 400, "code": "invalid", "detail": "…", "errors": {"due_date": ["…"]}}``.
    A locked record (``RecordLockedError``) becomes 409 with code ``locked``; Django's
    ValidationError (from the services) becomes 400 with its field errors,
    PermissionDenied 403, a missing record 404, and a database refusal of a value
    (``DataError``: out of range, NUL characters) 400. Anything else stays a 500.
    """
    if isinstance(exc, RecordLockedError):
        exc = Conflict(" ".join(exc.messages))
    elif isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(django_validation_detail(exc))
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied(*exc.args)
    elif isinstance(exc, Http404 | ObjectDoesNotExist):
        exc = exceptions.NotFound()
    elif isinstance(exc, DataError):
        exc = exceptions.ValidationError(
            {NON_FIELD_ERRORS: ["A value is out of the range the database accepts."]}
        )
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
        "permission_denied, not_found, precondition_failed, locked, parse_error…"
    )
    detail = serializers.CharField(help_text="What went wrong, for a person.")
    errors = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        help_text="Field errors: field name (dotted for nested input, such as owners.0) to "
        "messages; non_field_errors for errors of the whole request. Empty unless 400.",
    )
