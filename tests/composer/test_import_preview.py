"""The import's preview and confirm pages: old → new per field, a choice per conflict."""

from __future__ import annotations

import datetime as dt

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from actions.models import Action, ActionReview
from actions.services import action_review_record
from composer.importer import headline_report_import, text_checksum
from core.actors import SYSTEM
from meetings.models import Meeting
from tests.conftest import SEED_PATH

SEED_TEXT = SEED_PATH.read_text(encoding="utf-8")
CHOICE = "choice:action|DAG28-01|due date"


def upload(text: str) -> SimpleUploadedFile:
    return SimpleUploadedFile("DAG028.txt", text.encode("utf-8"), content_type="text/plain")


def seeded_and_redated(pmo_user) -> None:
    headline_report_import(text=SEED_TEXT, acting_user=SYSTEM)
    action_review_record(
        action=Action.objects.get(ref="DAG28-01"),
        meeting=Meeting.objects.get(ref="DAG029"),
        outcome=ActionReview.Outcome.RE_DATED,
        new_due_date=dt.date(2023, 11, 8),
        acting_user=pmo_user,
    )


def test_the_preview_shows_the_conflict_and_keeps_the_current_value_by_default(client, pmo_user):
    seeded_and_redated(pmo_user)
    client.force_login(pmo_user)
    edited = SEED_TEXT.replace("Programme (PMO)\t11/10/2023", "Chair\t18/10/2023", 1)
    html = client.post(reverse("headline-report-import"), {"file": upload(edited)}).content
    html = html.decode()
    assert '<legend><span class="ref">DAG28-01</span> due date</legend>' in html
    assert (
        f'<input type="radio" name="{CHOICE}" value="keep" checked> Keep the tracker\'s '
        "value: <strong>08/11/2023</strong>"
    ) in html
    assert "Take the report's value: <strong>11/10/2023</strong>" in html
    # The other record's fields, old → new.
    assert "<strong>Due date:</strong> 11/10/2023 → 18/10/2023" in html
    assert "<strong>Owners:</strong> Programme (PMO) → Chair" in html
    done = client.post(
        reverse("headline-report-import-confirm"), {"checksum": text_checksum(edited)}
    )
    assert done.status_code == 302
    assert Action.objects.get(ref="DAG28-01").due_date == dt.date(2023, 11, 8)
    assert Action.objects.get(ref="DAG28-13").due_date == dt.date(2023, 10, 18)
    shown = client.get(done["Location"]).content.decode()
    assert "DAG28-01 due date: kept the tracker&#x27;s value (08/11/2023" in shown


def test_taking_the_report_value_in_the_preview_applies_it(client, pmo_user):
    seeded_and_redated(pmo_user)
    client.force_login(pmo_user)
    html = client.post(reverse("headline-report-import"), {"file": upload(SEED_TEXT)})
    assert "Conflicts" in html.content.decode()
    done = client.post(
        reverse("headline-report-import-confirm"),
        {"checksum": text_checksum(SEED_TEXT), CHOICE: "take"},
    )
    assert done.status_code == 302
    assert Action.objects.get(ref="DAG28-01").due_date == dt.date(2023, 10, 11)


def test_the_preview_lists_locked_decisions_and_new_people(client, pmo_user):
    client.force_login(pmo_user)
    first = client.post(reverse("headline-report-import"), {"file": upload(SEED_TEXT)})
    assert "New people: Berlinda Kugara (Programme), Design Team (Programme)," in (
        first.content.decode()
    )
    headline_report_import(text=SEED_TEXT, acting_user=SYSTEM)
    edited = SEED_TEXT.replace("The SRO approved CR023 for implementation", "CR023 approved", 1)
    html = client.post(reverse("headline-report-import"), {"file": upload(edited)}).content
    html = html.decode()
    assert '<h2 id="locked-h">Locked, not changed</h2>' in html
    assert (
        '<td class="ref">DAG-DEC68</td><td>text</td><td class="small">The SRO approved CR023 '
        'for implementation</td><td class="small">CR023 approved</td>'
    ) in html
    assert "New people" not in html
