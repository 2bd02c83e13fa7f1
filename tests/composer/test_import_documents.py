"""Headline reports imported from the secretariat's Word document (``seeds/*.docx``) and
from Word documents of other layouts made here with python-docx.

The Word document and the text form of DAG028 hold the same report; the document is
explicit where the text is not: its merged Area cells put DAG28-13 under "DAG Terms of
Reference" (the text's flattened cells left it under "Design (DIN)"), and put the discussion
paragraph on DAG28-07 under "CR023 Decision" (the merge that spans it; the text import
inferred "CR027 Decision" from the action it names).
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from pathlib import Path

import pytest
from docx import Document
from docx.enum.section import WD_ORIENT
from docx.shared import Pt

from actions.models import Action
from composer.importer import (
    HeadlineReportImportError,
    headline_report_import,
    headline_report_parse,
    headline_report_text,
)
from composer.importer.documents import docx_text
from core.actors import SYSTEM
from decisions.models import Decision
from meetings.models import DiscussionItem

SEEDS = Path(__file__).resolve().parents[2] / "seeds"
DOCX = SEEDS / "DAG028-headline-report.docx"
TEXT = SEEDS / "DAG028-headline-report.txt"
DAG28_07_PARAGRAPH = "The Programme took an action to explain what is meant by major and minor"


def _owners(action) -> list[str]:
    return [str(owner) for owner in action.owners]


def test_the_word_document_reads_as_the_text_form_does_but_for_its_explicit_areas():
    from_docx = headline_report_parse(headline_report_text(DOCX.read_bytes()))
    from_text = headline_report_parse(TEXT.read_text())
    for field in ("meeting_ref", "venue", "start_at", "end_at", "classification",
                  "issue_date", "next_meeting_at", "areas", "change_request_titles"):  # fmt: skip
        assert getattr(from_docx, field) == getattr(from_text, field), field
    assert from_docx.start_at == dt.datetime.fromisoformat("2023-09-13T10:00+01:00")
    pairs = list(zip(from_docx.actions + from_docx.reviews, from_text.actions + from_text.reviews,
                     strict=True))  # fmt: skip
    for docx_action, text_action in pairs:
        assert docx_action.ref == text_action.ref
        assert docx_action.description == text_action.description
        assert _owners(docx_action) == _owners(text_action)
        assert docx_action.due_date == text_action.due_date
        if docx_action.ref == "DAG28-13":
            assert (docx_action.area, text_action.area) == (
                "DAG Terms of Reference",
                "Design (DIN)",
            )
        else:
            assert docx_action.area == text_action.area, docx_action.ref
    assert [(d.ref, d.area, d.text) for d in from_docx.decisions] == [
        (d.ref, d.area, d.text) for d in from_text.decisions
    ]
    for docx_item, text_item in zip(from_docx.discussion, from_text.discussion, strict=True):
        assert docx_item.text == text_item.text
        if docx_item.text.startswith(DAG28_07_PARAGRAPH):
            assert (docx_item.area, text_item.area) == ("CR023 Decision", "CR027 Decision")
        else:
            assert docx_item.area == text_item.area


@pytest.mark.django_db
def test_the_word_document_imports_into_records():
    text = headline_report_text(DOCX.read_bytes())
    result = headline_report_import(text=text, acting_user=SYSTEM)
    assert result.meeting_ref == "DAG028"
    dag28_01 = Action.objects.get(ref="DAG28-01")
    assert dag28_01.owner_display() == "Programme (Rob Short)"
    assert dag28_01.due_date == dt.date(2023, 10, 11)
    assert dag28_01.agenda_item.title == "Minutes and Actions"
    assert Action.objects.get(ref="DAG28-13").agenda_item.title == "DAG Terms of Reference"
    assert Action.objects.get(ref="DAG28-14").owner_display() == "Chair"
    assert Decision.objects.get(ref="DAG-DEC68").text == "The SRO approved CR023 for implementation"
    assert DiscussionItem.objects.filter(meeting__ref="DAG028").count() == 31
    underlined = DiscussionItem.objects.get(text__contains="<u>Standardisation of Interfaces")
    assert underlined.agenda_item.title == "CR023 Decision"


def _layout_document(*, landscape: bool) -> bytes:
    """A report of another layout: landscape, the action columns in another order (Ref,
    Action, Due, Owner, Area), an Area merged over two rows and aligned to the top."""
    document = Document()
    if landscape:
        section = document.sections[0]
        section.orientation = WD_ORIENT.LANDSCAPE
        section.page_width, section.page_height = section.page_height, section.page_width
    document.add_heading("MHHS Technical Migration Advisory Group (TMAG) Headline Report", 1)
    document.add_heading("Issue date: 02/11/2023", 4)
    header = document.add_table(rows=2, cols=4)
    for row, values in zip(header.rows, (
        ("Meeting Number", "TMAG007", "Venue", "Virtual – MS Teams"),
        ("Meeting Date and Time", "25 October 2023 1400-1600", "Classification", "Public"),
    ), strict=True):  # fmt: skip
        for cell, value in zip(row.cells, values, strict=True):
            cell.text = value
    document.add_heading("Actions", 3)
    actions = document.add_table(rows=4, cols=5)
    rows = (
        ("Ref", "Action", "Due", "Owner", "Area"),
        ("TMAG7-01", "Programme to circulate the migration plan", "08/11/2023",
         "Programme (Rob Short)", "Migration Plan"),
        ("TMAG7-02", "Programme to confirm the cut-over window", "22/11/2023", "Chair", ""),
        ("TMAG7-03", "Members to review the runbook", "22/11/2023", "Large Supplier "
         "Representative", "Runbook"),
    )  # fmt: skip
    for row, values in zip(actions.rows, rows, strict=True):
        for cell, value in zip(row.cells, values, strict=True):
            cell.text = value
    area = actions.cell(1, 4).merge(actions.cell(2, 4))  # one Area over two rows
    area.text = "Migration Plan"
    for paragraph in area.paragraphs:
        paragraph.runs[0].font.size = Pt(9)
    document.add_heading("Decisions", 2)
    decisions = document.add_table(rows=2, cols=3)
    for row, values in zip(decisions.rows, (
        ("Area", "Ref", "Decision"),
        ("Runbook", "TMAG-DEC12", "The SRO approved the runbook for rehearsal"),
    ), strict=True):  # fmt: skip
        for cell, value in zip(row.cells, values, strict=True):
            cell.text = value
    document.add_heading("Key Discussion Items", 1)
    discussion = document.add_table(rows=2, cols=2)
    discussion.cell(0, 0).text, discussion.cell(0, 1).text = "Discussion", "Area"
    paragraph = discussion.cell(1, 0).paragraphs[0]
    paragraph.add_run("The plan was presented ( ")
    paragraph.add_run("ACTION TMAG7-01").bold = True
    paragraph.add_run(" ). It was ")
    paragraph.add_run("agreed").bold = True
    paragraph.add_run(".")
    discussion.cell(1, 1).text = "Migration Plan"
    document.add_paragraph("Date of next TMAG: 22 November 2023 2pm")
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


@pytest.mark.parametrize("landscape", [False, True])
def test_a_word_document_of_another_layout_reads_by_its_column_names(landscape):
    report = headline_report_parse(headline_report_text(_layout_document(landscape=landscape)))
    assert report.meeting_ref == "TMAG007"
    assert report.start_at == dt.datetime.fromisoformat("2023-10-25T14:00+01:00")
    assert [(a.ref, a.area, _owners(a), a.due_date) for a in report.actions] == [
        ("TMAG7-01", "Migration Plan", ["Programme (Rob Short)"], dt.date(2023, 11, 8)),
        ("TMAG7-02", "Migration Plan", ["Chair"], dt.date(2023, 11, 22)),
        ("TMAG7-03", "Runbook", ["Large Supplier Representative"], dt.date(2023, 11, 22)),
    ]
    assert [(d.ref, d.area) for d in report.decisions] == [("TMAG-DEC12", "Runbook")]
    [item] = report.discussion
    assert item.area == "Migration Plan"
    # Bold is read; around a ref it is left out (the report prints such refs bold itself).
    assert item.text == "The plan was presented (ACTION TMAG7-01). It was <b>agreed</b>."
    assert report.next_meeting_at == dt.datetime.fromisoformat("2023-11-22T14:00+00:00")


def test_a_problem_names_the_table_and_row_of_the_document():
    document = Document(io.BytesIO(_layout_document(landscape=False)))
    document.tables[1].cell(3, 2).text = "31/02/2023"  # no such day, in TMAG7-03's row
    out = io.BytesIO()
    document.save(out)
    with pytest.raises(HeadlineReportImportError) as caught:
        headline_report_text(out.getvalue())
    [problem] = caught.value.problems
    assert problem.message.startswith("Word document, table 2, row 4:")
    assert "TMAG7-03 due date" in problem.message


def test_files_that_are_not_a_word_report_are_refused_clearly():
    corrupt = io.BytesIO()
    with zipfile.ZipFile(corrupt, "w") as archive:
        archive.writestr("word/document.xml", "<not a document")
    with pytest.raises(HeadlineReportImportError, match="cannot be read"):
        headline_report_text(corrupt.getvalue())
    letter = Document()
    letter.add_paragraph("Dear DAG members, please find the report attached.")
    out = io.BytesIO()
    letter.save(out)
    with pytest.raises(HeadlineReportImportError, match="no tables: it is not a headline report"):
        headline_report_text(out.getvalue())
    assert docx_text(DOCX.read_bytes()).kind == "Word document"


# --- PDF -------------------------------------------------------------------------------------

PDF = SEEDS / "DAG028-headline-report.pdf"


def test_the_pdf_reads_as_the_word_document_does():
    """The PDF made from the Word document: its tables read by their ruling lines and cell
    boxes give what the document gives (merged areas, a row cut by a page break joined up,
    bold and underlined words, the running header and page numbers left out)."""
    from_pdf = headline_report_parse(headline_report_text(PDF.read_bytes()))
    from_docx = headline_report_parse(headline_report_text(DOCX.read_bytes()))
    for field in ("meeting_ref", "venue", "start_at", "end_at", "classification", "issue_date",
                  "next_meeting_at", "areas", "change_request_titles", "din_numbers"):  # fmt: skip
        assert getattr(from_pdf, field) == getattr(from_docx, field), field
    assert [(a.ref, a.area, a.description, _owners(a), a.due_date) for a in from_pdf.actions] == [
        (a.ref, a.area, a.description, _owners(a), a.due_date) for a in from_docx.actions
    ]
    assert [(d.ref, d.area, d.text) for d in from_pdf.decisions] == [
        (d.ref, d.area, d.text) for d in from_docx.decisions
    ]
    assert [(d.area, d.text) for d in from_pdf.discussion] == [
        (d.area, d.text) for d in from_docx.discussion
    ]
    dag28_13 = next(a for a in from_pdf.actions if a.ref == "DAG28-13")
    assert dag28_13.area == "DAG Terms of Reference"
    bullets = next(d for d in from_pdf.discussion if d.text.startswith("Four conditions"))
    assert "advising:<br>• All existing Electricity Enquiry Service" in bullets.text  # page 3→4


def _pdf_of(html: str) -> bytes:
    from weasyprint import HTML

    return HTML(string=html).write_pdf()


def test_pdfs_that_are_not_a_readable_report_are_refused_clearly():
    from pypdf import PdfReader, PdfWriter

    with pytest.raises(HeadlineReportImportError, match="The PDF cannot be read"):
        headline_report_text(b"%PDF-1.7\n%garbage\n")
    scan = _pdf_of('<div style="width:10cm;height:5cm;background:#888"></div>')
    with pytest.raises(HeadlineReportImportError, match="no text layer"):
        headline_report_text(scan)
    letter = _pdf_of("<p>Dear DAG members, please find the report attached.</p>")
    with pytest.raises(HeadlineReportImportError, match="no tables: it is not a headline report"):
        headline_report_text(letter)
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(PDF.read_bytes())))
    writer.encrypt(user_password="secret", algorithm="AES-256")
    locked = io.BytesIO()
    writer.write(locked)
    with pytest.raises(HeadlineReportImportError, match="encrypted"):
        headline_report_text(locked.getvalue())
