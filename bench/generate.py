"""Fill a database with a programme's worth of governance history, fast.

The shapes come from the seed report (``seeds/DAG028-headline-report.txt``): its action,
decision and discussion texts are the templates; refs are made by ``core.refs``; owners
are ``ActionOwner`` rows (an organisation and a person, or a role); areas are agenda items.
Every ref counter (``Committee.last_meeting_number``/``last_decision_seq``,
``Meeting.last_action_seq``, the ``CR``/``DIN`` ``RefCounter``) ends consistent with the rows,
so the services can keep creating records in the generated database.

Rows go in with ``bulk_create`` in batches and no history rows (django-simple-history records
changes made through ``save()``; a bulk load is not a change anyone made). The committees are
not ``DAG``, so the seed report itself can be imported beside the generated history.
"""

from __future__ import annotations

import datetime as dt
import random
import re
import time
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import connection, models, transaction

from actions.models import Action, ActionOwner, ActionReview, ActionUpdate, action_ref_sort_key
from changerequests.models import (
    ChangeRequest,
    DesignIssueNotification,
    ImpactAssessmentResponse,
    Release,
)
from core import refs, roles
from decisions.models import Decision
from meetings.models import (
    AgendaItem,
    Committee,
    DiscussionItem,
    DiscussionReference,
    Meeting,
    Membership,
    Organisation,
    Person,
    RefCounter,
)

from .cli import SMALL

LONDON = ZoneInfo("Europe/London")
SEED_REPORT = Path(settings.BASE_DIR) / "seeds" / "DAG028-headline-report.txt"
BATCH = 2000

# Real MHHS governance groups other than DAG (DAG itself comes from the seed report).
COMMITTEES = [
    ("DRG", "Design Resolution Group"),
    ("PSG", "Programme Steering Group"),
    ("TMAG", "Testing and Migration Advisory Group"),
    ("CCAG", "Cross Code Advisory Group"),
    ("QWG", "Qualification Working Group"),
    ("EMAG", "Environments Management Advisory Group"),
    ("SITWG", "System Integration Testing Working Group"),
    ("ISG", "Implementation Steering Group"),
]
ROLE_OWNERS = ["Chair", "Large Supplier Representative", "Small Supplier Representative"]
PROGRAMME_TEAMS = ["PMO", "Testing Team", "Design Team", "Migration Team", "DIP Team"]
FIRST = [
    "Rob",
    "Fraser",
    "Berlinda",
    "Paul",
    "Matt",
    "Haz",
    "Sarah",
    "Priya",
    "Tom",
    "Anna",
    "James",
    "Olivia",
    "Ravi",
    "Chloe",
    "Daniel",
    "Grace",
    "Simon",
    "Aisha",
    "Mark",
    "Emma",
    "Kwame",
    "Laura",
    "Peter",
    "Zoe",
    "Ian",
    "Fatima",
    "Neil",
    "Helen",
    "Omar",
    "Ruth",
]
LAST = [
    "Short",
    "Mathieson",
    "Kugara",
    "Pettitt",
    "McKeon",
    "Elmamoun",
    "Jones",
    "Patel",
    "Brown",
    "Wilson",
    "Taylor",
    "Khan",
    "Davies",
    "Evans",
    "Thomas",
    "Roberts",
    "Walker",
    "Wright",
    "Green",
    "Hall",
    "Wood",
    "Clarke",
    "Hughes",
    "Lewis",
    "Young",
    "Mensah",
    "Okafor",
    "Murray",
    "Reid",
    "Fletcher",
    "Begum",
    "Shah",
    "Turner",
    "Price",
    "Bennett",
    "Ward",
    "Cooper",
    "Hill",
]
ORG_KINDS = ["Energy", "Power", "Supply", "Metering", "Data Services", "Networks", "Retail"]
FIXED_ORGS = ["Programme", "RECCo", "Elexon", "DCUSA", "Avanade", "Ofgem"]
FIXED_AREAS = ["Minutes and Actions", "Design (DIN)", "Top Programme Risks", "AOB"]
POSITIONS = [
    (ImpactAssessmentResponse.Position.SUPPORT, 55),
    (ImpactAssessmentResponse.Position.SUPPORT_WITH_CONDITIONS, 15),
    (ImpactAssessmentResponse.Position.NEUTRAL, 20),
    (ImpactAssessmentResponse.Position.OPPOSE, 10),
]
DECISION_STATUSES = [
    (Decision.Status.APPROVED, 80),
    (Decision.Status.APPROVED_WITH_CONDITIONS, 8),
    (Decision.Status.REJECTED, 4),
    (Decision.Status.DEFERRED, 4),
    (Decision.Status.WITHDRAWN, 4),
]


