"""The change request page's read model: everything that concerns one CR, across records."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Prefetch, Q

from actions.models import Action, ActionOwner
from changerequests.expected_respondents import MatrixRow, ia_matrix
from changerequests.models import (
    ChangeRequest,
    ChangeRequestStatusChange,
    ImpactAssessmentResponse,
)
from decisions.models import Decision
from meetings.models import AgendaItem, DiscussionItem
from meetings.selectors import discussions_of, linkable_references_prefetch


@dataclass
class ChangeRequestPage:
    """Everything the CR page shows, loaded in a fixed number of queries."""

    change_request: ChangeRequest
    ia_responses: list[ImpactAssessmentResponse]
    tally: dict[str, int]
    decisions: list[Any] = field(default_factory=list)
    actions: list[Any] = field(default_factory=list)
    discussions: list[DiscussionItem] = field(default_factory=list)
    agenda_items: list[AgendaItem] = field(default_factory=list)
    dins: list[Any] = field(default_factory=list)
    status_changes: list[ChangeRequestStatusChange] = field(default_factory=list)
    # Expected respondents against responses received (changerequests.expected_respondents).
    matrix: list[MatrixRow] = field(default_factory=list)

    @property
    def expected_count(self) -> int:
        return sum(1 for row in self.matrix if row.expected is not None)

    @property
    def awaited_count(self) -> int:
        return sum(1 for row in self.matrix if row.state in ("pending", "overdue"))

    @property
    def decision_refs(self) -> set[str]:
        """Refs of the decisions on the CR the reader may open (others show as plain text)."""
        return {decision.ref for decision in self.decisions}


def change_request_page(*, change_request: ChangeRequest, user: Any) -> ChangeRequestPage:
    """The CR's IA responses and tally, and the decisions, actions, discussion and agenda
    items that concern it (those of meetings ``user`` may see)."""
    responses = list(
        change_request.ia_responses.select_related("organisation").order_by("organisation__name")
    )
    tally = {label: 0 for _, label in ImpactAssessmentResponse.Position.choices}
    for response in responses:
        tally[response.get_position_display()] += 1
    decisions = list(
        Decision.objects.visible_to(user)
        .filter(change_request=change_request)
        .select_related("meeting__committee", "decided_by")
        .order_by("meeting__start_at", "seq")
    )
    action_q = Q(change_requests=change_request) | Q(agenda_item__change_request=change_request)
    actions = list(
        Action.objects.visible_to(user)
        .filter(pk__in=Action.objects.filter(action_q).values("pk"))
        .select_related("meeting__committee")
        .prefetch_related(
            Prefetch(
                "owners", queryset=ActionOwner.objects.select_related("organisation", "person")
            )
        )
        .order_by("meeting__start_at", "seq")
    )
    discussions = list(
        discussions_of(field="change_request", record=change_request)
        .visible_to(user)
        .prefetch_related(linkable_references_prefetch(user))
    )
    agenda_items = list(
        change_request.agenda_items.visible_to(user)
        .select_related("meeting__committee")
        .order_by("meeting__start_at")
    )
    dins = list(change_request.dins.select_related("release").order_by("number"))
    # Status moves on record with their reasons (decisions, re-openings, moves once decided).
    status_changes = list(change_request.status_changes.select_related("changed_by"))
    return ChangeRequestPage(
        change_request=change_request,
        ia_responses=responses,
        tally=tally,
        decisions=decisions,
        actions=actions,
        discussions=discussions,
        agenda_items=agenda_items,
        dins=dins,
        status_changes=status_changes,
        matrix=ia_matrix(change_request=change_request, responses=responses),
    )
