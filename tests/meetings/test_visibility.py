"""Who sees what: the one rule (``core.visibility``) through each record's ``visible_to`` verb,
and the pages and API that read through them.

The records are the seed report's (DAG028 held on 13 September 2023, Public; DAG28-01 owned
by Programme (Rob Short); DAG28-02 by Large Supplier Representative (Haz Elmamoun);
DAG-DEC68 on CR023; DAG029 on 11 October 2023), with DAG029 made Restricted and given records
of its own: an action owned by the Chair, a decision on CR023, an area, a discussion item
naming DAG28-01, and DAG28-01 taken up there. An Observer sees DAG028's records only; a
Member sees both meetings'.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest
from django.contrib.auth import get_user_model
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from actions.models import Action, ActionOwner, ActionReview
from actions.services import action_create, action_review_record
from composer import discussion
from core.visibility import Classification, meeting_visible_q
from decisions.models import Decision
from decisions.services import decision_create
from meetings import services
from meetings.models import (
    AgendaItem,
    DiscussionItem,
    DiscussionReference,
    HeadlineReport,
    Meeting,
)
from tests.fixtures import SeedLike, build_seedlike

User = get_user_model()


@dataclass
class Scene:
    seed: SeedLike
    observer: object
    member: object


def _user(username: str):
    return User.objects.get(username=username)


@pytest.fixture
def scene(db) -> Scene:
    seed = build_seedlike()
    pmo = _user("pmo")
    dag029 = seed.dag029
    Meeting.objects.filter(pk=dag029.pk).update(classification=Classification.RESTRICTED)
    area = services.agenda_item_create(meeting=dag029, title="Minutes and Actions", acting_user=pmo)
    action_create(
        meeting=dag029,
        agenda_item=area,
        description="Chair to write to the Large Suppliers",
        owners=["Chair"],
        acting_user=pmo,
    )
    decision_create(
        meeting=dag029,
        agenda_item=area,
        text="CR023 implementation date confirmed",
        change_request=seed.cr023,
        acting_user=pmo,
    )
    discussion.discussion_item_create(
        meeting=dag029,
        agenda_item=area,
        text="The Programme reported on ACTION DAG28-01.",
        acting_user=pmo,
    )
    action_review_record(
        action=seed.dag28_01, meeting=dag029, note="The DRG meets next week", acting_user=pmo
    )
    for meeting, version, status in (
        (seed.dag028, 1, HeadlineReport.Status.ISSUED),
        (seed.dag028, 2, HeadlineReport.Status.PENDING),
        (dag029, 1, HeadlineReport.Status.ISSUED),
    ):
        HeadlineReport.objects.create(
            meeting=meeting,
            version=version,
            status=status,
            checksum="0" * 64 if status == HeadlineReport.Status.ISSUED else "",
            issue_date=dt.date(2023, 9, 20) if status == HeadlineReport.Status.ISSUED else None,
        )
    return Scene(seed=seed, observer=_user("observer"), member=_user("member"))


def test_the_rule_lets_a_member_see_everything_and_an_observer_public_meetings(scene):
    # The PMO (programme administrators) reads everything: no condition at all. The member
    # reads DAG's meetings through their DAG seat (core.visibility).
    assert not meeting_visible_q(_user("pmo"))
    assert meeting_visible_q(scene.member)
    assert Meeting.Classification is Classification
    assert Meeting.Classification.RESTRICTED.label == "Restricted"
    observer_refs = set(Meeting.objects.visible_to(scene.observer).values_list("ref", flat=True))
    member_refs = set(Meeting.objects.visible_to(scene.member).values_list("ref", flat=True))
    assert observer_refs == {"DAG028"}
    assert member_refs == {"DAG028", "DAG029"}


def test_actions_and_their_owners_follow_the_meeting(scene):
    def refs(user):
        return set(Action.objects.visible_to(user).values_list("ref", flat=True))

    def owners(user):
        return {o.display for o in ActionOwner.objects.visible_to(user).select_related("person")}

    assert refs(scene.observer) == {"DAG28-01", "DAG28-02"}
    assert refs(scene.member) == {"DAG28-01", "DAG28-02", "DAG29-01"}
    assert owners(scene.observer) == {
        "Programme (Rob Short)",
        "Large Supplier Representative (Haz Elmamoun)",
    }
    assert owners(scene.member) == owners(scene.observer) | {"Chair"}


def test_decisions_agenda_and_discussion_follow_the_meeting(scene):
    def decisions(user):
        return set(Decision.objects.visible_to(user).values_list("ref", flat=True))

    def areas(user):
        return sorted(AgendaItem.objects.visible_to(user).values_list("meeting__ref", "title"))

    def discussed_at(user):
        return sorted(
            DiscussionItem.objects.visible_to(user).values_list("meeting__ref", flat=True)
        )

    assert decisions(scene.observer) == {"DAG-DEC68"}
    assert decisions(scene.member) == {"DAG-DEC68", "DAG-DEC69"}
    assert areas(scene.observer) == [
        ("DAG028", "CR023 Decision"),
        ("DAG028", "Minutes and Actions"),
    ]
    assert ("DAG029", "Minutes and Actions") in areas(scene.member)
    assert discussed_at(scene.observer) == ["DAG028"]
    assert discussed_at(scene.member) == ["DAG028", "DAG029"]


def test_mentions_and_reviews_follow_the_meeting_that_wrote_them(scene):
    dag28_01 = scene.seed.dag28_01

    def mentioned_at(user):
        return list(
            DiscussionReference.objects.visible_to(user)
            .filter(action=dag28_01)
            .values_list("discussion_item__meeting__ref", flat=True)
        )

    def reviewed_at(user):
        return list(ActionReview.objects.visible_to(user).values_list("meeting__ref", flat=True))

    assert mentioned_at(scene.observer) == []
    assert mentioned_at(scene.member) == ["DAG029"]
    assert reviewed_at(scene.observer) == []
    assert reviewed_at(scene.member) == ["DAG029"]
    # The related managers have the verb too (the action page reads them so).
    assert list(dag28_01.reviews.visible_to(scene.observer)) == []


def test_an_observer_sees_only_issued_report_versions_of_meetings_they_may_see(scene):
    def versions(user):
        return sorted(
            HeadlineReport.objects.visible_to(user).values_list("meeting__ref", "version")
        )

    assert versions(scene.observer) == [("DAG028", 1)]
    assert versions(scene.member) == [("DAG028", 1), ("DAG028", 2), ("DAG029", 1)]


def test_the_action_page_hides_where_an_observer_may_not_look(client, scene):
    client.force_login(scene.observer)
    observed = client.get("/actions/DAG28-01/").content.decode()
    client.force_login(scene.member)
    as_member = client.get("/actions/DAG28-01/").content.decode()
    assert 'href="/meetings/DAG029/' in as_member
    assert 'href="/meetings/DAG029/' not in observed
    assert "The DRG meets next week" in as_member
    assert "The DRG meets next week" not in observed


def test_the_change_request_page_lists_only_visible_records(client, scene):
    client.force_login(scene.observer)
    observed = client.get("/change-requests/CR023/").content.decode()
    client.force_login(scene.member)
    as_member = client.get("/change-requests/CR023/").content.decode()
    assert "DAG-DEC68" in observed
    assert "DAG-DEC69" not in observed
    assert "DAG-DEC69" in as_member


def test_the_reviews_page_offers_only_actions_of_visible_meetings(client, scene):
    # The other way round: the earlier meeting is Restricted, the later one Public.
    Meeting.objects.filter(ref="DAG028").update(classification=Classification.RESTRICTED)
    Meeting.objects.filter(ref="DAG029").update(classification=Classification.PUBLIC)
    ActionReview.objects.all().delete()
    client.force_login(scene.observer)
    observed = client.get("/meetings/DAG029/reviews/")
    client.force_login(scene.member)
    as_member = client.get("/meetings/DAG029/reviews/")
    assert observed.status_code == as_member.status_code == 200
    assert "DAG28-01" in as_member.content.decode()
    assert "DAG28-01" not in observed.content.decode()


def test_the_api_action_hides_reviews_and_discussion_of_hidden_meetings(scene):
    def get(user):
        token, _ = Token.objects.get_or_create(user=user)
        api = APIClient()
        api.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
        return api.get("/api/v1/actions/DAG28-01/").json()

    observed, as_member = get(scene.observer), get(scene.member)
    assert (observed["reviews"], observed["discussed_in"]) == ([], [])
    assert [r["meeting"]["ref"] for r in as_member["reviews"]] == ["DAG029"]
    assert [d["meeting"]["ref"] for d in as_member["discussed_in"]] == ["DAG029"]


def test_discussion_links_decided_in_python_match_the_rule(scene):
    """The meeting page decides which refs in discussion a reader may open from the meetings
    of the records they name (``core.visibility.linked_meeting_columns``), with one
    ``visible_meeting_ids`` call: the same references as ``linked_record_q``, for a reader
    of Public meetings, a member, and one whom only a participation lets in."""
    from core.visibility import (
        linked_meeting_columns,
        linked_meetings,
        linked_record_q,
        linked_record_visible,
        visible_meeting_ids,
    )
    from meetings.models import MeetingParticipant, Person

    seed = scene.seed
    decision_ref = Decision.objects.get(meeting=seed.dag029).ref
    discussion.discussion_item_create(
        meeting=seed.dag028,
        text=f"See ACTION DAG29-01, DECISION {decision_ref}, DAG029, DAG28-02 and CR023.",
        acting_user=_user("pmo"),
    )
    guest = User.objects.create_user("guest")
    person = Person.objects.create(name="Guest Reader", email="guest@prog.example", user=guest)
    MeetingParticipant.objects.create(meeting=seed.dag029, person=person)
    rows = list(DiscussionReference.objects.values("pk", **linked_meeting_columns()))
    linked_sets = {}
    for user in (scene.observer, scene.member, guest):
        expected = set(
            DiscussionReference.objects.filter(linked_record_q(user)).values_list("pk", flat=True)
        )
        seen = visible_meeting_ids(user, [m for row in rows for m in linked_meetings(row)])
        assert {row["pk"] for row in rows if linked_record_visible(row, seen)} == expected
        linked_sets[user.username] = expected
    assert linked_sets["observer"] < linked_sets["member"] == linked_sets["guest"]
