"""Unissued headline reports (the live preview, its PDF and drafts, versions not yet
issued) are read by the meeting's committee's members other than observers, and by the
PMO; an observer of DAG who is a member of TMAG, or a member of TMAG only, reads DAG's
issued versions only (the scene of tests/access/test_rule.py)."""

from __future__ import annotations

import pytest

from core import visibility
from meetings.models import HeadlineReport, Membership

pytestmark = pytest.mark.django_db


@pytest.fixture
def observer_on_tmag(two):
    """The DAG observer also holds a member seat on TMAG."""
    Membership.objects.create(
        committee=two.tmag, person=two.users["observer"].person, role=Membership.Role.MEMBER
    )
    return two


def test_a_seat_on_another_committee_does_not_open_this_ones_drafts(observer_on_tmag, as_user):
    two = observer_on_tmag
    observer = two.users["observer"]
    assert not visibility.sees_unissued_reports(observer, two.dag032.committee_id)
    assert visibility.sees_unissued_reports(observer, two.tmag.pk)
    client = as_user("observer")
    # DAG032 is Public and has no issued version: no draft for a DAG observer.
    assert client.get("/meetings/DAG032/report/").status_code == 404
    pdf = client.get("/meetings/DAG032/report.pdf")
    assert pdf.status_code == 404
    assert not two.dag032.headline_report_drafts.exists()


def test_a_member_of_another_committee_reads_issued_versions_only(two, as_user):
    client = as_user("tmag")
    assert client.get("/meetings/DAG032/report/").status_code == 404
    assert client.get("/meetings/DAG032/report.pdf").status_code == 404
    # A DAG member reads DAG032's draft preview.
    assert as_user("member").get("/meetings/DAG032/report/").status_code == 200


def test_the_versions_list_hides_unissued_versions_of_other_committees(two):
    HeadlineReport.objects.create(meeting=two.dag032, version=1, status="failed")
    tmag = two.users["tmag"]
    member = two.users["member"]
    assert not HeadlineReport.objects.visible_to(tmag).filter(meeting=two.dag032).exists()
    assert HeadlineReport.objects.visible_to(member).filter(meeting=two.dag032).count() == 1
