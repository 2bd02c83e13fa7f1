"""Writing a report's decisions: created and decided as the report says, or updated in place.

The report's new decisions are recorded proposed and then decided, all in one batch, by
``decisions.bulk.decisions_record_many`` (the steps of ``decisions.services.decision_create``
and ``decision_transition``, like the chair's), decided at the meeting's start: the
transition check and the move of its CR are that service's, not the import's. An existing
decision's outcome goes through ``decision_transition`` itself. A decision
already decided (approved, approved with conditions, rejected) is locked: the import never
changes it and lists it as "locked, not changed" where the report words it otherwise.
"""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.db import transaction

from changerequests.models import ChangeRequest
from composer.search.index import search_documents_write
from composer.search.registry import kind_of
from core.actors import SYSTEM
from decisions.bulk import DecisionsRefusedError, NewDecision, decisions_record_many
from decisions.models import Decision
from decisions.services import decision_transition, decision_update
from meetings.models import AgendaItem

from .baseline import value_text
from .records import ParsedDecision
from .results import FieldChange, ImportProblem
from .text import title_key
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


def _decision_is_locked(decision: Decision) -> bool:
    """Whether ``decision`` is decided, so that its text, conditions, area and CR are locked.

    DESIGN.md: once decided a decision's content is locked; changing it takes a re-opening
    with a reason, on record. The import asks here and nowhere else, and the rule is
    ``decisions``' own (``Decision.is_locked``).
    """
    return decision.is_locked


def _outcome_text(status: str, conditions: str) -> str:
    label = Decision.Status(status).label
    return f"{label}: {conditions}" if conditions else label


def _decision_shown(
    text: str, area: AgendaItem | None, cr: ChangeRequest | None, outcome: str
) -> dict[str, str]:
    """A decision's compared fields, by label (label -> decision_update's argument below)."""
    return {
        "text": text,
        "area": area.title if area is not None else "",
        "change request": cr.ref if cr is not None else "",
        "outcome": outcome,
    }


_DECISION_FIELDS = {"text": "text", "area": "agenda_item", "change request": "change_request"}


def new_decisions_write(w: Writer, new: list[ParsedDecision]) -> dict[str, dict[str, str]]:
    """The decisions of this meeting the tracker does not hold yet, recorded and decided in
    one go (``decisions.bulk``, the outcome in the system's name as :func:`_decide`); each
    one's problems under its line, nothing written if there are any. Returns each created
    decision's compared fields, by ref, for :func:`decision_created`."""
    if not new:
        return {}
    items, shown = [], {}
    for parsed in new:
        agenda_item = w.agenda.get(title_key(parsed.area))
        cr = w.cr_of(parsed.text) or w.cr_of(parsed.area)
        status, conditions = decision_outcome(parsed.text)
        outcome = _outcome_text(status, conditions)
        shown[parsed.ref] = _decision_shown(parsed.text, agenda_item, cr, outcome)
        items.append(
            NewDecision(
                seq=parsed.seq,
                text=parsed.text,
                agenda_item=agenda_item,
                change_request=cr,
                status=status,
                conditions=conditions,
            )
        )
    try:
        with transaction.atomic():
            created = decisions_record_many(
                meeting=w.meeting_written(),
                decisions=items,
                decided_at=w.meeting_written().start_at,
                decided_by=SYSTEM,  # the chair took them at the meeting (see _decide)
                acting_user=w.actor,
            )
    except DecisionsRefusedError as refused:
        for index, error in sorted(refused.refused.items()):
            for message in error.messages:
                w.problems.append(ImportProblem(new[index].line, message))
        return {}
    search_documents_write(kind_of(Decision), created)
    return shown


def decision_created(w: Writer, parsed: ParsedDecision, shown: dict[str, str]) -> None:
    """Record on the Writer a decision :func:`new_decisions_write` created."""
    w.created("decision", parsed.ref, shown)
    w.change("decision", parsed.ref, "create", parsed.text)


def decision_write(w: Writer, parsed: ParsedDecision) -> None:
    """A decision the tracker holds (new ones: :func:`new_decisions_write`), updated in
    place, its outcome as the report says.

    An existing decision that is decided is locked (:func:`_decision_is_locked`); one that
    is not (proposed, deferred, withdrawn) is updated field by field through
    :meth:`.writer.Writer.resolve`, its outcome too. An outcome the workflow does not allow
    is a problem of the import, not a silent overwrite.
    """
    meeting = w.meeting_written()
    agenda_item = w.agenda.get(title_key(parsed.area))
    cr = w.cr_of(parsed.text) or w.cr_of(parsed.area)
    status, conditions = decision_outcome(parsed.text)
    imported = _decision_shown(parsed.text, agenda_item, cr, _outcome_text(status, conditions))
    existing = w.decisions[parsed.ref]
    if existing.meeting_id != meeting.pk:
        raise ValidationError(
            f"{parsed.ref} is already recorded at {existing.meeting.ref}; "
            "a decision's ref is never reused."
        )
    current = _decision_shown(
        existing.text,
        existing.agenda_item,
        existing.change_request,
        _outcome_text(existing.status, existing.conditions),
    )
    if _decision_is_locked(existing):
        _locked_list(w, parsed.ref, existing, current, imported)
        return
    values = {"text": parsed.text, "agenda_item": agenda_item, "change_request": cr}
    changes = {
        argument: values[argument]
        for label, argument in _DECISION_FIELDS.items()
        if w.resolve("decision", parsed.ref, label, current[label], imported[label])
    }
    decision = (
        decision_update(decision=existing, acting_user=w.actor, **changes) if changes else existing
    )
    changed = list(changes)
    outcome_now, outcome_new = current["outcome"], imported["outcome"]
    if outcome_now != outcome_new and existing.reopenings.exists():
        # Re-opened on record since the report: the chair decides it again, not an import
        # (which would decide it as the system, in nobody's name).
        w.warn(
            f"{parsed.ref} was re-opened since; its outcome is left to the chair "
            f"(the report says {outcome_new})."
        )
    elif w.resolve("decision", parsed.ref, "outcome", outcome_now, outcome_new):
        _decide(w, decision, status, conditions)
        changed.append("status")
    w.change("decision", parsed.ref, "update" if changed else "unchanged", ", ".join(changed))


def _decide(w: Writer, decision: Decision, status: str, conditions: str) -> None:
    decision_transition(
        decision=decision,
        to_status=status,
        conditions=conditions,
        decided_at=w.meeting_written().start_at,  # the report records decisions taken there
        # The chair took it at the meeting; the import records it as the system, whoever
        # imports (the PMO may import, not decide).
        acting_user=SYSTEM,
    )


def _locked_list(
    w: Writer, ref: str, decision: Decision, current: dict[str, str], imported: dict[str, str]
) -> None:
    """A decided decision: nothing written; where the report differs it is listed, field by
    field, as locked and not changed."""
    w.fields = [
        FieldChange(label, value_text(current[label]), value_text(imported[label]))
        for label in current
        if current[label] != imported[label]
    ]
    status = decision.get_status_display().lower()
    if w.fields:
        w.change("decision", ref, "locked", f"{status}: locked, not changed")
    else:
        w.change("decision", ref, "unchanged")
