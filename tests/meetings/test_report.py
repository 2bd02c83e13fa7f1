"""The headline report rendered: round trip of the seed through the PDF, layout, fetcher,
query count, the preview and PDF pages, and the render command.

The round trip imports the seed, renders the PDF with WeasyPrint, extracts its text with the
real ``pdftotext`` and finds the seed's own values in it, in the seed's order.
"""

from __future__ import annotations

import datetime as dt
import re
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.db import transaction
from django.urls import reverse

from actions.rows import ActionRow
from actions.services import action_create
from composer import discussion
from composer.importer import headline_report_import_file
from composer.report import AreaGroup, HeadlineReportData, ReviewRow, headline_report_data
from composer.report_render import headline_report_html, headline_report_pdf
from core.actors import SYSTEM
from core.pdf import INTERNAL_BASE_URL, pdf_url_fetcher, static_path_for_url
from decisions.services import decision_create
from meetings import services
from meetings.models import Meeting
from tests.conftest import SEED_PATH, london

SEED_LINES = SEED_PATH.read_text(encoding="utf-8").split("\n")
TABLE_HEADERS = {"Area Ref Action Owner Due", "Area Ref Decision Outcome", "Area Discussion"}


def squash(text: str) -> str:
    """Text without markup or white space: line breaks in the PDF never matter."""
    return re.sub(r"\s+", "", re.sub(r"<[^>]+>", "", text))


def seed_rows(columns: int, ref_pattern: str) -> list[list[str]]:
    rows = []
    for line in SEED_LINES:
        cells = [c.strip() for c in line.split("\t")]
        if len(cells) >= columns and re.fullmatch(ref_pattern, cells[1]):
            rows.append(cells)
    return rows


def seed_discussion_cells() -> list[str]:
    """Every discussion cell of the seed (rows after the Key Discussion Items header)."""
    start = SEED_LINES.index("Area\tDiscussion")
    cells = []
    for line in SEED_LINES[start + 1 :]:
        if line.startswith("Date of next"):
            break
        parts = line.split("\t")
        if len(parts) == 2 and parts[1].strip():
            cells.append(parts[1].strip().lstrip("•").strip())
    return cells


def pdftotext(path: Path, *args: str) -> str:
    return subprocess.run(
        ["pdftotext", "-raw", *args, str(path), "-"], check=True, capture_output=True, text=True
    ).stdout


def body_text(raw: str) -> str:
    """The PDF's text without the page furniture: running header ("<area> (continued)"
    included), footer, repeated table headers."""
    kept = []
    for line in raw.split("\n"):
        stripped = line.strip()
        if (
            stripped in TABLE_HEADERS
            or stripped == "PUBLIC"
            or re.search(r"Page \d+ of \d+$", stripped)
            or stripped.endswith("Headline Report PUBLIC")
            or stripped.endswith("(continued)")
            or stripped == "DRAFT"  # a draft's watermark and running head
            or stripped.startswith("DRAFT –")
        ):
            continue
        kept.append(line)
    return "\n".join(kept)


def assert_in_order(haystack: str, needles: list[str]) -> None:
    position = 0
    for needle in needles:
        found = haystack.find(needle, position)
        assert found >= 0, f"not found after position {position}: {needle[:80]}"
        position = found + len(needle)


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(scope="class")
def seed_pdf(django_db_setup, django_db_blocker, tmp_path_factory):
    """The seed imported and rendered once for the class; rolled back afterwards."""
    with django_db_blocker.unblock(), transaction.atomic():
        headline_report_import_file(path=SEED_PATH, acting_user=SYSTEM)
        meeting = Meeting.objects.select_related("committee").get(ref="DAG028")
        path = tmp_path_factory.mktemp("report") / "DAG028.pdf"
        # The seed is an issued report: rendered as the version issued on its issue date.
        data = headline_report_data(meeting=meeting, issue_date=dt.date(2023, 9, 20), version=1)
        path.write_bytes(headline_report_pdf(data=data))
        yield path
        transaction.set_rollback(True)


