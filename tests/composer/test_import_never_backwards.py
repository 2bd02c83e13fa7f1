"""Importing a draft report of a meeting whose report is recorded as issued (the product's
own live PDF of it says "DRAFT – not issued") never takes the meeting back to held nor
clears its issue date; the preview says what is kept."""

from __future__ import annotations

import datetime as dt

import pytest

from composer.importer import headline_report_import
from core.actors import SYSTEM
from meetings.models import Meeting
from tests.conftest import SEED_PATH

pytestmark = pytest.mark.django_db

ISSUED = SEED_PATH.read_text(encoding="utf-8")
DRAFT = ISSUED.replace("#### Issue date: 20/09/2023\n", "")


def test_a_draft_of_an_issued_meeting_keeps_the_issue_as_recorded():
    assert DRAFT != ISSUED
    headline_report_import(text=ISSUED, acting_user=SYSTEM)
    meeting = Meeting.objects.get(ref="DAG028")
    assert meeting.status == Meeting.Status.REPORT_ISSUED
    assert meeting.report_issue_date == dt.date(2023, 9, 20)

    preview = headline_report_import(text=DRAFT, acting_user=SYSTEM, dry_run=True)
    assert not any(
        change.kind == "meeting" and change.verb == "update" for change in preview.changes
    )
    assert any(
        "the recorded status “Report issued” and issue date 20/09/2023 are kept" in warning
        for warning in preview.warnings
    )

    headline_report_import(text=DRAFT, acting_user=SYSTEM)
    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.REPORT_ISSUED
    assert meeting.report_issue_date == dt.date(2023, 9, 20)


def test_a_draft_into_a_fresh_database_is_held_without_an_issue_date():
    headline_report_import(text=DRAFT, acting_user=SYSTEM)
    meeting = Meeting.objects.get(ref="DAG028")
    assert meeting.status == Meeting.Status.HELD
    assert meeting.report_issue_date is None
