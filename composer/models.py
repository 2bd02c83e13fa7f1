"""What the headline-report import last wrote, per report, record and field.

An import must not undo work done since it last ran (issue #12): a due date re-dated at a
later meeting, a description corrected in the browser. To tell "changed since imported"
from "the report says something new", each import records the value it carried for every
field it manages, in the same transaction as its writes (:mod:`composer.importer.baseline`).

Why a row of our own and not the django-simple-history rows: the import writes as the
person who imports (a PMO, the same user who edits in the browser), so a history row does
not say whether it was written by an import; several fields the import manages are not in
one record's history at all (an action's owners are rows of their own, its CRs a
many-to-many); and some changes reach records without a history row
(``ActionQuerySet.follow_due_meeting`` updates in bulk). Comparing the current value with
the value the import last wrote catches every one of those, whoever made it and however.
"""

from __future__ import annotations

from django.db import models


class ImportedValue(models.Model):
    """The value the import of ``report`` last carried for one field of one record.

    ``report`` is the meeting ref of the headline report (``DAG028``); ``kind`` and ``ref``
    name the record (``action``/``DAG28-01``, ``discussion item``/``DAG028 #3``); ``value``
    is the field's canonical text (``composer.importer.baseline.value_text``).
    """

    report = models.CharField(max_length=24)
    kind = models.CharField(max_length=24)
    ref = models.CharField(max_length=64)
    field = models.CharField(max_length=32)
    value = models.TextField(blank=True)
    imported_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["report", "kind", "ref", "field"], name="imported_value_unique"
            )
        ]
        indexes = [models.Index(fields=["kind", "ref"], name="imported_value_record")]

    def __str__(self) -> str:
        return f"{self.report}: {self.kind} {self.ref} {self.field}"
