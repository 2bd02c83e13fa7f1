"""State changes of committees, organisations, people, meetings and agenda items.

Every function here is keyword-only, runs in a transaction and validates with the models'
``full_clean`` (fields and constraints), so bad input raises ``ValidationError`` with field
errors, never an ``IntegrityError``. See CONVENTIONS.md "The layers".
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models, transaction

from core import refs, roles
from core.actors import history_user, is_system
from core.services import (
    apply_changes,
    counter_take,
    history_get_or_create,
    name_length_check,
    number_range_check,
    validated_save,
)

from .models import AgendaItem, Committee, Meeting, Organisation, Person, RefCounter
from .people_selectors import organisation_find, person_find


def ref_counter_take(key: str, *, explicit: int | None = None) -> int:
    """Take the next programme-wide number for ``key`` (``"CR"``, ``"DIN"``)."""
    RefCounter.objects.get_or_create(key=key)
    return counter_take(RefCounter.objects.filter(key=key), "last_value", explicit=explicit)


# --- committees, organisations, people ------------------------------------------------------


@transaction.atomic
def committee_create(
    *,
    code: str,
    name: str,
    programme_name: str = "",
    due_soon_days: int | None = None,
    quorum_count: int | None = None,
    quorum_fraction: Any = None,
    acting_user: Any,
) -> Committee:
    """Create a committee (``code`` such as ``DAG``); ValidationError on a bad or taken code.
    ``due_soon_days``: the reminder lead time (the model's default when None); the quorum
    as a number or a fraction of the voting members (``meetings.attendance``), or none."""
    roles.require_pmo(acting_user)
    committee = Committee(
        code=code,
        name=name,
        programme_name=programme_name,
        quorum_count=quorum_count,
        quorum_fraction=quorum_fraction,
    )
    if due_soon_days is not None:
        committee.due_soon_days = due_soon_days
    return validated_save(committee, acting_user=acting_user)


def organisation_get_or_create(*, name: str, acting_user: Any) -> Organisation:
    """The organisation called ``name`` (whitespace trimmed), created if missing.

    Raises ValidationError for a blank name or one longer than 200 characters,
    PermissionDenied unless a recorder. A new organisation's history records ``acting_user``.
    """
    roles.require_recorder_somewhere(acting_user)
    name = " ".join((name or "").split())
    if not name:
        raise ValidationError({"name": "An organisation needs a name."})
    name_length_check(Organisation, name)
    existing = organisation_find(name=name)
    if existing is not None:
        return existing
    return history_get_or_create(Organisation, name=name, acting_user=acting_user)


def person_get_or_create(
    *,
    name: str,
    organisation: Organisation | None = None,
    is_team: bool = False,
    email: str = "",
    acting_user: Any,
) -> Person:
    """The person (or team) called ``name`` in ``organisation``, created if missing.

    An existing person is found by ``meetings.people_selectors.person_find`` (any case; the
    only one of that name elsewhere in the directory counts). ``email`` is a new person's.

    Names are unique within an organisation and among people without one (a role's person:
    ``Chair (Jane Doe)``), so of two requests adding the same person at once the second
    finds the first's row. Raises ValidationError for a blank name or one longer than 200
    characters, PermissionDenied unless a recorder. A new person's history records ``acting_user``.
    """
    roles.require_recorder_somewhere(acting_user)
    name = " ".join((name or "").split())
    if not name:
        raise ValidationError({"name": "A person needs a name."})
    name_length_check(Person, name)
    existing = person_find(name=name, organisation=organisation)
    if existing is not None:
        return existing
    return history_get_or_create(
        Person,
        name=name,
        organisation=organisation,
        defaults={"is_team": is_team, "email": (email or "").strip()},
        acting_user=acting_user,
    )


# --- meetings ----------------------------------------------------------------------------------

MEETING_EDITABLE_FIELDS = {
    "title",
    "start_at",
    "end_at",
    "venue",
    "classification",
    "status",
    "report_issue_date",
}


@transaction.atomic
def meeting_create(
    *,
    committee: Committee,
    start_at: dt.datetime,
    end_at: dt.datetime | None = None,
    venue: str = "",
    classification: str = Meeting.Classification.PUBLIC,
    status: str = Meeting.Status.PLANNED,
    number: int | None = None,
    sub_number: int = 0,
    title: str = "",
    report_issue_date: dt.date | None = None,
    acting_user: Any,
) -> Meeting:
    """Create a meeting and assign its ref (``DAG028``; ``DAG020.1`` with ``sub_number=1``).

    ``number`` defaults to the committee's next number; an extraordinary meeting passes the
    previous meeting's ``number`` and a ``sub_number``. A given number is recorded as given
    (historical meetings) and the counter moves past it. Raises ValidationError when the
    ref exists or a value is bad, PermissionDenied unless PMO or the committee's secretariat.
    """
    roles.require_recorder(acting_user, committee.pk)
    number_range_check(field="number", value=number, maximum=refs.MAX_MEETING_NUMBER)
    number_range_check(field="sub_number", value=sub_number, minimum=0, maximum=refs.MAX_SUB_NUMBER)
    committees = Committee.objects.filter(pk=committee.pk)
    if sub_number:
        if number is None:
            raise ValidationError(
                {"number": "An extraordinary meeting needs the number it follows."}
            )
        counter_take(committees, "last_meeting_number", explicit=number)
    else:
        number = counter_take(committees, "last_meeting_number", explicit=number)
    meeting = Meeting(
        committee=committee,
        number=number,
        sub_number=sub_number,
        ref=refs.meeting_ref(committee.code, number, sub_number),
        title=title,
        start_at=start_at,
        end_at=end_at,
        venue=venue,
        classification=classification,
        status=status,
        report_issue_date=report_issue_date,
    )
    if Meeting.objects.filter(ref=meeting.ref).exists():
        raise ValidationError({"number": f"Meeting {meeting.ref} already exists."})
    return validated_save(meeting, acting_user=acting_user)


@transaction.atomic
def meeting_update(*, meeting: Meeting, acting_user: Any, **changes: Any) -> Meeting:
    """Change a meeting's editable fields; actions due "by this meeting" follow a new date.

    Raises ValidationError for bad values or unknown fields, PermissionDenied unless a recorder.
    """
    roles.require_recorder(acting_user, meeting.committee_id)
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    old_date = meeting.date
    apply_changes(meeting, changes, MEETING_EDITABLE_FIELDS)
    validated_save(meeting, acting_user=acting_user)
    if meeting.date != old_date:
        # The rule lives with actions (ActionQuerySet.follow_due_meeting); the reverse
        # relation reaches it without this app importing actions. It is one bulk UPDATE,
        # which writes no history row (so records no actor) for the actions it re-dates.
        meeting.actions_due.follow_due_meeting(meeting)
    return meeting


# --- agenda and discussion ---------------------------------------------------------------------


@transaction.atomic
def agenda_item_create(
    *,
    meeting: Meeting,
    title: str,
    order: int | None = None,
    change_request: Any = None,
    acting_user: Any,
) -> AgendaItem:
    """Add an agenda item ("Area") to a meeting; ``order`` defaults to the end."""
    roles.require_recorder(acting_user, meeting.committee_id)
    if order is None:
        order = next_order(meeting.agenda_items)
    return validated_save(
        AgendaItem(
            meeting=meeting,
            title=" ".join(title.split()),
            order=order,
            change_request=change_request,
        ),
        acting_user=acting_user,
    )


@transaction.atomic
def agenda_item_update(*, agenda_item: AgendaItem, acting_user: Any, **changes: Any) -> AgendaItem:
    """Change an agenda item's order or CR. Raises ValidationError for other fields."""
    roles.require_recorder(acting_user, agenda_item.meeting.committee_id)
    agenda_item = AgendaItem.objects.select_for_update().get(pk=agenda_item.pk)
    apply_changes(agenda_item, changes, {"order", "change_request"})
    return validated_save(agenda_item, acting_user=acting_user)


def agenda_item_get_or_create(*, meeting: Meeting, title: str, acting_user: Any) -> AgendaItem:
    """The meeting's agenda item called ``title``, added at the end if missing.

    Two requests adding records under one new title at the same moment share one agenda
    item: the one that loses the race on the unique title reads the winner's. Raises
    ValidationError for a bad title, PermissionDenied unless PMO or the committee's secretariat.
    """
    roles.require_recorder(acting_user, meeting.committee_id)
    title = " ".join(title.split())
    existing = meeting.agenda_items.filter(title=title).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            return agenda_item_create(meeting=meeting, title=title, acting_user=acting_user)
    except ValidationError:
        existing = meeting.agenda_items.filter(title=title).first()
        if existing is None:
            raise
        return existing


def next_order(related: Any) -> int:
    """The order after the last of ``related`` (a meeting's agenda items or discussion)."""
    last = related.aggregate(m=models.Max("order"))["m"]
    return 1 if last is None else last + 1


# --- people's reminder emails -------------------------------------------------------------------


@transaction.atomic
def person_reminders_opt_out_set(*, person: Person, opt_out: bool, acting_user: Any) -> Person:
    """Stop (``opt_out=True``) or restart reminder emails to ``person``; returns the person.

    Allowed to the system (the unsubscribe link: its signed token, checked by the view, stands
    for the person's consent, and a mail program's one-click POST carries no session), to the
    person's own login and to the PMO; PermissionDenied for anyone else. The history row
    records ``acting_user``.
    """
    own_login = person.user_id is not None and getattr(acting_user, "pk", None) == person.user_id
    if not (is_system(acting_user) or own_login):
        roles.require_pmo(acting_user)
    person = Person.objects.select_for_update().get(pk=person.pk)
    if person.reminders_opt_out != opt_out:
        person.reminders_opt_out = opt_out
        person._history_user = history_user(acting_user)  # read by django-simple-history
        person.save(update_fields=["reminders_opt_out"])
    return person
