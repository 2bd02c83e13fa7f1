"""A row taller than a page in the headline report PDF: it breaks across pages and the
table's header row is printed again at the top of each page it continues on (DESIGN.md:
"table headers repeat on each page"). The PDF's text is read back with ``pdftotext``."""

from __future__ import annotations

import datetime as dt

import pytest

from actions.services import action_create
from composer.report import headline_report_data
from composer.report_render import headline_report_pdf
from core.actors import SYSTEM
from decisions.services import decision_create
from tests.fixtures import build_seedlike
from tests.meetings.test_report_outcomes import pdf_pages, squash

# About three pages of text in one cell.
LONG_TEXT = " ".join(
    f"Step {n}: the Programme to confirm the interface item {n}." for n in range(120)
)


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def seed(db):
    return build_seedlike()


def test_a_row_taller_than_a_page_repeats_the_header_on_each_page(seed):
    action_create(
        meeting=seed.dag028,
        agenda_item=seed.dag28_01.agenda_item,
        description=LONG_TEXT,
        owners=["Programme (Rob Short)"],
        due_date=dt.date(2023, 10, 11),
        acting_user=SYSTEM,
    )
    decision_create(
        meeting=seed.dag028, agenda_item=seed.dec68.agenda_item, text=LONG_TEXT, acting_user=SYSTEM
    )
    pages = pdf_pages(headline_report_pdf(data=headline_report_data(meeting=seed.dag028)))
    assert len(pages) >= 4
    # The long action starts on page 1 (rows may break) and runs on over the next page(s):
    # each of them opens with the Actions table's header row; then the decision's pages
    # open with the Decisions table's.
    first_line = [page.strip().splitlines()[0] for page in pages]
    assert "Step 0: the Programme" in pages[0]
    assert first_line[1] == "Area Ref Action Owner Due"
    continued = [n for n, page in enumerate(pages) if n and "Step 119" in page]
    assert len(continued) == 2  # the action's end, then the decision's
    action_pages = range(1, continued[0] + 1)
    decision_start = next(n for n, page in enumerate(pages) if "DAG-DEC69" in page)
    assert all(first_line[n] == "Area Ref Action Owner Due" for n in action_pages)
    assert all(
        first_line[n] == "Area Ref Decision Outcome"
        for n in range(decision_start + 1, continued[1] + 1)
    )
    # Nothing of the rows is lost at a break.
    text = squash(" ".join(pages))
    assert all(text.count(f"interface item {n}.") == 2 for n in range(120))
