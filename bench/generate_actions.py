"""Generator step: actions with owners, reviews, updates and discussion, a chunk of meetings
at a time."""

from __future__ import annotations

import datetime as dt
import time

from actions.models import Action, ActionOwner, ActionReview, ActionUpdate, action_ref_sort_key
from core import refs
from meetings.models import (
    DiscussionItem,
    DiscussionReference,
    Meeting,
)

from .generate_base import (
    BATCH,
    LONDON,
    ROLE_OWNERS,
    Build,
    _bulk,
    _cr_texts,
    _split,
)


def actions_and_discussion(b: Build) -> None:
    """Actions (about ``open_fraction`` open, due dates around today), owners, CR links,
    updates, reviews of the previous meeting's actions, and discussion items naming them."""
    sizes = b.sizes
    today = b.today
    rng = b.rng
    say = b.say
    texts = b.texts
    out = b.out
    counts = b.counts
    started = b.started
    programme = b.programme
    owner_pool = b.owner_pool
    teams = b.teams
    org_by_id = b.org_by_id
    crs = b.crs
    cr_numbers = b.cr_numbers
    held_meetings = b.held_meetings
    areas_by_meeting = b.areas_by_meeting
    action_counts = _split(rng, sizes.actions, len(held_meetings))
    n_open = round(sizes.actions * sizes.open_fraction)
    open_indexes = set(rng.sample(range(sizes.actions), n_open))
    for key in (
        "actions",
        "action_owners",
        "action_reviews",
        "action_updates",
        "action_change_requests",
        "discussion_items",
        "discussion_references",
    ):
        counts[key] = 0
    through = Action.change_requests.through
    previous_by_committee: dict[int, list[Action]] = {}
    index = 0
    chunk: list[tuple[Meeting, int]] = []
    chunk_size = 0

    def flush(pending: list[tuple[Meeting, int]]) -> None:
        nonlocal index
        action_rows: list[Action] = []
        for meeting, n_actions in pending:
            areas = areas_by_meeting[meeting.pk]
            for seq in range(1, n_actions + 1):
                is_open = index in open_indexes
                index += 1
                meeting_day = meeting.start_at.astimezone(LONDON).date()
                if is_open:
                    roll = rng.random()
                    if roll < 0.75:
                        due = today - dt.timedelta(days=rng.randint(1, 90))
                    elif roll < 0.80:
                        due = today + dt.timedelta(days=rng.randint(0, 3))
                    else:
                        due = today + dt.timedelta(days=rng.randint(4, 60))
                    status = (
                        Action.Status.PROPOSED_CLOSURE if rng.random() < 0.1 else Action.Status.OPEN
                    )
                    closed = None
                else:
                    due = meeting_day + dt.timedelta(days=rng.randint(14, 56))
                    status = Action.Status.CLOSED
                    closed = min(
                        today, max(meeting_day, due + dt.timedelta(days=rng.randint(-10, 20)))
                    )
                action_rows.append(
                    Action(
                        committee_id=meeting.committee_id,
                        meeting=meeting,
                        agenda_item=rng.choice(areas),
                        seq=seq,
                        ref=refs.action_ref(
                            meeting.committee.code, meeting.number, meeting.sub_number, seq
                        ),
                        ref_sort=action_ref_sort_key(
                            meeting.committee.code, meeting.number, meeting.sub_number, seq
                        ),
                        description=_cr_texts(
                            rng.choice(texts.actions), rng, cr_numbers, meeting.committee.code
                        ),
                        due_date=due,
                        status=status,
                        closed_date=closed,
                        closure_note="Closed at the meeting." if closed else "",
                    )
                )
            meeting.last_action_seq = n_actions
        actions = _bulk(Action, action_rows)
        counts["actions"] += len(actions)

        owner_rows: list[ActionOwner] = []
        m2m_rows = []
        update_rows = []
        for action in actions:
            roll = rng.random()
            if roll < 0.05:
                owner_rows.append(
                    ActionOwner(action=action, role=rng.choice(ROLE_OWNERS), is_lead=True)
                )
            elif roll < 0.12:
                owner_rows.append(
                    ActionOwner(
                        action=action,
                        organisation=programme,
                        person=rng.choice(teams),
                        is_lead=True,
                    )
                )
            else:
                person = rng.choice(owner_pool)
                owner_rows.append(
                    ActionOwner(
                        action=action,
                        organisation=org_by_id[person.organisation_id],
                        person=person,
                        is_lead=True,
                    )
                )
            if rng.random() < 0.08:
                person = rng.choice(owner_pool)
                owner_rows.append(
                    ActionOwner(
                        action=action,
                        organisation=org_by_id[person.organisation_id],
                        person=person,
                        is_lead=False,
                        order=1,
                    )
                )
            if rng.random() < 0.1:
                m2m_rows.append(
                    through(
                        action_id=action.pk, changerequest_id=crs[rng.choice(cr_numbers) - 1].pk
                    )
                )
            if action.status != Action.Status.CLOSED and rng.random() < 0.5:
                update_rows.append(
                    ActionUpdate(
                        action=action,
                        text="Work in progress; an update will be given at the next meeting.",
                        proposes_closure=action.status == Action.Status.PROPOSED_CLOSURE,
                    )
                )
        counts["action_owners"] += len(_bulk(ActionOwner, owner_rows))
        counts["action_change_requests"] += len(_bulk(through, m2m_rows))
        counts["action_updates"] += len(_bulk(ActionUpdate, update_rows))

        by_meeting: dict[int, list[Action]] = {}
        for action in actions:
            by_meeting.setdefault(action.meeting_id, []).append(action)
        review_rows = []
        discussion_rows: list[DiscussionItem] = []
        mentioned: list[list[Action]] = []
        for meeting, _n in pending:
            own = by_meeting.get(meeting.pk, [])
            previous = previous_by_committee.get(meeting.committee_id, [])
            areas = areas_by_meeting[meeting.pk]
            for order, action in enumerate(rng.sample(previous, min(5, len(previous))), start=1):
                outcome = rng.choice(list(ActionReview.Outcome))
                review_rows.append(
                    ActionReview(
                        action=action,
                        meeting=meeting,
                        agenda_item=areas[0],
                        order=order,
                        outcome=outcome,
                        new_due_date=action.due_date + dt.timedelta(days=28)
                        if outcome == ActionReview.Outcome.RE_DATED
                        else None,
                        note="Discussed at the meeting.",
                    )
                )
            previous_by_committee[meeting.committee_id] = own
            for order in range(1, 7):
                picked = rng.sample(own, min(2, len(own)))
                text = _cr_texts(
                    rng.choice(texts.discussion), rng, cr_numbers, meeting.committee.code
                )
                text += "".join(f" ( <b>ACTION {a.ref}</b> )" for a in picked)
                discussion_rows.append(
                    DiscussionItem(
                        meeting=meeting,
                        agenda_item=areas[(order - 1) % len(areas)],
                        order=order,
                        text=text,
                    )
                )
                mentioned.append(picked)
        counts["action_reviews"] += len(_bulk(ActionReview, review_rows))
        items = _bulk(DiscussionItem, discussion_rows)
        counts["discussion_items"] += len(items)
        reference_rows = [
            DiscussionReference(
                discussion_item=item, kind=refs.RefKind.ACTION, ref=action.ref, action=action
            )
            for item, picked in zip(items, mentioned, strict=True)
            for action in picked
        ]
        counts["discussion_references"] += len(_bulk(DiscussionReference, reference_rows))

    for meeting, n_actions in zip(held_meetings, action_counts, strict=True):
        chunk.append((meeting, n_actions))
        chunk_size += n_actions
        if chunk_size >= 10_000:
            flush(chunk)
            say(f"actions: {counts['actions']} ({time.perf_counter() - started:.1f}s)")
            chunk, chunk_size = [], 0
    if chunk:
        flush(chunk)
    Meeting.objects.bulk_update(held_meetings, ["last_action_seq"], batch_size=BATCH)
    out.seconds = time.perf_counter() - started
    say(f"actions: {counts['actions']} ({out.seconds:.1f}s)")
