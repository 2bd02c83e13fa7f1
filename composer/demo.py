"""Demo data for `make run`: role groups, demo logins, and the seed headline report.

The logins are printed by ``manage.py load_demo``; they exist for a local demo only.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.db import transaction
from django.db.models import Q

from core import roles
from core.actors import SYSTEM
from decisions.models import Decision
from decisions.services import decision_create
from meetings.models import Committee, Meeting, Membership, Organisation, Person
from meetings.services import agenda_item_get_or_create

SEED_REPORT = Path(settings.BASE_DIR) / "seeds" / "DAG028-headline-report.txt"


@dataclass(frozen=True)
class DemoLogin:
    """A demo login: username, password, role group and the Person it is linked to."""

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


# The demo chair chairs the seed's committee (so actions owned by "Chair" are theirs) and
# the demo member sits on it. Made only once the committee exists (after the import).
DEMO_COMMITTEE = "DAG"
DEMO_SEATS = {"chair": Membership.Role.CHAIR, "member": Membership.Role.MEMBER}


@transaction.atomic
def demo_logins_ensure() -> list[DemoLogin]:
    """Create the role groups and the demo logins (idempotent); returns the logins.

    When the DAG committee exists, the demo chair becomes its chair and the demo member a
    member (``DEMO_SEATS``).
    """
    user_model = get_user_model()
    for name in roles.ALL_ROLES:
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
