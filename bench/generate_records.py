"""Generator steps: organisations, people and logins; releases, change requests, IA responses
and DINs."""

from __future__ import annotations

import datetime as dt
import time

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from changerequests.models import (
    ChangeRequest,
    DesignIssueNotification,
    ImpactAssessmentResponse,
    Release,
)
from core import refs, roles
from meetings.models import (
    Organisation,
    Person,
    RefCounter,
)

from .generate_base import (
    FIRST,
    FIXED_ORGS,
    LAST,
    ORG_KINDS,
    POSITIONS,
    PROGRAMME_TEAMS,
    Build,
    _bulk,
    _weighted,
)


def people_and_logins(b: Build) -> None:
    """Organisations, people (three in four own actions), teams and the two bench logins."""
    organisations = _organisations(b)
    programme = organisations[0]
    people = _people(b, organisations)
    # Three in four people own actions; reminders go to the owners of due actions.
    individuals = [p for p in people if not p.is_team]
    owner_pool = individuals[: max(1, len(individuals) * 3 // 4)]
    _logins(b, owner_pool, programme)
    b.organisations = organisations
    b.programme = programme
    b.individuals = individuals
    b.owner_pool = owner_pool
    b.teams = people[: len(PROGRAMME_TEAMS)]
    b.org_by_id = {o.pk: o for o in organisations}


def _organisations(b: Build) -> list[Organisation]:
    """The fixed organisations (the Programme first), then numbered ones up to the size."""
    org_names = list(FIXED_ORGS)
    n = 1
    while len(org_names) < b.sizes.organisations:
        org_names.append(f"{LAST[n % len(LAST)]} {ORG_KINDS[n % len(ORG_KINDS)]} {n:02d} Ltd")
        n += 1
    organisations = _bulk(
        Organisation,
        [Organisation(name=name, short_name=name.split()[0]) for name in org_names],
    )
    b.counts["organisations"] = len(organisations)
    return organisations


def _people(b: Build, organisations: list[Organisation]) -> list[Person]:
    """The Programme's teams, then people: one in each organisation first, the rest spread
    at random, names made unique within their organisation."""
    rng = b.rng
    programme = organisations[0]
    people_rows: list[Person] = [
        Person(
            name=team, organisation=programme, is_team=True, email=f"{team.lower()}@prog.example"
        )
        for team in PROGRAMME_TEAMS
    ]
    used: set[tuple[str, int]] = set()
    i = 0
    while len(people_rows) < b.sizes.people:
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
    b.counts["people"] = len(people)
    return people


def _logins(b: Build, owner_pool: list[Person], programme: Organisation) -> None:
    """The role groups and the two logins the measurements act as (a PMO and a member)."""
    for name in roles.ALL_ROLES:
        Group.objects.get_or_create(name=name)
    user_model = get_user_model()
    # Logins of a throwaway benchmark database, printed by generate_bench_data.
    pmo = user_model.objects.create_user(
        b.out.pmo_username,
        email="bench-pmo@prog.example",
        password="bench-pmo",  # noqa: S106
        is_staff=True,
    )
    pmo.groups.add(Group.objects.get(name=roles.PMO))
    member = user_model.objects.create_user(
        b.out.member_username,
        email="bench-member@prog.example",
        password="bench-member",  # noqa: S106
    )
    member.groups.add(Group.objects.get(name=roles.MEMBER))
    # A member from a supplier, not the Programme: "my actions" also lists their
    # organisation's, and the Programme owns far more than a typical member's organisation.
    member_person = next(p for p in owner_pool if p.organisation_id != programme.pk)
    Person.objects.filter(pk=member_person.pk).update(user=member)


CR_STATUSES = [
    (ChangeRequest.Status.APPROVED, 40),
    (ChangeRequest.Status.IMPLEMENTED, 25),
    (ChangeRequest.Status.APPROVED_WITH_CONDITIONS, 8),
    (ChangeRequest.Status.REJECTED, 7),
    (ChangeRequest.Status.IMPACT_ASSESSMENT, 8),
    (ChangeRequest.Status.AWAITING_DECISION, 7),
    (ChangeRequest.Status.WITHDRAWN, 5),
]


def change_requests(b: Build) -> None:
    """Releases, change requests with their IA responses, DINs, and the CR/DIN counters."""
    releases = _bulk(
        Release,
        [
            Release(
                code=f"IR{k}",
                name=f"Interim Release {k}",
                planned_date=b.today + dt.timedelta(days=56 * (k - 8)),
                status=Release.Status.RELEASED if k < 8 else Release.Status.PLANNED,
            )
            for k in range(1, 13)
        ],
    )
    crs = _bulk(ChangeRequest, _change_request_rows(b, releases))
    b.counts["change_requests"] = len(crs)
    b.counts["ia_responses"] = len(_bulk(ImpactAssessmentResponse, _ia_rows(b, crs)))
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
    b.counts["dins"] = len(dins)
    RefCounter.objects.update_or_create(key="CR", defaults={"last_value": b.sizes.change_requests})
    RefCounter.objects.update_or_create(key="DIN", defaults={"last_value": 600 + len(dins)})
    b.say(f"organisations, people, CRs: {time.perf_counter() - b.started:.1f}s")
    b.crs = crs
    b.cr_numbers = [cr.number for cr in crs]


def _change_request_rows(b: Build, releases: list[Release]) -> list[ChangeRequest]:
    """Unsaved CRs numbered from 1, with IA windows in the past and a target release."""
    rng = b.rng
    rows = []
    for number in range(1, b.sizes.change_requests + 1):
        ia_start = b.today - dt.timedelta(days=rng.randint(20, 1200))
        target = rng.randrange(len(releases) - 1)
        rows.append(
            ChangeRequest(
                number=number,
                ref=refs.change_request_ref(number),
                title=f"{rng.choice(['Changes to', 'Corrections to', 'Introduction of'])} "
                f"{rng.choice(['DIP messages', 'EES requirements', 'interface catalogue'])}",
                description=rng.choice(b.texts.discussion)[:400],
                raiser=rng.choice(b.organisations),
                status=_weighted(rng, CR_STATUSES),
                ia_start_date=ia_start,
                ia_end_date=ia_start + dt.timedelta(days=rng.randint(10, 30)),
                target_release=releases[target],
                backstop_release=releases[target + 1],
                design_artefacts=f"DES-{rng.randint(100, 400)}",
            )
        )
    return rows


def _ia_rows(b: Build, crs: list[ChangeRequest]) -> list[ImpactAssessmentResponse]:
    """Five to fifteen organisations' impact assessment responses per CR."""
    rng = b.rng
    organisations = b.organisations
    rows = []
    for cr in crs:
        for org in rng.sample(organisations, min(len(organisations), rng.randint(5, 15))):
            position = _weighted(rng, POSITIONS)
            rows.append(
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
    return rows
