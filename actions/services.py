"""State changes of actions: create with ref, owners, progress, closure and reviews.

Rules come from DESIGN.md ("Action", "ActionReview") and the seed report (owner text such as
``Programme (Rob Short)``; due dates written dd/mm/yyyy).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from core import events, refs, roles, visibility
from core.actors import history_user, is_system
from core.services import (
    apply_changes,
    counter_take,
    history_delete,
    number_range_check,
    validated_save,
)
from meetings.models import AgendaItem, Meeting, Organisation, Person
from meetings.services import organisation_get_or_create, person_get_or_create

from .due import (
    CLOSED_WITH_NEW_DATE,
    due_by_meeting,
    due_date_check,
    due_meeting_check,
)
from .models import (
    Action,
    ActionOwner,
    ActionReview,
    ActionUpdate,
    action_ref_sort_key,
    owner_text,
)

# Owner parties that are roles, not organisations (the seed: "Chair",
# "Large Supplier Representative"). A committee's constituencies count as roles too.
ROLE_WORDS = ("chair", "sro", "representative", "secretariat", "member", "members")
_OWNER_RE = re.compile(r"^\s*(?P<party>[^()]+?)\s*(?:\((?P<person>[^()]+)\))?\s*$")


@dataclass(frozen=True)
class OwnerSpec:
    """An owner as written: an organisation or a role, and an optional person or team.

    ``OwnerSpec.from_text("Programme (Rob Short)")`` gives party ``Programme``, person
    ``Rob Short``; ``"Chair"`` gives party ``Chair`` and no person.
    """

    party: str
    person: str = ""
    is_role: bool | None = None
    # A new person's email, given where the owner is typed (the browser's "add new person").
    email: str = ""

    @classmethod
    def from_text(cls, text: str) -> OwnerSpec:
        """Parse ``Party (Person)``; raises ValidationError for text of another shape."""
        match = _OWNER_RE.match(text or "")
        if not match:
            raise ValidationError(
                f"“{text}” is not an owner such as “Programme (Rob Short)” or “Chair”."
            )
        return cls(
            party=" ".join(match["party"].split()), person=" ".join((match["person"] or "").split())
        )

    @property
    def role_like(self) -> bool:
        """True when the party names a role (``Chair``, ``… Representative``)."""
        if self.is_role is not None:
            return self.is_role
        words = self.party.lower().split()
        return any(word in ROLE_WORDS for word in words)

    @property
    def person_is_team(self) -> bool:
        """``Testing Team``, ``Design Team`` and acronyms such as ``PMO`` are teams."""
        return bool(self.person) and (self.person.lower().endswith("team") or self.person.isupper())

    def __str__(self) -> str:
        return owner_text(self.party, self.person or None)


def owner_build(
    spec: OwnerSpec, *, action: Action, is_lead: bool, order: int, acting_user: Any
) -> ActionOwner:
    """Resolve an OwnerSpec to (unsaved) ActionOwner with its organisation/person records.

    Organisations and people missing are created on the way, in ``acting_user``'s name.
    """
    organisation: Organisation | None = None
    role = ""
    if spec.role_like:
        role = spec.party
    else:
        organisation = organisation_get_or_create(name=spec.party, acting_user=acting_user)
    person: Person | None = None
    if spec.person:
        person = person_get_or_create(
            name=spec.person,
            organisation=organisation,
            is_team=spec.person_is_team,
            email=spec.email,
            acting_user=acting_user,
        )
    return ActionOwner(
        action=action,
        organisation=organisation,
        role=role,
        person=person,
        is_lead=is_lead,
        order=order,
    )


def _owners_set(action: Action, owners: list[OwnerSpec | str], *, acting_user: Any) -> list[int]:
    """Replace the owners; returns the ids of the people named now who were not before."""
    specs = [o if isinstance(o, OwnerSpec) else OwnerSpec.from_text(o) for o in owners]
    if not specs:
        raise ValidationError({"owners": "An action needs at least one owner."})
    before = set()
    for old_owner in action.owners.all():
        before.add(old_owner.person_id)
        history_delete(old_owner, acting_user=acting_user)
    added: list[int] = []
    for index, spec in enumerate(specs):
        try:
            owner = owner_build(
                spec, action=action, is_lead=index == 0, order=index, acting_user=acting_user
            )
            validated_save(owner, acting_user=acting_user)
        except ValidationError as exc:
            # A name or role refused on the way is a problem with this owner line.
            raise ValidationError({"owners": exc.messages}) from exc
        if owner.person_id and owner.person_id not in before and owner.person_id not in added:
            added.append(owner.person_id)
    return added


@transaction.atomic
def action_create(
    *,
    meeting: Meeting,
    description: str,
    owners: list[OwnerSpec | str],
    due_date: dt.date | None = None,
    due_meeting: Meeting | None = None,
    agenda_item: AgendaItem | None = None,
    seq: int | None = None,
    status: str = Action.Status.OPEN,
    closed_date: dt.date | None = None,
    change_requests: list[Any] | None = None,
    acting_user: Any,
) -> Action:
    """Record an action raised at ``meeting`` and assign its ref (``DAG28-01``).

    ``owners``: OwnerSpecs or owner text, lead first. ``due_meeting``: due by that meeting
    (``due_date`` then follows its date; a different ``due_date`` given too is an error).
    ``seq`` records a historical ref as given; by default the meeting's next number is taken,
    safely when two users create at once, and numbers are never reused. ``change_requests``:
    the CRs the action is about. Raises ValidationError (bad or duplicate values, no owner,
    an agenda item of another meeting) and PermissionDenied unless PMO.
    """
    roles.require_recorder(acting_user, meeting.committee_id)
    number_range_check(field="seq", value=seq, maximum=refs.MAX_ACTION_SEQ)
    due_date_check(due_date)
    if agenda_item is not None and agenda_item.meeting_id != meeting.pk:
        raise ValidationError({"agenda_item": "That agenda item belongs to another meeting."})
    due_meeting_check(meeting=meeting, due_meeting=due_meeting)
    if due_meeting is not None:
        due_date = due_by_meeting(due_date=due_date, due_meeting=due_meeting)
    seq = counter_take(Meeting.objects.filter(pk=meeting.pk), "last_action_seq", explicit=seq)
    committee = meeting.committee
    ref = refs.action_ref(committee.code, meeting.number, meeting.sub_number, seq)
    if Action.objects.filter(ref=ref).exists():
        raise ValidationError({"seq": f"Action {ref} already exists."})
    if status == Action.Status.CLOSED and closed_date is None:
        closed_date = timezone.localdate()
    action = validated_save(
        Action(
            committee=committee,
            meeting=meeting,
            agenda_item=agenda_item,
            seq=seq,
            ref=ref,
            ref_sort=action_ref_sort_key(committee.code, meeting.number, meeting.sub_number, seq),
            description=description.strip(),
            due_date=due_date,
            due_meeting=due_meeting,
            status=status,
            closed_date=closed_date,
        ),
        acting_user=acting_user,
    )
    owner_person_ids = _owners_set(action, owners, acting_user=acting_user)
    if change_requests:
        action.change_requests.set(change_requests)
    events.emit(
        "action.created", action, acting_user=acting_user, owner_person_ids=owner_person_ids
    )
    return action


ACTION_EDITABLE_FIELDS = {"description", "due_date", "due_meeting", "agenda_item"}


@transaction.atomic
def action_update(
    *,
    action: Action,
    acting_user: Any,
    owners: list[OwnerSpec | str] | None = None,
    change_requests: list[Any] | None = None,
    **changes: Any,
) -> Action:
    """Change an action's description, due date, due meeting, area, owners or CRs (PMO only)."""
    roles.require_recorder(acting_user, action.committee_id)
    action = Action.objects.select_for_update().get(pk=action.pk)
    due_date_check(changes.get("due_date"))
    apply_changes(action, changes, ACTION_EDITABLE_FIELDS)
    if changes.get("due_meeting") is not None:
        due_meeting_check(meeting=action.meeting, due_meeting=action.due_meeting)
        action.due_date = due_by_meeting(
            due_date=changes.get("due_date"), due_meeting=action.due_meeting
        )
    if action.agenda_item_id and action.agenda_item.meeting_id != action.meeting_id:
        raise ValidationError({"agenda_item": "That agenda item belongs to another meeting."})
    validated_save(action, acting_user=acting_user)
    changed = sorted(set(changes) & ACTION_EDITABLE_FIELDS)
    added: list[int] = []
    if owners is not None:
        added = _owners_set(action, owners, acting_user=acting_user)
        changed.append("owners")
    if change_requests is not None:
        action.change_requests.set(change_requests)
        changed.append("change_requests")
    events.emit(
        "action.updated",
        action,
        acting_user=acting_user,
        changed=changed,
        owner_person_ids_added=added,
    )
    return action