class TestSeedRoundTrip:
    """Import the seed, render it, read the PDF back with pdftotext."""

    def test_a4_pages_numbered_with_table_headers_on_each(self, seed_pdf):
        info = subprocess.run(["pdfinfo", str(seed_pdf)], capture_output=True, text=True).stdout
        assert "(A4)" in info
        pages = int(re.search(r"Pages:\s+(\d+)", info).group(1))
        assert pages >= 3
        for page in range(1, pages + 1):
            text = pdftotext(seed_pdf, "-f", str(page), "-l", str(page))
            assert f"Page {page} of {pages}" in text
            lines = {line.strip() for line in text.split("\n")}
            assert lines & TABLE_HEADERS, f"page {page} has no table header"
            assert "PUBLIC" in text  # the classification on every page

    def test_a_page_that_begins_inside_an_area_names_it_continued(self, seed_pdf):
        """A page starts with a new area, or (above its table) "<area> (continued)" naming the
        area whose cell was last seen on the previous page."""
        names = [
            line.split("\t")[0].strip()
            for line in SEED_LINES
            if len(line.split("\t")) == 3 and line.split("\t")[0].strip()
        ] + ["Top Programme Risks related to DAG", "Previous Meeting(s)", "DAG Terms of Reference"]
        names += ["CR031 Implementation Decision", "Design (DIN)"]
        areas = {squash(name) for name in names}
        info = subprocess.run(["pdfinfo", str(seed_pdf)], capture_output=True, text=True).stdout
        pages = int(re.search(r"Pages:\s+(\d+)", info).group(1))
        continued, last_area = [], None
        for page in range(1, pages + 1):
            raw = pdftotext(seed_pdf, "-f", str(page), "-l", str(page))
            labels = [squash(m) for m in re.findall(r"^(.+) \(continued\)$", raw, re.MULTILINE)]
            if page > 1:
                lines = raw.split("\n")
                header = next(i for i, line in enumerate(lines) if line.strip() in TABLE_HEADERS)
                rest = squash(body_text("\n".join(lines[header + 1 :])))
                if any(rest.startswith(area) for area in areas):
                    assert labels == [], f"page {page} begins with an area: {labels}"
                else:
                    assert labels == [last_area], f"page {page}: {rest[:60]}"
                    continued.append(page)
            body = squash(body_text(raw))
            found = max(((body.rfind(a), a) for a in areas if a in body), default=None)
            last_area = found[1] if found else last_area
        # The seed's CR029 discussion runs over a page break.
        assert continued, "no page begins inside an area"

    def test_header_and_next_meeting(self, seed_pdf):
        text = squash(body_text(pdftotext(seed_pdf)))
        assert_in_order(
            text,
            [
                squash("MHHS Design Advisory Group (DAG) Headline Report"),
                squash("Issue date: 20/09/2023"),
                squash("Meeting Number DAG028 Venue Virtual – MS Teams"),
                squash("Meeting Date and Time 13 September 2023 1000-1300 Classification Public"),
                "Actions",
                "Decisions",
                squash("Key Discussion Items"),
                squash("Date of next DAG: 11 October 2023 10am"),
            ],
        )

    def test_every_action_with_its_owner_and_due_date_in_order(self, seed_pdf):
        text = squash(body_text(pdftotext(seed_pdf)))
        rows = seed_rows(5, r"DAG\d+-\d\d")
        assert len(rows) == 16
        assert_in_order(text, [squash("".join(row[1:5])) for row in rows])
        dag28_13 = next(row for row in rows if row[1] == "DAG28-13")
        assert dag28_13[3:5] == ["Programme (PMO)", "11/10/2023"]
        assert squash("DAG28-13" + dag28_13[2] + "Programme (PMO)11/10/2023") in text

    def test_one_area_cell_groups_its_rows(self, seed_pdf):
        text = squash(body_text(pdftotext(seed_pdf)))
        rows = {row[1]: squash("".join(row[1:5])) for row in seed_rows(5, r"DAG\d+-\d\d")}
        # The area is written once, before the first row of its group; the other rows follow
        # with no area between them.
        assert "MinutesandActions" + rows["DAG28-01"] + rows["DAG28-02"] in text
        assert "CR023Decision" + rows["DAG28-05"] + rows["DAG28-06"] in text
        assert "CR027Decision" + rows["DAG28-07"] + rows["DAG28-08"] + rows["DAG28-09"] in text
        assert "PreviousMeeting(s)" + rows["DAG27-08"] in text

    def test_every_decision_with_its_text_in_its_area(self, seed_pdf):
        text = squash(body_text(pdftotext(seed_pdf)))
        rows = seed_rows(3, r"DAG-DEC\d+")
        assert len(rows) == 8
        assert_in_order(text, [squash("".join(row[0:3])) for row in rows])
        assert squash("CR027 Decision DAG-DEC69") in text

    def test_every_discussion_area_and_paragraph_in_order(self, seed_pdf):
        text = squash(body_text(pdftotext(seed_pdf)))
        discussion = text[text.index("KeyDiscussionItems") :]
        cells = seed_discussion_cells()
        assert len(cells) == 36
        assert_in_order(discussion, [squash(c).replace("•", "") for c in cells])
        assert_in_order(
            discussion,
            [
                squash(area)
                for area in (
                    "Minutes and Actions",
                    "CR023 Decision",
                    "CR027 Decision",
                    "CR028 Decision",
                    "CR029 Decision",
                    "CR030 Decision",
                    "CR031 Implementation Decision",
                    "DES-196 D- Flow and Interface Mapping – Supplementary documents",
                    "Design (DIN)",
                )
            ],
        )

    def test_pages_render_to_images(self, seed_pdf, tmp_path):
        subprocess.run(
            [
                "pdftoppm",
                "-png",
                "-r",
                "20",
                "-f",
                "1",
                "-l",
                "1",
                str(seed_pdf),
                str(tmp_path / "p"),
            ],
            check=True,
        )
        image = next(tmp_path.glob("p*.png"))
        assert image.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


