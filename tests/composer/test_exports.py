"""Register exports on the seed's records: XLSX read back with openpyxl, CSV with csv.

The seed: DAG28-01 (Programme (Rob Short)) and DAG28-02 (Large Supplier Representative (Haz
Elmamoun)), both raised at DAG028 on 13/09/2023 and due 11/10/2023; DAG-DEC68 on CR023.
"""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.urls import reverse
from openpyxl import load_workbook

from actions.services import action_create, action_update
from core.actors import SYSTEM
from decisions.services import decision_approve
from meetings import services
from meetings.models import Meeting
from tests.conftest import london
from tests.fixtures import build_seedlike

pytestmark = pytest.mark.django_db

FORMULA = '=HYPERLINK("http://evil.example","click")'


@pytest.fixture
def seed():
    return build_seedlike()


def _user(name):
    return get_user_model().objects.get(username=name)


def _xlsx_rows(body: bytes) -> list[tuple]:
    sheet = load_workbook(io.BytesIO(body)).active
    return [tuple(cell.value for cell in row) for row in sheet.iter_rows()]


def test_the_action_register_as_xlsx_has_the_published_columns_and_real_dates(client, seed):
    client.force_login(_user("pmo"))
    response = client.get(reverse("register-export", args=["actions", "xlsx"]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "action-register-" in response["Content-Disposition"]
    rows = _xlsx_rows(response.content)
    assert rows[0][:9] == (
        "Ref", "Meeting", "Meeting date", "Area", "Description", "Owners", "Due date",
        "Due by meeting", "Status",
    )  # fmt: skip
    by_ref = {row[0]: row for row in rows[1:]}
    assert set(by_ref) == {"DAG28-01", "DAG28-02"}
    dag28_01 = by_ref["DAG28-01"]
    assert dag28_01[1] == "DAG028"
    # Date cells (openpyxl reads a date cell back as a naive datetime at midnight).
    assert dag28_01[2].date() == dt.date(2023, 9, 13)
    assert dag28_01[3] == "Minutes and Actions"
    assert dag28_01[5] == "Programme (Rob Short)"
    assert dag28_01[6].date() == dt.date(2023, 10, 11)
    assert by_ref["DAG28-02"][5] == "Large Supplier Representative (Haz Elmamoun)"


def test_the_export_follows_the_pages_filters(client, seed):
    client.force_login(_user("pmo"))
    url = reverse("register-export", args=["actions", "csv"]) + "?q=DAG28-02"
    body = client.get(url).content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(body)))
    assert [row[0] for row in rows[1:]] == ["DAG28-02"]
    assert rows[1][6] == "2023-10-11"


def test_a_formula_in_a_description_exports_as_text(client, seed):
    action_update(action=seed.dag28_01, description=FORMULA, acting_user=SYSTEM)
    client.force_login(_user("pmo"))
    xlsx = client.get(reverse("register-export", args=["actions", "xlsx"])).content
    sheet = load_workbook(io.BytesIO(xlsx)).active
    [cell] = [row[4] for row in sheet.iter_rows(min_row=2) if row[0].value == "DAG28-01"]
    assert cell.value == FORMULA
    assert cell.data_type == "s"  # a string, not a formula ("f")
    text = client.get(reverse("register-export", args=["actions", "csv"])).content
    rows = list(csv.reader(io.StringIO(text.decode("utf-8-sig"))))
    [row] = [row for row in rows if row[0] == "DAG28-01"]
    assert row[4] == "'" + FORMULA


def test_an_observer_exports_no_action_of_a_meeting_they_may_not_see(client, seed):
    hidden = services.meeting_create(
        committee=seed.committee,
        start_at=london(2023, 11, 8, 10),
        classification=Meeting.Classification.CONFIDENTIAL,
        status=Meeting.Status.HELD,
        acting_user=SYSTEM,
    )
    secret = action_create(
        meeting=hidden, description="A secret action", owners=["Programme"], acting_user=SYSTEM
    )
    client.force_login(_user("observer"))
    rows = _xlsx_rows(client.get(reverse("register-export", args=["actions", "xlsx"])).content)
    refs = {row[0] for row in rows[1:]}
    assert refs == {"DAG28-01", "DAG28-02"}
    assert secret.ref not in refs


