"""Writing the records of a report: actions, reviews of earlier actions, discussion.

Each goes through its app's service as the person who imports. Decisions are written by
:mod:`.write_decisions`.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction

from actions.bulk import ActionsRefusedError, NewAction, actions_create_many
from actions.models import Action, ActionReview
from actions.services import action_create, action_review_record, action_update
from changerequests.models import ChangeRequest
from composer.discussion import (
    DiscussionRefusedError,
    discussion_item_update,
    discussion_items_create_many,
    discussion_references_refresh,
)
from composer.search.index import search_documents_write
from composer.search.registry import kind_of
from meetings.models import PLACEHOLDER_TITLE, AgendaItem, DiscussionItem, Meeting
from meetings.services import meeting_create

from .records import ParsedAction, ParsedDiscussion
from .results import ImportProblem
from .text import cr_numbers, plain, title_key
from .writer import Writer


def _action_crs(w: Writer, action: ParsedAction) -> list[ChangeRequest]:
    seen: list[ChangeRequest] = []
    for number in cr_numbers(action.description) + cr_numbers(action.area):
        cr = w.crs.get(number)
        if cr is not None and cr not in seen:
            seen.append(cr)
    return seen


# An action's fields as the import compares them (label -> action_update's argument).
_ACTION_FIELDS = {
    "description": "description",
    "due date": "due_date",
    "area": "agenda_item",
    "owners": "owners",
    "change requests": "change_requests",
}


def _action_shown(
    description: str, due_date: Any, area: AgendaItem | None, owners: list[str], crs: list[Any]
) -> dict[str, Any]:
    """An action's compared fields, by label, as values :func:`.baseline.value_text` reads."""
    return {
        "description": description,
        "due date": due_date,
        "area": area.title if area is not None else "",
        "owners": owners,
        "change requests": sorted(cr.ref for cr in crs),
    }


def new_actions_write(w: Writer, new: list[ParsedAction]) -> dict[str, dict[str, Any]]:
    """The actions of this meeting the tracker does not hold yet, recorded in one go
    (``actions.bulk``): each one's problems under its line, and nothing written if there
    are any. Returns each created action's compared fields, by ref, for :func:`action_write`.
    """
    if not new:
        return {}
    items, shown = [], {}
    for parsed in new:
        agenda_item = w.agenda.get(title_key(parsed.area))
        crs = _action_crs(w, parsed)
        owners = [str(o) for o in parsed.owners]
        shown[parsed.ref] = _action_shown(
            parsed.description, parsed.due_date, agenda_item, owners, crs
        )
        items.append(
            NewAction(
                seq=parsed.key.seq,
                description=parsed.description,
                owners=list(parsed.owners),
                due_date=parsed.due_date,
                agenda_item=agenda_item,
                change_requests=crs,
            )
        )
    try:
        with transaction.atomic():
            created = actions_create_many(
                meeting=w.meeting_written(), actions=items, acting_user=w.actor
            )
    except ActionsRefusedError as refused:
        for index, error in sorted(refused.refused.items()):
            for message in error.messages:
                w.problems.append(ImportProblem(new[index].line, message))
        return {}
    search_documents_write(kind_of(Action), created)
    return shown


def action_created(w: Writer, parsed: ParsedAction, shown: dict[str, Any]) -> None:
    """Record on the Writer an action :func:`new_actions_write` created (``shown``: its
    compared fields, the baselines of the next import)."""
    w.created("action", parsed.ref, shown)
    w.change("action", parsed.ref, "create", parsed.description)


def action_write(w: Writer, parsed: ParsedAction) -> None:
    """An action raised at this meeting that the tracker holds, updated in place.

    A field changed in the tracker since the report was last imported keeps its value
    unless the PMO took the report's (:meth:`.writer.Writer.resolve`).
    """
    agenda_item = w.agenda.get(title_key(parsed.area))
    crs = _action_crs(w, parsed)
    imported = _action_shown(
        parsed.description, parsed.due_date, agenda_item, [str(o) for o in parsed.owners], crs
    )
    existing = w.actions[parsed.ref]
    current = _action_shown(
        existing.description,
        existing.due_date,
        existing.agenda_item,
        [o.display for o in existing.owners.all()],
        list(existing.change_requests.all()),
    )
    values = {
        "description": parsed.description,
        "due_date": parsed.due_date,
        "agenda_item": agenda_item,
        "owners": parsed.owners,
        "change_requests": crs,
    }
    changes = {
        argument: values[argument]
        for label, argument in _ACTION_FIELDS.items()
        if w.resolve("action", parsed.ref, label, current[label], imported[label])
    }
    if changes:
        action_update(action=existing, acting_user=w.actor, **changes)
    w.change("action", parsed.ref, "update" if changes else "unchanged", ", ".join(sorted(changes)))


def _earlier_meeting(w: Writer, parsed: ParsedAction) -> Meeting:
    """The meeting that raised a reviewed action: a placeholder when it was not recorded."""
    key, meeting = parsed.key, w.meeting_written()
    earlier = w.meetings.get((key.number, key.sub_number))
    if earlier is not None:
        return earlier
    gap = max(1, w.p.meeting_number - key.number)
    earlier = meeting_create(
        committee=w.committee,
        number=key.number,
        sub_number=key.sub_number,
        start_at=meeting.start_at - dt.timedelta(days=gap),
        status=Meeting.Status.HELD,
        classification=meeting.classification,
        title=PLACEHOLDER_TITLE,
        acting_user=w.actor,
    )
    w.meetings[(key.number, key.sub_number)] = earlier
    w.change("meeting", earlier.ref, "create", "placeholder: date not known")
    w.warn(
        f"{earlier.ref} (which raised {parsed.ref}) was not recorded: it was added as a "
        "placeholder whose date is not known. Import its report or set its date."
    )
    return earlier


