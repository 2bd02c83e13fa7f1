"""Register imports of files a spreadsheet program or a person can make that the export
never writes: a record version that is no date, UTF-16 text, a bare CR, a NUL, year 1; and
the confirmation's message when an action changed between the preview and the confirmation."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.contrib.auth import get_user_model
from django.contrib.messages import get_messages
from django.core.management import CommandError, call_command
from django.urls import reverse
from rest_framework.authtoken.models import Token

from actions.models import Action
from actions.services import action_update
from composer.register_import import register_import_apply, register_import_plan
from core.actors import SYSTEM
from tests.fixtures import build_seedlike

pytestmark = pytest.mark.django_db

BAD_VERSIONS = ["2023-13-45T10:00:00", "2023-02-30T10:00:00"]


@pytest.fixture
def seed():
    return build_seedlike()


@pytest.fixture
def pmo():
    return get_user_model().objects.get(username="pmo")


def _csv(*rows: str) -> bytes:
    lines = ["Ref,Description,Due date,Record version", *rows]
    return ("\r\n".join(lines) + "\r\n").encode()


@pytest.mark.parametrize("version", BAD_VERSIONS)
def test_a_record_version_that_is_no_date_is_a_row_error(seed, pmo, version):
    data = _csv(f"DAG28-01,Programme,08/11/2023,{version}")
    plan = register_import_apply(data=data, acting_user=pmo)
    assert plan.errors == [
        f"Row 2 (DAG28-01): the record version “{version}” is not a date and time the export wrote."
    ]
    assert Action.objects.get(ref="DAG28-01").due_date == dt.date(2023, 10, 11)


def test_a_bad_record_version_on_the_page_the_api_and_the_command(client, seed, pmo, tmp_path):
    data = _csv(f"DAG28-01,Programme,08/11/2023,{BAD_VERSIONS[1]}")
    client.force_login(pmo)
    upload = io.BytesIO(data)
    upload.name = "register.csv"
    page = client.post(reverse("register-import"), {"file": upload})
    assert page.status_code == 200
    assert "is not a date and time the export wrote" in page.content.decode()

    client.logout()
    upload = io.BytesIO(data)
    upload.name = "register.csv"
    token = Token.objects.create(user=pmo).key
    answer = client.post(
        "/api/v1/imports/action-register/",
        {"file": upload},
        HTTP_AUTHORIZATION=f"Token {token}",
    )
    assert answer.status_code == 422
    assert "is not a date and time" in answer.json()["errors"][0]

    path = tmp_path / "register.csv"
    path.write_bytes(data)
    with pytest.raises(CommandError, match="is not a date and time the export wrote"):
        call_command("import_register", str(path), stdout=io.StringIO())


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be"])
def test_utf16_tab_separated_text_as_excel_saves_it(seed, pmo, encoding):
    text = "Ref\tDescription\tDue date\r\nDAG28-01\tProgramme – café\t08/11/2023\r\n"
    data = text.encode(encoding)
    if encoding != "utf-16":  # Excel writes the mark; the codec without one does not
        data = ("\ufeff" + text).encode(encoding)
    plan = register_import_plan(data=data, user=pmo)
    assert plan.errors == []
    assert {(c.field, c.new) for c in plan.changes} == {
        ("description", "Programme – café"),
        ("due_date", dt.date(2023, 11, 8)),
    }


def test_a_bare_cr_inside_an_unquoted_cell_is_a_file_error(client, seed, pmo):
    data = b"Ref,Description,Due date\r\nDAG28-01,Pro\rgramme,08/11/2023\r\n"
    plan = register_import_plan(data=data, user=pmo)
    assert len(plan.errors) == 1
    assert "not readable CSV" in plan.errors[0]
    client.force_login(pmo)
    upload = io.BytesIO(data)
    upload.name = "register.csv"
    page = client.post(reverse("register-import"), {"file": upload})
    assert page.status_code == 200
    assert "not readable CSV" in page.content.decode()


def test_a_nul_in_a_description_and_a_due_date_in_year_one_are_row_errors(seed, pmo):
    data = _csv("DAG28-01,Pro\x00gramme,08/11/2023", "DAG28-02,Programme,0001-01-01")
    plan = register_import_apply(data=data, acting_user=pmo)
    assert plan.errors == [
        "Row 2 (DAG28-01): the description holds a NUL character.",
        "Row 3 (DAG28-02): the due date 0001-01-01 is out of range "
        "(give a date from 1990 to 2100).",
    ]
    assert Action.objects.get(ref="DAG28-02").due_date == dt.date(2023, 10, 11)


def test_confirming_says_which_previewed_change_was_kept_as_changed_meanwhile(client, seed, pmo):
    data = (
        b"Ref,Due date,Record version\r\n"
        + (
            f"DAG28-01,08/11/2023,{dt.datetime.now(dt.UTC).isoformat()}\r\n"
            f"DAG28-02,08/11/2023,{dt.datetime.now(dt.UTC).isoformat()}\r\n"
        ).encode()
    )
    client.force_login(pmo)
    upload = io.BytesIO(data)
    upload.name = "register.csv"
    preview = client.post(reverse("register-import"), {"file": upload})
    assert "DAG28-02" in preview.content.decode()
    # Another user re-dates DAG28-02 after the preview.
    action_update(
        action=Action.objects.get(ref="DAG28-02"), due_date=dt.date(2023, 12, 6), acting_user=SYSTEM
    )
    done = client.post(reverse("register-import"), {"confirm": "1"}, follow=True)
    said = [str(m) for m in get_messages(done.wsgi_request)] or [done.content.decode()]
    assert any(
        "1 change imported from the register; DAG28-02 was changed in the tracker since the "
        "preview and kept as it is." in text
        for text in said
    )
    assert Action.objects.get(ref="DAG28-01").due_date == dt.date(2023, 11, 8)
    assert Action.objects.get(ref="DAG28-02").due_date == dt.date(2023, 12, 6)
