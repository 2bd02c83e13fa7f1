"""The import writes through the services: a decision's outcome through ``decision_transition``
like the chair's, an action's CRs through ``action_update``.

Expected values are the seed report's (read by eye): DAG028 met on 13 September 2023 at
10:00 (Europe/London); DAG-DEC68 approved CR023 (line 36); DAG-DEC69 approved CR027 with
conditions "subject to the comments provided by DCUSA …" (line 37).
"""

from __future__ import annotations

import itertools

import pytest

from actions.models import Action
from changerequests.models import ChangeRequest
from changerequests.services import change_request_create, change_request_transition
from composer.importer import HeadlineReportImportError, headline_report_import
from core.actors import SYSTEM
from decisions.models import Decision
from tests.conftest import SEED_PATH, london

SEED_TEXT = SEED_PATH.read_text(encoding="utf-8")
MEETING_START = london(2023, 9, 13, 10)
DEC68_TEXT = "The SRO approved CR023 for implementation"
DEC69_LINE = 37


def statuses(decision: Decision) -> list[str]:
    """The statuses ``decision`` went through, oldest first (its history rows)."""
    return [row.status for row in decision.history.order_by("history_date", "history_id")]


def test_an_approval_with_conditions_is_decided_at_the_meeting_through_the_transition(db):
    headline_report_import(text=SEED_TEXT, acting_user=SYSTEM)
    dec69 = Decision.objects.select_related("change_request").get(ref="DAG-DEC69")
    assert dec69.status == Decision.Status.APPROVED_WITH_CONDITIONS
    assert dec69.conditions.startswith("Subject to the comments provided by DCUSA")
    assert dec69.decided_at == MEETING_START
    assert dec69.decided_by is None  # the system decided, on the report's word
    # Recorded proposed, then decided: the workflow's one step, not a status set around it.
    assert statuses(dec69) == [Decision.Status.PROPOSED, Decision.Status.APPROVED_WITH_CONDITIONS]
    assert dec69.change_request.status == ChangeRequest.Status.APPROVED_WITH_CONDITIONS


def test_a_cr_awaiting_decision_is_moved_by_the_imported_decision(db):
    cr023 = change_request_create(number=23, title="", acting_user=SYSTEM)
    change_request_transition(
        change_request=cr023,
        to_status=ChangeRequest.Status.AWAITING_DECISION,
        acting_user=SYSTEM,
    )
    headline_report_import(text=SEED_TEXT, acting_user=SYSTEM)
    cr023.refresh_from_db()
    assert cr023.status == ChangeRequest.Status.APPROVED
    rows = cr023.history.order_by("history_date", "history_id")
    # The import also fills in the title the report gives (a row of its own, same status).
    assert [status for status, _ in itertools.groupby(row.status for row in rows)] == [
        ChangeRequest.Status.DRAFT,
        ChangeRequest.Status.AWAITING_DECISION,
        ChangeRequest.Status.APPROVED,
    ]
    assert Decision.objects.get(ref="DAG-DEC68").change_request == cr023


def test_a_deferred_decision_approved_in_a_later_version_of_the_report(db):
    deferred = SEED_TEXT.replace(DEC68_TEXT, "The SRO deferred CR023", 1)
    headline_report_import(text=deferred, acting_user=SYSTEM)
    dec68 = Decision.objects.get(ref="DAG-DEC68")
    assert dec68.status == Decision.Status.DEFERRED
    assert ChangeRequest.objects.get(number=23).status == ChangeRequest.Status.DRAFT

    result = headline_report_import(text=SEED_TEXT, acting_user=SYSTEM)
    assert ("decision", "DAG-DEC68", "update") in {
        (c.kind, c.label, c.verb) for c in result.changes
    }
    dec68.refresh_from_db()
    assert dec68.status == Decision.Status.APPROVED
    assert dec68.decided_at == MEETING_START
    assert statuses(dec68)[-1] == Decision.Status.APPROVED
    assert ChangeRequest.objects.get(number=23).status == ChangeRequest.Status.APPROVED


