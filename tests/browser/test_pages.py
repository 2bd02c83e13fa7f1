"""Every main page at laptop (1280 px) and phone (390 px) width, in each role that uses it.

Checks what a person would notice: nothing wider than the screen, exactly one main heading,
every form control labelled, no duplicate ids (labels and htmx targets rely on them). With
``SCREENSHOTS_DIR`` set (``screenshots/`` is ignored by git) each page is also saved as a PNG
to look at.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

PAGES = {
    "pmo": [
        "/",
        "/meetings/",
        "/meetings/DAG028/",
        "/meetings/DAG029/",
        "/meetings/DAG029/reviews/",
        "/meetings/DAG029/agenda-and-papers/",
        "/meetings/new/",
        "/actions/",
        "/actions/DAG28-01/",
        "/decisions/",
        "/change-requests/",
        "/change-requests/CR023/",
        "/committees/DAG/escalation/",
    ],
    "member": ["/actions/mine/", "/actions/DAG28-01/", "/meetings/DAG029/agenda-and-papers/"],
    "chair": [
        "/decisions/queue/",
        "/decisions/DAG-DEC69/",
        "/notifications/",
        "/notifications/settings/",
    ],
    "observer": ["/meetings/DAG028/"],
}

PROBLEMS_JS = """() => {
  const problems = [];
  const width = document.documentElement.scrollWidth;
  if (width > window.innerWidth) problems.push(`page is ${width}px wide`);
  const h1 = document.querySelectorAll("h1").length;
  if (h1 !== 1) problems.push(`${h1} h1 headings`);
  const controls = document.querySelectorAll(
    "input:not([type=hidden]):not([type=submit]):not([type=button]), select, textarea");
  for (const el of controls) {
    const named = el.labels.length || el.getAttribute("aria-label")
      || el.getAttribute("aria-labelledby");
    if (!named) problems.push(`unlabelled ${el.tagName.toLowerCase()} ${el.name}`);
  }
  const seen = new Set();
  for (const el of document.querySelectorAll("[id]")) {
    if (seen.has(el.id)) problems.push(`duplicate id ${el.id}`);
    seen.add(el.id);
  }
  return problems;
}"""


@pytest.mark.parametrize("width", [1280, 390])
def test_main_pages_fit_the_screen_and_label_every_control(open_page, seeded, width):
    shots = os.environ.get("SCREENSHOTS_DIR")
    found: dict[str, list[str]] = {}
    for username, urls in PAGES.items():
        page = open_page(username, width=width)
        for url in urls:
            response = page.goto(url)
            assert response.status == 200, url
            problems = page.evaluate(PROBLEMS_JS)
            if problems:
                found[f"{username} {url}"] = problems
            if shots:
                name = (username + url.replace("/", "_")).rstrip("_")
                Path(shots).mkdir(parents=True, exist_ok=True)
                page.screenshot(path=f"{shots}/{name}-{width}.png", full_page=True)
        page.context.close()
    assert found == {}
