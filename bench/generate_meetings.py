"""Generator steps: committees, memberships, meetings and agenda; decisions."""

from __future__ import annotations

import datetime as dt
import time

from core import refs
from decisions.models import Decision
from meetings.models import (
    AgendaItem,
    Committee,
    Meeting,
    Membership,
    Person,
)

from .generate_base import (
    DECISION_STATUSES,
    FIXED_AREAS,
    Build,
    _bulk,
    _cr_texts,
    _local,
    _split,
    _weighted,
)


def committees_and_meetings(b: Build) -> None:
    """Committees with their chairs and members, fortnightly meetings, agenda areas."""
    committees = _bulk(
        Committee,
        [Committee(code=code, name=name, programme_name="MHHS") for code, name in b.chosen],
    )
    b.counts["committees"] = len(committees)
    chairs = _memberships(b, committees)
    meetings = _bulk(Meeting, _meeting_rows(b, committees))
    b.counts["meetings"] = len(meetings)
    held_meetings = [m for m in meetings if m.status != Meeting.Status.PLANNED]
    areas_by_meeting = _agenda(b, held_meetings)
    b.say(f"committees, meetings, agenda: {time.perf_counter() - b.started:.1f}s")
    b.committees = committees
    b.chairs = chairs
    b.held_meetings = held_meetings
    b.areas_by_meeting = areas_by_meeting


def _memberships(b: Build, committees: list[Committee]) -> dict[int, Person]:
    """A chair, the secretariat team and up to twenty members per committee; returns the
    chairs, who decide that committee's decisions."""
    rng = b.rng
    chairs: dict[int, Person] = {}
    membership_rows = []
    for committee in committees:
        chair, *members = rng.sample(b.individuals, min(len(b.individuals), 21))
        chairs[committee.pk] = chair
        membership_rows.append(
            Membership(committee=committee, person=chair, role=Membership.Role.CHAIR)
        )
        membership_rows.append(
            Membership(committee=committee, person=b.teams[0], role=Membership.Role.SECRETARIAT)
        )
        membership_rows.extend(
            Membership(
                committee=committee,
                person=p,
                role=Membership.Role.MEMBER,
                constituency=rng.choice(["Large Supplier", "Small Supplier", "Agent", "LDSO"]),
            )
            for p in members
        )
    b.counts["memberships"] = len(_bulk(Membership, membership_rows))
    return chairs


