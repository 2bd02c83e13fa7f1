"""The reference resolver: the refs written in text and the records they name.

It reads every kind of record (meetings, actions, decisions, CRs, DINs), so it lives above the
record apps.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Model

from actions.models import Action
from changerequests.models import ChangeRequest, DesignIssueNotification
from core import refs
from decisions.models import Decision
from meetings.models import Meeting
from meetings.selectors import committee_codes


@dataclass(frozen=True)
class ResolvedRef:
    """A ref found in text and the record it names (``record`` is None when not recorded).

    ``field`` is the DiscussionReference column that holds this kind of record.
    """

    kind: str
    ref: str
    text: str
    start: int
    end: int
    record: Model | None
    field: str


_FIELD_BY_KIND = {
    refs.RefKind.MEETING: "meeting",
    refs.RefKind.ACTION: "action",
    refs.RefKind.DECISION: "decision",
    refs.RefKind.CHANGE_REQUEST: "change_request",
    refs.RefKind.DIN: "din",
    refs.RefKind.DESIGN_ARTEFACT: "",
}


def _models_by_kind() -> dict[str, Any]:
    return {
        refs.RefKind.MEETING: Meeting,
        refs.RefKind.ACTION: Action,
        refs.RefKind.DECISION: Decision,
        refs.RefKind.CHANGE_REQUEST: ChangeRequest,
        refs.RefKind.DIN: DesignIssueNotification,
    }


def references_resolve(*, text: str, codes: list[str] | None = None) -> list[ResolvedRef]:
    """Find the refs written in ``text`` and the records they name.

    One query per kind of ref present (plus one for the committee codes when ``codes`` is
    not given), whatever the number of refs. Refs with no record yet keep ``record=None``.
    """
    return references_resolve_many(texts=[text], codes=codes)[0]


def references_resolve_many(
    *, texts: list[str], codes: list[str] | None = None
) -> list[list[ResolvedRef]]:
    """:func:`references_resolve` for each of ``texts``, in a few queries for them all (one
    per kind of ref present and 500 refs; an import's discussion, issue #18)."""
    codes = committee_codes() if codes is None else codes
    found_in = [refs.find_refs(text, codes) for text in texts]
    by_kind: dict[str, set[str]] = {}
    for found in found_in:
        for f in found:
            by_kind.setdefault(f.kind, set()).add(f.ref)
    records: dict[tuple[str, str], Model] = {}
    for kind, model in _models_by_kind().items():
        wanted = sorted(by_kind.get(kind, ()))
        for start in range(0, len(wanted), 500):
            for record in model.objects.filter(ref__in=wanted[start : start + 500]):
                records[(kind, record.ref)] = record
    return [
        [
            ResolvedRef(
                kind=f.kind,
                ref=f.ref,
                text=f.text,
                start=f.start,
                end=f.end,
                record=records.get((f.kind, f.ref)),
                field=_FIELD_BY_KIND[f.kind],
            )
            for f in found
        ]
        for found in found_in
    ]
