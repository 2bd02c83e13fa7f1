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

COUNT_KEYS = (
    "actions",
    "action_owners",
    "action_reviews",
    "action_updates",
    "action_change_requests",
    "discussion_items",
    "discussion_references",
)


def actions_and_discussion(b: Build) -> None:
    """Actions (about ``open_fraction`` open, due dates around today), owners, CR links,
    updates, reviews of the previous meeting's actions, and discussion items naming them.

    Meetings are written in chunks of about ten thousand actions so memory stays flat at
    the full size; every random draw happens in the same order whatever the chunking."""
    sizes = b.sizes
    action_counts = _split(b.rng, sizes.actions, len(b.held_meetings))
    n_open = round(sizes.actions * sizes.open_fraction)
    open_indexes = set(b.rng.sample(range(sizes.actions), n_open))
    for key in COUNT_KEYS:
        b.counts[key] = 0
    run = _ActionsRun(b, open_indexes)
    chunk: list[tuple[Meeting, int]] = []
    chunk_size = 0
    for meeting, n_actions in zip(b.held_meetings, action_counts, strict=True):
        chunk.append((meeting, n_actions))
        chunk_size += n_actions
        if chunk_size >= 10_000:
            run.flush(chunk)
            b.say(f"actions: {b.counts['actions']} ({time.perf_counter() - b.started:.1f}s)")
            chunk, chunk_size = [], 0
    if chunk:
        run.flush(chunk)
    Meeting.objects.bulk_update(b.held_meetings, ["last_action_seq"], batch_size=BATCH)
    b.out.seconds = time.perf_counter() - b.started
    b.say(f"actions: {b.counts['actions']} ({b.out.seconds:.1f}s)")


