"""The action register exported, edited the way a spreadsheet program would (openpyxl, or
CSV text), and imported back, on the seed's DAG28-01 and DAG28-02 (both due 11/10/2023)."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.urls import reverse
from openpyxl import load_workbook

from actions.models import Action
from actions.services import action_update
from composer.register_import import register_import_apply, register_import_plan
from core.actors import SYSTEM
from tests.fixtures import build_seedlike

pytestmark = pytest.mark.django_db


@pytest.fixture
def seed():
    return build_seedlike()


@pytest.fixture
def pmo():
    return get_user_model().objects.get(username="pmo")


def _export(client, user, fmt="xlsx") -> bytes:
    client.force_login(user)
    return client.get(reverse("register-export", args=["actions", fmt])).content


def _edit_xlsx(data: bytes, edits: dict[tuple[str, str], object]) -> bytes:
    """Change cells by (ref, heading), as a person would in a spreadsheet program."""
    workbook = load_workbook(io.BytesIO(data))
    sheet = workbook.active
    headings = [cell.value for cell in sheet[1]]
    for row in sheet.iter_rows(min_row=2):
        for (ref, heading), value in edits.items():
            if row[0].value == ref:
                row[headings.index(heading)].value = value
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def test_a_due_date_and_a_status_changed_in_a_spreadsheet_come_back(client, seed, pmo):
    edited = _edit_xlsx(
        _export(client, pmo),
        {("DAG28-01", "Due date"): dt.date(2023, 11, 8), ("DAG28-02", "Status"): "Closed"},
    )
    plan = register_import_plan(data=edited, user=pmo)
    assert plan.errors == []
    assert [(c.ref, c.field, c.old, c.new, c.conflict) for c in plan.changes] == [
        ("DAG28-01", "due_date", dt.date(2023, 10, 11), dt.date(2023, 11, 8), False),
        ("DAG28-02", "status", "open", "closed", False),
    ]
    # The dry run wrote nothing.
    assert Action.objects.get(ref="DAG28-01").due_date == dt.date(2023, 10, 11)

    register_import_apply(data=edited, acting_user=pmo)
    assert Action.objects.get(ref="DAG28-01").due_date == dt.date(2023, 11, 8)
    closed = Action.objects.get(ref="DAG28-02")
    assert closed.status == "closed"
    assert closed.history.first().history_user == pmo


def test_a_value_changed_in_the_product_since_the_export_is_a_conflict(client, seed, pmo):
    exported = _export(client, pmo)
    # After the export, someone re-dates DAG28-01 in the product.
    action_update(action=seed.dag28_01, due_date=dt.date(2023, 12, 6), acting_user=SYSTEM)
    edited = _edit_xlsx(exported, {("DAG28-01", "Due date"): dt.date(2023, 11, 8)})
    plan = register_import_plan(data=edited, user=pmo)
    [change] = plan.changes
    assert (change.old, change.new, change.conflict) == (
        dt.date(2023, 12, 6),
        dt.date(2023, 11, 8),
        True,
    )
    register_import_apply(data=edited, acting_user=pmo)  # conflicts keep the product's value
    assert Action.objects.get(ref="DAG28-01").due_date == dt.date(2023, 12, 6)
    register_import_apply(data=edited, acting_user=pmo, take=["DAG28-01:due_date"])
    assert Action.objects.get(ref="DAG28-01").due_date == dt.date(2023, 11, 8)


def test_one_bad_row_writes_nothing(client, seed, pmo):
    edited = _edit_xlsx(
        _export(client, pmo),
        {("DAG28-01", "Due date"): dt.date(2023, 11, 8), ("DAG28-02", "Due date"): "soon"},
    )
    plan = register_import_apply(data=edited, acting_user=pmo)
    assert plan.errors == [
        "Row 3 (DAG28-02): “soon” is not a date (write 11/10/2023 or 2023-10-11)."
    ]
    assert Action.objects.get(ref="DAG28-01").due_date == dt.date(2023, 10, 11)


def test_csv_in_windows_1252_with_semicolons_and_a_byte_order_mark(client, seed, pmo):
    text = (
        "Ref;Description;Due date\r\n"
        "DAG28-01;Programme to provide the explainer – café;08/11/2023\r\n"
    )
    for data in (text.encode("cp1252"), b"\xef\xbb\xbf" + text.encode("utf-8")):
        plan = register_import_plan(data=data, user=pmo)
        assert plan.errors == []
        assert {(c.field, c.new) for c in plan.changes} == {
            ("description", "Programme to provide the explainer – café"),
            ("due_date", dt.date(2023, 11, 8)),
        }


def test_the_command_dry_run_then_import_keeps_current_values_on_conflict(
    client, seed, pmo, tmp_path
):
    path = tmp_path / "register.xlsx"
    path.write_bytes(_edit_xlsx(_export(client, pmo), {("DAG28-01", "Status"): "Closed"}))
    out = io.StringIO()
    call_command("import_register", str(path), "--dry-run", stdout=out)
    assert "DAG28-01 Status: Open → Closed" in out.getvalue()
    assert Action.objects.get(ref="DAG28-01").status == "open"
    call_command("import_register", str(path), stdout=io.StringIO())
    assert Action.objects.get(ref="DAG28-01").status == "closed"


def test_only_the_pmo_imports_and_an_observer_is_refused(client, seed):
    member = get_user_model().objects.get(username="member")
    client.force_login(member)
    assert client.get(reverse("register-import")).status_code == 403


def test_the_import_page_previews_then_imports_with_the_chosen_conflicts(client, seed, pmo):
    exported = _export(client, pmo)
    action_update(action=seed.dag28_01, due_date=dt.date(2023, 12, 6), acting_user=SYSTEM)
    edited = _edit_xlsx(
        exported,
        {("DAG28-01", "Due date"): dt.date(2023, 11, 8), ("DAG28-02", "Status"): "Closed"},
    )
    upload = io.BytesIO(edited)
    upload.name = "register.xlsx"
    preview = client.post(reverse("register-import"), {"file": upload})
    page = preview.content.decode()
    assert preview.status_code == 200
    assert "06/12/2023" in page
    assert "08/11/2023" in page
    assert 'value="DAG28-01:due_date"' in page  # the conflict, to choose
    assert Action.objects.get(ref="DAG28-02").status == "open"  # nothing written yet
    done = client.post(reverse("register-import"), {"confirm": "1"})
    assert done.status_code == 302
    assert Action.objects.get(ref="DAG28-02").status == "closed"
    assert Action.objects.get(ref="DAG28-01").due_date == dt.date(2023, 12, 6)  # kept


def test_the_api_lists_then_applies_the_changes(client, seed, pmo):
    from rest_framework.authtoken.models import Token

    edited = _edit_xlsx(_export(client, pmo), {("DAG28-01", "Status"): "Closed"})
    headers = {"HTTP_AUTHORIZATION": f"Token {Token.objects.create(user=pmo).key}"}
    client.logout()

    def post(**fields):
        upload = io.BytesIO(edited)
        upload.name = "register.xlsx"
        return client.post(
            "/api/v1/imports/action-register/", {"file": upload, **fields}, **headers
        )

    listed = post()
    assert listed.status_code == 200
    assert listed.json()["changes"] == [
        {"ref": "DAG28-01", "field": "status", "old": "open", "new": "closed", "conflict": False}
    ]
    assert Action.objects.get(ref="DAG28-01").status == "open"
    assert post(dry_run="false").status_code == 200
    assert Action.objects.get(ref="DAG28-01").status == "closed"
    member = get_user_model().objects.get(username="member")
    headers["HTTP_AUTHORIZATION"] = f"Token {Token.objects.create(user=member).key}"
    assert post().status_code == 403


def test_a_csv_round_trip_keeps_quotes_and_commas_in_descriptions(client, seed, pmo):
    said = 'Chair said "yes", then "no" to this'
    action_update(action=seed.dag28_02, description=said, acting_user=SYSTEM)
    exported = _export(client, pmo, fmt="csv")
    plan = register_import_plan(data=exported, user=pmo)
    assert plan.errors == []
    assert plan.changes == []  # nothing changed, nothing to import