def review_write(w: Writer, parsed: ParsedAction) -> None:
    """An earlier action listed again: its review at this meeting (kept open or re-dated).

    The report's due date re-dates the action only through :meth:`.writer.Writer.resolve`:
    a date changed in the tracker since (re-dated at a later meeting) is a conflict.
    """
    meeting = w.meeting_written()
    earlier = _earlier_meeting(w, parsed)
    action = w.actions.get(parsed.ref)
    if action is None:
        crs = _action_crs(w, parsed)
        action = action_create(
            meeting=earlier,
            seq=parsed.key.seq,
            description=parsed.description,
            owners=parsed.owners,
            due_date=parsed.due_date,
            change_requests=crs,
            acting_user=w.actor,
        )
        owners = [str(o) for o in parsed.owners]
        w.created(
            "action",
            parsed.ref,
            _action_shown(parsed.description, parsed.due_date, None, owners, crs),
        )
        w.change("action", parsed.ref, "create", parsed.description)
    review = w.reviews.get(action.pk)
    if w.resolve("action", parsed.ref, "due date", action.due_date, parsed.due_date):
        outcome, new_due_date = ActionReview.Outcome.RE_DATED, parsed.due_date
    else:
        outcome = review.outcome if review else ActionReview.Outcome.KEPT_OPEN
        new_due_date = review.new_due_date if review else None
    if review is not None and (review.outcome, review.new_due_date) == (outcome, new_due_date):
        w.change("review", parsed.ref, "unchanged")
        return
    action_review_record(
        action=action,
        meeting=meeting,
        outcome=outcome,
        new_due_date=new_due_date,
        acting_user=w.actor,
    )
    verb = "update" if review else "create"
    w.change("review", parsed.ref, verb, ActionReview.Outcome(outcome).label)


def discussion_write(w: Writer) -> None:
    """The meeting's discussion items, matched by position; extra items are left, with a warning."""
    meeting = w.meeting_written()
    existing = list(meeting.discussion_items.select_related("agenda_item").order_by("order", "id"))
    for index, parsed in enumerate(w.p.discussion[: len(existing)]):
        _discussion_item_update(w, existing[index], parsed, index + 1)
    _discussion_items_create(w, meeting, len(existing))
    for item in existing[len(w.p.discussion) :]:
        w.warn(
            f"{meeting.ref} has a discussion item (#{item.order}) that is not in "
            "the report; it was left as it is."
        )


def _discussion_label(parsed: ParsedDiscussion, order: int) -> str:
    return f"{order}. {parsed.area or 'discussion'}"


def _discussion_items_create(w: Writer, meeting: Meeting, after: int) -> None:
    """The report's discussion items after the first ``after`` (which the meeting holds),
    added in one go; each one's problems under its line."""
    new = list(enumerate(w.p.discussion, start=1))[after:]
    if not new:
        return
    items = [(parsed.text, w.agenda.get(title_key(parsed.area)), order) for order, parsed in new]
    try:
        with transaction.atomic():
            discussion_items_create_many(meeting=meeting, items=items, acting_user=w.actor)
    except DiscussionRefusedError as refused:
        for index, error in sorted(refused.refused.items()):
            for message in error.messages:
                w.problems.append(ImportProblem(new[index][1].line, message))
        return
    for order, parsed in new:
        ref = _discussion_ref(meeting, order)
        w.created("discussion item", ref, _discussion_shown(parsed, w))
        label = _discussion_label(parsed, order)
        w.change("discussion item", label, "create", plain(parsed.text)[:80])


def _discussion_ref(meeting: Meeting, order: int) -> str:
    """A discussion item's name in the baselines: ``DAG028 #3`` (items match by position)."""
    return f"{meeting.ref} #{order}"


def _discussion_shown(parsed: ParsedDiscussion, w: Writer) -> dict[str, str]:
    agenda_item = w.agenda.get(title_key(parsed.area))
    return {"text": parsed.text, "area": agenda_item.title if agenda_item else ""}


def _discussion_item_update(
    w: Writer, item: DiscussionItem, parsed: ParsedDiscussion, order: int
) -> None:
    agenda_item = w.agenda.get(title_key(parsed.area))
    ref = _discussion_ref(item.meeting, order)
    imported = _discussion_shown(parsed, w)
    current = {"text": item.text, "area": item.agenda_item.title if item.agenda_item else ""}
    changes: dict[str, Any] = {}
    if w.resolve("discussion item", ref, "text", current["text"], imported["text"]):
        changes["text"] = parsed.text
    if w.resolve("discussion item", ref, "area", current["area"], imported["area"]):
        changes["agenda_item"] = agenda_item
    if item.order != order:
        changes["order"] = order
    if changes:
        w.step(
            parsed.line,
            lambda: discussion_item_update(discussion_item=item, acting_user=w.actor, **changes),
        )
    verb = "update" if changes else "unchanged"
    w.change("discussion item", _discussion_label(parsed, order), verb, ", ".join(changes))


def other_references_refresh(w: Writer) -> None:
    """Discussion elsewhere that named a record created now links to it from now on."""
    if not w.created_refs:
        return
    items = (
        DiscussionItem.objects.filter(references__ref__in=w.created_refs)
        .exclude(meeting=w.meeting_written())
        .distinct()
    )
    for item in items:
        discussion_references_refresh(discussion_item=item, acting_user=w.actor)
