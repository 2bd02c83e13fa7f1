"""What each import last wrote, and whether a record changed in the tracker since (issue #12).

A re-import must not roll back newer facts. Each import records, per record and field, the
value it carried (:class:`composer.models.ImportedValue`, keyed by the report's meeting ref);
the next import of the same report compares the tracker's value with it:

* the tracker still holds what this report's import wrote → the report's value is applied
  (an edited report updates its records);
* it holds something else → the field was changed since (in the browser, the API, a review at
  a later meeting, a later report's import): a **conflict**, kept as it is unless the PMO
  takes the imported value.

A record this report never imported (a later report reviewing an earlier action) is compared
with the value the latest import of any report wrote; a record no import ever wrote was
recorded in the tracker by hand, so every difference is a conflict. Why a table of our own
rather than the history rows: see :mod:`composer.models`.

A field kept on a conflict keeps its earlier baseline: the import did not write it, and a
later report's import must still see the tracker's value as the one last imported.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.utils import timezone

from composer.models import ImportedValue

from .text import LONDON

Key = tuple[str, str, str]  # (kind, ref, field)
_CHUNK = 500


def value_text(value: Any) -> str:
    """A field's value as the text compared and shown: dates ``11/10/2023``, lists joined."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return f"{value.astimezone(LONDON):%d/%m/%Y %H:%M}"
    if isinstance(value, dt.date):
        return f"{value:%d/%m/%Y}"
    if isinstance(value, list | tuple):
        return "; ".join(value_text(v) for v in value)
    return str(value)


class Baselines:
    """The values imports last wrote for the records of one report, loaded once."""

    def __init__(self, report: str) -> None:
        self.report = report
        self.own: dict[Key, str] = {}
        self.others: dict[Key, str] = {}
        self.pending: dict[Key, str] = {}
        self._own_loaded = False

    def load(self, records: dict[str, Iterable[str]]) -> None:
        """Read this report's rows (once), and the other reports' rows of ``records``
        (kind -> refs)."""
        if not self._own_loaded:
            self._own_loaded = True
            for row in ImportedValue.objects.filter(report=self.report).values_list(
                "kind", "ref", "field", "value"
            ):
                self.own[row[:3]] = row[3]
        for kind, refs in records.items():
            wanted = sorted(set(refs))
            for start in range(0, len(wanted), _CHUNK):
                rows = (
                    ImportedValue.objects.filter(kind=kind, ref__in=wanted[start : start + _CHUNK])
                    .exclude(report=self.report)
                    .order_by("imported_at", "pk")
                    .values_list("kind", "ref", "field", "value")
                )
                for row in rows:
                    self.others[row[:3]] = row[3]  # the latest import's value wins

    def changed_since_import(self, key: Key, current: str) -> bool:
        """True when the tracker's value is not the one the last import wrote (or none did)."""
        base = self.own.get(key, self.others.get(key))
        return base is None or base != current

    def record(self, key: Key, value: str) -> None:
        """The import wrote (or found) ``value``: the baseline of its next run."""
        self.pending[key] = value

    def save(self) -> None:
        """Write the recorded values, in the import's transaction (batched upserts)."""
        now = timezone.now()
        rows = [
            ImportedValue(report=self.report, kind=k, ref=r, field=f, value=v, imported_at=now)
            for (k, r, f), v in self.pending.items()
        ]
        ImportedValue.objects.bulk_create(
            rows,
            batch_size=_CHUNK,
            update_conflicts=True,
            unique_fields=["report", "kind", "ref", "field"],
            update_fields=["value", "imported_at"],
        )
