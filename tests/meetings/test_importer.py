"""The headline report import: the seed into linked records, all or nothing, idempotent.

Expected values are read from the seed file itself (its tab-separated rows) or written here
from reading the seed by eye: refs, owners, due dates, areas, the next meeting.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import CommandError, call_command
from django.db import transaction
from django.urls import reverse

from actions.models import Action, ActionReview
from changerequests.models import ChangeRequest, DesignIssueNotification
from composer import importer
from composer.importer import (
    HeadlineReportImportError,
    headline_report_import,
    headline_report_import_file,
    headline_report_parse,
    parse_date_and_times,
)
from core.actors import SYSTEM
from decisions.models import Decision
from meetings.models import AgendaItem, Committee, DiscussionItem, DiscussionReference, Meeting
from tests.conftest import SEED_PATH, london

SEED_TEXT = SEED_PATH.read_text(encoding="utf-8")
ACTION_REF = re.compile(r"^DAG\d+(?:\.\d+)?-\d\d$")


def seed_action_rows() -> list[tuple[int, str, str, str, str]]:
    """``(line, ref, action, owner, due)`` of every row of the seed with an action ref."""
    rows = []
    for number, line in enumerate(SEED_TEXT.splitlines(), start=1):
        cells = line.split("\t")
        if len(cells) >= 5 and ACTION_REF.match(cells[1].strip()):
            rows.append((number, *(c.strip() for c in cells[1:5])))
    return rows


def seed_decision_rows() -> list[tuple[str, str, str]]:
    """``(area, ref, text)`` of the seed's Decisions rows."""
    return [
        tuple(c.strip() for c in line.split("\t"))
        for line in SEED_TEXT.splitlines()
        if len(line.split("\t")) == 3 and re.match(r"DAG-DEC\d+", line.split("\t")[1])
    ]


@pytest.fixture(scope="class")
def seed_imported(django_db_setup, django_db_blocker):
    """The seed imported once for a class of tests; each test's changes roll back after it,
    and the import itself rolls back after the class (an import takes seconds)."""
    with django_db_blocker.unblock(), transaction.atomic():
        yield headline_report_import_file(path=SEED_PATH, acting_user=SYSTEM)
        transaction.set_rollback(True)


@pytest.fixture
def imported(seed_imported, db):
    return seed_imported


def owner_parts(action: Action) -> list[tuple[str | None, str, str | None, bool]]:
    return [
        (
            o.organisation.name if o.organisation_id else None,
            o.role,
            o.person.name if o.person_id else None,
            bool(o.person_id and o.person.is_team),
        )
        for o in action.owners.select_related("organisation", "person")
    ]


# --- the seed, record by record ------------------------------------------------------------------