def action_can_update(*, user: Any, action: Action) -> bool:
    """PMO, or an owner of the action: the named person, or a holder of the named seat on
    the action's committee (``core.visibility.owns_action``; an organisation named alone
    gives its people nothing)."""
    if roles.is_recorder(user, action.committee_id):
        return True
    owners = [(o.person_id, o.role) for o in action.owners.all()]
    return visibility.owns_action(user, action.committee_id, owners)


@transaction.atomic
def action_update_post(
    *,
    action: Action,
    text: str,
    acting_user: Any,
    proposes_closure: bool = False,
    on_behalf_of: Person | None = None,
) -> ActionUpdate:
    """Post a progress update; with ``proposes_closure`` the action awaits the PMO's closure.

    Raises PermissionDenied unless PMO, an owner or the system (``None``, nobody, is
    refused); ValidationError for empty text. On an action closed since the poster read it,
    the update is kept as a note on it (``update.action.is_open`` is then false) and
    proposes nothing. ``on_behalf_of``: the person the system posts for (an owner with no
    login answering from an email link), recorded as the update's author.
    """
    if not is_system(acting_user) and not action_can_update(user=acting_user, action=action):
        raise PermissionDenied("Only the action's owners or the PMO can update it.")
    action = Action.objects.select_for_update().get(pk=action.pk)
    if not (text or "").strip():
        raise ValidationError({"text": "Write what has been done."})
    # Closed meanwhile (the form was read while it was open): the update is kept as a note
    # on the closed action, proposing nothing, rather than lost.
    is_closed = action.status == Action.Status.CLOSED
    update = validated_save(
        ActionUpdate(
            action=action,
            author=history_user(acting_user),
            author_person=on_behalf_of,
            text=text.strip(),
            proposes_closure=proposes_closure and not is_closed,
        ),
        acting_user=acting_user,
    )
    if proposes_closure and not is_closed:
        action.status = Action.Status.PROPOSED_CLOSURE
        validated_save(action, acting_user=acting_user)
    events.emit(
        "action.update_posted",
        action,
        acting_user=acting_user,
        update_id=update.pk,
        proposes_closure=update.proposes_closure,
    )
    return update