class _Groups(HTMLParser):
    """(area, [row ids]) of each <tbody> in a report table, and the bold refs."""

    def __init__(self) -> None:
        super().__init__()
        self.groups: list[tuple[str, list[str]]] = []
        self.bold: list[str] = []
        self._in_area = self._in_bold = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "tbody" and "hr-group" in (attrs.get("class") or ""):
            self.groups.append(("", []))
        elif tag == "tr" and self.groups and attrs.get("id"):
            self.groups[-1][1].append(attrs["id"])
        elif tag == "th" and "hr-area" in (attrs.get("class") or ""):
            self._in_area = True
        elif tag == "strong" and attrs.get("class") == "ref":
            self._in_bold = True
            self.bold.append("")

    def handle_endtag(self, tag):
        if tag == "th":
            self._in_area = False
        if tag == "strong":
            self._in_bold = False

    def handle_data(self, data):
        if self._in_area:
            area, rows = self.groups[-1]
            self.groups[-1] = (area + data.strip(), rows)
        if self._in_bold:
            self.bold[-1] += data


@pytest.fixture(scope="class")
def seed_meeting(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        headline_report_import_file(path=SEED_PATH, acting_user=SYSTEM)
        yield Meeting.objects.select_related("committee").get(ref="DAG028")
        transaction.set_rollback(True)


def report_row(ref: str, description: str, owner: str, due: str) -> ActionRow:
    """An action row of a made-up meeting, as the report's data holds it: what the report
    shows is the ref, the description, the owner and the due date (``dd/mm/yyyy`` or "")."""
    return ActionRow(
        pk=0,
        ref=ref,
        committee_id=0,
        meeting_id=0,
        meeting_ref="DAG099",
        meeting_start=dt.datetime(2023, 9, 13, 9, tzinfo=dt.UTC),
        agenda_item_id=None,
        description=description,
        due_date=dt.date(*reversed([int(part) for part in due.split("/")])) if due else None,
        due_meeting_ref="",
        status="open",
        closed_date=None,
        owners=(owner,),
        is_overdue=False,
    )


def test_each_area_broken_by_a_page_is_named_continued_on_the_next(tmp_path):
    """A draft with two long areas and a long "Previous Meeting(s)": the page that begins
    with a row after an area's first is headed "<area> (continued)", no other page is."""

    def rows(prefix: str, count: int) -> list[ActionRow]:
        text = "Programme to confirm the arrangements for data flows and scenario variants"
        return [
            report_row(f"{prefix}-{n:02d}", f"{text} ({n})", "Programme (PMO)", "11/10/2023")
            for n in range(1, count + 1)
        ]

    area_of = {"LA": "Long Area", "SA": "Short Area", "NA": "Next Long Area"}
    data = HeadlineReportData(
        meeting_ref="DAG099",
        committee_code="DAG",
        title="MHHS Design Advisory Group (DAG) Headline Report",
        issue_date=None,
        venue="Virtual",
        date_and_time="13 September 2023 1000-1300",
        classification="Public",
        action_groups=[
            AreaGroup("Long Area", rows("LA", 45)),
            AreaGroup("Short Area", rows("SA", 1)),
            AreaGroup("Next Long Area", rows("NA", 30)),
        ],
        review_rows=[ReviewRow(row, row.due_on) for row in rows("PM", 30)],
    )
    path = tmp_path / "long.pdf"
    path.write_bytes(headline_report_pdf(data=data))
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True).stdout
    pages = int(re.search(r"Pages:\s+(\d+)", info).group(1))
    assert pages >= 4
    continued = []
    for page in range(1, pages + 1):
        raw = pdftotext(path, "-f", str(page), "-l", str(page))
        assert "DRAFT – not issued" in raw
        labels = re.findall(r"^(.+) \(continued\)$", raw, re.MULTILINE)
        prefix, number = re.search(r"\b(LA|SA|NA|PM)-(\d\d)\b", raw).groups()
        if page == 1 or number == "01":
            assert labels == [], f"page {page} begins with {prefix}-{number}"
        else:
            area = area_of.get(prefix, "Previous Meeting(s)")
            assert labels == [area], f"page {page} begins with {prefix}-{number}"
            continued.append(area)
    assert "Long Area" in continued
    assert "Previous Meeting(s)" in continued