class TestTheSeed:
    """The seed report, imported once, record by record."""

    def test_seed_header_becomes_committee_and_meeting(self, imported):
        committee = Committee.objects.get(code="DAG")
        assert (committee.programme_name, committee.name) == ("MHHS", "Design Advisory Group")
        meeting = Meeting.objects.get(ref="DAG028")
        assert meeting.number == 28
        assert meeting.venue == "Virtual – MS Teams"
        assert meeting.start_at == london(2023, 9, 13, 10)
        assert meeting.end_at == london(2023, 9, 13, 13)
        assert meeting.classification == Meeting.Classification.PUBLIC
        assert meeting.report_issue_date == dt.date(2023, 9, 20)
        assert meeting.status == Meeting.Status.REPORT_ISSUED
        assert str(imported).startswith("DAG028: 1 committee, 3 meetings")

    def test_every_seed_action_is_recorded_with_its_owner_and_due_date(self, imported):
        rows = seed_action_rows()
        assert [r[1] for r in rows] == [f"DAG28-{n:02d}" for n in range(1, 16)] + ["DAG27-08"]
        for _, ref, text, owner, due in rows:
            action = Action.objects.get(ref=ref)
            assert action.description == text
            assert action.owner_display() == owner
            assert action.due_date == dt.datetime.strptime(due, "%d/%m/%Y").date()  # noqa: DTZ007
        dag28_13 = Action.objects.get(ref="DAG28-13")
        assert (dag28_13.owner_display(), dag28_13.due_date) == (
            "Programme (PMO)",
            dt.date(2023, 10, 11),
        )

    def test_owners_split_into_organisation_or_role_and_person_or_team(self, imported):
        assert owner_parts(Action.objects.get(ref="DAG28-01")) == [
            ("Programme", "", "Rob Short", False)
        ]
        assert owner_parts(Action.objects.get(ref="DAG28-02")) == [
            (None, "Large Supplier Representative", "Haz Elmamoun", False)
        ]
        assert owner_parts(Action.objects.get(ref="DAG28-14")) == [(None, "Chair", None, False)]
        for ref, team in (
            ("DAG28-07", "Testing Team"),
            ("DAG28-09", "Design Team"),
            ("DAG28-13", "PMO"),
        ):
            assert owner_parts(Action.objects.get(ref=ref)) == [("Programme", "", team, True)]

    def test_action_areas_are_rebuilt_from_the_report(self, imported):
        areas = {
            a.ref: a.agenda_item.title
            for a in Action.objects.filter(meeting__ref="DAG028").select_related("agenda_item")
        }
        # "Minutes and" / "Actions" printed on rows 1 and 3 of a four-row group.
        assert {areas[f"DAG28-0{n}"] for n in range(1, 5)} == {"Minutes and Actions"}
        # "CR023" / "Decision" printed on DAG28-05's and DAG28-06's rows.
        assert areas["DAG28-05"] == areas["DAG28-06"] == "CR023 Decision"
        # DAG28-08 and DAG28-09 are split by a page-number row; the discussion of CR027 names them.
        assert areas["DAG28-07"] == areas["DAG28-08"] == areas["DAG28-09"] == "CR027 Decision"
        assert areas["DAG28-10"] == "CR029 Decision"
        assert areas["DAG28-11"] == "CR030 Decision"
        assert areas["DAG28-12"] == "Design (DIN)"
        # Nothing in the report ties DAG28-13 elsewhere: its empty Area cell continues the area
        # above, as the printed table reads.
        assert areas["DAG28-13"] == "Design (DIN)"
        assert areas["DAG28-14"] == "DAG Terms of Reference"
        assert areas["DAG28-15"] == "Top Programme Risks related to DAG"

    def test_previous_meeting_row_is_a_review_of_the_earlier_action(self, imported):
        review = ActionReview.objects.select_related("action__meeting", "meeting").get()
        assert review.meeting.ref == "DAG028"
        assert review.action.ref == "DAG27-08"
        assert review.action.meeting.ref == "DAG027"
        assert review.action.due_date == dt.date(2023, 9, 13)
        assert review.outcome == ActionReview.Outcome.KEPT_OPEN
        assert review.action.owner_display() == "Programme (Matt McKeon)"
        # DAG027 was not imported: a placeholder, flagged as such.
        assert review.action.meeting.title == importer.PLACEHOLDER_TITLE
        assert any("DAG027" in w for w in imported.warnings)

    def test_decisions_keep_their_refs_areas_and_outcomes(self, imported):
        decisions = {
            d.ref: d for d in Decision.objects.select_related("agenda_item", "change_request")
        }
        assert [(area, ref) for area, ref, _ in seed_decision_rows()] == [
            (decisions[ref].agenda_item.title, ref) for _, ref, _ in seed_decision_rows()
        ]
        for _, ref, text in seed_decision_rows():
            assert decisions[ref].text == text
        assert decisions["DAG-DEC69"].agenda_item.title == "CR027 Decision"
        assert decisions["DAG-DEC69"].status == Decision.Status.APPROVED_WITH_CONDITIONS
        assert decisions["DAG-DEC69"].conditions.startswith(
            "Subject to the comments provided by DCUSA"
        )
        assert decisions["DAG-DEC68"].status == Decision.Status.APPROVED
        assert decisions["DAG-DEC68"].change_request.ref == "CR023"
        assert decisions["DAG-DEC67"].change_request is None
        assert decisions["DAG-DEC68"].decided_at == london(2023, 9, 13, 10)
        assert Committee.objects.get(code="DAG").last_decision_seq == 74

    def test_change_requests_are_named_with_their_titles_and_linked(self, imported):
        crs = {cr.ref: cr for cr in ChangeRequest.objects.all()}
        assert set(crs) == {
            "CR019",
            "CR023",
            "CR024",
            "CR025",
            "CR027",
            "CR028",
            "CR029",
            "CR030",
            "CR031",
        }
        assert crs["CR023"].title == (
            "Standardisation of Interfaces within the Smart and Advanced Data Services Roles"
        )
        assert crs["CR027"].title == (
            "Distribution Use of System (DUoS) E-Billing Data Integration Platform (DIP) "
            "message for MHHS"
        )
        assert crs["CR029"].title == (
            "Data Integration Platform (DIP) Licensed Distribution System Operator (LDSO) "
            "Interface Processing"
        )
        assert crs["CR024"].title == ""
        # Decided at DAG028: the CRs follow their decisions.
        assert crs["CR023"].status == ChangeRequest.Status.APPROVED
        assert crs["CR027"].status == ChangeRequest.Status.APPROVED_WITH_CONDITIONS
        assert crs["CR019"].status == ChangeRequest.Status.DRAFT
        agenda = AgendaItem.objects.get(meeting__ref="DAG028", title="CR023 Decision")
        assert agenda.change_request == crs["CR023"]
        assert set(
            Action.objects.get(ref="DAG28-09").change_requests.values_list("ref", flat=True)
        ) == {
            "CR019",
            "CR027",
        }
        assert DesignIssueNotification.objects.get(number=620).change_request == crs["CR028"]

    def test_discussion_items_keep_order_areas_and_resolved_refs(self, imported):
        items = list(
            DiscussionItem.objects.filter(meeting__ref="DAG028")
            .select_related("agenda_item")
            .order_by("order")
        )
        areas_in_order = list(dict.fromkeys(i.agenda_item.title for i in items))
        assert areas_in_order == [
            "Minutes and Actions",
            "CR023 Decision",
            "CR027 Decision",
            "CR028 Decision",
            "CR029 Decision",
            "CR030 Decision",
            "CR031 Implementation Decision",
            "DES-196 D- Flow and Interface Mapping – Supplementary documents",
            "Design (DIN)",
        ]
        assert items[0].text.startswith("The DAG requested the Related MPAN Explainer document")
        # The extraction's "( <b>ACTION DAG28-02</b> )" loses its stray spaces, and the bold
        # around the ref: the report prints every such ref bold itself (issue #14: the
        # report this product renders imports back into the same text).
        assert "(ACTION DAG28-02)" in items[1].text
        assert items[1].text.startswith("DAG27-02: With regard")
        # The CR023 discussion names DAG28-05 and DAG28-06, and DAG-DEC68.
        cr023 = [i for i in items if i.agenda_item.title == "CR023 Decision"]
        named = {r.ref for i in cr023 for r in i.references.all()}
        assert {"DAG28-05", "DAG28-06", "DAG-DEC68", "CR023"} <= named
        # The bullet rows after "advising:" are one cell.
        bullets = next(i for i in items if "advising:" in i.text)
        assert bullets.text.count("<br>• ") == 5
        assert "• Search functionally will be retained" in bullets.text
        assert bullets.agenda_item.title == "CR028 Decision"
        # Refs resolve to the records; earlier meetings' actions not recorded stay unresolved text.
        ref = DiscussionReference.objects.get(discussion_item=items[1], ref="DAG28-02")
        assert ref.action == Action.objects.get(ref="DAG28-02")
        assert (
            DiscussionReference.objects.get(discussion_item=items[1], ref="DAG27-02").action is None
        )

    def test_next_meeting_is_a_planned_meeting(self, imported):
        following = Meeting.objects.get(ref="DAG029")
        assert following.status == Meeting.Status.PLANNED
        assert following.start_at == london(2023, 10, 11, 10)

    def test_second_import_updates_in_place_without_duplicates(self, imported):
        counts = (Action.objects.count(), Decision.objects.count(), DiscussionItem.objects.count())
        again = headline_report_import_file(path=SEED_PATH, acting_user=SYSTEM)
        assert (again.count("create"), again.count("update")) == (0, 0)
        assert counts == (
            Action.objects.count(),
            Decision.objects.count(),
            DiscussionItem.objects.count(),
        )
        assert Meeting.objects.count() == 3
        # An edited report updates the records it changes, and only those, field by field;
        # an approved decision is locked: listed with what differs, not changed.
        old_dec67 = (
            "Minutes and Headline Report of DAG meeting held 12 July 2023 approved with no "
            "amendments"
        )
        edited = SEED_TEXT.replace("Programme (PMO)\t11/10/2023", "Chair\t18/10/2023", 1)
        edited = edited.replace(old_dec67, "Minutes of the 12 July 2023 meeting approved")
        result = headline_report_import(text=edited, acting_user=SYSTEM)
        changed = {(c.kind, c.label) for c in result.changes if c.verb == "update"}
        assert changed == {("action", "DAG28-13")}
        [dag28_13_change] = [c for c in result.changes if c.label == "DAG28-13"]
        assert dag28_13_change.fields == (
            importer.FieldChange("due date", "11/10/2023", "18/10/2023"),
            importer.FieldChange("owners", "Programme (PMO)", "Chair"),
        )
        assert result.conflicts == []
        dag28_13 = Action.objects.get(ref="DAG28-13")
        assert (dag28_13.owner_display(), dag28_13.due_date) == ("Chair", dt.date(2023, 10, 18))
        [locked] = result.locked
        assert (locked.label, locked.fields) == (
            "DAG-DEC67",
            (
                importer.FieldChange(
                    "text", old_dec67, "Minutes of the 12 July 2023 meeting approved"
                ),
            ),
        )
        assert Decision.objects.get(ref="DAG-DEC67").text == old_dec67
        assert "1 locked, not changed" in str(result)
        assert counts == (
            Action.objects.count(),
            Decision.objects.count(),
            DiscussionItem.objects.count(),
        )

    def test_a_dry_run_after_the_import_changes_nothing(self, imported):
        again = headline_report_import_file(path=SEED_PATH, dry_run=True, acting_user=SYSTEM)
        assert again.count("create") == again.count("update") == 0
        assert again.count("unchanged") > 70

    def test_the_command_imports_again_in_place(self, imported, capsys):
        call_command("import_headline_report", str(SEED_PATH))
        assert "Imported DAG028:" in capsys.readouterr().out
        assert Action.objects.filter(meeting__ref="DAG028").count() == 15


