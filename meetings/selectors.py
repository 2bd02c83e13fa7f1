"""Reads of committees, meetings and discussion, and the reference resolver."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Model, QuerySet

from . import refs, roles
from .models import Committee, DiscussionItem, DiscussionReference, Meeting


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
    from actions.models import Action
    from changerequests.models import ChangeRequest, DesignIssueNotification
    from decisions.models import Decision

    return {
        refs.RefKind.MEETING: Meeting,
        refs.RefKind.ACTION: Action,
        refs.RefKind.DECISION: Decision,
        refs.RefKind.CHANGE_REQUEST: ChangeRequest,
        refs.RefKind.DIN: DesignIssueNotification,
    }


def committee_codes() -> list[str]:
    """Codes of every committee in the installation (``["DAG", "DRG"]``)."""
    return list(Committee.objects.values_list("code", flat=True))


def references_resolve(*, text: str, codes: list[str] | None = None) -> list[ResolvedRef]:
    """Find the refs written in ``text`` and the records they name.

    One query per kind of ref present (plus one for the committee codes when ``codes`` is
    not given), whatever the number of refs. Refs with no record yet keep ``record=None``.
    """
    found = refs.find_refs(text, committee_codes() if codes is None else codes)
    by_kind: dict[str, set[str]] = {}
    for f in found:
        by_kind.setdefault(f.kind, set()).add(f.ref)
    records: dict[tuple[str, str], Model] = {}
    for kind, model in _models_by_kind().items():
        wanted = by_kind.get(kind)
        if wanted:
            for record in model.objects.filter(ref__in=wanted):
                records[(kind, record.ref)] = record
    return [
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


def meeting_list_for_user(*, user: Any) -> QuerySet[Meeting]:
    """Meetings ``user`` may see: Observers see Public meetings only (DESIGN.md roles)."""
    qs = Meeting.objects.select_related("committee")
    if roles.is_observer_only(user):
        qs = qs.visible_to_public()
    return qs


def meeting_get_for_user(*, ref: str, user: Any) -> Meeting:
    """The meeting with ``ref`` if ``user`` may see it; raises Meeting.DoesNotExist otherwise."""
    return meeting_list_for_user(user=user).get(ref=refs.meeting_ref(*_meeting_key(ref)))


def _meeting_key(ref: str) -> tuple[str, int, int]:
    key = refs.parse_meeting_ref(ref)
    return key.code, key.number, key.sub_number


def discussions_of(*, field: str, record: Model) -> QuerySet[DiscussionItem]:
    """Discussion items that name ``record`` ("where was this discussed"), in meeting order.

    ``field`` is the DiscussionReference column: ``action``, ``decision``,
    ``change_request``, ``din`` or ``meeting``.
    """
    item_ids = DiscussionReference.objects.filter(**{field: record}).values("discussion_item_id")
    return (
        DiscussionItem.objects.filter(pk__in=item_ids)
        .select_related("meeting__committee", "agenda_item")
        .order_by("meeting__start_at", "order")
    )