def test_the_decision_register_shows_outcome_and_conditions(client, seed):
    decision_approve(
        decision=seed.dec68,
        conditions="Subject to the DRG review",
        acting_user=_user("chair"),
    )
    client.force_login(_user("member"))
    rows = _xlsx_rows(client.get(reverse("register-export", args=["decisions", "xlsx"])).content)
    assert rows[0][4:7] == ("Decision", "Outcome", "Conditions")
    [dec68] = rows[1:]
    assert dec68[0] == "DAG-DEC68"
    assert dec68[4] == "The SRO approved CR023 for implementation"
    assert dec68[5] == "Approved with conditions"
    assert dec68[6] == "Subject to the DRG review"
    assert dec68[8] == "CR023"


def test_the_change_request_register_exports(client, seed):
    client.force_login(_user("member"))
    body = client.get(reverse("register-export", args=["change-requests", "csv"])).content
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    assert rows[0][:3] == ["Ref", "Title", "Status"]
    assert rows[1][:3] == [
        "CR023",
        "Standardisation of Interfaces within the Smart and Advanced Data Services Roles",
        "Awaiting decision",
    ]


def test_the_command_writes_the_register_with_the_pages_filters(seed, tmp_path):
    output = tmp_path / "register.xlsx"
    call_command(
        "export_register", "actions", "--format", "xlsx", "--output", str(output),
        "--text", "DAG28-01", "--user", "pmo",
    )  # fmt: skip
    rows = _xlsx_rows(output.read_bytes())
    assert [row[0] for row in rows[1:]] == ["DAG28-01"]


def _rates(settings, **rates):
    """The rate limits in force for one test (the rest of the API's settings kept)."""
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": rates}


def test_exports_are_rate_limited_per_user_with_retry_after(client, seed, settings):
    _rates(settings, export="2/hour")
    client.force_login(_user("member"))
    url = reverse("register-export", args=["actions", "csv"])
    assert client.get(url).status_code == 200
    assert client.get(url).status_code == 200
    refused = client.get(url)
    assert refused.status_code == 429
    assert 0 < int(refused["Retry-After"]) <= 3600
    assert "try again in" in refused.content.decode()
    # Another user has their own count.
    client.force_login(_user("observer"))
    assert client.get(url).status_code == 200


def test_the_api_exports_a_register_for_a_token(client, seed):
    from rest_framework.authtoken.models import Token

    token = Token.objects.create(user=_user("member"))
    response = client.get(
        "/api/v1/exports/decisions/?file_format=csv",
        HTTP_AUTHORIZATION=f"Token {token.key}",
    )
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert [row[0] for row in rows[1:]] == ["DAG-DEC68"]
    bad = client.get(
        "/api/v1/exports/decisions/?file_format=pdf", HTTP_AUTHORIZATION=f"Token {token.key}"
    )
    assert bad.status_code == 400
    assert bad.json()["errors"] == {"file_format": ["Choose one of xlsx, csv."]}
    assert client.get("/api/v1/exports/decisions/").status_code == 401


def test_each_register_page_links_its_export_with_its_filters(client, seed):
    client.force_login(_user("member"))
    page = client.get(reverse("action-list") + "?q=DAG28-02").content.decode()
    assert 'href="/exports/actions.xlsx?q=DAG28-02"' in page
    assert 'href="/exports/actions.csv?q=DAG28-02"' in page
    page = client.get(reverse("decision-list") + "?status=proposed").content.decode()
    assert 'href="/exports/decisions.xlsx?status=proposed"' in page
    page = client.get(reverse("change-request-list") + "?status=open").content.decode()
    assert 'href="/exports/change-requests.csv?status=open"' in page


def test_renders_are_rate_limited_per_user_in_the_browser_and_the_api(client, seed, settings):
    _rates(settings, render="1/hour")
    from rest_framework.authtoken.models import Token

    client.force_login(_user("member"))
    url = reverse("register-pdf-create")
    assert client.post(url).status_code in (200, 302)
    refused = client.post(url)
    assert refused.status_code == 429
    assert int(refused["Retry-After"]) > 0
    token = Token.objects.create(user=_user("pmo"))
    headers = {"HTTP_AUTHORIZATION": f"Token {token.key}"}
    issue = "/api/v1/meetings/DAG028/headline-reports/"
    assert client.get(issue, **headers).status_code == 200  # reads are not counted
    assert client.get(issue, **headers).status_code == 200
    assert client.post(issue, {}, content_type="application/json", **headers).status_code in (
        200,
        201,
        202,
    )
    assert client.post(issue, {}, content_type="application/json", **headers).status_code == 429
