"""The meeting page offers the live report (preview and PDF) only to those who may open it:
readers of unissued reports. An observer reads issued versions only, and was shown links
that answered 404 (found by a tester)."""

from __future__ import annotations

from django.urls import reverse

from tests.meetings.factories import MeetingFactory


def test_the_live_report_links_are_offered_only_to_readers_of_unissued_reports(
    client, member_user, observer_user
):
    meeting = MeetingFactory(classification="public")
    preview = reverse("headline-report-preview", args=[meeting.ref])
    pdf = reverse("headline-report-pdf", args=[meeting.ref])
    for user, offered in ((member_user, True), (observer_user, False)):
        client.force_login(user)
        page = client.get(reverse("meeting-detail", args=[meeting.ref])).content.decode()
        assert (f'href="{preview}"' in page) is offered, user
        assert (f'href="{pdf}"' in page) is offered, user
        # What the links would open agrees with whether they are offered.
        assert (client.get(preview).status_code == 200) is offered, user
