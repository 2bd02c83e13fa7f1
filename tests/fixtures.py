"""Shared test fixtures: the seed's records built through the services (``build_seedlike``),
and :func:`run_concurrently` for the tests of two requests at once.

The records are built with the services from the seed report's own values.

The seed (``seeds/DAG028-headline-report.txt``) gives: DAG028 held on 13 September 2023
10:00-13:00 (Virtual – MS Teams, Public); DAG28-01 "Programme to provide overview of the
Related MPAN Explainer document…" owned by Programme (Rob Short), due 11/10/2023; DAG28-02
owned by Large Supplier Representative (Haz Elmamoun); DAG-DEC68 on CR023; and the next DAG
on 11 October 2023 at 10am (DAG029, planned). DAG-DEC68 is recorded here as *proposed* so
the chair has something to decide.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

from django.db import connection

from actions.models import Action
from actions.services import action_create
from changerequests.models import ChangeRequest
from changerequests.services import change_request_create
from composer import discussion
from composer.demo import demo_logins_ensure
from core.actors import SYSTEM
from decisions.models import Decision
from decisions.services import decision_create
from meetings import services
from meetings.models import Committee, Meeting, Membership
from tests.conftest import london

DAG28_01_TEXT = (
    "Programme to provide overview of the Related MPAN Explainer document to the Design "
    "Resolution Group (DRG)"
)
DAG28_02_TEXT = (
    "Large Supplier Representative to provide to Chair view of whether other Large Suppliers "
    "and their agents will use the CR023 solution"
)
DEC68_TEXT = "The SRO approved CR023 for implementation"
DISCUSSION_TEXT = (
    "The Chair invited any objections to the approval of CR023, to which none were received. "
    "The Chair approved CR023 for implementation ( <b>DECISION DAG-DEC68</b> ) and the Large "
    "Supplier representative took an action ( <b>ACTION DAG28-02</b> ); see DES196."
)


@dataclass
class SeedLike:
    """The records built by :func:`build_seedlike`."""

    committee: Committee
    dag028: Meeting
    dag029: Meeting
    cr023: ChangeRequest
    dag28_01: Action
    dag28_02: Action
    dec68: Decision


def build_seedlike() -> SeedLike:
    """Demo logins plus DAG028 (with two actions, a proposed decision and a discussion item
    naming them) and the planned DAG029, through the services (as the system)."""
    demo_logins_ensure()
    committee = services.committee_create(
        code="DAG", name="Design Advisory Group", programme_name="MHHS", acting_user=SYSTEM
    )
    dag028 = services.meeting_create(
        committee=committee,
        number=28,
        start_at=london(2023, 9, 13, 10),
        end_at=london(2023, 9, 13, 13),
        venue="Virtual – MS Teams",
        status=Meeting.Status.HELD,
        acting_user=SYSTEM,
    )
    cr023 = change_request_create(
        number=23,
        title="Standardisation of Interfaces within the Smart and Advanced Data Services Roles",
        status=ChangeRequest.Status.AWAITING_DECISION,
        acting_user=SYSTEM,
    )
    minutes = services.agenda_item_create(
        meeting=dag028, title="Minutes and Actions", acting_user=SYSTEM
    )
    cr_area = services.agenda_item_create(
        meeting=dag028, title="CR023 Decision", change_request=cr023, acting_user=SYSTEM
    )
    dag28_01 = action_create(
        meeting=dag028,
        agenda_item=minutes,
        description=DAG28_01_TEXT,
        owners=["Programme (Rob Short)"],
        due_date=london(2023, 10, 11).date(),
        acting_user=SYSTEM,
    )
    dag28_02 = action_create(
        meeting=dag028,
        agenda_item=minutes,
        description=DAG28_02_TEXT,
        owners=["Large Supplier Representative (Haz Elmamoun)"],
        due_date=london(2023, 10, 11).date(),
        acting_user=SYSTEM,
    )
    dec68 = decision_create(
        meeting=dag028,
        agenda_item=cr_area,
        text=DEC68_TEXT,
        change_request=cr023,
        seq=68,
        acting_user=SYSTEM,
    )
    discussion.discussion_item_create(
        meeting=dag028, agenda_item=cr_area, text=DISCUSSION_TEXT, acting_user=SYSTEM
    )
    dag029 = services.meeting_create(
        committee=committee,
        start_at=london(2023, 10, 11, 10),
        venue="Virtual – MS Teams",
        status=Meeting.Status.PLANNED,
        acting_user=SYSTEM,
    )
    demo_logins_ensure()  # again, now that DAG exists: the demo chair, member and observer seats
    # The tests written when Observer was a global role read the demo "observer" as a
    # reader of Public meetings only: here that login holds no seat (an observer's seat
    # reads the committee's Restricted meetings; build_two_committees gives it back).
    Membership.objects.filter(person__user__username="observer").delete()
    return SeedLike(committee, dag028, dag029, cr023, dag28_01, dag28_02, dec68)


def run_concurrently(count: int, work) -> list:
    """Run ``work(i)`` in ``count`` threads released together; return results or exceptions."""
    barrier = threading.Barrier(count)
    results: list = [None] * count

    def target(i: int) -> None:
        try:
            barrier.wait()
            results[i] = work(i)
        except Exception as exc:  # collected and asserted on below
            results[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=target, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return results


# --- two committees: who sees and does what (tests/access) ----------------------------------

TMAG_RESTRICTED_TEXT = "Programme to circulate the TMAG cutover rehearsal plan"
TMAG_CHAIR_TEXT = "Chair to write to the TMAG members about the rehearsal window"
DAG_RESTRICTED_TEXT = "Programme to share the restricted DAG design options paper"
DAG_CONFIDENTIAL_TEXT = "Chair to brief the SRO on the confidential supplier position"
DAG_CHAIR_TEXT = "Chair to confirm the DAG Terms of Reference with the SRO"


@dataclass
class TwoCommittees:
    """:func:`build_two_committees`: the seed's DAG plus TMAG, and logins by what they hold.

    ``users`` by username: ``pmo`` (PMO group), ``chair`` (chairs DAG), ``member`` (Rob
    Short, DAG member), ``observer`` (DAG observer) are the demo logins; ``dual`` chairs
    TMAG and is a DAG member; ``tmag`` is a TMAG member only; ``secretary`` is DAG's
    secretariat (no PMO group); ``guest`` holds no seat and is invited to DAG031;
    ``outsider`` holds no seat and is invited nowhere.
    """

    seed: SeedLike
    tmag: Committee
    tmag001: Meeting  # Restricted, 1 November 2023
    dag030: Meeting  # Restricted, 8 November 2023
    dag031: Meeting  # Confidential, 6 December 2023
    dag032: Meeting  # Public, planned, 10 January 2024
    tmag1_01: Action  # Programme (Tina Tmag), due 20/11/2023
    tmag1_02: Action  # Chair, due 20/11/2023
    dag30_01: Action  # Programme (Rob Short), due 20/11/2023
    dag31_01: Action  # Chair, due 20/11/2023
    dag28_03: Action  # Chair, raised at DAG028 (Public), due by DAG030 (Restricted)
    tmag_dec: Decision  # TMAG-DEC1, proposed
    users: dict


def _login(username: str, person_name: str, organisation: str, seats: list) -> object:
    from django.contrib.auth import get_user_model

    from meetings.models import Membership, Organisation, Person

    user = get_user_model().objects.create_user(username, email=f"{username}@example.org")
    org, _ = Organisation.objects.get_or_create(name=organisation)
    person = Person.objects.create(
        name=person_name, organisation=org, email=f"{username}@example.org", user=user
    )
    for committee, role in seats:
        Membership.objects.create(committee=committee, person=person, role=role)
    return user


def build_two_committees() -> TwoCommittees:
    """:func:`build_seedlike`, then TMAG with a Restricted meeting, DAG's Restricted DAG030,
    Confidential DAG031 (with ``guest`` invited) and Public DAG032, their actions, a
    proposed TMAG decision, and the logins of :class:`TwoCommittees` (all as the system)."""
    from django.contrib.auth import get_user_model

    from meetings.participants import meeting_participant_add

    seed = build_seedlike()
    dag = seed.committee
    role = Membership.Role
    demo_logins_ensure()  # the demo observer observes DAG again
    restricted, confidential = (
        Meeting.Classification.RESTRICTED,
        Meeting.Classification.CONFIDENTIAL,
    )
    tmag = services.committee_create(
        code="TMAG", name="Transition Management Advisory Group", acting_user=SYSTEM
    )
    users = {u.username: u for u in get_user_model().objects.all()}
    users["dual"] = _login("dual", "Dana Dual", "Elexon", [(tmag, role.CHAIR), (dag, role.MEMBER)])
    users["tmag"] = _login("tmag", "Tom Tmag", "Programme", [(tmag, role.MEMBER)])
    users["secretary"] = _login(
        "secretary", "Sam Secretary", "Programme", [(dag, role.SECRETARIAT)]
    )
    users["guest"] = _login("guest", "Gail Guest", "RECCo", [])
    users["outsider"] = _login("outsider", "Olly Outsider", "RECCo", [])

    def meeting(committee, day, classification, status=Meeting.Status.HELD):
        return services.meeting_create(
            committee=committee,
            start_at=day,
            classification=classification,
            status=status,
            acting_user=SYSTEM,
        )

    def action(at, text, owner, **kwargs):
        return action_create(
            meeting=at,
            description=text,
            owners=[owner],
            due_date=london(2023, 11, 20).date(),
            acting_user=SYSTEM,
            **kwargs,
        )

    tmag001 = meeting(tmag, london(2023, 11, 1), restricted)
    dag030 = meeting(dag, london(2023, 11, 8), restricted)
    dag031 = meeting(dag, london(2023, 12, 6), confidential)
    dag032 = meeting(
        dag, london(2024, 1, 10), Meeting.Classification.PUBLIC, Meeting.Status.PLANNED
    )
    guest = users["guest"].person
    meeting_participant_add(meeting=dag031, person=guest, acting_user=SYSTEM)
    dag28_03 = action_create(
        meeting=seed.dag028,
        description=DAG_CHAIR_TEXT,
        owners=["Chair"],
        due_meeting=dag030,
        acting_user=SYSTEM,
    )
    return TwoCommittees(
        seed=seed,
        tmag=tmag,
        tmag001=tmag001,
        dag030=dag030,
        dag031=dag031,
        dag032=dag032,
        tmag1_01=action(tmag001, TMAG_RESTRICTED_TEXT, "Programme (Tina Tmag)"),
        tmag1_02=action(tmag001, TMAG_CHAIR_TEXT, "Chair"),
        dag30_01=action(dag030, DAG_RESTRICTED_TEXT, "Programme (Rob Short)"),
        dag31_01=action(dag031, DAG_CONFIDENTIAL_TEXT, "Chair"),
        dag28_03=dag28_03,
        tmag_dec=decision_create(
            meeting=tmag001, text="TMAG approves the rehearsal window", acting_user=SYSTEM
        ),
        users=users,
    )
