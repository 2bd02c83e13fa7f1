"""Writing the records of a report: actions, reviews of earlier actions, decisions, discussion.

Each goes through its app's service as the system. A decision's outcome goes through
``decisions.services.decision_transition`` like the chair's, decided at the meeting's start:
the transition check and the move of the decision's CR are that service's, not the import's.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django.core.exceptions import ValidationError

from actions.models import Action, ActionReview
from actions.services import action_create, action_review_record, action_update
from changerequests.models import ChangeRequest
from composer.discussion import (
    discussion_item_create,
    discussion_item_update,
    discussion_references_refresh,
)
from core.actors import SYSTEM
from decisions.models import Decision
from decisions.services import decision_create, decision_transition, decision_update
from meetings.models import PLACEHOLDER_TITLE, AgendaItem, DiscussionItem, Meeting
from meetings.services import meeting_create

from .records import ParsedAction, ParsedDecision, ParsedDiscussion
from .text import cr_numbers, plain, title_key
from .writer import Writer

_CONDITION_RE = re.compile(
    r"\b(?:subject to|provided that|on condition that|conditional (?:up)?on|with the condition)\b",
    re.IGNORECASE,
)


def decision_outcome(text: str) -> tuple[str, str]:
    """The status (and conditions) a decision's text records, as ``(status, conditions)``.

    A headline report lists decisions taken, so wording with no other outcome is
    ``approved``; "rejected"/"not approved", "deferred" and "withdrawn" are read as such, and
    an approval "subject to …" or "provided that …" is ``approved_with_conditions`` with
    that clause as its conditions.
    """
    lower = text.lower()
    if re.search(r"\b(?:not approved|rejected|declined)\b", lower):
        return Decision.Status.REJECTED, ""
    if re.search(r"\bdeferred\b", lower):
        return Decision.Status.DEFERRED, ""
    if re.search(r"\bwithdrawn\b", lower):
        return Decision.Status.WITHDRAWN, ""
    match = _CONDITION_RE.search(text)
    if match and re.search(r"\bapprov", lower):
        conditions = text[match.start() :].strip().rstrip(".")
        return Decision.Status.APPROVED_WITH_CONDITIONS, conditions[:1].upper() + conditions[1:]
    return Decision.Status.APPROVED, ""


def _action_crs(w: Writer, action: ParsedAction) -> list[ChangeRequest]:
    seen: list[ChangeRequest] = []
    for number in cr_numbers(action.description) + cr_numbers(action.area):
        cr = w.crs.get(number)
        if cr is not None and cr not in seen:
            seen.append(cr)
    return seen


def action_write(w: Writer, parsed: ParsedAction) -> None:
    """An action raised at this meeting, created or updated in place (matched by its ref)."""
    agenda_item = w.agenda.get(title_key(parsed.area))
    crs = _action_crs(w, parsed)
    existing = Action.objects.filter(ref=parsed.ref).first()
    if existing is None:
        action_create(
            meeting=w.meeting_written(),
            seq=parsed.key.seq,
            description=parsed.description,
            owners=parsed.owners,
            due_date=parsed.due_date,
            agenda_item=agenda_item,
            change_requests=crs,
            acting_user=w.actor,
        )
        w.change("action", parsed.ref, "create", parsed.description)
        return
    changes: dict[str, Any] = {}
    if existing.description != parsed.description:
        changes["description"] = parsed.description
    if existing.due_date != parsed.due_date:
        changes["due_date"] = parsed.due_date
    if existing.agenda_item_id != (agenda_item.pk if agenda_item else None):
        changes["agenda_item"] = agenda_item
    owners_now = [o.display for o in existing.owners.select_related("organisation", "person")]
    if owners_now != [str(o) for o in parsed.owners]:
        changes["owners"] = parsed.owners
    if set(existing.change_requests.values_list("pk", flat=True)) != {cr.pk for cr in crs}:
        changes["change_requests"] = crs
    if changes:
        action_update(action=existing, acting_user=w.actor, **changes)
    w.change("action", parsed.ref, "update" if changes else "unchanged", ", ".join(sorted(changes)))


def _earlier_meeting(w: Writer, parsed: ParsedAction) -> Meeting:
    """The meeting that raised a reviewed action: a placeholder when it was not recorded."""
    key, meeting = parsed.key, w.meeting_written()
    earlier = Meeting.objects.filter(
        committee=w.committee, number=key.number, sub_number=key.sub_number
    ).first()
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
    w.change("meeting", earlier.ref, "create", "placeholder: date not known")
    w.warn(
        f"{earlier.ref} (which raised {parsed.ref}) was not recorded: it was added as a "
        "placeholder whose date is not known. Import its report or set its date."
    )
    return earlier


def review_write(w: Writer, parsed: ParsedAction) -> None:
    """An earlier action listed again: its review at this meeting (kept open or re-dated)."""
    meeting = w.meeting_written()
    earlier = _earlier_meeting(w, parsed)
    action = Action.objects.filter(ref=parsed.ref).first()
    if action is None:
        action = action_create(
            meeting=earlier,
            seq=parsed.key.seq,
            description=parsed.description,
            owners=parsed.owners,
            due_date=parsed.due_date,
            change_requests=_action_crs(w, parsed),
            acting_user=w.actor,
        )
        w.change("action", parsed.ref, "create", parsed.description)
    review = ActionReview.objects.filter(action=action, meeting=meeting).first()
    if action.due_date == parsed.due_date:
        outcome = review.outcome if review else ActionReview.Outcome.KEPT_OPEN
        new_due_date = review.new_due_date if review else None
    else:
        outcome, new_due_date = ActionReview.Outcome.RE_DATED, parsed.due_date
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


def decision_write(w: Writer, parsed: ParsedDecision) -> None:
    """A decision of this meeting, created or updated in place, its outcome as the report says.

    A new decision is recorded proposed and then decided through ``decision_transition``
    at the meeting's start, so the workflow's check and the move of its CR apply as for the
    chair. An outcome the workflow does not allow (an approval the report now calls
    rejected) is a problem of the import, not a silent overwrite.
    """
    meeting = w.meeting_written()
    agenda_item = w.agenda.get(title_key(parsed.area))
    cr = w.cr_of(parsed.text) or w.cr_of(parsed.area)
    status, conditions = decision_outcome(parsed.text)
    existing = Decision.objects.filter(ref=parsed.ref).select_related("meeting").first()
    if existing is not None and existing.meeting_id != meeting.pk:
        raise ValidationError(
            f"{parsed.ref} is already recorded at {existing.meeting.ref}; "
            "a decision's ref is never reused."
        )
    if existing is None:
        decision = decision_create(
            meeting=meeting,
            seq=parsed.seq,
            text=parsed.text,
            agenda_item=agenda_item,
            change_request=cr,
            acting_user=w.actor,
        )
        changes: list[str] = []
    else:
        decision, changes = _decision_update(w, existing, parsed, agenda_item, cr)
    if decision.status != status:
        decision_transition(
            decision=decision,
            to_status=status,
            conditions=conditions,
            decided_at=meeting.start_at,  # the report records decisions taken at the meeting
            # The chair took it at the meeting; the import records it as the system, whoever
            # imports (the PMO may import, not decide).
            acting_user=SYSTEM,
        )
        changes.append("status")
    elif decision.conditions != conditions:
        w.warn(
            f"{parsed.ref} is recorded {decision.get_status_display().lower()} with the "
            f"conditions “{decision.conditions}”; the report's wording of them "
            f"(“{conditions}”) was not applied to the decision taken."
        )
    if existing is None:
        w.change("decision", parsed.ref, "create", parsed.text)
    else:
        w.change("decision", parsed.ref, "update" if changes else "unchanged", ", ".join(changes))


def _decision_update(
    w: Writer,
    existing: Decision,
    parsed: ParsedDecision,
    agenda_item: AgendaItem | None,
    cr: ChangeRequest | None,
) -> tuple[Decision, list[str]]:
    """The text, area and CR of a decision imported before, updated where the report differs."""
    changes: dict[str, Any] = {}
    if existing.text != parsed.text:
        changes["text"] = parsed.text
    if existing.agenda_item_id != (agenda_item.pk if agenda_item else None):
        changes["agenda_item"] = agenda_item
    if existing.change_request_id != (cr.pk if cr else None):
        changes["change_request"] = cr
    if not changes:
        return existing, []
    return decision_update(decision=existing, acting_user=w.actor, **changes), list(changes)


def discussion_write(w: Writer) -> None:
    """The meeting's discussion items, matched by position; extra items are left, with a warning."""
    meeting = w.meeting_written()
    existing = list(meeting.discussion_items.order_by("order", "id"))
    for index, parsed in enumerate(w.p.discussion):
        if index >= len(existing):
            _discussion_item_create(w, meeting, parsed, index + 1)
        else:
            _discussion_item_update(w, existing[index], parsed, index + 1)
    for item in existing[len(w.p.discussion) :]:
        w.warn(
            f"{meeting.ref} has a discussion item (#{item.order}) that is not in "
            "the report; it was left as it is."
        )


def _discussion_label(parsed: ParsedDiscussion, order: int) -> str:
    return f"{order}. {parsed.area or 'discussion'}"


def _discussion_item_create(
    w: Writer, meeting: Meeting, parsed: ParsedDiscussion, order: int
) -> None:
    agenda_item = w.agenda.get(title_key(parsed.area))
    w.step(
        parsed.line,
        lambda: discussion_item_create(
            meeting=meeting,
            text=parsed.text,
            agenda_item=agenda_item,
            order=order,
            acting_user=w.actor,
        ),
    )
    w.change("discussion item", _discussion_label(parsed, order), "create", plain(parsed.text)[:80])


def _discussion_item_update(
    w: Writer, item: DiscussionItem, parsed: ParsedDiscussion, order: int
) -> None:
    agenda_item = w.agenda.get(title_key(parsed.area))
    changes: dict[str, Any] = {}
    if item.text != parsed.text:
        changes["text"] = parsed.text
    if item.agenda_item_id != (agenda_item.pk if agenda_item else None):
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