# --- all or nothing ------------------------------------------------------------------------------


def test_dry_run_says_what_would_happen_and_writes_nothing(db):
    result = headline_report_import_file(path=SEED_PATH, dry_run=True, acting_user=SYSTEM)
    assert result.dry_run
    assert result.count("create", "action") == 16  # 15 of DAG028 and the earlier DAG27-08
    assert result.count("create", "decision") == 8
    assert result.count("update") == 0
    assert "would create" in str(result)
    assert (Meeting.objects.count(), Action.objects.count(), ChangeRequest.objects.count()) == (
        0,
        0,
        0,
    )


def break_lines(changes: dict[str, tuple[str, str]]) -> str:
    lines = SEED_TEXT.split("\n")
    for ref, (old, new) in changes.items():
        index = next(i for i, line in enumerate(lines) if f"\t{ref}\t" in line)
        assert old in lines[index]
        lines[index] = lines[index].replace(old, new)
    return "\n".join(lines)


def line_of(ref: str) -> int:
    return next(n for n, line in enumerate(SEED_TEXT.split("\n"), 1) if f"\t{ref}\t" in line)


def test_a_bad_file_reports_each_problem_by_line_and_writes_nothing(db):
    text = break_lines(
        {
            "DAG28-03": ("11/10/2023", "31/02/2023"),
            "DAG28-06": ("Programme (Berlinda Kugara)", ""),
            "DAG28-10": ("DAG28-10", "DAG28-10\textra"),
            "DAG-DEC70": ("DAG-DEC70", "DAG-DEC-70"),
        }
    ).replace("Classification\tPublic", "Classification\tSecret")
    with pytest.raises(HeadlineReportImportError) as raised:
        headline_report_import(text=text, acting_user=SYSTEM)
    problems = {(p.line, p.message.split(":")[0]) for p in raised.value.problems}
    assert (line_of("DAG28-03"), "DAG28-03 due date") in problems
    assert (line_of("DAG28-06"), "DAG28-06 has no owner") in problems
    assert any(line == line_of("DAG28-10") and "6 cells" in m for line, m in problems)
    assert any(line == line_of("DAG-DEC70") and "DAG-DEC-70" in m for line, m in problems)
    assert any(line == 8 and "Classification" in m for line, m in problems)
    assert "line 15: DAG28-03 due date" in str(raised.value)
    assert Meeting.objects.count() == Committee.objects.count() == Action.objects.count() == 0


