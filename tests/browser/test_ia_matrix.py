"""The impact assessment matrix on a CR's page and "pending for me" under My actions, in
Chromium at 1280 and 390 px, checked with axe-core (screenshots to ``SCREENSHOTS_DIR``)."""

from __future__ import annotations

import datetime as dt

import pytest

from changerequests.expected_respondents import expected_respondent_add
from changerequests.services import ia_response_record
from core.actors import SYSTEM
from meetings.models import Organisation
from tests.browser.test_email_links import _shot


@pytest.mark.parametrize("width", [1280, 390])
def test_the_matrix_and_pending_for_me_pass_axe(open_page, seeded, width):
    from axe_playwright_python.sync_playwright import Axe

    cr = seeded["cr"]
    for name in ("Elexon", "Programme", "RECCo"):
        expected_respondent_add(
            change_request=cr,
            organisation=Organisation.objects.get_or_create(name=name)[0],
            due_date=dt.date(2099, 10, 20),
            acting_user=SYSTEM,
        )
    ia_response_record(
        change_request=cr,
        organisation=Organisation.objects.get(name="Elexon"),
        position="support_with_conditions",
        conditions="Only in IR6.",
        received_date=dt.date(2023, 10, 2),
        acting_user=SYSTEM,
    )
    page = open_page("member", width=width)  # Rob Short, of Programme
    page.goto(f"/change-requests/{cr.ref}/")
    matrix = page.locator("#ia-matrix")
    assert "Expected respondents (3, 2 awaited)" in matrix.inner_text()
    matrix.scroll_into_view_if_needed()
    _shot(page, f"ia-matrix-{width}")
    results = Axe().run(page)
    assert results.violations_count == 0, results.generate_report()
    page.goto("/actions/mine/")
    pending = page.locator("#ia-pending")
    assert cr.ref in pending.inner_text()
    _shot(page, f"ia-pending-{width}")
    results = Axe().run(page)
    assert results.violations_count == 0, results.generate_report()
