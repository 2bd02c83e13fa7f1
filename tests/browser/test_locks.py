"""A decided decision and CR in Chromium at 1280 and 390 px: the lock notice, the re-open
form and the re-opening's log fit the screen with every control labelled (issue #12).

The seed report imported: DAG-DEC68 approved CR023 at DAG028. With ``SCREENSHOTS_DIR`` set,
each step is saved as a PNG to look at.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.browser.test_pages import PROBLEMS_JS

REASON = "The minutes misquote the chair: the approval was for IR5 only."


def _check(page, name: str, width: int) -> list[str]:
    shots = os.environ.get("SCREENSHOTS_DIR")
    if shots:
        Path(shots).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=f"{shots}/locks-{name}-{width}.png", full_page=True)
    return [f"{name}: {problem}" for problem in page.evaluate(PROBLEMS_JS)]


@pytest.mark.parametrize("width", [1280, 390])
def test_the_chair_reopens_dag_dec68_from_its_page(open_page, seeded, width):
    page = open_page("chair", width=width)
    page.goto("/decisions/DAG-DEC68/")
    assert page.get_by_role("heading", name="Locked as decided").is_visible()
    problems = _check(page, "decision-locked", width)
    page.locator("summary", has_text="Re-open DAG-DEC68").click()
    page.get_by_label("Reason").fill(REASON)
    problems += _check(page, "decision-reopen-form", width)
    page.get_by_role("button", name="Re-open DAG-DEC68").click()
    page.wait_for_url("**/decisions/DAG-DEC68/")
    assert page.get_by_text("DAG-DEC68 re-opened: it awaits the chair again.").is_visible()
    assert page.get_by_text(f"Re-opened by Demo Chair (Chair): {REASON}").is_visible()
    assert page.get_by_role("heading", name="Decide").is_visible()
    problems += _check(page, "decision-reopened", width)

    cr_page = open_page("pmo", width=width)
    cr_page.goto("/change-requests/CR023/")
    assert cr_page.get_by_text(f"DAG-DEC68 re-opened: {REASON}").is_visible()
    problems += _check(cr_page, "cr-reopened", width)
    cr_page.goto("/change-requests/CR027/")  # approved with conditions at DAG028
    assert cr_page.get_by_text("Its title and description stay as decided").is_visible()
    problems += _check(cr_page, "cr-locked", width)
    assert problems == []
