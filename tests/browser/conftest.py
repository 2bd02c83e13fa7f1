"""Playwright in real headless Chromium (Debian's ``/usr/bin/chromium``; never downloaded).

pytest-django's ``live_server`` serves the app (static files included, so htmx from the
django-htmx package is real). Playwright's sync API runs an event loop in this thread, so
Django's async-safety check is relaxed for these tests only.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import expect

from core.actors import SYSTEM

# Assertions wait as long as actions do (the contexts' default, below): under CI's load a page's
# answer to a form can take longer than Playwright's 5 s.
expect.set_options(timeout=10_000)

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/browser/" in str(item.fspath).replace(os.sep, "/"):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def chromium() -> Iterator[Any]:
    """One headless Chromium for the session."""
    from playwright.sync_api import sync_playwright

    if not os.path.exists(CHROMIUM):
        pytest.fail(f"{CHROMIUM} is missing: run scripts/ensure-system-deps")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


# Every page reports what the Content-Security-Policy refused, as a console error.
CSP_REPORTER_JS = """document.addEventListener("securitypolicyviolation", (e) =>
  console.error(`CSP violation: ${e.violatedDirective} ${e.blockedURI} ${e.sourceFile}`));"""


def watch_csp(context: Any, violations: list[str]) -> None:
    """Collect in ``violations`` every CSP refusal on the pages of ``context``: the browser's
    own console message and the ``securitypolicyviolation`` event's."""
    context.add_init_script(CSP_REPORTER_JS)

    def on_console(message: Any) -> None:
        text = message.text
        if "Content Security Policy" in text or text.startswith("CSP violation"):
            violations.append(f"{message.page.url if message.page else ''}: {text}")

    context.on("console", on_console)


@pytest.fixture
def csp_violations() -> Iterator[list[str]]:
    """The CSP refusals seen by the test's browser contexts: the test fails if there are any."""
    violations: list[str] = []
    yield violations
    if violations:
        pytest.fail("Content-Security-Policy violations:\n" + "\n".join(violations))


@pytest.fixture
def open_page(chromium, live_server, csp_violations):
    """``open_page("member", width=390)``: a fresh browser context signed in as a demo login
    through the login form, on a page of the given width (``username=None``: signed out).
    A CSP violation on any of its pages fails the test."""
    contexts = []

    def make(username: str | None, *, width: int = 1280) -> Any:
        context = chromium.new_context(
            base_url=live_server.url, viewport={"width": width, "height": 900}
        )
        context.set_default_timeout(10_000)
        watch_csp(context, csp_violations)
        contexts.append(context)
        page = context.new_page()
        page.goto("/accounts/login/")
        if username is None:
            return page
        page.get_by_label("Username").fill(username)
        page.get_by_label("Password").fill(f"{username}-demo")
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_url(f"{live_server.url}/")
        return page

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def seeded(transactional_db):
    """The seed report imported (DAG028 and the planned DAG029), the demo logins, and one
    proposed decision at DAG029 on a CR awaiting decision, for the chair."""
    from changerequests.services import change_request_create
    from composer.demo import SEED_REPORT, demo_logins_ensure
    from composer.importer import headline_report_import_file
    from decisions.services import decision_create
    from meetings.models import Meeting

    headline_report_import_file(path=SEED_REPORT, acting_user=SYSTEM)
    demo_logins_ensure()
    dag029 = Meeting.objects.get(ref="DAG029")
    cr = change_request_create(
        number=32,
        title="Compressed payloads in IR6",
        status="awaiting_decision",
        acting_user=SYSTEM,
    )
    decision = decision_create(
        meeting=dag029,
        text="The SRO approved CR032 for implementation",
        change_request=cr,
        acting_user=SYSTEM,
    )
    return {"dag029": dag029, "decision": decision, "cr": cr}