def test_a_decision_decided_is_locked_whatever_outcome_the_report_now_gives(db):
    headline_report_import(text=SEED_TEXT, acting_user=SYSTEM)
    rejected = SEED_TEXT.replace(DEC68_TEXT, "The SRO rejected CR023", 1)
    result = headline_report_import(text=rejected, acting_user=SYSTEM)
    [locked] = result.locked
    assert locked.label == "DAG-DEC68"
    assert {(f.field, f.old, f.new) for f in locked.fields} == {
        ("text", DEC68_TEXT, "The SRO rejected CR023"),
        ("outcome", "Approved", "Rejected"),
    }
    dec68 = Decision.objects.get(ref="DAG-DEC68")
    assert (dec68.status, dec68.text) == (Decision.Status.APPROVED, DEC68_TEXT)
    assert ChangeRequest.objects.get(number=23).status == ChangeRequest.Status.APPROVED


def test_a_decision_proposed_again_takes_an_outcome_the_workflow_forbids_as_a_problem(db):
    withdrawn = SEED_TEXT.replace(DEC68_TEXT, "The SRO withdrawn CR023", 1)
    headline_report_import(text=withdrawn, acting_user=SYSTEM)
    assert Decision.objects.get(ref="DAG-DEC68").status == Decision.Status.WITHDRAWN
    with pytest.raises(HeadlineReportImportError) as raised:
        headline_report_import(text=SEED_TEXT, acting_user=SYSTEM)
    assert [(p.line, p.message) for p in raised.value.problems] == [
        (36, "DAG-DEC68 is withdrawn; it cannot become approved.")
    ]
    assert Decision.objects.get(ref="DAG-DEC68").text == "The SRO withdrawn CR023"


def test_reworded_conditions_of_a_decision_taken_are_locked_and_listed(db):
    headline_report_import(text=SEED_TEXT, acting_user=SYSTEM)
    before = Decision.objects.get(ref="DAG-DEC69")
    reworded = SEED_TEXT.replace("not being substantial", "being minor", 1)
    result = headline_report_import(text=reworded, acting_user=SYSTEM)
    dec69 = Decision.objects.get(ref="DAG-DEC69")
    assert dec69.status == Decision.Status.APPROVED_WITH_CONDITIONS
    assert (dec69.text, dec69.conditions) == (before.text, before.conditions)
    [locked] = result.locked
    assert locked.label == "DAG-DEC69"
    assert locked.detail == "approved with conditions: locked, not changed"
    assert [f.field for f in locked.fields] == ["text", "outcome"]
    assert "being minor" in locked.fields[0].new


def test_an_action_naming_other_crs_in_a_later_version_has_its_crs_updated(db):
    headline_report_import(text=SEED_TEXT, acting_user=SYSTEM)
    edited = SEED_TEXT.replace("for CR027 and CR019 to ensure", "for CR027 to ensure", 1)
    result = headline_report_import(text=edited, acting_user=SYSTEM)
    [change] = [c for c in result.changes if (c.kind, c.label) == ("action", "DAG28-09")]
    assert (change.verb, change.detail) == ("update", "change_requests, description")
    dag28_09 = Action.objects.get(ref="DAG28-09")
    assert set(dag28_09.change_requests.values_list("ref", flat=True)) == {"CR027"}
    assert dag28_09.description.startswith("Programme to review redline changes for CR027 to")


def test_history_records_the_pmo_who_imported_and_the_system_for_the_chairs_outcomes(pmo_user):
    headline_report_import(text=SEED_TEXT, acting_user=pmo_user)
    created = Action.objects.get(ref="DAG28-01").history.order_by("history_date").first()
    assert created.history_type == "+"
    assert created.history_user == pmo_user
    dec69 = Decision.objects.get(ref="DAG-DEC69")
    rows = list(dec69.history.order_by("history_date", "history_id"))
    assert [(row.status, row.history_user) for row in rows] == [
        (Decision.Status.PROPOSED, pmo_user),  # recorded by the PMO who imported
        (Decision.Status.APPROVED_WITH_CONDITIONS, None),  # the chair's, on the report's word
    ]
