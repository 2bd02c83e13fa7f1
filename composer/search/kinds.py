"""The kinds of record the search finds, each registered once (``composer.search.registry``).

Meetings, actions, decisions, discussion items and change requests. Papers' titles join
when a meeting's papers are recorded (``meetings.Paper``): one more :func:`register` call
here, with the paper's meeting for its visibility and date.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from actions.models import Action
from changerequests.models import ChangeRequest
from core import refs
from core.templatetags.governance import discussion_dom_id, ref_url
from decisions.models import Decision
from meetings.models import AgendaItem, DiscussionItem, Meeting

from .registry import Document, SearchKind, plain_text, register


def _meeting_document(meeting: Meeting) -> Document:
    return Document(
        title=plain_text(meeting.ref, meeting.committee.name),
        body=plain_text(meeting.title, meeting.venue),
        ref=meeting.ref,
        place=meeting.committee.name,
        link=ref_url(refs.RefKind.MEETING, meeting.ref),
        committee_id=meeting.committee_id,
        meeting_id=meeting.pk,
        date=meeting.date,
    )


def _action_document(action: Action) -> Document:
    return Document(
        title=action.ref,
        body=plain_text(action.description, action.closure_note),
        ref=action.ref,
        place=action.meeting.ref,
        link=ref_url(refs.RefKind.ACTION, action.ref),
        committee_id=action.committee_id,
        meeting_id=action.meeting_id,
        date=action.meeting.date,
    )


def _decision_document(decision: Decision) -> Document:
    return Document(
        title=decision.ref,
        body=plain_text(decision.text, decision.conditions),
        ref=decision.ref,
        place=decision.meeting.ref,
        link=ref_url(refs.RefKind.DECISION, decision.ref),
        committee_id=decision.committee_id,
        meeting_id=decision.meeting_id,
        date=decision.meeting.date,
    )


def _discussion_document(item: DiscussionItem) -> Document:
    meeting = item.meeting
    area = item.agenda_item.title if item.agenda_item_id else ""
    return Document(
        title=plain_text(area) or "Discussion",
        body=plain_text(item.text, is_html=True),
        place=meeting.ref,
        link=f"{ref_url(refs.RefKind.MEETING, meeting.ref)}#{discussion_dom_id(item)}",
        committee_id=meeting.committee_id,
        meeting_id=meeting.pk,
        date=meeting.date,
    )


def _change_request_document(cr: ChangeRequest) -> Document:
    return Document(
        title=plain_text(cr.ref, cr.title),
        body=plain_text(cr.description, cr.design_artefacts),
        ref=cr.ref,
        place=cr.get_status_display(),
        link=ref_url(refs.RefKind.CHANGE_REQUEST, cr.ref),
        date=timezone.localdate(cr.created_at) if cr.created_at else None,
    )


def _visible(model: Any) -> Any:
    def visible(user: Any) -> QuerySet:
        return model.objects.visible_to(user)

    return visible


register(
    SearchKind(
        name="meeting",
        label="Meeting",
        plural="Meetings",
        model=Meeting,
        document=_meeting_document,
        visible=_visible(Meeting),
        records=lambda: Meeting.objects.select_related("committee"),
    )
)
register(
    SearchKind(
        name="action",
        label="Action",
        plural="Actions",
        model=Action,
        document=_action_document,
        visible=_visible(Action),
        records=lambda: Action.objects.select_related("meeting"),
    )
)
register(
    SearchKind(
        name="decision",
        label="Decision",
        plural="Decisions",
        model=Decision,
        document=_decision_document,
        visible=_visible(Decision),
        records=lambda: Decision.objects.select_related("meeting"),
    )
)
register(
    SearchKind(
        name="discussion",
        label="Discussion",
        plural="Discussion items",
        model=DiscussionItem,
        document=_discussion_document,
        visible=_visible(DiscussionItem),
        records=lambda: DiscussionItem.objects.select_related("meeting", "agenda_item"),
        # An area renamed or removed: its discussion items are filed under another title.
        related={
            AgendaItem: lambda area: DiscussionItem.objects.filter(
                pk__in=list(area.discussion_items.values_list("pk", flat=True))
            ).select_related("meeting", "agenda_item")
        },
    )
)
register(
    SearchKind(
        name="change_request",
        label="Change request",
        plural="Change requests",
        model=ChangeRequest,
        document=_change_request_document,
        # Change requests are programme-wide and unclassified: every signed-in user reads them.
        visible=lambda user: None,
        records=lambda: ChangeRequest.objects.all(),
    )
)