def test_a_conflict_found_while_writing_rolls_everything_back(committee):
    from decisions.services import decision_create
    from meetings.services import meeting_create

    earlier = meeting_create(
        committee=committee, number=27, start_at=london(2023, 8, 9), acting_user=SYSTEM
    )
    decision_create(meeting=earlier, seq=70, text="Another decision", acting_user=SYSTEM)
    with pytest.raises(HeadlineReportImportError) as raised:
        headline_report_import_file(path=SEED_PATH, acting_user=SYSTEM)
    assert [(p.line, p.message) for p in raised.value.problems] == [
        (
            line_of("DAG-DEC70"),
            "DAG-DEC70 is already recorded at DAG027; a decision's ref is never reused.",
        )
    ]
    assert not Meeting.objects.filter(ref="DAG028").exists()
    assert Action.objects.count() == ChangeRequest.objects.count() == 0


def test_only_the_pmo_imports(member_user):
    with pytest.raises(PermissionDenied):
        headline_report_import(text=SEED_TEXT, acting_user=member_user)


def test_not_utf8_is_a_problem_not_a_crash(tmp_path, db):
    path = tmp_path / "report.txt"
    path.write_bytes(SEED_TEXT.encode("utf-16"))
    with pytest.raises(HeadlineReportImportError, match="not UTF-8"):
        headline_report_import_file(path=path, acting_user=SYSTEM)


