"""The headline report's attendance: no section by default (the seed's layout), the section
when the PMO switches it on, and decisions taken while the meeting was inquorate flagged in
the report and on the decision's page."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model

from composer.report import headline_report_data
from composer.report_render import headline_report_html
from decisions.services import decision_approve
from meetings import attendance
from meetings.models import Person
from tests.fixtures import build_seedlike


@pytest.fixture
def seed(db):
    return build_seedlike()


def pmo():
    return get_user_model().objects.get(username="pmo")


def record(seed, rows, **kwargs):
    attendance.meeting_participants_invite_members(meeting=seed.dag028, acting_user=pmo())
    attendance.meeting_attendance_record(
        meeting=seed.dag028,
        entries=[
            attendance.AttendanceEntry(person_id=Person.objects.get(name=n).pk, attendance=a)
            for n, a in rows.items()
        ],
        acting_user=pmo(),
        **kwargs,
    )


def test_no_attendance_section_by_default(seed):
    before = headline_report_html(data=headline_report_data(meeting=seed.dag028))
    record(seed, {"Demo Chair": "present", "Rob Short": "apologies"})
    data = headline_report_data(meeting=seed.dag028)
    assert data.attendance is None
    # No quorum set: nothing flagged, the report as it was.
    assert headline_report_html(data=data) == before
    assert "Attendance" not in before


def test_the_section_when_switched_on(seed):
    seed.committee.quorum_count = 1
    seed.committee.save()
    record(seed, {"Demo Chair": "video", "Rob Short": "apologies"}, in_report=True)
    data = headline_report_data(meeting=seed.dag028)
    assert data.attendance.quorum.startswith("Quorate: 1 of 2 voting members there")
    assert [(r.name, r.attendance) for r in data.attendance.rows] == [
        ("Demo Chair", "Present by video"),
        ("Rob Short", "Apologies"),
    ]
    html = headline_report_html(data=data)
    assert '<h2 id="hr-attendance-h">Attendance</h2>' in html
    assert "inquorate" not in html


def test_a_decision_taken_while_inquorate_is_flagged(seed, client):
    seed.committee.quorum_count = 2
    seed.committee.save()
    record(seed, {"Demo Chair": "present", "Rob Short": "apologies"})
    chair = get_user_model().objects.get(username="chair")
    decision_approve(decision=seed.dec68, acting_user=chair)
    data = headline_report_data(meeting=seed.dag028)
    row = data.decision_groups[0].rows[0]
    assert row.outcome == "Approved \u2013 taken while the meeting was inquorate"
    assert client.login(username="member", password="member-demo")
    html = client.get("/decisions/DAG-DEC68/").content.decode()
    assert "Taken while the meeting was inquorate" in html