@transaction.atomic
def action_close(
    *, action: Action, acting_user: Any, closed_date: dt.date | None = None, note: str = ""
) -> Action:
    """Close an action (PMO only; confirms a proposed closure). Closing twice is refused."""
    roles.require_recorder(acting_user, action.committee_id)
    action = Action.objects.select_for_update().get(pk=action.pk)
    if action.status == Action.Status.CLOSED:
        raise ValidationError(f"{action.ref} is already closed.")
    closure_proposed = action.status == Action.Status.PROPOSED_CLOSURE
    action.status = Action.Status.CLOSED
    action.closed_date = closed_date or timezone.localdate()
    action.closure_note = note
    validated_save(action, acting_user=acting_user)
    events.emit(
        "action.closed",
        action,
        acting_user=acting_user,
        note=note,
        closure_proposed=closure_proposed,
    )
    return action


@transaction.atomic
def action_closure_decline(*, action: Action, acting_user: Any, note: str = "") -> Action:
    """Decline a proposed closure: the action is open again (PMO only)."""
    roles.require_recorder(acting_user, action.committee_id)
    action = Action.objects.select_for_update().get(pk=action.pk)
    if action.status != Action.Status.PROPOSED_CLOSURE:
        raise ValidationError(f"{action.ref} has no closure proposed.")
    action.status = Action.Status.OPEN
    validated_save(action, acting_user=acting_user)
    if note:
        validated_save(
            ActionUpdate(
                action=action,
                author=history_user(acting_user),
                text=f"Closure declined: {note}",
            ),
            acting_user=acting_user,
        )
    events.emit("action.closure_declined", action, acting_user=acting_user, note=note)
    return action


