"""No silent lost update in the browser: an edit form carries the version it was read at.

The version is the record's API ETag (``core.api.etags.etag_of`` of the representation the
API answers for it, worked out by the API's own view: :func:`record_version`), so the browser
and the API share one definition of "this state". A form also carries, signed, the values
its user read (:class:`Version.values`). A save is checked under the row's lock
(:func:`version_guard`): when the record changed since the form was read, nothing is saved,
the message lists what changed meanwhile (field: the value you read → the value now), and
the form comes back with the user's input and the new version, to check and save again.

A form posted without a version (an old page, a script) is saved as before, as the API
saves a write without ``If-Match``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from django import forms
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.http import HttpRequest

from core.api.etags import etag_of

VERSION_FIELD = "version"
READ_FIELD = "read_values"
_SALT = "core.concurrency.read-values"
# A value longer than this is cut in the message (the history shows it in full).
_SHOWN = 120


@dataclass(frozen=True)
class Version:
    """A record's state as an edit form carries it: the ETag, and the values shown to the
    user (``{"Due date": "10 Jan 2027"}``) to say what changed if the save comes too late."""

    tag: str
    values: dict[str, str]


def record_version(api_view: type, request: HttpRequest, **kwargs: Any) -> str:
    """The ETag the API answers for the record ``api_view`` finds with ``kwargs`` (its URL
    parameters: ``ref=...``) as ``request.user`` reads it.

    ``api_view`` is the record's ``core.api.views.RecordApi`` subclass: its ``record_get``
    and ``record_represent`` are the API's, so a browser form's version is the same value
    a client reads in the ETag header.
    """
    view = api_view()
    view.setup(request, **kwargs)
    view.format_kwarg = None
    data = view.record_represent(view.record_get())
    return etag_of(data, view.links)


def record_versions(api_view: type, request: HttpRequest, pks: Iterable[int]) -> dict[int, str]:
    """:func:`record_version` of many records at once (a page of forms): ``{pk: ETag}``, in
    the fixed number of queries of ``api_view.records_get`` and ``records_represent``.

    A record ``request.user`` may not read through the API is left out (its form carries no
    version).
    """
    view = api_view()
    view.setup(request)
    view.format_kwarg = None
    records = view.records_get(sorted(set(pks)))
    return {
        record.pk: etag_of(data, view.links)
        for record, data in zip(records, view.records_represent(records), strict=True)
    }


class VersionedForm(forms.Form):
    """A form that carries the version of the record it edits (hidden fields).

    Give ``version=`` when the form is shown; a bound form reads it back from the POST.
    A form whose page always carries the version sets ``version_required``: a POST without
    one (a crafted request) is then refused with a non-field error instead of saved unchecked.
    """

    version = forms.CharField(widget=forms.HiddenInput, required=False, max_length=100)
    read_values = forms.CharField(widget=forms.HiddenInput, required=False)
    version_required = False

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data is None:  # a clean() of another base may return nothing
            data = self.cleaned_data
        if self.version_required and not data.get(VERSION_FIELD):
            self.add_error(
                None,
                forms.ValidationError(
                    "This form was sent without the version of the record it edits, so "
                    "nothing was saved: reload the page and save again.",
                    code="no_version",
                ),
            )
        return data

    def __init__(self, *args: Any, version: Version | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if version is not None:
            self.version_set(version)

    def version_set(self, version: Version) -> None:
        """Carry ``version`` from now on; a bound form keeps the user's other input."""
        read = signing.dumps(version.values, salt=_SALT, compress=True)
        self.initial[VERSION_FIELD], self.initial[READ_FIELD] = version.tag, read
        if self.is_bound:
            data = self.data.copy()
            data[self.add_prefix(VERSION_FIELD)] = version.tag
            data[self.add_prefix(READ_FIELD)] = read
            self.data = data

    def version_read(self) -> tuple[str, dict[str, str]]:
        """The version posted and the values the user read (empty when not given)."""
        tag = self.data.get(self.add_prefix(VERSION_FIELD), "") if self.is_bound else ""
        raw = self.data.get(self.add_prefix(READ_FIELD), "") if self.is_bound else ""
        try:
            values = signing.loads(raw, salt=_SALT) if raw else {}
        except signing.BadSignature:
            values = {}
        return tag, values if isinstance(values, dict) else {}


def _short(value: str) -> str:
    return value if len(value) <= _SHOWN else value[: _SHOWN - 1] + "…"


def changed_meanwhile(read: dict[str, str], now: dict[str, str]) -> list[str]:
    """``["Due date: 10 Jan 2027 → 01 Feb 2027"]`` for each value that differs."""
    return [
        f"{label}: {_short(read.get(label, '—'))} → {_short(value)}"
        for label, value in now.items()
        if read.get(label, value) != value
    ]


def stale_message(name: str, changes: list[str]) -> str:
    """The message of a refused stale save of the record ``name``."""
    what = (
        "Changed meanwhile: " + "; ".join(changes) + "."
        if changes
        else "What changed is not on this form (an update, a review or an owner's detail)."
    )
    return (
        f"{name} was changed by someone else after you opened this form, so nothing was "
        f"saved. {what} Your input is kept below: check it against the record and save again."
    )


@contextmanager
def version_guard(
    form: VersionedForm,
    *,
    record: models.Model,
    current: Callable[[], Version],
    name: str,
) -> Iterator[None]:
    """Run the block (one service call) only if ``form``'s version is still current.

    Opens a transaction, locks ``record``'s row (``select_for_update``; on SQLite the
    write lock), reads the current version and compares it with the one posted. When they
    differ, raises ValidationError naming what changed meanwhile and sets the new version
    on the form, so the user's input comes back ready to save again. A form posted without
    a version goes ahead (as an API write without ``If-Match``).
    """
    with transaction.atomic():
        type(record)._default_manager.select_for_update().filter(pk=record.pk).exists()
        posted, read = form.version_read()
        if posted:
            now = current()
            if now.tag != posted:
                form.version_set(now)
                raise ValidationError(stale_message(name, changed_meanwhile(read, now.values)))
        yield
