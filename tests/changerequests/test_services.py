"""The change request services name who acts: nobody (None) is refused, history records who."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied

from changerequests.models import ChangeRequest, DesignIssueNotification, Release
from changerequests.services import (
    change_request_create,
    change_request_transition,
    change_request_update,
    din_create,
    ia_response_record,
    release_get_or_create,
)
from core.actors import SYSTEM
from meetings.services import organisation_get_or_create


@pytest.fixture
def cr023(db):
    return change_request_create(
        number=23, title="Advanced Data Services Roles", acting_user=SYSTEM
    )


def test_a_change_request_service_called_with_no_actor_is_refused(cr023):
    elexon = organisation_get_or_create(name="Elexon", acting_user=SYSTEM)
    refused = [
        lambda: change_request_create(title="New", acting_user=None),
        lambda: change_request_update(change_request=cr023, title="Changed", acting_user=None),
        lambda: change_request_transition(
            change_request=cr023, to_status=ChangeRequest.Status.IMPACT_ASSESSMENT, acting_user=None
        ),
        lambda: change_request_transition(
            change_request=cr023,
            to_status=ChangeRequest.Status.APPROVED,
            force=True,
            acting_user=None,
        ),
        lambda: ia_response_record(
            change_request=cr023, organisation=elexon, position="support", acting_user=None
        ),
        lambda: release_get_or_create(code="IR5", acting_user=None),
        lambda: din_create(number=601, change_request=cr023, acting_user=None),
    ]
    for call in refused:
        with pytest.raises(PermissionDenied):
            call()
    cr023.refresh_from_db()
    assert (cr023.ref, cr023.title, cr023.status) == (
        "CR023",
        "Advanced Data Services Roles",
        ChangeRequest.Status.DRAFT,
    )
    assert list(ChangeRequest.objects.values_list("ref", flat=True)) == ["CR023"]
    assert not cr023.ia_responses.exists()
    assert not Release.objects.exists()
    assert not DesignIssueNotification.objects.exists()


def test_history_records_who_changed_a_change_request(cr023, role_user):
    alice, bob = role_user("PMO"), role_user("PMO")
    ir5 = release_get_or_create(code="ir5", acting_user=alice)
    change_request_update(change_request=cr023, target_release=ir5, acting_user=bob)
    elexon = organisation_get_or_create(name="Elexon", acting_user=alice)
    response = ia_response_record(
        change_request=cr023,
        organisation=elexon,
        position="support",
        received_date=dt.date(2023, 9, 1),
        acting_user=bob,
    )
    din = din_create(number=601, change_request=cr023, release=ir5, acting_user=alice)

    assert [(r.code, r.history_user) for r in ir5.history.all()] == [("IR5", alice)]
    rows = cr023.history.order_by("history_date", "history_id")
    assert [(r.history_type, r.target_release_id, r.history_user) for r in rows] == [
        ("+", None, None),
        ("~", ir5.pk, bob),
    ]
    assert response.history.get().history_user == bob
    assert (din.ref, din.history.get().history_user) == ("DIN-601", alice)
