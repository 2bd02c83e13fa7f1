"""User text in Arabic or Hebrew is isolated on the pages (issue 18): beside a ref it cannot
pull the ref, a date or punctuation into its own direction. Checked in Chromium through
what the page lays out: the isolating element is there (``<bdi>`` or ``unicode-bidi:
isolate``) and the ref is drawn left of the right-to-left text in the left-to-right page.
"""

from __future__ import annotations

import pytest

from core.actors import SYSTEM

HEBREW = "מערכת חדשה 2"
ARABIC = "مراجعة الميزانية 3"

# The left edge of the first text node of ``el`` that holds ``text``, as laid out.
_LEFT_OF = """(el, text) => {
  const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const at = node.data.indexOf(text);
    if (at < 0) continue;
    const range = document.createRange();
    range.setStart(node, at);
    range.setEnd(node, at + text.length);
    return range.getBoundingClientRect().left;
  }
  return null;
}"""


@pytest.fixture
def rtl_records(seeded):
    from actions.models import Action
    from actions.services import action_update
    from changerequests.services import change_request_update

    cr = change_request_update(change_request=seeded["cr"], title=HEBREW, acting_user=SYSTEM)
    action = Action.objects.filter(meeting__ref="DAG028").order_by("seq").first()
    action = action_update(action=action, description=ARABIC, acting_user=SYSTEM)
    return {"cr": cr, "action": action}


def test_a_hebrew_title_after_its_ref_keeps_the_ref_first(open_page, rtl_records, tmp_path):
    cr = rtl_records["cr"]
    page = open_page("pmo")
    page.goto(f"/change-requests/{cr.ref}/")
    heading = page.locator("h1")
    bdi = heading.locator("bdi")
    assert bdi.inner_text() == HEBREW
    assert bdi.evaluate("el => getComputedStyle(el).unicodeBidi") == "isolate"
    ref_left = heading.evaluate(_LEFT_OF, cr.ref)
    title_left = heading.evaluate(_LEFT_OF, "מערכת")
    assert ref_left is not None
    assert title_left is not None
    assert ref_left < title_left
    page.screenshot(path=tmp_path / "bidi-cr.png")


def test_an_arabic_description_is_isolated_in_the_register(open_page, rtl_records):
    action = rtl_records["action"]
    page = open_page("pmo")
    page.goto(f"/actions/?q={action.ref}")
    row = page.locator(f"tr:has(a.ref:text-is('{action.ref}'))")
    cell = row.locator('td[data-label="Action"]')
    assert cell.inner_text() == ARABIC
    assert cell.evaluate("el => getComputedStyle(el).unicodeBidi") == "isolate"
    owner = row.locator('td[data-label="Owner"]')
    assert owner.evaluate("el => getComputedStyle(el).unicodeBidi") == "isolate"


def test_the_action_page_isolates_description_and_owner(open_page, rtl_records):
    action = rtl_records["action"]
    page = open_page("pmo")
    page.goto(f"/actions/{action.ref}/")
    lead = page.locator("p.lead")
    assert lead.inner_text() == ARABIC
    assert lead.evaluate("el => getComputedStyle(el).unicodeBidi") == "isolate"
    assert page.locator("dl.facts dd bdi").count() >= 1
