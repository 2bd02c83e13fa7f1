"""Reads of committees, meetings and discussion."""

from __future__ import annotations

from typing import Any, TypeVar

from django.db.models import (
    Model,
    Prefetch,
    Q,
    QuerySet,
)

from core import refs, roles
from core.history import HistoryEntry, history_entries, history_merge
from core.visibility import meeting_visible_q, person_visible_q, sees_all_meetings

from .models import (
    AgendaItem,
    Committee,
    DiscussionItem,
    DiscussionReference,
    Meeting,
    Organisation,
    Person,
)

_M = TypeVar("_M", bound=Model)


def committee_codes() -> list[str]:
    """Codes of every committee in the installation (``["DAG", "DRG"]``)."""
    return list(Committee.objects.values_list("code", flat=True))


def meeting_next(*, meeting: Meeting) -> Meeting | None:
    """The meeting after ``meeting``: "Date of next DAG" in its report and on its page.

    The committee's earliest meeting whose ``start_at`` is later than ``meeting``'s, whatever
    its status (the next meeting stays the next one once it is held), leaving out an
    import's placeholders (their dates are guesses). None when none is recorded.
    """
    return Meeting.objects.later_than(meeting).select_related("committee").first()


def committee_next_meetings() -> dict[int, Meeting]:
    """Each committee's next meeting, ``{committee_id: meeting}``, in one query.

    The next meeting is the committee's earliest meeting still *planned* (not yet held) that
    is not an import's placeholder (DESIGN.md: "Date of next meeting is derived from the
    next planned meeting"). It is :func:`meeting_next` of the committee's last meeting held:
    used by "due before the next meeting" filters and "my actions".
    """
    result: dict[int, Meeting] = {}
    for meeting in (
        Meeting.objects.planned().real().select_related("committee").order_by("start_at")
    ):
        result.setdefault(meeting.committee_id, meeting)
    return result


def meeting_list_for_user(
    *, user: Any, queryset: QuerySet[Meeting] | None = None
) -> QuerySet[Meeting]:
    """Meetings ``user`` may see (of ``queryset``, by default all), by the one rule
    (``Meeting.objects.visible_to``, ``core.visibility``)."""
    qs = Meeting.objects.all() if queryset is None else queryset
    return qs.visible_to(user).select_related("committee")


def meeting_get_for_user(
    *, ref: str, user: Any, queryset: QuerySet[Meeting] | None = None
) -> Meeting:
    """The meeting with ``ref`` (of ``queryset``, by default all) if ``user`` may see it.

    Raises Meeting.DoesNotExist otherwise, ValidationError when ``ref`` is no meeting ref.
    """
    return meeting_list_for_user(user=user, queryset=queryset).get(
        ref=refs.meeting_ref(*_meeting_key(ref))
    )


def _meeting_key(ref: str) -> tuple[str, int, int]:
    key = refs.parse_meeting_ref(ref)
    return key.code, key.number, key.sub_number


def discussions_of(*, field: str, record: Model) -> QuerySet[DiscussionItem]:
    """Discussion items that name ``record`` ("where was this discussed"), in meeting order.

    ``field`` is the DiscussionReference column: ``action``, ``decision``,
    ``change_request``, ``din`` or ``meeting``.
    """
    item_ids = DiscussionReference.objects.filter(**{field: record}).values("discussion_item_id")
    return (
        DiscussionItem.objects.filter(pk__in=item_ids)
        .select_related("meeting__committee", "agenda_item")
        .order_by("meeting__start_at", "order")
    )


# What an agenda item holds that its readers see only once the agenda is published.
AGENDA_DETAIL_FIELDS = {"start_time", "duration_minutes", "presenter", "purpose"}


def meeting_history_of(*, meeting: Meeting, user: Any) -> list[HistoryEntry]:
    """The history of ``meeting``, its agenda items and its discussion items (deleted ones
    included), newest first, as ``user`` may read it (an agenda's times, presenters and
    purposes only once it is published, or for the PMO): a fixed number of queries however
    many there are."""
    who = "history_user__person"
    own = history_entries(
        meeting.history.select_related(who),
        skipped={"committee", "number", "sub_number", "ref"},
    )
    # The rule of ``meetings.models.agenda_readable``, for the one meeting at hand.
    detail_hidden = meeting.agenda_published_at is None and not roles.is_recorder(
        user, meeting.committee_id
    )
    agenda = history_entries(
        AgendaItem.history.filter(meeting_id=meeting.pk).select_related(who),
        subject=lambda row: f"Agenda item “{row.title}”",
        skipped={"meeting"} | (AGENDA_DETAIL_FIELDS if detail_hidden else set()),
    )
    discussion = history_entries(
        DiscussionItem.history.filter(meeting_id=meeting.pk).select_related(who),
        subject=lambda row: f"Discussion item {row.order}",
        skipped={"meeting"},
        html_fields={"text"},
    )
    return history_merge(own, agenda, discussion)


def linkable_references_prefetch(user: Any) -> Prefetch:
    """A discussion item's references whose record ``user`` may open, for
    ``prefetch_related``: the ``linked_discussion`` filter links those refs and writes the
    others as plain text (``core.visibility.linked_record_q``)."""
    return Prefetch("references", queryset=DiscussionReference.objects.linkable_by(user))


def person_list_for_user(*, user: Any) -> QuerySet[Person]:
    """The people ``user`` may see (``core.visibility.person_visible_q``), with their
    organisation: the people API's list and detail."""
    return Person.objects.filter(person_visible_q(user)).select_related("organisation")


def organisation_list_for_user(*, user: Any) -> QuerySet[Organisation]:
    """The organisations ``user`` may see: those of the people they may see, and those
    owning actions of meetings they may see (``core.visibility``); all for administrators."""
    if sees_all_meetings(user):
        return Organisation.objects.all()
    people = Person.objects.filter(person_visible_q(user)).values("organisation_id")
    owning = Organisation.objects.filter(
        meeting_visible_q(user, "owned_actions__action__meeting__")
    ).values("pk")
    return Organisation.objects.filter(Q(pk__in=people) | Q(pk__in=owning))