# --- another report of the same shape ----------------------------------------------------------

OTHER_REPORT = "\n".join(
    [
        "# MHHS Design Resolution Group (DRG) Headline Report",
        "#### Issue date: 3 May 2024",
        "Meeting Number\tDRG012.1\tVenue\tTeams",
        "Meeting Date and Time\t1 May 2024 2-4pm\tClassification\tRestricted",
        "### Actions",
        "Area\tRef\tAction\tOwner\tDue",
        "Welcome and\tDRG12.1-01\tProgramme to circulate the slides\tProgramme (PMO)\t08/05/2024",
        "\tDRG12.1-02\tChair to write to members\tChair\t",
        "Introductions\tDRG12.1-03\tProgramme to confirm dates\tProgramme (Ann Lee)\t10/05/2024",
        "\t\t\t2\t",
        "Area\tRef\tAction\tOwner\tDue",
        "\tDRG12.1-04\tProgramme to publish the log of\tProgramme (Ann Lee)\t10/05/2024",
        "\t\tdecisions on the portal\t\t",
        "Release\tDRG12.1-05\tProgramme to update the plan\tSupplier Representative (Bo Yu)\tTBC",
        "Plan",
        "Previous Meeting(s)\tDRG11-03\tProgramme to check the plan\tProgramme (Ann Lee)\t1/5/2024",
        "## Decisions",
        "Area\tRef\tDecision",
        "Welcome and Introductions\tDRG-DEC5\tThe agenda was agreed",
        "Release Plan\tDRG-DEC6\tThe Chair deferred the plan to the next meeting",
        "# **Key Discussion Items**",
        "Area\tDiscussion",
        "Welcome and Introductions\tThe Chair welcomed members (ACTION DRG12.1-02).",
        "\tThe log of decisions will be published (ACTION DRG12.1-04) and the",
        "\t\t\t2\t",
        "\tdates confirmed (ACTION DRG12.1-03).",
        "\tThe Programme presented the plan for CR101 (<u>Release Plan Change</u>) per DRG11-03.",
        "Release",
        "Plan\tThe DRG noted:",
        "\t• the plan moves",
        "\t• the risks are open",
        "\tThe plan was deferred (DECISION DRG-DEC6).",
        "Date of next DRG: 15/05/2024",
    ]
)