class TestSeedHtml:
    """The same template as HTML: grouping, bold refs, query count."""

    def test_areas_group_their_rows(self, seed_meeting, db):
        parser = _Groups()
        parser.feed(headline_report_html(data=headline_report_data(meeting=seed_meeting)))
        action_groups = [
            (area, [r.removeprefix("action-") for r in rows])
            for area, rows in parser.groups
            if rows and rows[0].startswith("action-")
        ]
        assert action_groups == [
            ("Minutes and Actions", ["DAG28-01", "DAG28-02", "DAG28-03", "DAG28-04"]),
            ("CR023 Decision", ["DAG28-05", "DAG28-06"]),
            ("CR027 Decision", ["DAG28-07", "DAG28-08", "DAG28-09"]),
            ("CR029 Decision", ["DAG28-10"]),
            ("CR030 Decision", ["DAG28-11"]),
            ("Design (DIN)", ["DAG28-12", "DAG28-13"]),
            ("DAG Terms of Reference", ["DAG28-14"]),
            ("Top Programme Risks related to DAG", ["DAG28-15"]),
            ("Previous Meeting(s)", ["DAG27-08"]),
        ]
        decision_areas = {
            r.removeprefix("decision-"): area
            for area, rows in parser.groups
            for r in rows
            if r.startswith("decision-")
        }
        assert decision_areas["DAG-DEC69"] == "CR027 Decision"
        assert decision_areas["DAG-DEC68"] == "CR023 Decision"

    def test_refs_in_discussion_are_bold_and_link_to_their_rows(self, seed_meeting, db):
        html = headline_report_html(data=headline_report_data(meeting=seed_meeting))
        parser = _Groups()
        parser.feed(html)
        assert "ACTION DAG28-02" in parser.bold
        assert "DECISION DAG-DEC68" in parser.bold
        assert "DAG27-02" in parser.bold  # an earlier action, written without ACTION
        assert "CR023" not in parser.bold  # CRs are not cross-references of this report
        assert '<strong class="ref"><a href="#action-DAG28-05">ACTION DAG28-05</a></strong>' in html
        assert '<a href="#decision-DAG-DEC69">DECISION DAG-DEC69</a>' in html
        # The bullet rows of one cell are one list.
        assert html.count("<li>") == 5

    def test_reading_the_report_takes_a_fixed_number_of_queries(
        self, seed_meeting, db, django_assert_max_num_queries
    ):
        with django_assert_max_num_queries(8):
            data = headline_report_data(meeting=seed_meeting)
        assert data.action_count == 15
        area = seed_meeting.agenda_items.get(title="Design (DIN)")
        for n in range(5):
            action_create(
                meeting=seed_meeting,
                description=f"Programme to do more {n}",
                owners=["Programme (Ann Lee)", "Chair"],
                due_date=dt.date(2023, 10, 11),
                agenda_item=area,
                acting_user=SYSTEM,
            )
            discussion.discussion_item_create(
                meeting=seed_meeting,
                text=f"More about DAG28-{16 + n}.",
                agenda_item=area,
                acting_user=SYSTEM,
            )
        decision_create(
            meeting=seed_meeting, text="The SRO approved more", agenda_item=area, acting_user=SYSTEM
        )
        with django_assert_max_num_queries(8):
            data = headline_report_data(meeting=seed_meeting)
        assert data.action_count == 20


