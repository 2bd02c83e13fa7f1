"""Reads of actions for the browser: the register, "my actions", a meeting's actions and reviews.

Every function returns a queryset (or list) that costs a fixed number of queries however many
actions there are: owners are prefetched with their organisation and person, meetings are
joined. Visibility follows ``meetings.selectors.meeting_list_for_user``: an Observer sees
only actions raised at Public meetings.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Prefetch, Q, QuerySet

from meetings import refs, roles
from meetings.models import Meeting, Organisation, Person
from meetings.selectors import committee_next_meetings

from .models import Action, ActionOwner, ActionReview, ActionUpdate

# Sort keys of the register (the ``sort`` query parameter) and the columns they order by.
REGISTER_SORTS: dict[str, list[str]] = {
    "ref": ["meeting__committee__code", "meeting__number", "meeting__sub_number", "seq"],
    "-ref": ["-meeting__committee__code", "-meeting__number", "-meeting__sub_number", "-seq"],
    "due_date": ["due_date", "meeting__number", "seq"],
    "-due_date": ["-due_date", "-meeting__number", "-seq"],
    "status": ["status", "due_date", "seq"],
    "-status": ["-status", "due_date", "seq"],
}


def _owners_prefetch() -> Prefetch:
    return Prefetch(
        "owners",
        queryset=ActionOwner.objects.select_related("organisation", "person"),
    )


def action_list_for_user(*, user: Any) -> QuerySet[Action]:
    """Every action ``user`` may see, with meeting, area and owners loaded (fixed queries).

    Observers (and users with no role) see actions raised at Public meetings only.
    """
    qs = Action.objects.select_related("meeting__committee", "agenda_item", "due_meeting")
    if roles.is_observer_only(user):
        qs = qs.filter(meeting__classification=Meeting.Classification.PUBLIC)
    return qs.prefetch_related(_owners_prefetch())


def action_get_for_user(*, ref: str, user: Any) -> Action:
    """The action with ``ref`` (``DAG28-01``, any case) if ``user`` may see it.

    Raises Action.DoesNotExist when there is no such action, it is hidden from the user, or
    ``ref`` is not an action ref.
    """
    try:
        key = refs.parse_action_ref(ref)
    except Exception as exc:
        raise Action.DoesNotExist(ref) from exc
    canonical = refs.action_ref(key.code, key.number, key.sub_number, key.seq)
    return action_list_for_user(user=user).get(ref=canonical)


def next_meetings_by_committee() -> dict[int, Meeting]:
    """Each committee's next meeting: ``{committee_id: meeting}`` (one query).

    :func:`meetings.selectors.committee_next_meetings`, the one rule for "the next meeting".
    """
    return committee_next_meetings()


def next_meeting_dates() -> dict[int, dt.date]:
    """Each committee's next meeting date (Europe/London): ``{committee_id: date}``."""
    return {cid: meeting.date for cid, meeting in next_meetings_by_committee().items()}


def _due_before_next_meeting(qs: QuerySet[Action]) -> QuerySet[Action]:
    dates = next_meeting_dates()
    if not dates:
        return qs.none()
    condition = Q()
    for committee_id, date in dates.items():
        condition |= Q(committee_id=committee_id, due_date__lte=date)
    return qs.open().filter(condition)


@dataclass(frozen=True)
class ActionRegisterFilters:
    """The register's filters, all optional. ``owner`` is ``o<org id>``, ``p<person id>`` or
    ``r<role>``; ``due`` is ``overdue``, ``within`` (``within_days`` from today) or ``next``
    (on or before the committee's next planned meeting, overdue included)."""

    committee: str = ""
    meeting: str = ""
    status: str = ""
    owner: str = ""
    due: str = ""
    within_days: int | None = None
    text: str = ""
    sort: str = "ref"


