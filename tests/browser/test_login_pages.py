"""The sign-in, reset, lockout, token, admin and API docs pages in Chromium under the
Content-Security-Policy: each renders and works, and nothing on them is refused (the
``open_page`` fixture fails a test on any CSP violation)."""

from __future__ import annotations

import os
from pathlib import Path

from rest_framework.authtoken.models import Token


def shoot(page, name: str) -> None:
    shots = os.environ.get("SCREENSHOTS_DIR")
    if shots:
        Path(shots).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(shots) / f"{name}.png"), full_page=True)


def test_the_listener_catches_an_inline_script(open_page, seeded, csp_violations):
    page = open_page(None)
    page.evaluate(
        """() => { const s = document.createElement("script");
        s.textContent = "window.ran = true"; document.body.appendChild(s); }"""
    )
    page.wait_for_timeout(200)
    assert page.evaluate("() => window.ran === undefined")
    assert any("script-src" in v for v in csp_violations), csp_violations
    csp_violations.clear()


def test_signing_out_pages_and_the_lockout_page(open_page, seeded):
    for width in (1280, 390):
        page = open_page(None, width=width)
        shoot(page, f"login-{width}")
        page.get_by_role("link", name="Forgotten your password?").click()
        page.get_by_label("Email").fill("chair@example.org")
        page.get_by_role("button", name="Send the link").click()
        assert page.get_by_role("heading", name="Check your email").is_visible()
        shoot(page, f"reset-done-{width}")
    page = open_page(None)
    for _ in range(5):
        page.get_by_label("Username").fill("chair")
        page.get_by_label("Password").fill("not-the-password")
        page.get_by_role("button", name="Sign in").click()
    assert page.get_by_role("heading", name="Too many sign-in attempts").is_visible()
    shoot(page, "locked-out")


def test_the_token_page_admin_and_api_docs_run_under_the_policy(open_page, seeded):
    page = open_page("pmo")
    page.goto("/api/token/")
    page.get_by_role("button", name="Create my token").click()
    assert page.locator("#api-token").is_visible()
    page.goto("/admin/")
    assert page.get_by_role("link", name="Decisions").first.is_visible()
    assert page.get_by_text("Tokens").count() == 0
    page.goto("/admin/decisions/decision/")
    page.get_by_role("link", name="DAG-DEC68").click()
    page.wait_for_selector("#decision_form")
    page.goto("/api/v1/docs/")
    page.wait_for_selector(".swagger-ui .info .title")
    assert "Governance tracker API" in page.locator(".swagger-ui .info .title").inner_text()
    assert Token.objects.filter(user__username="pmo").exists()


def test_the_confirm_on_withdraw_still_asks(open_page, seeded):
    page = open_page("pmo")
    ref = seeded["decision"].ref
    page.goto(f"/decisions/{ref}/")
    questions = []

    def dismiss(dialog):
        questions.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", dismiss)
    page.get_by_role("button", name="Withdraw").click()
    page.wait_for_timeout(300)
    assert questions == [f"Withdraw {ref}? It cannot be decided afterwards."]
    assert page.url.endswith(f"/decisions/{ref}/")