# --- the fetcher ---------------------------------------------------------------------------------


def test_fetcher_serves_our_stylesheet():
    url = f"{INTERNAL_BASE_URL}static/report/headline.css"
    assert static_path_for_url(url).name == "headline.css"
    response = pdf_url_fetcher().fetch(url)
    assert b"size: A4" in response.read()


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "https://example.com/static/report/headline.css",
        "http://headline-report.invalid/static/report/headline.css",
        f"{INTERNAL_BASE_URL}static/../../../etc/passwd",
        f"{INTERNAL_BASE_URL}static/report/missing.css",
        f"{INTERNAL_BASE_URL}media/headline-reports/x.pdf",
        "data:text/css,body{color:red}",
    ],
)
def test_fetcher_refuses_everything_else(url):
    assert static_path_for_url(url) is None
    with pytest.raises(ValueError, match="Refused"):
        pdf_url_fetcher().fetch(url)


def test_renders_reuse_their_thread_font_configuration_and_give_the_same_pdf():
    from concurrent.futures import ThreadPoolExecutor

    from core.pdf import font_config as _font_config

    data = HeadlineReportData(
        meeting_ref="DAG099",
        committee_code="DAG",
        title="MHHS Design Advisory Group (DAG) Headline Report",
        issue_date=dt.date(2023, 9, 20),
        venue="Virtual",
        date_and_time="13 September 2023 1000-1300",
        classification="Public",
        action_groups=[AreaGroup("Design (DIN)", [report_row("DAG99-01", "Do it", "Chair", "")])],
    )
    first = headline_report_pdf(data=data)
    config = _font_config()
    assert headline_report_pdf(data=data) == first
    assert _font_config() is config
    with ThreadPoolExecutor(max_workers=1) as pool:
        other_config = pool.submit(_font_config).result()
        other_pdf = pool.submit(headline_report_pdf, data=data).result()
    assert other_config is not config  # Pango font maps are not shared between threads
    assert other_pdf == first


