"""Every guard of the composer's services: discussion items (``composer.discussion``) and
headline report versions (``composer.headline_report``), on the seed's DAG028 and DAG029."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from composer import discussion, headline_report
from core.actors import SYSTEM
from meetings.models import DiscussionItem, DiscussionReference, HeadlineReport, Meeting
from meetings.services import agenda_item_create, meeting_update
from tests.fixtures import DISCUSSION_TEXT, build_seedlike

REFUSED_ROLES = ["Chair", "Member", "Observer"]


@pytest.fixture
def seed(db):
    return build_seedlike()


@pytest.fixture
def item(seed):
    """The seed's discussion item under "CR023 Decision" at DAG028."""
    return seed.dag028.discussion_items.get()


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def references_of(item: DiscussionItem) -> list[tuple[str, str, object]]:
    rows = item.references.order_by("id")
    return [
        (r.kind, r.ref, r.action or r.decision or r.change_request or r.meeting or r.din)
        for r in rows
    ]


# --- discussion items -----------------------------------------------------------------------------


def test_the_seed_discussion_resolves_its_refs(seed, item):
    assert references_of(item) == [
        ("change_request", "CR023", seed.cr023),
        ("decision", "DAG-DEC68", seed.dec68),
        ("action", "DAG28-02", seed.dag28_02),
        # "see DES196" in the text: a design artefact, stored in its canonical form.
        ("design_artefact", "DES-196", None),
    ]


@pytest.mark.parametrize("role", REFUSED_ROLES)
def test_only_the_pmo_writes_discussion(seed, item, role_user, role):
    user = role_user(role)
    calls = [
        lambda: discussion.discussion_item_create(
            meeting=seed.dag028, text="The DAG noted DAG28-01.", acting_user=user
        ),
        lambda: discussion.discussion_item_update(
            discussion_item=item, text="Changed", acting_user=user
        ),
        lambda: discussion.discussion_references_refresh(discussion_item=item, acting_user=user),
        lambda: discussion.discussion_item_delete(discussion_item=item, acting_user=user),
    ]
    for call in calls:
        with pytest.raises(PermissionDenied):
            call()
    item.refresh_from_db()
    assert item.text == DISCUSSION_TEXT
    assert DiscussionItem.objects.count() == 1
    assert item.references.count() == 4


def test_the_pmo_writes_discussion_and_its_refs_follow_the_text(seed, item, pmo_user):
    added = discussion.discussion_item_create(
        meeting=seed.dag028,
        text="The DAG noted <b>DAG28-01</b> and DAG28-01 again; CR999 is not recorded.",
        acting_user=pmo_user,
    )
    assert added.order == 2
    assert references_of(added) == [
        ("action", "DAG28-01", seed.dag28_01),
        ("change_request", "CR999", None),
    ]
    discussion.discussion_item_update(
        discussion_item=added, text="The DAG noted DAG-DEC68.", order=5, acting_user=pmo_user
    )
    added.refresh_from_db()
    assert (added.order, references_of(added)) == (5, [("decision", "DAG-DEC68", seed.dec68)])
    discussion.discussion_item_delete(discussion_item=added, acting_user=pmo_user)
    assert not DiscussionItem.objects.filter(pk=added.pk).exists()
    assert not DiscussionReference.objects.filter(discussion_item_id=added.pk).exists()


def test_the_system_writes_discussion(seed, item):
    discussion.discussion_item_update(discussion_item=item, text="CR023 noted.", acting_user=SYSTEM)
    assert discussion.discussion_references_refresh(discussion_item=item, acting_user=SYSTEM)
    assert references_of(item) == [("change_request", "CR023", seed.cr023)]
    discussion.discussion_item_delete(discussion_item=item, acting_user=SYSTEM)
    assert not DiscussionItem.objects.exists()


@pytest.mark.parametrize("text", ["", "   ", "<script>alert(1)</script>", None])
def test_discussion_needs_text(seed, item, text):
    with pytest.raises(ValidationError) as err:
        discussion.discussion_item_create(meeting=seed.dag028, text=text, acting_user=SYSTEM)
    assert "text" in err.value.message_dict
    with pytest.raises(ValidationError) as err:
        discussion.discussion_item_update(discussion_item=item, text=text, acting_user=SYSTEM)
    assert "text" in err.value.message_dict
    item.refresh_from_db()
    assert item.references.count() == 4
    assert DiscussionItem.objects.count() == 1


def test_an_agenda_item_of_another_meeting_is_refused(seed, item):
    elsewhere = agenda_item_create(meeting=seed.dag029, title="CR023 Decision", acting_user=SYSTEM)
    with pytest.raises(ValidationError) as err:
        discussion.discussion_item_create(
            meeting=seed.dag028, text="CR023", agenda_item=elsewhere, acting_user=SYSTEM
        )
    assert "agenda_item" in err.value.message_dict
    with pytest.raises(ValidationError) as err:
        discussion.discussion_item_update(
            discussion_item=item, agenda_item=elsewhere, acting_user=SYSTEM
        )
    assert "agenda_item" in err.value.message_dict
    item.refresh_from_db()
    assert item.agenda_item.title == "CR023 Decision"
    assert item.agenda_item.meeting == seed.dag028