def action_register(
    *, user: Any, filters: ActionRegisterFilters, today: dt.date
) -> QuerySet[Action]:
    """The action register for ``user``, filtered and sorted; ``today`` is a London date.

    Unknown sort keys fall back to ref order. The result is distinct (an owner filter can
    match two owners of one action) and costs a fixed number of queries to page through.
    """
    qs = action_list_for_user(user=user)
    if filters.committee:
        qs = qs.filter(committee__code=filters.committee)
    if filters.meeting:
        qs = qs.filter(meeting__ref=filters.meeting)
    if filters.status == "open":
        qs = qs.open()
    elif filters.status:
        qs = qs.filter(status=filters.status)
    owner = filters.owner
    if owner[:1] == "o" and owner[1:].isdigit():
        qs = qs.filter(owners__organisation_id=int(owner[1:]))
    elif owner[:1] == "p" and owner[1:].isdigit():
        qs = qs.filter(owners__person_id=int(owner[1:]))
    elif owner[:1] == "r" and owner[1:]:
        qs = qs.filter(owners__role=owner[1:])
    if filters.due == "overdue":
        qs = qs.overdue(today)
    elif filters.due == "within":
        days = filters.within_days if filters.within_days is not None else 14
        qs = qs.due_between(today, today + dt.timedelta(days=days))
    elif filters.due == "next":
        qs = _due_before_next_meeting(qs)
    text = filters.text.strip()
    if text:
        qs = qs.filter(
            Q(ref__icontains=text)
            | Q(description__icontains=text)
            | Q(owners__person__name__icontains=text)
            | Q(owners__organisation__name__icontains=text)
            | Q(owners__role__icontains=text)
        )
    if owner or text:
        # Owner joins can repeat an action; keep one row each without a DISTINCT over
        # every column (PostgreSQL cannot DISTINCT text ordered by joined columns cheaply).
        qs = Action.objects.filter(pk__in=qs.values("pk"))
        qs = qs.select_related("meeting__committee", "agenda_item", "due_meeting")
        qs = qs.prefetch_related(_owners_prefetch())
    return qs.order_by(*REGISTER_SORTS.get(filters.sort, REGISTER_SORTS["ref"]))


@dataclass(frozen=True)
class OwnerChoice:
    """One entry of the register's owner filter: its value (``o3``) and label."""

    value: str
    label: str


def action_owner_choices(*, user: Any) -> dict[str, list[OwnerChoice]]:
    """Owner filter choices grouped: organisations, roles and people who own an action
    ``user`` may see (an Observer does not learn who owns actions of hidden meetings).

    Three queries. Keys are the group labels shown in the filter.
    """
    owners = ActionOwner.objects.filter(action__in=action_list_for_user(user=user).values("pk"))
    organisations = Organisation.objects.filter(
        pk__in=owners.exclude(organisation=None).values("organisation_id")
    )
    people = Person.objects.filter(
        pk__in=owners.exclude(person=None).values("person_id")
    ).select_related("organisation")
    owner_roles = owners.exclude(role="").values_list("role", flat=True).distinct().order_by()
    return {
        "Organisations": [OwnerChoice(f"o{o.pk}", o.name) for o in organisations],
        "Roles": [OwnerChoice(f"r{r}", r) for r in sorted(set(owner_roles))],
        "People and teams": [
            OwnerChoice(
                f"p{p.pk}", f"{p.name} ({p.organisation.name})" if p.organisation else p.name
            )
            for p in people.distinct()
        ],
    }


def action_seats_of(*, person: Person, today: dt.date) -> dict[int, set[str]]:
    """The owner roles ``person`` holds on each committee today: ``{committee_id: {"chair"}}``.

    From their current memberships (``today`` a London date), by the rule that sends a role
    owner's reminders (:func:`actions.reminders.owner_roles_of_seat`).
    """
    from meetings.models import Membership

    from .reminders import owner_roles_of_seat

    seats: dict[int, set[str]] = {}
    for committee_id, role, constituency in (
        Membership.objects.filter(person=person)
        .filter(Q(start_date__isnull=True) | Q(start_date__lte=today))
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=today))
        .values_list("committee_id", "role", "constituency")
    ):
        words = owner_roles_of_seat(role=role, constituency=constituency)
        if words:
            seats.setdefault(committee_id, set()).update(words)
    return seats