def test_a_render_fetches_nothing_from_outside(caplog):
    from weasyprint import HTML

    html = (
        '<link rel="stylesheet" href="https://example.com/evil.css">'
        '<img src="file:///etc/hostname"><p>Hello</p>'
    )
    pdf = HTML(string=html, base_url=INTERNAL_BASE_URL, url_fetcher=pdf_url_fetcher())
    assert pdf.write_pdf()[:5] == b"%PDF-"
    refused = [r.getMessage() for r in caplog.records if "Refused to fetch" in r.getMessage()]
    assert len(refused) == 2


# --- the pages and the command -------------------------------------------------------------------


@pytest.fixture
def small_meeting(committee):
    """A short meeting recorded through the services (fast to render)."""
    meeting = services.meeting_create(
        committee=committee,
        number=5,
        start_at=london(2023, 3, 8, 10),
        end_at=london(2023, 3, 8, 12),
        venue="Virtual – MS Teams",
        status=Meeting.Status.HELD,
        acting_user=SYSTEM,
    )
    area = services.agenda_item_create(
        meeting=meeting, title="Minutes and Actions", acting_user=SYSTEM
    )
    action_create(
        meeting=meeting,
        description="Programme to circulate the minutes",
        owners=["Programme (PMO)"],
        due_date=dt.date(2023, 3, 15),
        agenda_item=area,
        acting_user=SYSTEM,
    )
    decision_create(
        meeting=meeting, text="The minutes were approved", agenda_item=area, acting_user=SYSTEM
    )
    discussion.discussion_item_create(
        meeting=meeting,
        text="The DAG agreed the minutes (ACTION DAG5-01).",
        agenda_item=area,
        acting_user=SYSTEM,
    )
    services.meeting_create(
        committee=committee, number=6, start_at=london(2023, 4, 5, 14, 30), acting_user=SYSTEM
    )
    return Meeting.objects.select_related("committee").get(pk=meeting.pk)


def test_small_report_shows_draft_and_next_meeting(small_meeting):
    data = headline_report_data(meeting=small_meeting)
    assert data.is_draft
    assert data.date_and_time == "8 March 2023 1000-1200"
    assert data.next_meeting == "5 April 2023 2:30pm"
    html = headline_report_html(data=data)
    assert "<strong>DRAFT</strong> &ndash; not issued" in html
    assert 'class="hr-watermark"' in html
    assert "Date of next DAG:</strong> 5 April 2023 2:30pm" in html