def test_discussion_update_refuses_other_fields(item):
    for changes in ({"meeting": None}, {"references": []}):
        with pytest.raises(ValidationError, match="cannot be changed here"):
            discussion.discussion_item_update(discussion_item=item, acting_user=SYSTEM, **changes)
    item.refresh_from_db()
    assert item.meeting.ref == "DAG028"


# --- headline report versions ---------------------------------------------------------------------


def issue_pending(meeting: Meeting, user, capture) -> HeadlineReport:
    """Issue a version and leave it pending (its render is captured, not run)."""
    with capture(execute=False):
        return headline_report.headline_report_issue(meeting=meeting, acting_user=user)


@pytest.mark.parametrize("role", REFUSED_ROLES)
def test_only_the_pmo_issues_and_retries(seed, role_user, role, django_capture_on_commit_callbacks):
    pending = issue_pending(seed.dag028, SYSTEM, django_capture_on_commit_callbacks)
    user = role_user(role)
    with pytest.raises(PermissionDenied):
        headline_report.headline_report_issue(meeting=seed.dag028, acting_user=user)
    with (
        time_machine.travel(timezone.now() + dt.timedelta(hours=1)),
        pytest.raises(PermissionDenied),
    ):
        headline_report.headline_report_retry(report=pending, acting_user=user)
    assert list(seed.dag028.headline_reports.values_list("version", "status")) == [
        (1, HeadlineReport.Status.PENDING)
    ]


def test_a_planned_meeting_has_no_report_yet(seed, pmo_user):
    with pytest.raises(ValidationError, match="DAG029 is planned"):
        headline_report.headline_report_issue(meeting=seed.dag029, acting_user=pmo_user)
    assert not HeadlineReport.objects.exists()


def test_issuing_twice_while_waiting_gives_one_version(
    seed, pmo_user, django_capture_on_commit_callbacks
):
    first = issue_pending(seed.dag028, pmo_user, django_capture_on_commit_callbacks)
    second = issue_pending(seed.dag028, SYSTEM, django_capture_on_commit_callbacks)
    assert (first, first.version, first.requested_by) == (second, 1, pmo_user)
    # A version waiting longer than HEADLINE_REPORT_STALE_AFTER was lost: a new one is made.
    with time_machine.travel(timezone.now() + dt.timedelta(minutes=16)):
        third = issue_pending(seed.dag028, pmo_user, django_capture_on_commit_callbacks)
    assert third.version == 2


def test_a_version_in_progress_or_issued_is_not_retried(
    seed, pmo_user, django_capture_on_commit_callbacks
):
    pending = issue_pending(seed.dag028, pmo_user, django_capture_on_commit_callbacks)
    with pytest.raises(ValidationError, match="only a failed version can be retried"):
        headline_report.headline_report_retry(report=pending, acting_user=pmo_user)
    headline_report.headline_report_render_version(report_id=pending.pk)
    pending.refresh_from_db()
    assert pending.status == HeadlineReport.Status.ISSUED
    with pytest.raises(ValidationError, match="is issued; only a failed version"):
        headline_report.headline_report_retry(report=pending, acting_user=pmo_user)
    seed.dag028.refresh_from_db()
    assert seed.dag028.status == Meeting.Status.REPORT_ISSUED


def test_a_lost_version_is_retried_by_the_system(
    seed, pmo_user, django_capture_on_commit_callbacks
):
    pending = issue_pending(seed.dag028, pmo_user, django_capture_on_commit_callbacks)
    with (
        time_machine.travel(timezone.now() + dt.timedelta(minutes=16)),
        django_capture_on_commit_callbacks(execute=False) as callbacks,
    ):
        retried = headline_report.headline_report_retry(report=pending, acting_user=SYSTEM)
    assert (retried.pk, retried.status, len(callbacks)) == (
        pending.pk,
        HeadlineReport.Status.PENDING,
        1,
    )


def test_a_failed_version_is_retried_by_the_pmo(
    seed, pmo_user, settings, tmp_path, django_capture_on_commit_callbacks
):
    blocked = tmp_path / "blocked"
    blocked.write_text("a file where the media folder should be")
    settings.MEDIA_ROOT = blocked
    report = issue_pending(seed.dag028, pmo_user, django_capture_on_commit_callbacks)
    failed = headline_report.headline_report_render_version(report_id=report.pk)
    assert (failed.status, failed.attempts) == (HeadlineReport.Status.FAILED, 1)
    assert failed.error
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        retried = headline_report.headline_report_retry(report=failed, acting_user=pmo_user)
    assert (retried.status, retried.error, len(callbacks)) == (
        HeadlineReport.Status.PENDING,
        "",
        1,
    )
    seed.dag028.refresh_from_db()
    assert seed.dag028.status == Meeting.Status.HELD


def test_rendering_an_unknown_version_raises(db):
    with pytest.raises(HeadlineReport.DoesNotExist):
        headline_report.headline_report_render_version(report_id=987_654)


def test_a_meeting_marked_planned_again_cannot_issue(seed, pmo_user):
    meeting_update(meeting=seed.dag028, status=Meeting.Status.PLANNED, acting_user=pmo_user)
    with pytest.raises(ValidationError, match="DAG028 is planned"):
        headline_report.headline_report_issue(meeting=seed.dag028, acting_user=pmo_user)