def action_list_for_owner(*, user: Any, today: dt.date | None = None) -> QuerySet[Action]:
    """Open actions ``user`` owns in person, through their organisation or through a seat
    they hold on the action's committee ("My actions": an action owned by "Chair" is the
    chair's, as in :func:`action_seats_of`); ``today`` (London, default now) dates the
    memberships.

    Empty when the user is linked to no Person. Ordered by due date, undated last.
    """
    from django.utils import timezone

    person = Person.objects.filter(user=user).first() if user.is_authenticated else None
    if person is None:
        return Action.objects.none()
    mine = Q(owners__person=person)
    if person.organisation_id:
        mine |= Q(owners__organisation_id=person.organisation_id)
    seats = action_seats_of(person=person, today=today or timezone.localdate())
    for committee_id, words in seats.items():
        for word in sorted(words):
            mine |= Q(committee_id=committee_id, owners__person__isnull=True) & Q(
                owners__role__iexact=word
            )
    ids = Action.objects.open().filter(mine).values("pk")
    return (
        action_list_for_user(user=user)
        .filter(pk__in=ids)
        .order_by("due_date", "meeting__number", "seq")
    )


def action_list_for_meeting(*, meeting: Meeting) -> list[Action]:
    """The actions raised at ``meeting`` in ref order, owners loaded (two queries)."""
    return list(
        Action.objects.filter(meeting=meeting)
        .select_related("agenda_item", "meeting__committee")
        .prefetch_related(_owners_prefetch())
        .order_by("seq")
    )


def action_review_list_for_meeting(*, meeting: Meeting) -> list[ActionReview]:
    """The earlier actions taken up at ``meeting`` (report "Previous Meeting(s)"), in order."""
    return list(
        ActionReview.objects.filter(meeting=meeting)
        .select_related("action__meeting__committee", "agenda_item")
        .prefetch_related(
            Prefetch(
                "action__owners",
                queryset=ActionOwner.objects.select_related("organisation", "person"),
            )
        )
        .order_by("order", "id")
    )


def action_list_to_review(*, meeting: Meeting) -> list[Action]:
    """Open actions of the committee's earlier meetings not yet taken up at ``meeting``."""
    return list(
        Action.objects.open()
        .filter(committee_id=meeting.committee_id, meeting__start_at__lt=meeting.start_at)
        .exclude(reviews__meeting=meeting)
        .select_related("meeting__committee")
        .prefetch_related(_owners_prefetch())
        .order_by("meeting__number", "meeting__sub_number", "seq")
    )


def action_list_proposed_closure(*, user: Any) -> QuerySet[Action]:
    """Actions whose owners proposed closure, awaiting the PMO, oldest due first."""
    return (
        action_list_for_user(user=user)
        .filter(status=Action.Status.PROPOSED_CLOSURE)
        .order_by("due_date", "seq")
    )


def action_updates_of(*, action: Action) -> list[ActionUpdate]:
    """The progress updates of ``action``, oldest first, with their authors' people."""
    return list(
        action.updates.select_related("author__person").order_by("created_at", "id"),
    )


def action_history_of(*, action: Action) -> list[Any]:
    """The recorded versions of ``action`` (django-simple-history), newest first.

    Each entry has ``history_date``, ``history_user`` and ``changes``: a list of
    ``(field label, old, new)`` against the previous version.
    """
    versions = list(action.history.select_related("history_user").order_by("-history_date"))
    labels = {f.name: f.verbose_name for f in Action._meta.fields}
    watched = ["description", "due_date", "status", "closed_date", "closure_note"]
    status_labels = dict(Action.Status.choices)
    for newer, older in zip(versions, [*versions[1:], None], strict=True):
        changes: list[tuple[str, Any, Any]] = []
        if older is not None:
            delta = newer.diff_against(older, included_fields=watched)
            for change in delta.changes:
                old, new = change.old, change.new
                if change.field == "status":
                    old, new = status_labels.get(old, old), status_labels.get(new, new)
                changes.append((labels.get(change.field, change.field), old, new))
        newer.changes = changes
    return versions
