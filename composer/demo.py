"""Demo data for `make run`: the PMO group, demo logins and their seats, the seed headline
report, and a second committee (TMAG) whose Restricted meeting the DAG member cannot see.

The logins are printed by ``manage.py load_demo``; they exist for a local demo only.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from actions.services import action_create
from core import roles
from core.actors import SYSTEM
from decisions.models import Decision
from decisions.services import decision_create
from meetings.models import Committee, Meeting, Membership, Organisation, Person
from meetings.services import (
    agenda_item_get_or_create,
    committee_create,
    meeting_create,
    meeting_update,
)

SEED_REPORT = Path(settings.BASE_DIR) / "seeds" / "DAG028-headline-report.txt"


@dataclass(frozen=True)
class DemoLogin:
    """A demo login: username, password, role (the PMO group, or the seat held on DAG) and
    the Person it is linked to."""

    username: str
    password: str
    role: str
    person_name: str
    organisation: str


DEMO_LOGINS = (
    DemoLogin("pmo", "pmo-demo", roles.PMO, "PMO", "Programme"),
    DemoLogin("chair", "chair-demo", roles.CHAIR, "Demo Chair", "Programme"),
    # Rob Short owns DAG28-01 in the seed report, so the member sees real actions.
    DemoLogin("member", "member-demo", roles.MEMBER, "Rob Short", "Programme"),
    DemoLogin("observer", "observer-demo", roles.OBSERVER, "Demo Observer", "Public"),
)


# The demo chair chairs the seed's committee (so actions owned by "Chair" are theirs), the
# demo member sits on it and the observer observes it: roles are seats on a committee
# (core.roles). Made only once the committee exists (after the import).
DEMO_COMMITTEE = "DAG"
DEMO_SEATS = {
    "chair": Membership.Role.CHAIR,
    "member": Membership.Role.MEMBER,
    "observer": Membership.Role.OBSERVER,
}


@transaction.atomic
def demo_logins_ensure() -> list[DemoLogin]:
    """Create the PMO group and the demo logins (idempotent); returns the logins.

    When the DAG committee exists, the demo chair becomes its chair, the demo member a
    member and the observer an observer (``DEMO_SEATS``).
    """
    user_model = get_user_model()
    for name in roles.GROUP_ROLES:
        Group.objects.get_or_create(name=name)
    demo_pmo_permissions_ensure()
    for login in DEMO_LOGINS:
        user, created = user_model.objects.get_or_create(
            username=login.username, defaults={"email": f"{login.username}@example.org"}
        )
        if created:
            user.set_password(login.password)
            if login.role == roles.PMO:
                user.is_staff = True
            user.save()
        if login.role == roles.PMO:
            user.groups.add(Group.objects.get(name=login.role))
        # Rights come from the group (demo_pmo_permissions_ensure), none granted one by one.
        user.user_permissions.clear()
        organisation, _ = Organisation.objects.get_or_create(name=login.organisation)
        person, _ = Person.objects.get_or_create(
            name=login.person_name,
            organisation=organisation,
            defaults={
                "email": f"{login.username}@example.org",
                "is_team": login.person_name == "PMO",
            },
        )
        if person.user_id is None:
            person.user = user
            if not person.email:
                person.email = user.email
            person.save()
        seat = DEMO_SEATS.get(login.username)
        committee = Committee.objects.filter(code=DEMO_COMMITTEE).first()
        if seat is not None and committee is not None:
            Membership.objects.get_or_create(committee=committee, person=person, role=seat)
    return list(DEMO_LOGINS)


# What the secretariat may do in the admin: keep the records of every app and the reminder
# schedule, read the users and the login lockouts. Not: change users, groups or rights, or
# read API tokens, which would let the PMO act as the chair (separation of duties).
DEMO_PMO_ADMIN_APPS = ("meetings", "actions", "decisions", "changerequests", "composer")
DEMO_PMO_ADMIN_PERMISSIONS = (
    ("django_celery_beat", "periodictask", ("view", "change")),
    ("django_celery_beat", "crontabschedule", ("view", "add", "change")),
    ("auth", "user", ("view",)),
    ("axes", "accessattempt", ("view",)),
)
# Secrets kept in those apps, which the PMO must not read either (calendar feed addresses).
DEMO_PMO_SECRET_MODELS = (("composer", "calendarfeed"),)


def demo_pmo_permissions_ensure() -> None:
    """Give the PMO group exactly its admin rights (DEMO_PMO_ADMIN_*), replacing any others."""
    wanted = Q(content_type__app_label__in=DEMO_PMO_ADMIN_APPS)
    for app_label, model, verbs in DEMO_PMO_ADMIN_PERMISSIONS:
        codenames = [f"{verb}_{model}" for verb in verbs]
        wanted |= Q(content_type__app_label=app_label, codename__in=codenames)
    for app_label, model in DEMO_PMO_SECRET_MODELS:
        wanted &= ~Q(content_type__app_label=app_label, content_type__model=model)
    Group.objects.get(name=roles.PMO).permissions.set(Permission.objects.filter(wanted))


DEMO_PROPOSAL_TEXT = (
    "The DAG approves the change-marked DAG Terms of Reference issued under ACTION DAG28-13."
)


# How far ahead of today the demo's next meeting is planned.
NEXT_MEETING_AHEAD = dt.timedelta(days=14)


@transaction.atomic
def demo_next_meeting_ensure(now: dt.datetime | None = None) -> str | None:
    """Give the demo committee a planned meeting in the future (idempotent).

    The seed report names its next meeting (DAG029, October 2023), imported as planned; a
    demo run later finds it in the past. Such past planned meetings of the committee are
    marked held (they took place) and, unless one lies ahead already, the next is planned
    two weeks from today at the last one's time of day. Returns the new meeting's ref, or
    None when nothing was added.
    """
    now = now or timezone.now()
    committee = Committee.objects.filter(code=DEMO_COMMITTEE).first()
    if committee is None:
        return None
    planned = Meeting.objects.planned().filter(committee=committee)
    for past in planned.filter(start_at__lt=now):
        meeting_update(meeting=past, status=Meeting.Status.HELD, acting_user=SYSTEM)
    if planned.filter(start_at__gte=now).exists():
        return None
    last = Meeting.objects.filter(committee=committee).order_by("-start_at").first()
    start_at = timezone.localtime(now) + NEXT_MEETING_AHEAD
    if last is not None:
        local = timezone.localtime(last.start_at)
        start_at = start_at.replace(hour=local.hour, minute=local.minute, second=0, microsecond=0)
    return meeting_create(
        committee=committee,
        start_at=start_at,
        end_at=start_at + dt.timedelta(hours=2),
        venue="Virtual – MS Teams",
        classification=Meeting.Classification.PUBLIC,
        acting_user=SYSTEM,
    ).ref


@transaction.atomic
def demo_proposed_decision_ensure() -> str | None:
    """Give the chair's queue one proposed decision on the next planned meeting (demo only).

    Every decision in the seed report is already approved, so without this the chair would
    see an empty queue after ``make run``. Returns the new decision's ref, or None when a
    proposed decision exists already or there is no planned meeting.
    """

    if Decision.objects.filter(status=Decision.Status.PROPOSED).exists():
        return None
    meeting = Meeting.objects.planned().order_by("start_at").first()
    if meeting is None:
        return None
    area = agenda_item_get_or_create(
        meeting=meeting, title="DAG Terms of Reference", acting_user=SYSTEM
    )
    return decision_create(
        meeting=meeting, agenda_item=area, text=DEMO_PROPOSAL_TEXT, acting_user=SYSTEM
    ).ref


# A second committee whose Restricted meeting the demo member (a DAG member only) cannot
# see, nor its action, while the PMO sees both: the access rule (core.visibility) shows.
SECOND_COMMITTEE = ("TMAG", "Transition Management Advisory Group")
SECOND_MEETING_TEXT = "Programme to circulate the cutover rehearsal plan to TMAG members"


@transaction.atomic
def demo_second_committee_ensure() -> str | None:
    """Give the demo TMAG with one Restricted meeting and an action on it (idempotent).

    Returns the new meeting's ref, or None when TMAG exists already. The meeting is a week
    after DAG's latest, so the dates sit among the seed's.
    """
    code, name = SECOND_COMMITTEE
    if Committee.objects.filter(code=code).exists():
        return None
    committee = committee_create(code=code, name=name, programme_name="MHHS", acting_user=SYSTEM)
    latest = Meeting.objects.order_by("-start_at").first()
    start_at = (latest.start_at if latest else timezone.now()) + dt.timedelta(days=7)
    meeting = meeting_create(
        committee=committee,
        start_at=start_at,
        venue="Virtual – MS Teams",
        classification=Meeting.Classification.RESTRICTED,
        acting_user=SYSTEM,
    )
    area = agenda_item_get_or_create(meeting=meeting, title="Cutover", acting_user=SYSTEM)
    action_create(
        meeting=meeting,
        agenda_item=area,
        description=SECOND_MEETING_TEXT,
        owners=["Programme"],
        due_date=(start_at + dt.timedelta(days=14)).date(),
        acting_user=SYSTEM,
    )
    return meeting.ref