def test_a_report_of_the_same_shape_from_another_committee(db):
    parsed = headline_report_parse(OTHER_REPORT)
    assert (parsed.committee_code, parsed.meeting_number, parsed.meeting_sub_number) == (
        "DRG",
        12,
        1,
    )
    assert parsed.start_at == london(2024, 5, 1, 14)
    assert parsed.end_at == london(2024, 5, 1, 16)
    # No time written: the next meeting starts when this one did.
    assert parsed.next_meeting_at == london(2024, 5, 15, 14)
    areas = {a.ref: a.area for a in parsed.actions}
    assert areas == {
        "DRG12.1-01": "Welcome and Introductions",
        "DRG12.1-02": "Welcome and Introductions",
        "DRG12.1-03": "Welcome and Introductions",
        # After the page break, named in the Welcome discussion: not "continue above" only.
        "DRG12.1-04": "Welcome and Introductions",
        "DRG12.1-05": "Release Plan",
    }
    assert next(a for a in parsed.actions if a.ref == "DRG12.1-04").description == (
        "Programme to publish the log of decisions on the portal"
    )
    assert next(a for a in parsed.actions if a.ref == "DRG12.1-05").due_date is None
    assert [(r.ref, r.area) for r in parsed.reviews] == [("DRG11-03", "")]
    discussion = [(d.area, re.sub(r"<[^>]+>", "", d.text)) for d in parsed.discussion]
    assert discussion == [
        ("Welcome and Introductions", "The Chair welcomed members (ACTION DRG12.1-02)."),
        (
            "Welcome and Introductions",
            "The log of decisions will be published (ACTION DRG12.1-04) and the dates "
            "confirmed (ACTION DRG12.1-03).",
        ),
        # Names CR101, the CR of the Release Plan area? No: nothing ties it; it continues above.
        (
            "Welcome and Introductions",
            "The Programme presented the plan for CR101 (Release Plan Change) per DRG11-03.",
        ),
        ("Release Plan", "The DRG noted:• the plan moves• the risks are open"),
        ("Release Plan", "The plan was deferred (DECISION DRG-DEC6)."),
    ]
    assert parsed.change_request_titles == {101: "Release Plan Change"}

    result = headline_report_import(text=OTHER_REPORT, acting_user=SYSTEM)
    meeting = Meeting.objects.get(ref="DRG012.1")
    assert meeting.classification == Meeting.Classification.RESTRICTED
    assert Action.objects.get(ref="DRG12.1-04").meeting == meeting
    assert Decision.objects.get(ref="DRG-DEC6").status == Decision.Status.DEFERRED
    assert Meeting.objects.get(ref="DRG013").start_at == london(2024, 5, 15, 14)
    assert result.count("create", "review") == 1


@pytest.mark.parametrize(
    ("text", "start", "end"),
    [
        ("13 September 2023 1000-1300", (10, 0), (13, 0)),
        ("13 September 2023 10:00 – 13:30", (10, 0), (13, 30)),
        ("13/09/2023 10am-1pm", (10, 0), (13, 0)),
        ("Wednesday 13 September 2023, 2-4pm", (14, 0), (16, 0)),
        ("13 Sept 2023 at 9.30am", (9, 30), None),
    ],
)
def test_meeting_date_and_time_forms(text, start, end):
    start_at, end_at = parse_date_and_times(text)
    assert start_at == london(2023, 9, 13, *start)
    assert end_at == (london(2023, 9, 13, *end) if end else None)


def test_a_meeting_that_ends_before_it_starts_is_refused():
    with pytest.raises(ValueError, match="ends"):
        parse_date_and_times("13 September 2023 1300-1000")


# --- the command and the browser -----------------------------------------------------------------


def test_command_dry_run_writes_nothing(db, capsys):
    call_command("import_headline_report", str(SEED_PATH), "--dry-run")
    assert "Dry run, nothing written. DAG028:" in capsys.readouterr().out
    assert not Meeting.objects.exists()


def test_command_lists_problems_by_line(db, tmp_path, capsys):
    bad = tmp_path / "bad.txt"
    bad.write_text(break_lines({"DAG28-03": ("11/10/2023", "soon")}), encoding="utf-8")
    with pytest.raises(CommandError, match="nothing was written"):
        call_command("import_headline_report", str(bad))
    assert "line 15: DAG28-03 due date" in capsys.readouterr().err
    assert not Meeting.objects.exists()


def upload(name: str, text: str):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, text.encode("utf-8"), content_type="text/plain")


