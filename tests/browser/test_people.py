"""The people directory in a real browser: the PMO adds a person from an owner field with
their email, invites them, and they set a password from the emailed link and sign in. And
the directory's pages at laptop and phone width (the checks of ``test_pages``).

Seed values: DAG029 is the planned next DAG with no actions yet (its first is DAG29-01); Rob
Short of the Programme is the demo member; Haz Elmamoun has no email.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from django.core import mail
from playwright.sync_api import expect

from actions.models import Action
from meetings.models import Committee, Person
from tests.browser.test_pages import PROBLEMS_JS


def test_pmo_adds_an_owner_to_the_directory_invites_them_and_they_sign_in(
    open_page, seeded, chromium, live_server
):
    page = open_page("pmo")
    page.goto("/meetings/DAG029/")
    page.locator("summary", has_text="Add action").click()
    form = page.locator("#form-anew-action")
    form.get_by_label("Description").fill("Programme to brief the new testing lead")
    owners = form.get_by_label("Owners")

    # Suggestions as the PMO types: choose Rob Short with the keyboard.
    owners.press_sequentially("rob sh", delay=30)
    option = page.get_by_role("option", name="Programme (Rob Short)")
    expect(option).to_be_visible()
    owners.press("ArrowDown")
    owners.press("Enter")
    expect(owners).to_have_value("Programme (Rob Short)")

    # A name the directory does not know: a field error and the explicit step.
    owners.fill("Programme (Ann Newcomer)")
    form.get_by_role("button", name="Add action").click()
    form = page.locator("#form-anew-action")
    expect(form).to_contain_text("“Ann Newcomer” is not in the people directory")
    assert not Person.objects.filter(name="Ann Newcomer").exists()
    form.get_by_label("Add “Ann Newcomer” to the people directory as a new person").check()
    form.get_by_label("The new person's email").fill("ann.newcomer@example.org")
    form.get_by_role("button", name="Add action").click()
    expect(page.locator("#r-DAG29-01")).to_contain_text("Programme (Ann Newcomer)")
    ann = Person.objects.get(name="Ann Newcomer")
    assert ann.email == "ann.newcomer@example.org"
    assert Action.objects.get(ref="DAG29-01").owners.get().person == ann

    # The PMO invites her from the directory.
    page.get_by_role("navigation", name="Main").get_by_role("link", name="People").click()
    directory_search = page.get_by_role("search", name="Search people")
    directory_search.get_by_label("Search", exact=True).fill("newcomer")
    directory_search.get_by_role("button", name="Search").click()
    page.get_by_role("link", name="Ann Newcomer").click()
    page.get_by_role("button", name="Invite to sign in").click()
    expect(page.locator("#messages")).to_contain_text("Invitation sent to ann.newcomer@example.org")
    body = mail.outbox[-1].body
    assert mail.outbox[-1].to == ["ann.newcomer@example.org"]
    link = re.search(r"https?://\S+/accounts/reset/\S+", body).group(0)
    username = re.search(r"Your username is: (\S+)", body).group(1)

    # Ann, in a browser of her own, sets a password and signs in.
    context = chromium.new_context(base_url=live_server.url)
    try:
        ann_page = context.new_page()
        ann_page.goto(link.replace(re.match(r"https?://[^/]+", link).group(0), live_server.url))
        ann_page.get_by_label("New password", exact=True).fill("Newcomer-pass-2023")
        ann_page.get_by_label("New password confirmation").fill("Newcomer-pass-2023")
        ann_page.get_by_role("button", name="Set my password").click()
        expect(ann_page.get_by_role("heading", name="Password set")).to_be_visible()
        ann_page.get_by_role("link", name="Sign in").click()
        ann_page.get_by_label("Username").fill(username)
        ann_page.get_by_label("Password").fill("Newcomer-pass-2023")
        ann_page.get_by_role("button", name="Sign in").click()
        expect(ann_page.get_by_role("heading", level=1)).to_have_text("Hello Ann Newcomer")
    finally:
        context.close()


@pytest.mark.parametrize("width", [1280, 390])
def test_directory_pages_fit_the_screen_and_label_every_control(open_page, seeded, width):
    shots = os.environ.get("SCREENSHOTS_DIR")
    dag = Committee.objects.get(code="DAG")
    haz = Person.objects.get(name="Haz Elmamoun")
    page = open_page("pmo", width=width)
    found = {}
    for url in [
        "/people/",
        "/people/?flag=no-email",
        f"/people/{haz.pk}/",
        "/people/new/",
        "/organisations/",
        "/committees/",
        f"/committees/{dag.code}/",
        f"/committees/{dag.code}/members/new/",
    ]:
        response = page.goto(url)
        assert response.status == 200, url
        problems = page.evaluate(PROBLEMS_JS)
        if problems:
            found[url] = problems
        if shots:
            name = ("people" + url.replace("/", "_").replace("?", "_")).rstrip("_")
            Path(shots).mkdir(parents=True, exist_ok=True)
            page.screenshot(path=f"{shots}/{name}-{width}.png", full_page=True)
    assert found == {}
    page.goto("/people/")
    row = page.get_by_role("row").filter(has_text="Haz Elmamoun")
    expect(row).to_contain_text("no email")
    expect(row).to_contain_text("no login")
