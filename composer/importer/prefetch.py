"""Reading once what an import compares with: the records the report names, and its people.

Issue #18: reading each record (its action, owners, CRs, review, decision, agenda area,
earlier meeting) one by one made an import of thousands of rows cost tens of queries per row
before any write. Here they are read in a few queries, whatever the report's size, before
the records are written. The new actions, decisions and discussion items are then recorded
in batches by the apps' bulk services (:mod:`actions.bulk`, :mod:`decisions.bulk`,
``composer.discussion.discussion_items_create_many``), every row checked first; the rest
(updates, areas, CRs) goes through the apps' services one record at a time.
"""

from __future__ import annotations

from django.db.models import Prefetch

from actions.models import Action, ActionOwner, ActionReview
from changerequests.models import ChangeRequest
from decisions.models import Decision
from meetings.models import Meeting, Organisation, Person

from .writer import Writer

_CHUNK = 500


def _chunks(values: list[str]) -> list[list[str]]:
    return [values[i : i + _CHUNK] for i in range(0, len(values), _CHUNK)]


def change_requests_prefetch(w: Writer) -> dict[int, ChangeRequest]:
    """The CRs the report names that the tracker holds, by number (one query)."""
    numbers = list(w.p.change_request_lines)
    return {cr.number: cr for cr in ChangeRequest.objects.filter(number__in=numbers)}


def records_prefetch(w: Writer) -> None:
    """The report's actions (with owners and CRs), reviews, decisions and the committee's
    meetings, read once onto the Writer; and the baselines of its records."""
    meeting = w.meeting_written()
    p = w.p
    action_refs = sorted({a.ref for a in [*p.actions, *p.reviews]})
    owners = ActionOwner.objects.select_related("organisation", "person")
    for refs in _chunks(action_refs):
        actions = Action.objects.filter(ref__in=refs).select_related("agenda_item")
        for action in actions.prefetch_related(
            Prefetch("owners", queryset=owners), "change_requests"
        ):
            w.actions[action.ref] = action
    w.reviews = {r.action_id: r for r in ActionReview.objects.filter(meeting=meeting)}
    decision_refs = [d.ref for d in p.decisions]
    for refs in _chunks(decision_refs):
        for decision in Decision.objects.filter(ref__in=refs).select_related(
            "meeting", "agenda_item", "change_request"
        ):
            w.decisions[decision.ref] = decision
    w.meetings = {
        (m.number, m.sub_number): m for m in Meeting.objects.filter(committee=w.committee)
    }
    w.baselines.load({"action": action_refs, "decision": decision_refs, "meeting": [p.meeting_ref]})


def new_names(w: Writer) -> tuple[list[str], list[str]]:
    """The people (``Rob Short (Programme)``) and organisations the owners name that the
    tracker does not hold: the import creates them (through ``actions.services``)."""
    organisations: set[str] = set()
    people: set[tuple[str, str]] = set()
    for action in [*w.p.actions, *w.p.reviews]:
        for spec in action.owners:
            party = "" if spec.role_like else spec.party
            if party:
                organisations.add(party)
            if spec.person:
                people.add((spec.person, party))
    known_orgs = set(
        Organisation.objects.filter(name__in=organisations).values_list("name", flat=True)
    )
    known_people = {
        (name, org or "")
        for name, org in Person.objects.filter(name__in={name for name, _ in people}).values_list(
            "name", "organisation__name"
        )
    }
    new_people = sorted(f"{name} ({org})" if org else name for name, org in people - known_people)
    return new_people, sorted(organisations - known_orgs)