def test_pmo_uploads_previews_and_confirms(client, pmo_user):
    client.force_login(pmo_user)
    page = client.get(reverse("headline-report-import"))
    assert page.status_code == 200
    preview = client.post(
        reverse("headline-report-import"), {"file": upload("DAG028.txt", SEED_TEXT)}
    )
    assert preview.status_code == 200
    html = preview.content.decode()
    assert "Import DAG028 from DAG028.txt" in html
    assert "DAG28-13" in html
    assert "DAG-DEC69" in html
    assert not Meeting.objects.exists()  # a preview writes nothing
    checksum = importer.text_checksum(SEED_TEXT)
    done = client.post(reverse("headline-report-import-confirm"), {"checksum": checksum})
    assert done.status_code == 302
    assert Action.objects.filter(meeting__ref="DAG028").count() == 15
    # The import's warning (DAG027 was added as a placeholder) is in the preview and message.
    assert "1 warning</h3>" in html
    assert "DAG027 (which raised DAG27-08) was not recorded" in html
    shown = client.get(done["Location"]).content.decode()
    assert "; 1 warning" in shown
    assert "1 warnings" not in shown
    assert "DAG027 (which raised DAG27-08) was not recorded" in shown
    # The preview is used once.
    again = client.post(reverse("headline-report-import-confirm"), {"checksum": checksum})
    assert again.status_code == 302
    assert again["Location"] == reverse("headline-report-import")
    # Uploading the same report again: nothing would change, so importing is not the offer.
    same = client.post(reverse("headline-report-import"), {"file": upload("DAG028.txt", SEED_TEXT)})
    same_html = same.content.decode()
    assert "Nothing would change" in same_html
    assert 'class="button" href="/meetings/DAG028/">Back to DAG028</a>' in same_html
    assert '<button type="submit" class="button secondary">Import anyway</button>' in same_html


def test_uploading_a_damaged_pdf_says_it_cannot_be_read(client, pmo_user):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(pmo_user)
    pdf = SimpleUploadedFile("DAG028.pdf", b"%PDF-1.7\n\xe2\xe3\xcf\xd3\n", "application/pdf")
    response = client.post(reverse("headline-report-import"), {"file": pdf})
    assert response.status_code == 400
    html = response.content.decode()
    assert "The PDF cannot be read" in html
    assert "not UTF-8" not in html


def test_a_report_issued_in_the_tracker_since_keeps_its_date_and_says_so(db):
    from meetings.models import HeadlineReport
    from tests.meetings.factories import HeadlineReportFactory

    headline_report_import(text=SEED_TEXT, acting_user=SYSTEM)
    dag028 = Meeting.objects.get(ref="DAG028")
    HeadlineReportFactory(
        meeting=dag028,
        status=HeadlineReport.Status.ISSUED,
        checksum="0" * 64,
        issue_date=dt.date(2026, 11, 30),
    )
    Meeting.objects.filter(pk=dag028.pk).update(report_issue_date=dt.date(2026, 11, 30))
    result = headline_report_import(text=SEED_TEXT, dry_run=True, acting_user=SYSTEM)
    assert (
        "DAG028's report was issued in the tracker on 30/11/2026, after this file's issue date "
        "(20/09/2023); the tracker's issue date, 30/11/2026, is kept." in result.warnings
    )


def test_upload_of_a_bad_file_lists_its_lines(client, pmo_user):
    client.force_login(pmo_user)
    response = client.post(
        reverse("headline-report-import"),
        {"file": upload("bad.txt", break_lines({"DAG28-03": ("11/10/2023", "soon")}))},
    )
    assert response.status_code == 400
    assert "Line 15:" in response.content.decode()
    assert not Meeting.objects.exists()


@pytest.mark.parametrize("role", ["Member", "Chair", "Observer"])
def test_only_the_pmo_reaches_the_import(client, role_user, role):
    client.force_login(role_user(role))
    assert client.get(reverse("headline-report-import")).status_code == 403
    response = client.post(
        reverse("headline-report-import"), {"file": upload("DAG028.txt", SEED_TEXT)}
    )
    assert response.status_code == 403
    assert not Meeting.objects.exists()


def test_anonymous_is_sent_to_login(client, db):
    response = client.get(reverse("headline-report-import"))
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_load_demo_imports_the_seed(db, capsys):
    call_command("load_demo")
    assert "Imported DAG028-headline-report.txt: DAG028:" in capsys.readouterr().out
    assert Path(SEED_PATH).name == "DAG028-headline-report.txt"
    assert Action.objects.filter(meeting__ref="DAG028").count() == 15