@dataclass(frozen=True)
class BenchSizes:
    """How much history to generate. The defaults are the issue's full size."""

    committees: int = 5
    meetings: int = 500
    actions: int = 100_000
    people: int = 2_000
    organisations: int = 100
    decisions: int = 4_000
    change_requests: int = 300
    open_fraction: float = 0.05
    seed: int = 28

    @classmethod
    def small(cls) -> BenchSizes:
        """The ``--small`` size: a twentieth of the data, for CI and a quick look."""
        return cls(**SMALL)

    def __post_init__(self) -> None:
        if not 1 <= self.committees <= len(COMMITTEES):
            raise ValueError(f"committees must be 1..{len(COMMITTEES)}")
        if self.meetings < 2 * self.committees:
            raise ValueError("meetings must be at least two per committee")
        if self.organisations < len(FIXED_ORGS) + 1:
            raise ValueError(f"organisations must be at least {len(FIXED_ORGS) + 1}")
        if self.people < self.organisations + len(PROGRAMME_TEAMS):
            raise ValueError("people must be at least one per organisation plus the teams")
        if self.change_requests < 4:
            raise ValueError("change_requests must be at least 4 (agenda areas name them)")


@dataclass
class Generated:
    """What was generated: row counts per record, the reference date and the timing."""

    today: dt.date
    counts: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0
    pmo_username: str = "bench-pmo"
    member_username: str = "bench-member"

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["today"] = self.today.isoformat()
        return data


@dataclass(frozen=True)
class SeedTexts:
    """Texts of the seed report, used as templates for generated records."""

    actions: list[str]
    decisions: list[str]
    discussion: list[str]


def seed_texts(path: Path = SEED_REPORT) -> SeedTexts:
    """Action, decision and discussion texts of the seed report (tab-separated rows)."""
    action_re = re.compile(r"^DAG\d+(?:\.\d+)?-\d+$")
    decision_re = re.compile(r"^DAG-DEC\d+$")
    actions, decisions, discussion = [], [], []
    in_discussion = False
    for line in path.read_text(encoding="utf-8").splitlines():
        if "Key Discussion Items" in line:
            in_discussion = True
            continue
        cells = line.split("\t")
        if in_discussion:
            if len(cells) >= 2 and len(cells[1]) > 60:
                discussion.append(cells[1].strip())
            continue
        for i, cell in enumerate(cells[:-1]):
            if action_re.match(cell.strip()):
                actions.append(cells[i + 1].strip())
            elif decision_re.match(cell.strip()):
                decisions.append(cells[i + 1].strip())
    return SeedTexts(actions=actions, decisions=decisions, discussion=discussion)


def _weighted(rng: random.Random, choices: list[tuple[Any, int]]) -> Any:
    return rng.choices([c for c, _ in choices], weights=[w for _, w in choices])[0]


def _split(rng: random.Random, total: int, parts: int) -> list[int]:
    """``total`` split into ``parts`` uneven non-negative counts (each within ±50% of mean)."""
    weights = [rng.uniform(0.5, 1.5) for _ in range(parts)]
    scale = total / sum(weights)
    counts = [int(w * scale) for w in weights]
    for i in rng.sample(range(parts), total - sum(counts)):
        counts[i] += 1
    return counts


