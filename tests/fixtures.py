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
from meetings.models import Committee, Meeting
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
