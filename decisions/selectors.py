"""Reads of decisions for the browser: the register, the chair's queue, a meeting's decisions.

What a user may see is ``Decision.objects.visible_to(user)`` (the one rule,
``core.visibility``): today an Observer sees only decisions taken at Public meetings. Each
read costs a fixed number of queries.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q, QuerySet

from core import refs, roles
from core.list_cache import list_cached, list_reader_class

from .models import Decision, DecisionReopening

# Statuses the chair still has to decide on.
AWAITING_CHAIR = (Decision.Status.PROPOSED, Decision.Status.DEFERRED)


def decision_list_for_user(*, user: Any) -> QuerySet[Decision]:
    """Every decision ``user`` may see, with committee, meeting, area, CR and decider joined."""
    return Decision.objects.visible_to(user).select_related(
        "committee", "meeting__committee", "agenda_item", "change_request", "decided_by"
    )


def decision_get_for_user(*, ref: str, user: Any) -> Decision:
    """The decision with ``ref`` (``DAG-DEC68``, any case) if ``user`` may see it.

    Raises Decision.DoesNotExist when missing, hidden, or ``ref`` is not a decision ref.
    """
    try:
        key = refs.parse_decision_ref(ref)
    except Exception as exc:
        raise Decision.DoesNotExist(ref) from exc
    return decision_list_for_user(user=user).get(ref=refs.decision_ref(key.code, key.seq))


def decision_register(
    *, user: Any, status: str = "", committee: str = "", text: str = ""
) -> QuerySet[Decision]:
    """Decisions filtered by status, committee code and free text, newest ref first."""
    qs = decision_list_for_user(user=user)
    if status:
        qs = qs.filter(status=status)
    if committee:
        qs = qs.filter(committee__code=committee)
    text = text.strip()
    if text:
        qs = qs.filter(Q(text__icontains=text) | Q(ref__icontains=text))
    return qs.order_by("committee__code", "-seq")


class DecisionIds:
    """The ids of a filtered decision register in its order (committee code, newest first),
    as :class:`~django.core.paginator.Paginator` reads them: ``count()`` and slices.

    A slice is read a committee at a time, newest first along the committee's own
    (committee, seq) index, so a page costs one query (two where it spans committees)
    however many decisions there are; sorting every visible decision by committee code
    for one page grew with them (10-12 ms at 12,000 decisions for a Member). The count is
    each committee's, in code order: given by the caller (cached, see
    :func:`decision_register_counts`)."""

    def __init__(self, queryset: QuerySet[Decision], counts: list[tuple[int, int]]) -> None:
        self.queryset = queryset.order_by()
        self.counts = counts

    def count(self) -> int:
        return sum(n for _, n in self.counts)

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, index: slice) -> list[int]:
        if not isinstance(index, slice) or index.step not in (None, 1):
            raise TypeError("DecisionIds reads slices only")
        start, stop, _ = index.indices(self.count())
        ids: list[int] = []
        before = 0  # decisions of the committees before this one
        for committee_id, n in self.counts:
            low, high = max(start - before, 0), min(stop - before, n)
            if low < high:
                ids.extend(
                    self.queryset.filter(committee_id=committee_id)
                    .order_by("-seq")
                    .values_list("pk", flat=True)[low:high]
                )
            before += n
            if before >= stop:
                break
        return ids


def decision_register_counts(
    *, user: Any, queryset: QuerySet[Decision], filtered: bool
) -> list[tuple[int, int]]:
    """(committee id, decisions) of ``queryset``, committees in code order, none empty.

    Unfiltered, cached per reader class (everyone who sees every meeting shares one figure;
    ``core.list_cache``: recording or deleting a decision, or any change to who sees which
    meeting, replaces it; a decision's committee and meeting never change). With a filter
    (a status changes when the chair decides), counted each time."""

    def counts() -> list[tuple[int, int]]:
        rows = (
            queryset.order_by("committee__code")
            .values_list("committee_id", "committee__code")
            .annotate(n=Count("pk"))
        )
        return [(committee_id, n) for committee_id, _code, n in rows]

    if filtered:
        return counts()
    return list_cached("decisions:counts", [list_reader_class(user)], counts)


def decision_rows(queryset: QuerySet[Decision], ids: list[int]) -> list[Decision]:
    """The decisions ``ids`` of ``queryset`` (its joins), in the order of ``ids``: a page
    of the register read as its ids first (a narrow sorted read) and then its 50 rows, not
    every decision joined to six tables and sorted for one page."""
    by_pk = {d.pk: d for d in queryset.order_by().filter(pk__in=ids)}
    return [by_pk[pk] for pk in ids if pk in by_pk]


def decision_queue(*, user: Any) -> QuerySet[Decision]:
    """Decisions awaiting the chair (proposed or deferred), oldest meeting first: for a
    chair, those of the committees they chair (``core.roles.chaired_committee_ids``: the DAG
    chair is not shown TMAG's); for anyone else, those they may see, to read."""
    qs = decision_list_for_user(user=user).filter(status__in=AWAITING_CHAIR)
    chaired = roles.chaired_committee_ids(user)
    if chaired:
        qs = qs.filter(committee_id__in=sorted(chaired))
    return qs.order_by("meeting__start_at", "seq")


def decision_history_of(*, decision: Decision) -> list[Any]:
    """The recorded versions of ``decision``, newest first, with their users."""
    return list(decision.history.select_related("history_user__person").order_by("-history_date"))


def decision_reopenings_of(*, decision: Decision) -> list[DecisionReopening]:
    """The re-openings of ``decision``, oldest first, with who re-opened and who had decided."""
    return list(
        DecisionReopening.objects.filter(decision=decision).select_related(
            "reopened_by__person", "from_decided_by"
        )
    )
