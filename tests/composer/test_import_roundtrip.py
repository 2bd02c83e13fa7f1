"""The headline report PDF this product renders imports back into the same records.

The seed DAG028 is imported, its report rendered to PDF by the product's renderer
(WeasyPrint), and what the API says of its records captured; then every record of the
apps is deleted (an empty installation but for its users and groups), the PDF imported with
the real importer, and the API read again: the same records, field by field.
"""

from __future__ import annotations

import datetime as dt
import difflib
import json
from typing import Any

import pytest
from django.apps import apps
from django.db.models import ProtectedError, RestrictedError
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from composer.importer import headline_report_import_file, headline_report_text
from composer.report import headline_report_data
from composer.report_render import headline_report_pdf
from core.actors import SYSTEM
from meetings.models import Meeting
from tests.conftest import SEED_PATH

pytestmark = pytest.mark.django_db

# What the API lists of one committee's meeting, and the details read for each record.
LISTS = {
    "meetings": "/api/v1/meetings/?committee=DAG",
    "actions": "/api/v1/actions/",
    "decisions": "/api/v1/decisions/",
    "change-requests": "/api/v1/change-requests/",
    "agenda-items": "/api/v1/agenda-items/",
    "discussion-items": "/api/v1/discussion-items/",
    "committees": "/api/v1/committees/",
    "people": "/api/v1/people/",
    "organisations": "/api/v1/organisations/",
}
# Fields that must differ between two installations and say nothing of the records:
# - "id": a database key, given afresh by the second installation's sequences;
# - "url" and any "*_url": addresses built from those keys (refs and codes are compared);
# - "created_at", "updated_at", "history_date", "last_modified": when the row was written
#   here, not what the report says (the report's own dates — meeting, due, issue — are
#   compared);
# - "agenda_item", "meeting_id"-like foreign keys given as numbers: the keys again; the
#   records they point at are compared by their titles and refs through the lists above.
IGNORED = {"id", "pk", "url", "created_at", "updated_at", "history_date", "last_modified"}
KEY_FIELDS = {"agenda_item", "agenda_item_id", "discussion_item", "person", "organisation"}


def _stable(value: Any) -> Any:
    """``value`` without the fields above (recursively)."""
    if isinstance(value, dict):
        return {
            key: _stable(item)
            for key, item in value.items()
            if key not in IGNORED
            and not key.endswith("_url")
            and not ((key in KEY_FIELDS or key.endswith("_id")) and isinstance(item, int))
        }
    if isinstance(value, list):
        return [_stable(item) for item in value]
    return value


def _diff(before: Any, after: Any) -> str:
    """What differs, as a unified diff of the two JSON texts."""
    lines = [json.dumps(v, indent=1, sort_keys=True).splitlines() for v in (before, after)]
    return "\n".join(difflib.unified_diff(*lines, "before", "after", lineterm="", n=2))


def _read_all(client, url: str) -> list[dict]:
    rows: list[dict] = []
    while url:
        response = client.get(url)
        assert response.status_code == 200, (url, response.content[:200])
        body = response.json()
        if isinstance(body, list):
            return body
        rows += body["results"]
        url = body.get("next")
    return rows


def _api_snapshot(client) -> dict[str, list]:
    snapshot = {}
    for name, url in LISTS.items():
        rows = _read_all(client, url)
        details = []
        for row in rows:
            # The detail says more than the list row (owners, refs, history): read it too.
            detail = client.get(row["url"]) if row.get("url") else None
            details.append(detail.json() if detail and detail.status_code == 200 else row)
        snapshot[name] = sorted((_stable(d) for d in details), key=repr)
    return snapshot


def _app_models() -> list:
    return [
        model
        for label in ("composer", "changerequests", "decisions", "actions", "meetings")
        for model in apps.get_app_config(label).get_models()
    ]


def _installation_rows() -> dict:
    """The primary keys of every row of the apps, model by model."""
    return {model: set(model._base_manager.values_list("pk", flat=True)) for model in _app_models()}


def _empty_the_installation(fresh: dict) -> None:
    """Delete every row of the apps (meetings, actions, decisions, change requests, the
    composer's import records, their histories) that a fresh installation did not hold
    (``fresh``: the rows before the first import), keeping users, groups and what the
    migrations wrote. Protected rows go once what protects them is gone."""
    models = _app_models()
    for _ in range(len(models)):
        left = False
        for model in models:
            try:
                model._base_manager.exclude(pk__in=fresh[model]).delete()
            except (ProtectedError, RestrictedError):
                left = True
        if not left:
            break
    for model in models:  # the history of those deletions, written as they went
        if model.__name__.startswith("Historical"):
            model._base_manager.exclude(pk__in=fresh[model]).delete()
    assert _installation_rows() == fresh


def _api_client(user: Any) -> APIClient:
    token, _ = Token.objects.get_or_create(user=user)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


def test_the_products_own_pdf_imports_back_into_the_same_records(pmo_user, tmp_path):
    fresh = _installation_rows()
    headline_report_import_file(path=SEED_PATH, acting_user=SYSTEM)
    meeting = Meeting.objects.get(ref="DAG028")
    data = headline_report_data(meeting=meeting, issue_date=dt.date(2023, 9, 20), version=1)
    pdf = tmp_path / "DAG028.pdf"
    pdf.write_bytes(headline_report_pdf(data=data))
    client = _api_client(pmo_user)
    before = _api_snapshot(client)
    assert len(before["actions"]) == 16
    assert len(before["discussion-items"]) == 31

    _empty_the_installation(fresh)
    assert _read_all(client, LISTS["actions"]) == []
    headline_report_import_file(path=pdf, acting_user=SYSTEM)

    after = _api_snapshot(client)
    for name in LISTS:
        assert after[name] == before[name], _diff(before[name], after[name])


def test_the_rendered_pdf_reads_as_the_seed_text_does(tmp_path):
    """The same check below the API: the parse of the rendered PDF is the parse of the
    text it was rendered from (bold refs, underlined titles, a table cut by a page)."""
    from composer.importer import headline_report_parse

    headline_report_import_file(path=SEED_PATH, acting_user=SYSTEM)
    meeting = Meeting.objects.get(ref="DAG028")
    data = headline_report_data(meeting=meeting, issue_date=dt.date(2023, 9, 20), version=1)
    from_pdf = headline_report_parse(headline_report_text(headline_report_pdf(data=data)))
    from_text = headline_report_parse(SEED_PATH.read_text())
    assert [d.text for d in from_pdf.discussion] == [d.text for d in from_text.discussion]
    assert any("(<u>Standardisation of Interfaces" in d.text for d in from_pdf.discussion)