def test_preview_page_for_a_member(client, member_user, small_meeting):
    client.force_login(member_user)
    response = client.get(reverse("headline-report-preview", args=["DAG005"]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "MHHS Design Advisory Group (DAG) Headline Report" in html
    assert "Key Discussion Items" in html
    assert 'class="report-sheet"' in html
    assert "Issue report" not in html  # the PMO issues


def test_pages_need_a_login(client, small_meeting):
    for name in ("headline-report-preview", "headline-report-pdf"):
        response = client.get(reverse(name, args=["DAG005"]))
        assert response.status_code == 302
        assert "/accounts/login/" in response["Location"]


def test_observers_see_issued_reports_only(client, observer_user, small_meeting):
    client.force_login(observer_user)
    assert client.get(reverse("headline-report-preview", args=["DAG005"])).status_code == 404
    assert client.get(reverse("headline-report-pdf", args=["DAG005"])).status_code == 404


def _drafts_stored(meeting) -> list[str]:
    try:
        return default_storage.listdir(f"headline-reports/drafts/{meeting.pk}")[1]
    except FileNotFoundError:
        return []


def test_pdf_is_rendered_once_in_the_background_then_served_until_the_records_change(
    client, member_user, small_meeting, django_capture_on_commit_callbacks
):
    # Was: the first request rendered inline. Now (issue #18) it queues the draft's render
    # and answers with its status page; the file is served once it is stored.
    client.force_login(member_user)
    url = reverse("headline-report-pdf", args=["DAG005"])
    with django_capture_on_commit_callbacks(execute=True):
        asked = client.get(url)
    assert asked.status_code == 302
    assert "Ready" in client.get(asked["Location"]).content.decode()
    first = client.get(url)
    assert first.status_code == 200
    assert first["Content-Type"] == "application/pdf"
    body = b"".join(first.streaming_content)
    assert body[:5] == b"%PDF-"
    stored = _drafts_stored(small_meeting)
    assert stored == [f"{first['ETag'].strip(chr(34))}.pdf"]
    stored_path = Path(
        default_storage.path(f"headline-reports/drafts/{small_meeting.pk}/{stored[0]}")
    )
    mtime = stored_path.stat().st_mtime_ns

    second = client.get(url)
    assert b"".join(second.streaming_content) == body
    assert second["ETag"] == first["ETag"]
    assert stored_path.stat().st_mtime_ns == mtime  # served, not rendered again
    assert client.get(url, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304

    discussion.discussion_item_create(
        meeting=small_meeting, text="A later note.", acting_user=SYSTEM
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert client.get(url).status_code == 302  # changed: rendered again, in the background
    third = client.get(url)
    assert third["ETag"] != first["ETag"]
    assert b"".join(third.streaming_content) != body
    assert _drafts_stored(small_meeting) == [f"{third['ETag'].strip(chr(34))}.pdf"]  # old gone


def test_download_asks_to_save(
    client, member_user, small_meeting, django_capture_on_commit_callbacks
):
    client.force_login(member_user)
    url = reverse("headline-report-pdf", args=["DAG005"]) + "?download=1"
    with django_capture_on_commit_callbacks(execute=True):
        client.get(url)
    response = client.get(url)
    assert response["Content-Disposition"].startswith("attachment;")
    assert "DAG005-headline-report.pdf" in response["Content-Disposition"]


def test_render_command_writes_pdf_and_html(small_meeting, tmp_path, capsys):
    pdf = tmp_path / "out.pdf"
    call_command("render_headline_report", "DAG005", "--output", str(pdf))
    assert pdf.read_bytes()[:5] == b"%PDF-"
    assert "Programme to circulate the minutes" in pdftotext(pdf)
    html = tmp_path / "out.html"
    call_command("render_headline_report", "DAG 5", "--html", "-o", str(html))
    assert "Minutes and Actions" in html.read_text(encoding="utf-8")


def test_render_command_refuses_an_unknown_meeting(db, tmp_path):
    from django.core.management import CommandError

    with pytest.raises(CommandError, match="No meeting DAG099"):
        call_command("render_headline_report", "DAG099", "--output", str(tmp_path / "x.pdf"))


def test_an_action_added_later_under_an_earlier_area_joins_that_area(small_meeting):
    # Rows are in ref order; a later action under "Minutes and Actions", after one under
    # "AOB", opened a second "Minutes and Actions" group at the end of the report.
    minutes = small_meeting.agenda_items.get(title="Minutes and Actions")
    aob = services.agenda_item_create(meeting=small_meeting, title="AOB", acting_user=SYSTEM)
    for description, area in (("Programme to book the room", aob), ("PMO to file it", minutes)):
        action_create(
            meeting=small_meeting,
            description=description,
            owners=["Programme (PMO)"],
            due_date=dt.date(2023, 3, 22),
            agenda_item=area,
            acting_user=SYSTEM,
        )
    groups = headline_report_data(meeting=small_meeting).action_groups
    assert [(g.area, [row.ref for row in g.rows]) for g in groups] == [
        ("Minutes and Actions", ["DAG5-01", "DAG5-03"]),
        ("AOB", ["DAG5-02"]),
    ]
