"""Recording many new actions of one meeting at once: a headline report's import (issue #18).

:func:`actions.services.action_create` records one action in about thirty queries (its
checks, counter, owners' people and organisations, history, events). An import of thousands
of rows does the same checks here, in Python and in a few reads, then inserts the actions,
their owners and their history rows in batches; the history rows record the actor and the
time as the one-by-one path does, and each action's ``action.created`` event is emitted (the
owners' "assigned to you" notifications, webhooks). Every action's problems are found before
anything is written, and reported by its place in the list (:class:`ActionsRefusedError`).

No ``post_save`` is sent for the batch: the caller keeps its derived copies in step (the
import writes the search documents of the actions it created).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from core import events, refs, roles
from core.list_cache import list_cache_bump
from core.services import (
    BULK_BATCH,
    counter_take,
    history_bulk_create,
    instance_errors,
    number_range_check,
)
from meetings.models import AgendaItem, Meeting, Organisation, Person

from .due import due_date_check
from .models import Action, ActionOwner, action_ref_sort_key
from .services import OwnerSpec, owner_build

# The foreign keys of a new action and owner: records the caller holds, not read again.
_ACTION_KEYS = ["committee", "meeting", "agenda_item", "due_meeting"]
_OWNER_KEYS = ["action", "organisation", "person"]


@dataclass
class NewAction:
    """One action to record: its number at the meeting (its ref as given), what it says,
    its owners (lead first), due date, agenda item and CRs."""

    seq: int
    description: str
    owners: list[OwnerSpec | str]
    due_date: dt.date | None = None
    agenda_item: AgendaItem | None = None
    change_requests: list[Any] = field(default_factory=list)


class ActionsRefusedError(ValidationError):
    """Some of the actions cannot be recorded; ``refused`` maps each one's index in the list
    to its ValidationError. Nothing was written."""

    def __init__(self, refused: dict[int, ValidationError]) -> None:
        super().__init__([m for error in refused.values() for m in error.messages])
        self.refused = refused


class _Owners:
    """The organisations and people the owners name, each resolved once (created if missing
    through ``meetings.services``, as :func:`actions.services.owner_build` does)."""

    def __init__(self, acting_user: Any) -> None:
        self.acting_user = acting_user
        self.known: dict[OwnerSpec, tuple[Organisation | None, str, Person | None]] = {}

    def owner(self, spec: OwnerSpec, *, action: Action, index: int) -> ActionOwner:
        if spec not in self.known:
            built = owner_build(
                spec, action=action, is_lead=True, order=0, acting_user=self.acting_user
            )
            self.known[spec] = (built.organisation, built.role, built.person)
        organisation, role, person = self.known[spec]
        return ActionOwner(
            action=action,
            organisation=organisation,
            role=role,
            person=person,
            is_lead=index == 0,
            order=index,
        )


def _action_built(
    meeting: Meeting, new: NewAction, owners: _Owners
) -> tuple[Action, list[ActionOwner]]:
    """The unsaved action and its owners; ValidationError as ``action_create`` words it."""
    number_range_check(field="seq", value=new.seq, maximum=refs.MAX_ACTION_SEQ)
    due_date_check(new.due_date)
    if new.agenda_item is not None and new.agenda_item.meeting_id != meeting.pk:
        raise ValidationError({"agenda_item": "That agenda item belongs to another meeting."})
    committee = meeting.committee
    action = Action(
        committee=committee,
        meeting=meeting,
        agenda_item=new.agenda_item,
        seq=new.seq,
        ref=refs.action_ref(committee.code, meeting.number, meeting.sub_number, new.seq),
        ref_sort=action_ref_sort_key(committee.code, meeting.number, meeting.sub_number, new.seq),
        description=new.description.strip(),
        due_date=new.due_date,
    )
    errors = instance_errors(action, exclude=_ACTION_KEYS)
    if errors is not None:
        raise errors
    specs = [o if isinstance(o, OwnerSpec) else OwnerSpec.from_text(o) for o in new.owners]
    if not specs:
        raise ValidationError({"owners": "An action needs at least one owner."})
    built = []
    for index, spec in enumerate(specs):
        try:
            owner = owners.owner(spec, action=action, index=index)
            errors = instance_errors(owner, exclude=_OWNER_KEYS)
            if errors is not None:
                raise errors
        except ValidationError as exc:
            raise ValidationError({"owners": exc.messages}) from exc
        built.append(owner)
    return action, built


def _refs_taken(refs_wanted: list[str]) -> set[str]:
    taken: set[str] = set()
    for start in range(0, len(refs_wanted), BULK_BATCH):
        chunk = refs_wanted[start : start + BULK_BATCH]
        taken |= set(Action.objects.filter(ref__in=chunk).values_list("ref", flat=True))
    return taken


@transaction.atomic
def actions_create_many(
    *, meeting: Meeting, actions: list[NewAction], acting_user: Any
) -> list[Action]:
    """Record ``actions`` raised at ``meeting``, their refs as given (``seq``), all or none.

    The same rules as :func:`actions.services.action_create` (PMO only; numbers in range;
    a due date; an agenda item of this meeting; a ref not taken; at least one owner, each
    an organisation or role and an optional person), checked for every action before any
    is written. Raises :class:`ActionsRefusedError` (by index) and PermissionDenied.
    """
    roles.require_recorder(acting_user, meeting.committee_id)
    owners = _Owners(acting_user)
    refused: dict[int, ValidationError] = {}
    built: list[tuple[Action, list[ActionOwner]]] = []
    for index, new in enumerate(actions):
        try:
            built.append(_action_built(meeting, new, owners))
        except ValidationError as exc:
            refused[index] = exc
    if not refused:
        seen: set[str] = set()
        taken = _refs_taken([action.ref for action, _ in built])
        for index, (action, _) in enumerate(built):
            if action.ref in taken or action.ref in seen:
                refused[index] = ValidationError({"seq": f"Action {action.ref} already exists."})
            seen.add(action.ref)
    if refused:
        raise ActionsRefusedError(refused)
    if not built:
        return []
    counter_take(
        Meeting.objects.filter(pk=meeting.pk),
        "last_action_seq",
        explicit=max(action.seq for action, _ in built),
    )
    created = history_bulk_create(Action, [a for a, _ in built], acting_user=acting_user)
    list_cache_bump()  # written without post_save: the register's cached total and choices
    for action, action_owners in built:
        for owner in action_owners:
            owner.action = action  # its id is known now
    history_bulk_create(
        ActionOwner, [o for _, found in built for o in found], acting_user=acting_user
    )
    through = Action.change_requests.through
    through.objects.bulk_create(
        [
            through(action_id=action.pk, changerequest_id=cr.pk)
            for action, new in zip(created, actions, strict=True)
            for cr in dict.fromkeys(new.change_requests)
        ],
        batch_size=BULK_BATCH,
    )
    for action, action_owners in built:
        people = list(dict.fromkeys(o.person_id for o in action_owners if o.person_id))
        events.emit("action.created", action, acting_user=acting_user, owner_person_ids=people)
    return created
