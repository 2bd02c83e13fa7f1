"""A committee's meetings planned as a series: DST-safe London times, the template agenda,
all or nothing, the PMO's page."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError

from meetings import series
from meetings.models import Meeting, MeetingSeries

# The second Wednesdays of 2024, worked out from a calendar.
SECOND_WEDNESDAYS_2024 = [
    dt.date(2024, 1, 10),
    dt.date(2024, 2, 14),
    dt.date(2024, 3, 13),
    dt.date(2024, 4, 10),
    dt.date(2024, 5, 8),
    dt.date(2024, 6, 12),
    dt.date(2024, 7, 10),
    dt.date(2024, 8, 14),
    dt.date(2024, 9, 11),
    dt.date(2024, 10, 9),
    dt.date(2024, 11, 13),
    dt.date(2024, 12, 11),
]


def pmo():
    return get_user_model().objects.get(username="pmo")


def plan(committee, **kwargs):
    values = {
        "committee": committee,
        "title": "DAG 2024",
        "rule": series.series_rule(frequency="monthly", weekday="WE", week=2, count=12),
        "first_date": dt.date(2024, 1, 1),
        "start_time": dt.time(10, 0),
        "end_time": dt.time(13, 0),
        "venue": "Virtual – MS Teams",
        "agenda_template": "Minutes and Actions\n\nCR Decisions\nAOB\n",
        "acting_user": pmo(),
    }
    return series.meeting_series_plan(**(values | kwargs))


def test_twelve_monthly_meetings_keep_ten_oclock_london_across_the_clock_changes(committee):
    from composer.demo import demo_logins_ensure

    demo_logins_ensure()
    planned = plan(committee)
    meetings = list(planned.meetings.order_by("start_at"))
    assert [m.date for m in meetings] == SECOND_WEDNESDAYS_2024
    assert {(m.local_start.hour, m.local_start.minute) for m in meetings} == {(10, 0)}
    assert {m.end_at.astimezone(meetings[0].local_start.tzinfo).hour for m in meetings} == {13}
    # In UTC: 10:00 in winter (GMT), 09:00 from 31 March to 27 October 2024 (BST).
    utc_hours = [m.start_at.astimezone(dt.UTC).hour for m in meetings]
    assert utc_hours == [10, 10, 10, 9, 9, 9, 9, 9, 9, 9, 10, 10]
    assert [m.ref for m in meetings] == [f"DAG{n:03d}" for n in range(1, 13)]
    assert {m.status for m in meetings} == {Meeting.Status.PLANNED}
    for meeting in meetings:
        assert [a.title for a in meeting.agenda_items.order_by("order")] == [
            "Minutes and Actions",
            "CR Decisions",
            "AOB",
        ]


def test_a_bad_series_plans_nothing(committee):
    from composer.demo import demo_logins_ensure

    demo_logins_ensure()
    with pytest.raises(ValidationError, match="COUNT"):
        plan(committee, rule="FREQ=MONTHLY;BYDAY=+2WE")
    with pytest.raises(ValidationError, match="does not exist in London"):
        # 01:30 on 31 March 2024 (the last Sunday of March) is skipped by the clocks.
        plan(
            committee,
            rule="FREQ=MONTHLY;BYDAY=-1SU;COUNT=4",
            start_time=dt.time(1, 30),
            end_time=dt.time(3, 0),
        )
    with pytest.raises(ValidationError, match="at most 60"):
        plan(committee, rule="FREQ=DAILY;COUNT=61")
    with pytest.raises(ValidationError, match="daily, weekly"):
        plan(committee, rule="FREQ=HOURLY;COUNT=3")
    assert not Meeting.objects.exists()
    assert not MeetingSeries.objects.exists()
    member = get_user_model().objects.create_user("nobody")
    with pytest.raises(PermissionDenied):
        plan(committee, acting_user=member)


def test_the_pmo_plans_a_series_on_the_page(committee, client):
    from composer.demo import demo_logins_ensure

    demo_logins_ensure()
    assert client.login(username="pmo", password="pmo-demo")
    assert client.get("/meetings/series/new/").status_code == 200
    response = client.post(
        "/meetings/series/new/",
        {
            "committee": committee.pk,
            "title": "DAG 2024",
            "frequency": "monthly",
            "week": "2",
            "weekday": "WE",
            "count": "12",
            "first_date": "2024-01-01",
            "start_time": "10:00",
            "end_time": "13:00",
            "venue": "Virtual – MS Teams",
            "classification": "public",
            "agenda_template": "Minutes and Actions",
        },
    )
    assert response.status_code == 302
    assert Meeting.objects.count() == 12
    client.logout()
    assert client.login(username="member", password="member-demo")
    assert client.get("/meetings/series/new/").status_code == 403


def test_moving_one_meeting_of_a_series_moves_its_due_by_meeting_actions(committee):
    """The rule of any meeting (``meetings.services.meeting_update``): an open action due
    "by the next meeting" follows that meeting to its new date; a closed one stays."""
    from actions.models import Action
    from actions.services import action_close, action_create
    from composer.demo import demo_logins_ensure
    from core.times import london_datetime
    from meetings.services import meeting_update

    demo_logins_ensure()
    meetings = list(plan(committee).meetings.order_by("start_at"))
    january, february = meetings[0], meetings[1]
    assert february.date == dt.date(2024, 2, 14)
    kwargs = {"meeting": january, "owners": ["Programme"], "due_meeting": february}
    due = action_create(description="Bring the plan to February", acting_user=pmo(), **kwargs)
    done = action_create(description="Already done", acting_user=pmo(), **kwargs)
    action_close(action=done, acting_user=pmo())
    assert Action.objects.get(pk=due.pk).due_date == dt.date(2024, 2, 14)
    # February's meeting moves a week later (the 21st, still 10:00-13:00 London).
    meeting_update(
        meeting=february,
        start_at=london_datetime(dt.date(2024, 2, 21), dt.time(10)),
        end_at=london_datetime(dt.date(2024, 2, 21), dt.time(13)),
        acting_user=pmo(),
    )
    assert Action.objects.get(pk=due.pk).due_date == dt.date(2024, 2, 21)
    assert Action.objects.get(pk=done.pk).due_date == dt.date(2024, 2, 14)
    # The other meetings of the series, and their actions, are untouched.
    series_meetings = february.series.get().meetings.order_by("start_at")
    assert [m.date for m in series_meetings][:3] == [
        dt.date(2024, 1, 10),
        dt.date(2024, 2, 21),
        dt.date(2024, 3, 13),
    ]