@transaction.atomic
def action_reopen(*, action: Action, acting_user: Any, reason: str = "") -> Action:
    """Reopen a closed action (PMO only): status open, closed date cleared.

    The ``reason`` (the browser asks for one; the API takes it optionally) is recorded as an
    update on the action, by the PMO. A review that closed it at a meeting stays as that
    meeting recorded it; the pages that show the review say the action was reopened
    since (a closing review of an action not closed). Raises ValidationError when the action is not
    closed (an open one, or one proposed for closure, which the PMO confirms or declines
    instead), PermissionDenied unless PMO.
    """
    roles.require_recorder(acting_user, action.committee_id)
    action = Action.objects.select_for_update().get(pk=action.pk)
    if action.status != Action.Status.CLOSED:
        raise ValidationError(
            {"status": f"{action.ref} is {action.get_status_display().lower()}, not closed."}
        )
    action.status = Action.Status.OPEN
    action.closed_date = None
    validated_save(action, acting_user=acting_user)
    if reason.strip():
        validated_save(
            ActionUpdate(
                action=action, author=history_user(acting_user), text=f"Reopened: {reason.strip()}"
            ),
            acting_user=acting_user,
        )
    events.emit("action.reopened", action, acting_user=acting_user, reason=reason.strip())
    return action


@transaction.atomic
def action_review_record(
    *,
    action: Action,
    meeting: Meeting,
    outcome: str = ActionReview.Outcome.KEPT_OPEN,
    new_due_date: dt.date | None = None,
    note: str = "",
    agenda_item: AgendaItem | None = None,
    acting_user: Any,
) -> ActionReview:
    """Take up an earlier action at ``meeting``: close it, re-date it or keep it open.

    Recording the same action at the same meeting again updates that review. Raises
    ValidationError when ``meeting`` is not a later meeting of the action's committee (by
    meeting number: placeholder meetings of an import have guessed dates), the agenda item
    is another meeting's, a re-date has no new date, or a value is bad; PermissionDenied
    unless PMO.
    """
    roles.require_recorder(acting_user, meeting.committee_id)
    # Locked first, so a double submit of one review waits and then updates it (rather than
    # failing on the unique action and meeting of a review).
    action = Action.objects.select_for_update().get(pk=action.pk)
    if action.meeting_id == meeting.pk:
        raise ValidationError(
            "An action is reviewed at a later meeting than the one that raised it."
        )
    raised_at = action.meeting
    if meeting.committee_id != action.committee_id or (meeting.number, meeting.sub_number) < (
        raised_at.number,
        raised_at.sub_number,
    ):
        raise ValidationError(
            {
                "meeting": f"{action.ref} was raised at {raised_at.ref}: review it at a later "
                f"{action.committee.code} meeting."
            }
        )
    if agenda_item is not None and agenda_item.meeting_id != meeting.pk:
        raise ValidationError({"agenda_item": "That agenda item belongs to another meeting."})
    if outcome == ActionReview.Outcome.RE_DATED and new_due_date is None:
        raise ValidationError({"new_due_date": "A re-dated action needs its new due date."})
    if outcome == ActionReview.Outcome.CLOSED and new_due_date is not None:
        raise ValidationError({"new_due_date": CLOSED_WITH_NEW_DATE})
    due_date_check(new_due_date, field="new_due_date")
    review = ActionReview.objects.filter(action=action, meeting=meeting).first()
    if review is None:
        order = meeting.action_reviews.count() + 1
        review = ActionReview(action=action, meeting=meeting, order=order)
    review.outcome, review.new_due_date, review.note = outcome, new_due_date, note
    review.agenda_item = agenda_item
    validated_save(review, acting_user=acting_user)
    if outcome == ActionReview.Outcome.CLOSED and action.status != Action.Status.CLOSED:
        action_close(action=action, closed_date=meeting.date, note=note, acting_user=acting_user)
    elif outcome == ActionReview.Outcome.RE_DATED:
        action_update(action=action, due_date=new_due_date, acting_user=acting_user)
    return review
