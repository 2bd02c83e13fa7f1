"""Webhooks in a real browser: the PMO registers an endpoint (a receiver on 127.0.0.1), reads
its secret once, sends a test and sees it delivered in the log; the pages at 1280 and 390 px
fit the screen, label every control and pass axe-core. With ``SCREENSHOTS_DIR`` set, each
page is saved there."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.browser.test_pages import PROBLEMS_JS
from tests.webhooks.receiver import receiver_start
from webhooks.models import Endpoint


@pytest.fixture
def receiver():
    state, server = receiver_start()
    yield state
    server.shutdown()
    server.server_close()


def _check(page, name: str, width: int) -> None:
    from axe_playwright_python.sync_playwright import Axe

    assert page.evaluate(PROBLEMS_JS) == [], name
    results = Axe().run(page)
    shots = os.environ.get("SCREENSHOTS_DIR")
    if shots:
        Path(shots).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=f"{shots}/webhooks-{name}-{width}.png", full_page=True)
    assert results.violations_count == 0, results.generate_report()


@pytest.mark.parametrize("width", [1280, 390])
def test_the_pmo_registers_an_endpoint_and_sends_a_test(open_page, seeded, receiver, width):
    page = open_page("pmo", width=width)
    if width < 640:  # on a phone the navigation folds behind the Menu button
        page.get_by_role("button", name="Menu").click()
    page.get_by_role("link", name="Webhooks").click()
    _check(page, "list-empty", width)
    page.get_by_role("link", name="Add an endpoint").click()
    page.get_by_label("Name").fill("Programme Jira sync")
    page.get_by_label("URL").fill(receiver.url)
    page.get_by_label("Updated").check()
    page.get_by_label("Closed").check()
    page.get_by_label("DAG").check()
    _check(page, "form", width)
    page.get_by_role("button", name="Add the endpoint").click()
    secret = Endpoint.objects.get().secret
    expect(page.locator("#webhook-secret")).to_have_text(secret)
    _check(page, "secret", width)
    page.get_by_role("link", name="Go to Programme Jira sync").click()
    assert secret not in page.content()
    page.get_by_role("button", name="Send test").click()
    expect(page.locator("table").last).to_contain_text("Delivered")
    assert len(receiver.requests) == 1
    _check(page, "detail", width)
    page.goto("/webhooks/")
    _check(page, "list", width)
