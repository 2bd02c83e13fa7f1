"""The four flows of issue #4 in a real browser, checked against the database afterwards.

Seed values: DAG029 is the planned next DAG (11 October 2023 10am) with no actions yet, so its
first action is DAG29-01; DAG28-01 is owned by Programme (Rob Short), the demo member.
"""

from __future__ import annotations

import re

from playwright.sync_api import expect

from actions.models import Action, ActionUpdate
from changerequests.models import ChangeRequest
from decisions.models import Decision


def test_pmo_adds_an_action_to_the_planned_meeting_in_place(open_page, seeded):
    page = open_page("pmo")
    page.goto("/meetings/DAG029/")
    page.locator("summary", has_text="Add action").click()
    form = page.locator("#form-anew-action")
    form.get_by_label("Area").fill("Minutes and Actions")
    form.get_by_label("Description").fill("Programme to circulate the DRG outcome to members")
    form.get_by_label("Owners").fill("Programme (Rob Short)")
    form.get_by_label("Due date").fill("2023-11-08")
    form.get_by_role("button", name="Add action").click()

    row = page.locator("#r-DAG29-01")
    expect(row).to_contain_text("DAG29-01")
    expect(row).to_contain_text("Programme to circulate the DRG outcome to members")
    expect(row).to_contain_text("Programme (Rob Short)")
    expect(row).to_contain_text("08/11/2023")
    expect(page.locator("#messages")).to_contain_text("Action DAG29-01 added.")
    expect(page.locator("#area-titles option[value='Minutes and Actions']")).to_have_count(1)
    assert page.url.endswith("/meetings/DAG029/")  # recorded without leaving the page
    action = Action.objects.get(ref="DAG29-01")
    assert action.meeting.ref == "DAG029"
    assert action.owner_display() == "Programme (Rob Short)"


def test_member_posts_an_update_on_dag28_01_and_proposes_closure(open_page, seeded):
    page = open_page("member")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="My actions").click()
    card = page.locator("#r-DAG28-01")
    expect(card).to_contain_text("Programme to provide overview of the Related MPAN Explainer")
    card.get_by_text("Post an update").click()
    card.get_by_role("textbox", name="Progress update").fill(
        "Overview presented to the DRG on 4 October 2023."
    )
    card.get_by_label("Propose closure").check()
    card.get_by_role("button", name="Post update").click()

    expect(page.locator("#messages")).to_contain_text(
        "Update posted; closure of DAG28-01 proposed to the PMO."
    )
    page.goto("/actions/DAG28-01/")
    expect(page.locator("#updates")).to_contain_text("Overview presented to the DRG")
    expect(page.locator(".page-head")).to_contain_text("Proposed for closure")
    action = Action.objects.get(ref="DAG28-01")
    assert action.status == Action.Status.PROPOSED_CLOSURE
    update = ActionUpdate.objects.get(action=action)
    assert (update.author.username, update.proposes_closure) == ("member", True)


def test_chair_approves_a_proposed_decision_with_conditions(open_page, seeded):
    ref = seeded["decision"].ref
    page = open_page("chair")
    page.goto("/decisions/queue/")
    card = page.locator(f"#r-{ref}")
    card.get_by_label("Approve with conditions").check()
    card.get_by_role("button", name="Record decision").click()
    # The server insists on the conditions.
    expect(page.locator(f"#r-{ref}")).to_contain_text("State the conditions of the approval.")
    card = page.locator(f"#r-{ref}")
    expect(card.get_by_label("Approve with conditions")).to_be_checked()
    card.get_by_role("textbox", name="Conditions").fill(
        "Provided there is no impact on SIT timelines"
    )
    card.get_by_role("button", name="Record decision").click()

    expect(page.locator("#messages")).to_contain_text(f"{ref}: approved with conditions.")
    expect(page.locator(f"#r-{ref}")).to_have_count(0)  # no longer in the queue
    decision = Decision.objects.select_related("decided_by").get(ref=ref)
    assert decision.status == Decision.Status.APPROVED_WITH_CONDITIONS
    assert decision.conditions == "Provided there is no impact on SIT timelines"
    assert decision.decided_by.name == "Demo Chair"
    assert decision.decided_at is not None
    cr = ChangeRequest.objects.get(pk=seeded["cr"].pk)
    assert cr.status == ChangeRequest.Status.APPROVED_WITH_CONDITIONS


def test_a_members_attempt_to_approve_is_refused_by_the_server(open_page, seeded):
    ref = seeded["decision"].ref
    page = open_page("member")
    page.goto("/decisions/queue/")
    expect(page.locator(f"#r-{ref}")).to_be_visible()
    expect(page.get_by_role("button", name="Record decision")).to_have_count(0)
    # The member crafts the chair's POST in their own signed-in browser.
    status = page.evaluate(
        """async (ref) => {
            const token = JSON.parse(document.body.getAttribute("hx-headers"))["X-CSRFToken"];
            const body = new URLSearchParams({[ref + "-outcome"]: "approve"});
            const response = await fetch(`/decisions/${ref}/decide/`, {
                method: "POST", body, headers: {"X-CSRFToken": token}});
            return response.status;
        }""",
        ref,
    )
    assert status == 403
    page.goto(f"/decisions/{ref}/")
    expect(page.locator(".page-head")).to_contain_text("Proposed")
    decision = Decision.objects.get(ref=ref)
    assert (decision.status, decision.decided_at) == (Decision.Status.PROPOSED, None)
    assert re.match(r"^DAG-DEC\d+$", ref)


def test_pmo_adds_an_action_under_an_area_of_the_meeting_page(open_page, seeded):
    """The forms under an area are fetched when their disclosure opens, with the area filled
    in and the cursor in the description."""
    from meetings.models import AgendaItem

    area = AgendaItem.objects.get(meeting__ref="DAG028", title="Minutes and Actions")
    page = open_page("pmo")
    page.goto("/meetings/DAG028/")
    section = page.locator(f"#area-{area.pk}")
    section.get_by_text("Action under Minutes and Actions", exact=True).click()
    form = page.locator(f"#form-a{area.pk}-action")
    expect(form.get_by_label("Area")).to_have_value("Minutes and Actions")
    expect(form.get_by_label("Description")).to_be_focused()
    form.get_by_label("Description").fill("Programme to share the MPAN explainer slides")
    form.get_by_label("Owners").fill("Programme (Rob Short)")
    form.get_by_role("button", name="Add action").click()

    expect(page.locator("#messages")).to_contain_text(re.compile(r"Action DAG28-\d+ added\."))
    action = Action.objects.get(description="Programme to share the MPAN explainer slides")
    expect(page.locator("#messages")).to_contain_text(f"Action {action.ref} added.")
    row = page.locator(f"#area-{area.pk} #r-{action.ref}")
    expect(row).to_contain_text("Programme (Rob Short)")
    assert action.agenda_item_id == area.pk
