"""``render_headline_report`` of a meeting whose report was issued and has not changed since
renders the issued version (its issue date), as the report page serves it, not a draft."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command

from actions.services import action_create
from composer import headline_report
from core.actors import SYSTEM
from meetings import services
from meetings.models import Meeting
from tests.conftest import london

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def meeting(committee):
    meeting = services.meeting_create(
        committee=committee,
        number=7,
        start_at=london(2023, 5, 10, 10),
        end_at=london(2023, 5, 10, 12),
        status=Meeting.Status.HELD,
        acting_user=SYSTEM,
    )
    area = services.agenda_item_create(meeting=meeting, title="Minutes", acting_user=SYSTEM)
    action_create(
        meeting=meeting,
        seq=1,
        description="Programme to circulate the minutes",
        owners=["Programme (PMO)"],
        due_date=dt.date(2023, 6, 1),
        agenda_item=area,
        acting_user=SYSTEM,
    )
    return Meeting.objects.select_related("committee").get(pk=meeting.pk)


def _html(meeting, tmp_path) -> str:
    out = tmp_path / "report.html"
    call_command("render_headline_report", meeting.ref, "--html", "-o", str(out))
    return out.read_text(encoding="utf-8")


def test_an_issued_unchanged_report_renders_as_issued(
    meeting, pmo_user, tmp_path, django_capture_on_commit_callbacks
):
    assert "not issued" in _html(meeting, tmp_path)
    with django_capture_on_commit_callbacks(execute=True):
        headline_report.headline_report_issue(meeting=meeting, acting_user=pmo_user)
    issued = _html(meeting, tmp_path)
    assert "Version 1" in issued
    assert "DRAFT" not in issued