class _ActionsRun:
    """State carried from one chunk to the next: the running action index (which decides
    open or closed) and each committee's previous meeting's actions (which the next meeting
    reviews)."""

    def __init__(self, b: Build, open_indexes: set[int]) -> None:
        self.b = b
        self.open_indexes = open_indexes
        self.index = 0
        self.previous_by_committee: dict[int, list[Action]] = {}
        self.through = Action.change_requests.through

    def flush(self, pending: list[tuple[Meeting, int]]) -> None:
        """Write one chunk: actions, then their owners/links/updates, then reviews and
        discussion (this order is the order of the random draws)."""
        actions = _bulk(Action, self._action_rows(pending))
        self.b.counts["actions"] += len(actions)
        self._owners_links_updates(actions)
        self._reviews_and_discussion(pending, actions)

    def _action_rows(self, pending: list[tuple[Meeting, int]]) -> list[Action]:
        """Unsaved actions of each meeting, numbered from 1, and the meeting's counter set."""
        b = self.b
        rows: list[Action] = []
        for meeting, n_actions in pending:
            areas = b.areas_by_meeting[meeting.pk]
            code = meeting.committee.code
            for seq in range(1, n_actions + 1):
                is_open = self.index in self.open_indexes
                self.index += 1
                due, status, closed = self._due_status_closed(meeting, is_open)
                rows.append(
                    Action(
                        committee_id=meeting.committee_id,
                        meeting=meeting,
                        agenda_item=b.rng.choice(areas),
                        seq=seq,
                        ref=refs.action_ref(code, meeting.number, meeting.sub_number, seq),
                        ref_sort=action_ref_sort_key(code, meeting.number, meeting.sub_number, seq),
                        description=_cr_texts(
                            b.rng.choice(b.texts.actions), b.rng, b.cr_numbers, code
                        ),
                        due_date=due,
                        status=status,
                        closed_date=closed,
                        closure_note="Closed at the meeting." if closed else "",
                    )
                )
            meeting.last_action_seq = n_actions
        return rows

    def _due_status_closed(
        self, meeting: Meeting, is_open: bool
    ) -> tuple[dt.date, str, dt.date | None]:
        """Open actions: mostly overdue, a few due within days (the reminder window), the
        rest later. Closed ones: due weeks after their meeting, closed near that date."""
        rng = self.b.rng
        today = self.b.today
        meeting_day = meeting.start_at.astimezone(LONDON).date()
        if is_open:
            roll = rng.random()
            if roll < 0.75:
                due = today - dt.timedelta(days=rng.randint(1, 90))
            elif roll < 0.80:
                due = today + dt.timedelta(days=rng.randint(0, 3))
            else:
                due = today + dt.timedelta(days=rng.randint(4, 60))
            status = Action.Status.PROPOSED_CLOSURE if rng.random() < 0.1 else Action.Status.OPEN
            return due, status, None
        due = meeting_day + dt.timedelta(days=rng.randint(14, 56))
        closed = min(today, max(meeting_day, due + dt.timedelta(days=rng.randint(-10, 20))))
        return due, Action.Status.CLOSED, closed

    def _owners_links_updates(self, actions: list[Action]) -> None:
        """Each action's lead owner (and sometimes a second), CR links and updates."""
        b = self.b
        rng = b.rng
        owner_rows: list[ActionOwner] = []
        m2m_rows = []
        update_rows = []
        for action in actions:
            owner_rows += self._owners(action)
            if rng.random() < 0.1:
                m2m_rows.append(
                    self.through(
                        action_id=action.pk,
                        changerequest_id=b.crs[rng.choice(b.cr_numbers) - 1].pk,
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
        b.counts["action_owners"] += len(_bulk(ActionOwner, owner_rows))
        b.counts["action_change_requests"] += len(_bulk(self.through, m2m_rows))
        b.counts["action_updates"] += len(_bulk(ActionUpdate, update_rows))

    def _owners(self, action: Action) -> list[ActionOwner]:
        """A lead that is a role (5%), a programme team (7%) or a person, and 8% a second
        person: the mix the action list's owner column has to render."""
        b = self.b
        rng = b.rng
        rows: list[ActionOwner] = []
        roll = rng.random()
        if roll < 0.05:
            rows.append(ActionOwner(action=action, role=rng.choice(ROLE_OWNERS), is_lead=True))
        elif roll < 0.12:
            rows.append(
                ActionOwner(
                    action=action,
                    organisation=b.programme,
                    person=rng.choice(b.teams),
                    is_lead=True,
                )
            )
        else:
            person = rng.choice(b.owner_pool)
            rows.append(
                ActionOwner(
                    action=action,
                    organisation=b.org_by_id[person.organisation_id],
                    person=person,
                    is_lead=True,
                )
            )
        if rng.random() < 0.08:
            person = rng.choice(b.owner_pool)
            rows.append(
                ActionOwner(
                    action=action,
                    organisation=b.org_by_id[person.organisation_id],
                    person=person,
                    is_lead=False,
                    order=1,
                )
            )
        return rows

    def _reviews_and_discussion(
        self, pending: list[tuple[Meeting, int]], actions: list[Action]
    ) -> None:
        """Per meeting: reviews of the committee's previous meeting's actions, then six
        discussion items naming up to two of its own actions (with their references)."""
        b = self.b
        by_meeting: dict[int, list[Action]] = {}
        for action in actions:
            by_meeting.setdefault(action.meeting_id, []).append(action)
        review_rows: list[ActionReview] = []
        discussion_rows: list[DiscussionItem] = []
        mentioned: list[list[Action]] = []
        for meeting, _n in pending:
            own = by_meeting.get(meeting.pk, [])
            previous = self.previous_by_committee.get(meeting.committee_id, [])
            review_rows += self._reviews(meeting, previous)
            self.previous_by_committee[meeting.committee_id] = own
            self._discussion(meeting, own, discussion_rows, mentioned)
        b.counts["action_reviews"] += len(_bulk(ActionReview, review_rows))
        items = _bulk(DiscussionItem, discussion_rows)
        b.counts["discussion_items"] += len(items)
        reference_rows = [
            DiscussionReference(
                discussion_item=item, kind=refs.RefKind.ACTION, ref=action.ref, action=action
            )
            for item, picked in zip(items, mentioned, strict=True)
            for action in picked
        ]
        b.counts["discussion_references"] += len(_bulk(DiscussionReference, reference_rows))

    def _reviews(self, meeting: Meeting, previous: list[Action]) -> list[ActionReview]:
        """Up to five of the previous meeting's actions reviewed, some re-dated."""
        rng = self.b.rng
        areas = self.b.areas_by_meeting[meeting.pk]
        rows = []
        for order, action in enumerate(rng.sample(previous, min(5, len(previous))), start=1):
            outcome = rng.choice(list(ActionReview.Outcome))
            rows.append(
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
        return rows

    def _discussion(
        self,
        meeting: Meeting,
        own: list[Action],
        discussion_rows: list[DiscussionItem],
        mentioned: list[list[Action]],
    ) -> None:
        """Six discussion items, each naming up to two of the meeting's actions as the
        minutes do; the actions named are kept in step for their reference rows."""
        b = self.b
        areas = b.areas_by_meeting[meeting.pk]
        for order in range(1, 7):
            picked = b.rng.sample(own, min(2, len(own)))
            text = _cr_texts(
                b.rng.choice(b.texts.discussion), b.rng, b.cr_numbers, meeting.committee.code
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
