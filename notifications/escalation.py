"""Escalating overdue actions: after N days to the committee's secretariat, after M days to
its chair (and deputy), each occasion once.

An occasion (action, person, level) is an :class:`~notifications.models.EscalationLog` row
with a unique key: a run inserts the occasions owed today ignoring those that exist, reads
back the rows it inserted (by its run id) and writes their notifications (kind
``escalation``, by default for the daily digest, "Overdue more than 14 days: 3") in the same
transaction. A retried run, or a second run at the same time, inserts nothing and writes
nothing. "Overdue" is the one rule, ``ActionQuerySet.overdue``: more than N days overdue on
``today`` is overdue on ``today - N``.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections import defaultdict
from typing import Any

from django.db import transaction
from django.urls import reverse

from actions.models import Action
from core.access import CHAIR_ROLES, SeatRole
from meetings.models import Committee, Person
from notifications.batching import _require_system_or_pmo
from notifications.models import EscalationLevel, EscalationLog, EscalationRule, Kind
from notifications.recipients import Told, record_visible, seat_holder_ids
from notifications.services import notifications_write

LEVEL_ROLES = {
    EscalationLevel.SECRETARIAT: frozenset({SeatRole.SECRETARIAT}),
    EscalationLevel.CHAIR: CHAIR_ROLES,
}


def _owed(committee: Committee, rule: EscalationRule, today: dt.date) -> list[tuple]:
    """(action, person, level, days) owed on ``today`` for one committee, before the log."""
    owed = []
    for level, days in (
        (EscalationLevel.SECRETARIAT, rule.secretariat_after_days),
        (EscalationLevel.CHAIR, rule.chair_after_days),
    ):
        if not days:
            continue  # 0: this level is off
        actions = list(
            Action.objects.filter(committee=committee)
            .overdue(today - dt.timedelta(days=days))
            .order_by("ref_sort")
        )
        holders = seat_holder_ids(committee.pk, LEVEL_ROLES[level], today)
        people = Person.objects.filter(pk__in=holders, is_active=True, user__isnull=False)
        for person in people.select_related("user"):
            owed += [
                (action, person, level, days)
                for action in actions
                if record_visible(person.user, "action", action.pk)
            ]
    return owed


def _told(action: Action, person_ids: set[int], days: int, today: dt.date) -> Told:
    late = (today - action.due_date).days
    text = (
        f"Due {action.due_date:%d/%m/%Y}, {late} days overdue, owned by "
        f"{action.owner_display()}: {action.description[:160]}"
    )
    return Told(
        kind=Kind.ESCALATION,
        person_ids=person_ids,
        record_type="action",
        record_id=action.pk,
        record_ref=action.ref,
        url=reverse("action-detail", args=[action.ref]),
        text=text,
        group=f"{action.committee.code}: overdue more than {days} days",
    )


@transaction.atomic
def _escalate_committee(committee: Committee, today: dt.date, acting_user: Any) -> int:
    rule = EscalationRule.objects.filter(committee=committee).first() or EscalationRule(
        committee=committee
    )
    owed = _owed(committee, rule, today)
    if not owed:
        return 0
    run_id = uuid.uuid4()
    EscalationLog.objects.bulk_create(
        [
            EscalationLog(
                action=action, person=person, level=level, escalated_date=today, run_id=run_id
            )
            for action, person, level, _ in owed
        ],
        ignore_conflicts=True,
    )
    held = set(
        EscalationLog.objects.filter(run_id=run_id).values_list("action_id", "person_id", "level")
    )
    by_occasion: dict[tuple, set[int]] = defaultdict(set)
    actions = {}
    for action, person, level, days in owed:
        if (action.pk, person.pk, level) in held:
            by_occasion[(action.pk, days)].add(person.pk)
            actions[action.pk] = action
    for (action_id, days), person_ids in by_occasion.items():
        notifications_write(
            told=_told(actions[action_id], person_ids, days, today), actor=acting_user
        )
    return len(held)


def escalations_run(*, today: dt.date, acting_user: Any) -> int:
    """Escalate every committee's actions owed on ``today``; the number of new occasions.

    Safe to run twice and at once (see the module). The system or the PMO only.
    """
    _require_system_or_pmo(acting_user)
    return sum(
        _escalate_committee(committee, today, acting_user)
        for committee in Committee.objects.order_by("code")
    )