def _meeting_rows(b: Build, committees: list[Committee]) -> list[Meeting]:
    """The meetings shared out evenly between committees, about 4% of each still planned;
    sets each committee's meeting counter."""
    per_committee = [b.sizes.meetings // len(committees)] * len(committees)
    for k in range(b.sizes.meetings - sum(per_committee)):
        per_committee[k] += 1
    rows: list[Meeting] = []
    for c_index, (committee, n_meetings) in enumerate(zip(committees, per_committee, strict=True)):
        rows += _committee_meetings(b, committee, c_index, n_meetings)
    return rows


def _committee_meetings(
    b: Build, committee: Committee, c_index: int, n_meetings: int
) -> list[Meeting]:
    """One committee's meetings, fortnightly, every twentieth an extraordinary one."""
    planned = max(1, round(n_meetings * 0.04))
    held = n_meetings - planned
    number = 0
    # Fortnightly, staggered by committee; the first committee's next meeting is in two
    # days, inside its due-soon window, so the reminder run sends meeting digests too.
    next_day = b.today + dt.timedelta(days=2 + 2 * c_index)
    rows: list[Meeting] = []
    for k in range(n_meetings):
        day = next_day + dt.timedelta(days=14 * (k - held))
        sub = 0
        if k % 20 == 19:
            # An extraordinary meeting a week after the one it follows (DAG020.1).
            sub = 1
            day = day - dt.timedelta(days=7)
        else:
            number += 1
        status = (
            Meeting.Status.PLANNED
            if k >= held
            else Meeting.Status.HELD
            if k == held - 1
            else Meeting.Status.REPORT_ISSUED
        )
        start = _local(day)
        rows.append(
            Meeting(
                committee=committee,
                number=number,
                sub_number=sub,
                ref=refs.meeting_ref(committee.code, number, sub),
                start_at=start,
                end_at=start + dt.timedelta(hours=3),
                venue="Virtual – MS Teams",
                classification=b.rng.choice(
                    [Meeting.Classification.PUBLIC] * 4 + [Meeting.Classification.RESTRICTED]
                ),
                status=status,
                report_issue_date=day + dt.timedelta(days=7)
                if status == Meeting.Status.REPORT_ISSUED
                else None,
            )
        )
    committee.last_meeting_number = number
    return rows


def _agenda(b: Build, held_meetings: list[Meeting]) -> dict[int, list[AgendaItem]]:
    """Each held meeting's agenda: two fixed areas, four CR decision items, the rest fixed;
    returns the areas by meeting, which actions, reviews and decisions are filed under."""
    agenda_rows = []
    for meeting in held_meetings:
        order = 0
        for title in FIXED_AREAS[:2]:
            order += 1
            agenda_rows.append(AgendaItem(meeting=meeting, order=order, title=title))
        for cr_number in b.rng.sample(b.cr_numbers, 4):
            order += 1
            agenda_rows.append(
                AgendaItem(
                    meeting=meeting,
                    order=order,
                    title=f"{refs.change_request_ref(cr_number)} Decision",
                    change_request=b.crs[cr_number - 1],
                )
            )
        for title in FIXED_AREAS[2:]:
            order += 1
            agenda_rows.append(AgendaItem(meeting=meeting, order=order, title=title))
    agenda_items = _bulk(AgendaItem, agenda_rows)
    b.counts["agenda_items"] = len(agenda_items)
    areas_by_meeting: dict[int, list[AgendaItem]] = {}
    for item in agenda_items:
        areas_by_meeting.setdefault(item.meeting_id, []).append(item)
    return areas_by_meeting


def decisions(b: Build) -> None:
    """Decisions, numbered per committee across meetings, in meeting order."""
    sizes = b.sizes
    rng = b.rng
    say = b.say
    texts = b.texts
    counts = b.counts
    started = b.started
    cr_numbers = b.cr_numbers
    committees = b.committees
    chairs = b.chairs
    held_meetings = b.held_meetings
    areas_by_meeting = b.areas_by_meeting
    decision_rows = []
    decision_counts = _split(rng, sizes.decisions, len(held_meetings))
    seq_by_committee: dict[int, int] = {}
    for meeting, n_decisions in zip(held_meetings, decision_counts, strict=True):
        committee = meeting.committee
        for _ in range(n_decisions):
            seq = seq_by_committee.get(committee.pk, 0) + 1
            seq_by_committee[committee.pk] = seq
            status = _weighted(rng, DECISION_STATUSES)
            area = rng.choice(areas_by_meeting[meeting.pk])
            decision_rows.append(
                Decision(
                    committee=committee,
                    meeting=meeting,
                    agenda_item=area,
                    seq=seq,
                    ref=refs.decision_ref(committee.code, seq),
                    text=_cr_texts(rng.choice(texts.decisions), rng, cr_numbers, committee.code),
                    status=status,
                    conditions="Provided the Programme resolve any minor comments first."
                    if status == Decision.Status.APPROVED_WITH_CONDITIONS
                    else "",
                    decided_by=chairs[committee.pk],
                    decided_at=meeting.start_at + dt.timedelta(hours=2),
                    change_request=area.change_request,
                )
            )
    for committee in committees:
        committee.last_decision_seq = seq_by_committee.get(committee.pk, 0)
    Committee.objects.bulk_update(committees, ["last_meeting_number", "last_decision_seq"])
    counts["decisions"] = len(_bulk(Decision, decision_rows))
    say(f"decisions: {time.perf_counter() - started:.1f}s")
