"""Issue #12: a re-import never rolls back what was changed in the tracker since.

The seed's own values: DAG28-01 is due 11/10/2023 (its row in the seed), DAG-DEC68 is "The
SRO approved CR023 for implementation", the next meeting DAG029 is on 11 October 2023. The
re-dating to 08/11/2023 is done as a PMO would, through the review service at DAG029.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command

from actions.models import Action, ActionReview
from actions.services import action_review_record, action_update
from composer.importer import ImportConflict, headline_report_import
from composer.models import ImportedValue
from core.actors import SYSTEM
from decisions.models import Decision
from meetings.models import Meeting
from tests.conftest import SEED_PATH

SEED_TEXT = SEED_PATH.read_text(encoding="utf-8")
SEED_DUE = dt.date(2023, 10, 11)
REDATED = dt.date(2023, 11, 8)
DUE_CONFLICT = ImportConflict("action", "DAG28-01", "due date", "08/11/2023", "11/10/2023")

# The DAG029 report as the secretariat would write it: DAG28-01 taken up and re-dated.
DAG28_01_TEXT = (
    "Programme to provide overview of the Related MPAN Explainer document to the Design "
    "Resolution Group (DRG)"
)
DAG029_TEXT = "\n".join(
    [
        "# MHHS Design Advisory Group (DAG) Headline Report",
        "#### Issue date: 18/10/2023",
        "Meeting Number\tDAG029\tVenue\tVirtual – MS Teams",
        "Meeting Date and Time\t11 October 2023 1000-1300\tClassification\tPublic",
        "### Actions",
        "Area\tRef\tAction\tOwner\tDue",
        "\t".join(
            [
                "Minutes and Actions",
                "DAG29-01",
                "Programme to circulate the DRG outcome",
                "Programme (Rob Short)",
                "25/10/2023",
            ]
        ),
        "\t".join(
            [
                "Previous Meeting(s)",
                "DAG28-01",
                DAG28_01_TEXT,
                "Programme (Rob Short)",
                "08/11/2023",
            ]
        ),
        "## Decisions",
        "Area\tRef\tDecision",
        "Minutes and Actions\tDAG-DEC75\tMinutes of DAG028 approved with no amendments",
        "# **Key Discussion Items**",
        "Area\tDiscussion",
        "Minutes and Actions\tThe DAG re-dated ACTION DAG28-01 to its November meeting.",
        "Date of next DAG: 8 November 2023 10am",
    ]
)


@pytest.fixture
def seeded(db):
    return headline_report_import(text=SEED_TEXT, acting_user=SYSTEM)


def redate_at_dag029(pmo_user) -> None:
    action_review_record(
        action=Action.objects.get(ref="DAG28-01"),
        meeting=Meeting.objects.get(ref="DAG029"),
        outcome=ActionReview.Outcome.RE_DATED,
        new_due_date=REDATED,
        acting_user=pmo_user,
    )


def test_first_import_of_a_fresh_database_has_no_conflicts_and_lists_new_names(db):
    result = headline_report_import(text=SEED_TEXT, acting_user=SYSTEM)
    assert result.conflicts == []
    assert result.locked == []
    assert result.new_organisations == ["Programme"]
    assert result.new_people == [
        "Berlinda Kugara (Programme)",
        "Design Team (Programme)",
        "Fraser Mathieson (Programme)",
        "Haz Elmamoun",
        "Matt McKeon (Programme)",
        "PMO (Programme)",
        "Paul Pettitt (Programme)",
        "Rob Short (Programme)",
        "Testing Team (Programme)",
    ]
    # Every field the import manages has its baseline, written in the import's transaction.
    assert ImportedValue.objects.get(
        report="DAG028", kind="action", ref="DAG28-01", field="due date"
    ).value == ("11/10/2023")
    # Imported again: nothing new to create, nobody new.
    again = headline_report_import(text=SEED_TEXT, acting_user=SYSTEM)
    assert (again.conflicts, again.new_people, again.new_organisations) == ([], [], [])


def test_a_date_re_dated_since_is_kept_and_shown_as_a_conflict(seeded, pmo_user):
    redate_at_dag029(pmo_user)
    result = headline_report_import(text=SEED_TEXT, acting_user=pmo_user)
    assert Action.objects.get(ref="DAG28-01").due_date == REDATED
    assert result.conflicts == [DUE_CONFLICT]
    assert "1 conflict (1 kept as in the tracker)" in str(result)
    [change] = [c for c in result.changes if c.label == "DAG28-01"]
    assert (change.verb, change.fields) == ("unchanged", ())
    # Kept again on the next import: the conflict stands until someone settles it.
    assert headline_report_import(text=SEED_TEXT, acting_user=pmo_user).conflicts == [DUE_CONFLICT]


def test_taking_the_imported_value_of_a_conflict_applies_it(seeded, pmo_user):
    redate_at_dag029(pmo_user)
    result = headline_report_import(
        text=SEED_TEXT, acting_user=pmo_user, take_imported={DUE_CONFLICT.key}
    )
    assert Action.objects.get(ref="DAG28-01").due_date == SEED_DUE
    [conflict] = result.conflicts
    assert conflict.taken
    [change] = [c for c in result.changes if c.label == "DAG28-01"]
    assert change.verb == "update"
    assert [(f.field, f.old, f.new) for f in change.fields] == [
        ("due date", "08/11/2023", "11/10/2023")
    ]
    # Settled: the tracker holds what the import wrote, so the next import agrees.
    assert headline_report_import(text=SEED_TEXT, acting_user=pmo_user).conflicts == []


def test_an_edit_in_the_browser_is_kept_while_the_report_still_updates_the_rest(seeded, pmo_user):
    action_update(
        action=Action.objects.get(ref="DAG28-02"),
        description="Large Supplier Representative to report to the Chair",
        acting_user=pmo_user,
    )
    edited = SEED_TEXT.replace("Programme (PMO)\t11/10/2023", "Chair\t18/10/2023", 1)
    result = headline_report_import(text=edited, acting_user=SYSTEM)
    assert [(c.ref, c.field, c.current) for c in result.conflicts] == [
        ("DAG28-02", "description", "Large Supplier Representative to report to the Chair")
    ]
    assert Action.objects.get(ref="DAG28-02").description.endswith("report to the Chair")
    assert Action.objects.get(ref="DAG28-13").due_date == dt.date(2023, 10, 18)


def test_an_approved_decision_is_not_changed_by_a_re_import(seeded):
    dec68 = Decision.objects.get(ref="DAG-DEC68")
    assert dec68.status == Decision.Status.APPROVED
    edited = SEED_TEXT.replace(dec68.text, "The SRO approved CR023.", 1)
    result = headline_report_import(text=edited, acting_user=SYSTEM)
    assert Decision.objects.get(ref="DAG-DEC68").text == dec68.text
    assert [(c.label, c.verb) for c in result.locked] == [("DAG-DEC68", "locked")]
    assert result.conflicts == []
    taken = headline_report_import(
        text=edited, acting_user=SYSTEM, take_imported={"decision|DAG-DEC68|text"}
    )
    assert taken.locked
    assert Decision.objects.get(ref="DAG-DEC68").text == dec68.text


def test_the_next_report_updates_what_the_last_import_wrote_and_the_older_one_keeps_it(seeded):
    later = headline_report_import(text=DAG029_TEXT, acting_user=SYSTEM)
    # DAG029 was planned by the DAG028 import and DAG28-01 written by it: no conflict.
    assert later.conflicts == []
    assert Action.objects.get(ref="DAG28-01").due_date == REDATED
    assert Meeting.objects.get(ref="DAG029").status == Meeting.Status.REPORT_ISSUED
    # The older report again: the later meeting's re-dating is a newer fact, kept.
    older = headline_report_import(text=SEED_TEXT, acting_user=SYSTEM)
    assert older.conflicts == [DUE_CONFLICT]
    assert Action.objects.get(ref="DAG28-01").due_date == REDATED


def test_the_command_keeps_the_current_value_and_prints_the_conflict(seeded, pmo_user, capsys):
    redate_at_dag029(pmo_user)
    call_command("import_headline_report", str(SEED_PATH))
    out = capsys.readouterr().out
    assert (
        "conflict: DAG28-01 due date: current '08/11/2023', imported '11/10/2023' "
        "(changed since the last import; the current value is kept)" in out
    )
    assert Action.objects.get(ref="DAG28-01").due_date == REDATED


def test_the_command_prints_the_people_it_creates(db, capsys):
    call_command("import_headline_report", str(SEED_PATH), "--dry-run")
    out = capsys.readouterr().out
    assert "new organisations: Programme\n" in out
    assert "new people: Berlinda Kugara (Programme), Design Team (Programme)," in out
    assert "Haz Elmamoun," in out


def test_a_decision_re_opened_since_is_not_decided_again_by_a_re_import(db):
    """The chair re-opens DAG-DEC67 (approved in the seed); re-importing DAG028, even taking
    the report's values, leaves it proposed for the chair, with a warning."""
    from django.contrib.auth import get_user_model

    from composer.demo import demo_logins_ensure
    from decisions.models import Decision
    from decisions.services import decision_reopen

    demo_logins_ensure()
    headline_report_import(text=SEED_TEXT, acting_user=SYSTEM)
    dec67 = Decision.objects.get(ref="DAG-DEC67")
    assert dec67.status == Decision.Status.APPROVED
    decision_reopen(decision=dec67, reason="Minutes were amended", acting_user=SYSTEM)
    result = headline_report_import(
        text=SEED_TEXT, acting_user=SYSTEM, take_imported=["decision|DAG-DEC67|outcome"]
    )
    dec67.refresh_from_db()
    assert dec67.status == Decision.Status.PROPOSED
    assert any("DAG-DEC67 was re-opened since" in w for w in result.warnings)
    assert get_user_model().objects.exists()
