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
    sizes = b.sizes
    rng = b.rng
    out = b.out
    counts = b.counts
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
    b.organisations = organisations
    b.programme = programme
    b.individuals = individuals
    b.owner_pool = owner_pool
    b.teams = teams
    b.org_by_id = org_by_id


def change_requests(b: Build) -> None:
    """Releases, change requests with their IA responses, DINs, and the CR/DIN counters."""
    sizes = b.sizes
    today = b.today
    rng = b.rng
    say = b.say
    texts = b.texts
    counts = b.counts
    started = b.started
    organisations = b.organisations
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
    b.crs = crs
    b.cr_numbers = cr_numbers
