"""Calendar feeds on the seed's records, read back with the ``icalendar`` package.

The seed: DAG028 on 13 September 2023 10:00–13:00 London (BST, so 09:00 UTC) at "Virtual –
MS Teams"; DAG029 on 11 October 2023 at 10:00; DAG28-01 owned by Programme (Rob Short), due
11/10/2023.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from icalendar import Calendar

from composer.models import CalendarFeed
from core.actors import SYSTEM
from meetings import services
from meetings.models import Meeting, Membership, Person
from tests.conftest import london
from tests.fixtures import build_seedlike

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")


@pytest.fixture
def seed():
    return build_seedlike()


@pytest.fixture
def rob(seed):
    """Rob Short (Programme), owner of DAG28-01, with a login and a DAG member's seat."""
    user = get_user_model().objects.create_user("rob", "rob.short@example.org", "pw")
    person = Person.objects.get(name="Rob Short")
    person.user = user
    person.save()
    Membership.objects.get_or_create(committee=seed.committee, person=person, role="member")
    return user


def _events(body: bytes) -> dict[str, object]:
    calendar = Calendar.from_ical(body)
    return {str(event["uid"]).split("@")[0]: event for event in calendar.walk("VEVENT")}


def _feed_url(client, user) -> str:
    client.force_login(user)
    token = CalendarFeed.objects.get_or_create(user=user)[0].token
    return reverse("calendar-person", args=[token])


def test_a_persons_feed_holds_their_committees_meetings_in_london_time_and_their_due_dates(
    client, seed, rob
):
    url = _feed_url(client, rob)
    client.logout()  # a calendar program has no session: the token is enough
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert "no-store" in response["Cache-Control"]
    events = _events(response.content)
    assert set(events) == {"meeting-DAG028", "meeting-DAG029", "action-DAG28-01"}

    dag028 = events["meeting-DAG028"]
    start = dag028.decoded("dtstart")
    assert start == london(2023, 9, 13, 10)
    assert start.utcoffset() == dt.timedelta(hours=1)  # BST
    assert dag028["dtstart"].params["TZID"] == "Europe/London"
    assert dag028.decoded("dtend") == london(2023, 9, 13, 13)
    assert str(dag028["location"]) == "Virtual – MS Teams"
    assert str(dag028["summary"]).startswith("DAG028 Design Advisory Group")
    assert dag028.decoded("dtstart").astimezone(dt.UTC).hour == 9

    due = events["action-DAG28-01"]
    assert due.decoded("dtstart") == dt.date(2023, 10, 11)  # all day
    assert str(due["summary"]).startswith("Due: DAG28-01 Programme to provide overview")
    assert str(due["url"]).endswith("/actions/DAG28-01/")
    # The calendar carries the zone's definition, so clients need no outside data.
    assert [tz["tzid"] for tz in Calendar.from_ical(response.content).walk("VTIMEZONE")] == [
        "Europe/London"
    ]


def test_no_meeting_the_user_may_not_see_is_in_any_feed(client, seed):
    confidential = services.meeting_create(
        committee=seed.committee,
        start_at=london(2023, 11, 8, 10),
        classification=Meeting.Classification.CONFIDENTIAL,
        acting_user=SYSTEM,
    )
    observer = get_user_model().objects.get(username="observer")
    person = Person.objects.get(user=observer)
    Membership.objects.get_or_create(committee=seed.committee, person=person, role="observer")
    url = _feed_url(client, observer)
    events = _events(client.get(url).content)
    assert "meeting-DAG028" in events
    assert f"meeting-{confidential.ref}" not in events
    committee_url = reverse("calendar-committee", args=[url.split("/")[-1][:-4], "DAG"])
    committee_events = _events(client.get(committee_url).content)
    assert set(committee_events) == {"meeting-DAG028", "meeting-DAG029"}
    # The one-meeting download refuses a meeting the user may not see, as its page does.
    assert client.get(reverse("meeting-ics", args=[confidential.ref])).status_code == 404
    response = client.get(reverse("meeting-ics", args=["DAG028"]))
    assert set(_events(response.content)) == {"meeting-DAG028"}


def test_resetting_the_address_stops_the_old_one(client, seed, rob):
    old = _feed_url(client, rob)
    assert client.get(old).status_code == 200
    page = client.get(reverse("calendar-feed"))
    assert old in page.content.decode()
    response = client.post(reverse("calendar-feed"))
    assert response.status_code == 302
    assert client.get(old).status_code == 404
    new = reverse("calendar-person", args=[CalendarFeed.objects.get(user=rob).token])
    assert new != old
    assert client.get(new).status_code == 200
    assert new in client.get(reverse("calendar-feed")).content.decode()


def test_a_deactivated_users_feed_is_gone(client, seed, rob):
    url = _feed_url(client, rob)
    rob.is_active = False
    rob.save()
    client.logout()
    assert client.get(url).status_code == 404
    assert client.get(reverse("calendar-person", args=["not-a-token"])).status_code == 404