def _batches(rows: list[Any], size: int = BATCH) -> Iterator[list[Any]]:
    for start in range(0, len(rows), size):
        yield rows[start : start + size]


def _bulk(model: type[models.Model], rows: list[Any]) -> list[Any]:
    created: list[Any] = []
    for chunk in _batches(rows):
        created.extend(model.objects.bulk_create(chunk))
    return created


def _local(day: dt.date, hour: int = 10) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, tzinfo=LONDON)


def _cr_texts(text: str, rng: random.Random, cr_numbers: list[int], code: str) -> str:
    text = text.replace("DAG", code)
    return re.sub(r"CR0\d\d", lambda _: refs.change_request_ref(rng.choice(cr_numbers)), text)


@transaction.atomic
def generate(
    sizes: BenchSizes,
    *,
    today: dt.date | None = None,
    progress: Callable[[str], None] | None = None,
) -> Generated:
    """Fill the (empty of these committees) database with ``sizes`` worth of history.

    ``today`` (Europe/London calendar date, default the real today) is where the history
    ends: meetings run up to it with a few planned after it, and open actions' due dates are
    spread around it (about 75% overdue, 5% due within the committee's due-soon window, 20%
    later). Returns the counts of rows made per record. Raises ValueError when one of the
    bench committees already exists (generate into a fresh database).
    """
    from django.utils import timezone

    started = time.perf_counter()
    today = today or timezone.localdate()
    rng = random.Random(sizes.seed)
    say = progress or (lambda _msg: None)
    texts = seed_texts()
    chosen = COMMITTEES[: sizes.committees]
    if Committee.objects.filter(code__in=[c for c, _ in chosen]).exists():
        raise ValueError("The bench committees already exist: generate into a fresh database.")
    out = Generated(today=today)
    counts = out.counts

    # --- organisations, people, logins -------------------------------------------------------
    org_names = list(FIXED_ORGS)
    n = 1
    while len(org_names) < sizes.organisations:
        org_names.append(f"{LAST[n % len(LAST)]} {ORG_KINDS[n % len(ORG_KINDS)]} {n:02d} Ltd")
        n += 1
    organisations = _bulk(
        Organisation,
        [Organisation(name=name, short_name=name.split()[0]) for name in org_names],
    )
    programme = organisations[0]
    counts["organisations"] = len(organisations)

    people_rows: list[Person] = [
        Person(
            name=team, organisation=programme, is_team=True, email=f"{team.lower()}@prog.example"
        )
        for team in PROGRAMME_TEAMS
    ]
    used: set[tuple[str, int]] = set()
    i = 0
    while len(people_rows) < sizes.people:
        org = organisations[i % len(organisations)] if i < len(organisations) else None
        org = org or rng.choice(organisations)
        name = f"{rng.choice(FIRST)} {rng.choice(LAST)}"
        if (name, org.pk) in used:
            name = f"{name} {i}"
        used.add((name, org.pk))
        email = f"{name.lower().replace(' ', '.')}.{i}@{org.short_name.lower()}.example"
        people_rows.append(Person(name=name, organisation=org, email=email))
        i += 1
    people = _bulk(Person, people_rows)
    counts["people"] = len(people)
    # Three in four people own actions; reminders go to the owners of due actions.
    individuals = [p for p in people if not p.is_team]
    owner_pool = individuals[: max(1, len(individuals) * 3 // 4)]
    teams = people[: len(PROGRAMME_TEAMS)]
    org_by_id = {o.pk: o for o in organisations}

    for name in roles.ALL_ROLES:
        Group.objects.get_or_create(name=name)
    user_model = get_user_model()
    # Logins of a throwaway benchmark database, printed by generate_bench_data.
    pmo = user_model.objects.create_user(
        out.pmo_username,
        email="bench-pmo@prog.example",
        password="bench-pmo",  # noqa: S106
        is_staff=True,
    )
    pmo.groups.add(Group.objects.get(name=roles.PMO))
    member = user_model.objects.create_user(
        out.member_username,
        email="bench-member@prog.example",
        password="bench-member",  # noqa: S106
    )
    member.groups.add(Group.objects.get(name=roles.MEMBER))
    # A member from a supplier, not the Programme: "my actions" also lists their
    # organisation's, and the Programme owns far more than a typical member's organisation.
    member_person = next(p for p in owner_pool if p.organisation_id != programme.pk)
    Person.objects.filter(pk=member_person.pk).update(user=member)

    # --- releases, change requests, IA responses, DINs ---------------------------------------
    releases = _bulk(
        Release,
        [
            Release(
                code=f"IR{k}",
                name=f"Interim Release {k}",
                planned_date=today + dt.timedelta(days=56 * (k - 8)),
                status=Release.Status.RELEASED if k < 8 else Release.Status.PLANNED,
            )
            for k in range(1, 13)
        ],
    )
    cr_statuses = [
        (ChangeRequest.Status.APPROVED, 40),
        (ChangeRequest.Status.IMPLEMENTED, 25),
        (ChangeRequest.Status.APPROVED_WITH_CONDITIONS, 8),
        (ChangeRequest.Status.REJECTED, 7),
        (ChangeRequest.Status.IMPACT_ASSESSMENT, 8),
        (ChangeRequest.Status.AWAITING_DECISION, 7),
        (ChangeRequest.Status.WITHDRAWN, 5),
    ]
    crs = []
    for number in range(1, sizes.change_requests + 1):
        ia_start = today - dt.timedelta(days=rng.randint(20, 1200))
        target = rng.randrange(len(releases) - 1)
        crs.append(
            ChangeRequest(
                number=number,
                ref=refs.change_request_ref(number),
                title=f"{rng.choice(['Changes to', 'Corrections to', 'Introduction of'])} "
                f"{rng.choice(['DIP messages', 'EES requirements', 'interface catalogue'])}",
                description=rng.choice(texts.discussion)[:400],
                raiser=rng.choice(organisations),
                status=_weighted(rng, cr_statuses),
                ia_start_date=ia_start,
                ia_end_date=ia_start + dt.timedelta(days=rng.randint(10, 30)),
                target_release=releases[target],
                backstop_release=releases[target + 1],
                design_artefacts=f"DES-{rng.randint(100, 400)}",
            )
        )
    crs = _bulk(ChangeRequest, crs)
    counts["change_requests"] = len(crs)
    cr_numbers = [cr.number for cr in crs]
    ia_rows = []
    for cr in crs:
        for org in rng.sample(organisations, min(len(organisations), rng.randint(5, 15))):
            position = _weighted(rng, POSITIONS)
            ia_rows.append(
                ImpactAssessmentResponse(
                    change_request=cr,
                    organisation=org,
                    constituency=rng.choice(["Large Supplier", "Small Supplier", "Agent", "LDSO"]),
                    position=position,
                    conditions="Subject to the implementation plan being agreed."
                    if position == ImpactAssessmentResponse.Position.SUPPORT_WITH_CONDITIONS
                    else "",
                    comments="Reviewed against our systems; see the meeting slides.",
                    impact_note=rng.choice(["", "Low cost", "Medium cost, 3 months"]),
                    received_date=cr.ia_end_date,
                )
            )
    counts["ia_responses"] = len(_bulk(ImpactAssessmentResponse, ia_rows))
    dins = _bulk(
        DesignIssueNotification,
        [
            DesignIssueNotification(
                number=600 + k,
                ref=refs.din_ref(600 + k),
                title=f"Implementation of {cr.ref}",
                change_request=cr,
                release=cr.target_release,
            )
            for k, cr in enumerate(crs[::2], start=1)
        ],
    )
    counts["dins"] = len(dins)
    RefCounter.objects.update_or_create(key="CR", defaults={"last_value": sizes.change_requests})
    RefCounter.objects.update_or_create(key="DIN", defaults={"last_value": 600 + len(dins)})
    say(f"organisations, people, CRs: {time.perf_counter() - started:.1f}s")

    # --- committees, memberships, meetings, agenda -------------------------------------------
    committees = _bulk(
        Committee,
        [Committee(code=code, name=name, programme_name="MHHS") for code, name in chosen],
    )
    counts["committees"] = len(committees)
    chairs: dict[int, Person] = {}
    membership_rows = []
    for committee in committees:
        chair, *members = rng.sample(individuals, min(len(individuals), 21))
        chairs[committee.pk] = chair
        membership_rows.append(
            Membership(committee=committee, person=chair, role=Membership.Role.CHAIR)
        )
        membership_rows.append(
            Membership(committee=committee, person=teams[0], role=Membership.Role.SECRETARIAT)
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
    counts["memberships"] = len(_bulk(Membership, membership_rows))

    meeting_rows: list[Meeting] = []
    per_committee = [sizes.meetings // len(committees)] * len(committees)
    for k in range(sizes.meetings - sum(per_committee)):
        per_committee[k] += 1
    for c_index, (committee, n_meetings) in enumerate(zip(committees, per_committee, strict=True)):
        planned = max(1, round(n_meetings * 0.04))
        held = n_meetings - planned
        number = 0
        # Fortnightly, staggered by committee; the first committee's next meeting is in two
        # days, inside its due-soon window, so the reminder run sends meeting digests too.
        next_day = today + dt.timedelta(days=2 + 2 * c_index)
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
            meeting_rows.append(
                Meeting(
                    committee=committee,
                    number=number,
                    sub_number=sub,
                    ref=refs.meeting_ref(committee.code, number, sub),
                    start_at=start,
                    end_at=start + dt.timedelta(hours=3),
                    venue="Virtual – MS Teams",
                    classification=rng.choice(
                        [Meeting.Classification.PUBLIC] * 4 + [Meeting.Classification.RESTRICTED]
                    ),
                    status=status,
                    report_issue_date=day + dt.timedelta(days=7)
                    if status == Meeting.Status.REPORT_ISSUED
                    else None,
                )
            )
        committee.last_meeting_number = number
    meetings = _bulk(Meeting, meeting_rows)
    counts["meetings"] = len(meetings)
    held_meetings = [m for m in meetings if m.status != Meeting.Status.PLANNED]

    agenda_rows = []
    for meeting in held_meetings:
        order = 0
        for title in FIXED_AREAS[:2]:
            order += 1
            agenda_rows.append(AgendaItem(meeting=meeting, order=order, title=title))
        for cr_number in rng.sample(cr_numbers, 4):
            order += 1
            agenda_rows.append(
                AgendaItem(
                    meeting=meeting,
                    order=order,
                    title=f"{refs.change_request_ref(cr_number)} Decision",
                    change_request=crs[cr_number - 1],
                )
            )
        for title in FIXED_AREAS[2:]:
            order += 1
            agenda_rows.append(AgendaItem(meeting=meeting, order=order, title=title))
    agenda_items = _bulk(AgendaItem, agenda_rows)
    counts["agenda_items"] = len(agenda_items)
    areas_by_meeting: dict[int, list[AgendaItem]] = {}
    for item in agenda_items:
        areas_by_meeting.setdefault(item.meeting_id, []).append(item)
    say(f"committees, meetings, agenda: {time.perf_counter() - started:.1f}s")

    # --- decisions (numbered per committee across meetings, in meeting order) ----------------
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

    # --- actions, owners, reviews, discussion (one chunk of meetings at a time) --------------
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
    return out


def analyze() -> None:
    """Refresh the planner's statistics after a bulk load (PostgreSQL ANALYZE, SQLite ANALYZE).

    Without it PostgreSQL plans the first queries against empty-table estimates, which is
    not the state of a database that grew to this size in use.
    """
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
