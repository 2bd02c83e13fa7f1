"""Representations of actions, their owners, progress updates and reviews, and write input.

The action list is the API's busiest read (integrators sync it; issue #7 measures it), so
its JSON is built by :func:`action_json` from the rows every list of actions reads
(``actions.rows``: one ``.values()`` query and one of the owners), not by a serializer per
row. :class:`ActionOutputSerializer` documents exactly that shape in the
OpenAPI schema, and the tests hold the two together (schemathesis checks every answer
against the schema; a unit test compares the keys).
"""

from __future__ import annotations

import functools
from typing import Any

from django.utils import timezone
from drf_spectacular.utils import OpenApiExample, extend_schema_field, extend_schema_serializer
from rest_framework import serializers

from actions.models import (
    Action,
    ActionReview,
    ActionUpdate,
)
from actions.rows import ActionRow, Owner
from actions.services import OwnerSpec
from core.api.inputs import InputSerializer, choices_help
from core.api.links import Links
from core.api.timestamps import datetime_text
from core.links import url_maker
from meetings.api.serializers import (
    ActionLinkSerializer,
    AgendaItemLinkSerializer,
    ChangeRequestLinkSerializer,
    CommitteeLinkSerializer,
    DiscussionLinkSerializer,
    IdRelatedField,
    MeetingLinkSerializer,
    OrganisationLinkSerializer,
    PersonLinkSerializer,
    RefRelatedField,
    UrlField,
    meeting_find,
)
from meetings.models import AgendaItem

# --- output: the documented shapes -----------------------------------------------------------


class ActionOwnerOutputSerializer(serializers.Serializer):
    """One owner: an organisation or a role, plus an optional person or team."""

    organisation = OrganisationLinkSerializer(read_only=True, allow_null=True)
    role = serializers.CharField(read_only=True, help_text="e.g. Chair; empty for an organisation")
    person = PersonLinkSerializer(read_only=True, allow_null=True)
    is_lead = serializers.BooleanField(read_only=True)
    display = serializers.CharField(
        read_only=True, help_text="As the report writes it: Programme (Rob Short)"
    )


class ActionOutputSerializer(serializers.Serializer):
    """An action as lists show it (documentation of :func:`action_json`)."""

    id = serializers.IntegerField(read_only=True)
    ref = serializers.CharField(read_only=True, help_text="e.g. DAG28-01; assigned by the server")
    url = serializers.URLField(read_only=True)
    committee = CommitteeLinkSerializer(read_only=True)
    meeting = MeetingLinkSerializer(read_only=True, help_text="The meeting that raised it.")
    agenda_item = AgendaItemLinkSerializer(
        read_only=True, allow_null=True, help_text="The report's Area."
    )
    description = serializers.CharField(read_only=True)
    owners = ActionOwnerOutputSerializer(many=True, read_only=True, help_text="Lead first.")
    owner_display = serializers.CharField(
        read_only=True, help_text="All owners, lead first, as the report writes them."
    )
    due_date = serializers.DateField(read_only=True, allow_null=True)
    due_meeting = MeetingLinkSerializer(
        read_only=True, allow_null=True, help_text="Due by this meeting: the due date follows it."
    )
    status = serializers.ChoiceField(
        Action.Status.choices, read_only=True, help_text=choices_help(Action.Status.choices)
    )
    is_overdue = serializers.BooleanField(
        read_only=True, help_text="Not closed and due before today (Europe/London)."
    )
    closed_date = serializers.DateField(read_only=True, allow_null=True)
    closure_note = serializers.CharField(read_only=True)
    created_at = serializers.DateTimeField(read_only=True)
    updated_at = serializers.DateTimeField(read_only=True)
    updates_url = serializers.URLField(read_only=True, help_text="Progress updates.")
    reviews_url = serializers.URLField(read_only=True, help_text="Reviews at later meetings.")


class ActionUpdateOutputSerializer(serializers.ModelSerializer):
    """A dated progress update."""

    action = ActionLinkSerializer(read_only=True)
    author = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)
    author_name = serializers.SerializerMethodField(help_text="The author's name, if known.")

    class Meta:
        model = ActionUpdate
        fields = ["id", "action", "author", "author_name", "text", "proposes_closure", "created_at"]

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_author_name(self, update: ActionUpdate) -> str | None:
        person = getattr(update.author, "person", None) if update.author_id else None
        if person is None and update.author_person_id:
            person = update.author_person  # posted by the system on this person's behalf
        return person.name if person is not None else None


class ActionReviewOutputSerializer(serializers.ModelSerializer):
    """The action taken up again at a later meeting (the report's Previous Meeting(s))."""

    action = ActionLinkSerializer(read_only=True)
    meeting = MeetingLinkSerializer(read_only=True)
    agenda_item = AgendaItemLinkSerializer(read_only=True, allow_null=True)

    class Meta:
        model = ActionReview
        fields = [
            "id",
            "action",
            "meeting",
            "agenda_item",
            "order",
            "outcome",
            "new_due_date",
            "note",
        ]


class ActionDetailOutputSerializer(ActionOutputSerializer):
    """An action with its CRs, progress updates, reviews and where it was discussed."""

    change_requests = ChangeRequestLinkSerializer(many=True, read_only=True)
    updates = ActionUpdateOutputSerializer(many=True, read_only=True)
    reviews = ActionReviewOutputSerializer(many=True, read_only=True)
    discussed_in = DiscussionLinkSerializer(many=True, read_only=True)


# --- output: building rows fast --------------------------------------------------------------


def action_json(rows: list[ActionRow], links: Links) -> list[dict[str, Any]]:
    """The API representation of action ``rows`` (``actions.rows``, read with
    ``record=True``): plain dicts, no serializer per row (:class:`ActionOutputSerializer`
    documents the shape)."""
    urls = _action_urls(links.origin)
    tz = timezone.get_current_timezone()
    return [_action_dict(row, urls, tz) for row in rows]


@functools.lru_cache(maxsize=16)
def _action_urls(origin: str) -> _ActionUrls:
    """The link makers for ``origin`` (a host the site answers to, ``ALLOWED_HOSTS``), made
    once per process and origin rather than once per request."""
    return _ActionUrls(origin)


class _ActionUrls:
    """The links an action's JSON holds, each route reversed once
    (``core.links.url_maker``)."""

    def __init__(self, origin: str) -> None:
        self.organisation = url_maker("api-organisation-detail", prefix=origin)
        self.person = url_maker("api-person-detail", prefix=origin)
        self.action = url_maker("api-action-detail", prefix=origin)
        self.meeting = url_maker("api-meeting-detail", prefix=origin)
        self.agenda_item = url_maker("api-agenda-item-detail", prefix=origin)
        self.committee = url_maker("api-committee-detail", prefix=origin)


def _action_dict(row: ActionRow, urls: _ActionUrls, tz: Any) -> dict[str, Any]:
    """One action's JSON (:class:`ActionOutputSerializer`'s shape)."""
    ref, code = row.ref, row.committee_code
    agenda_item_id = row.agenda_item_id
    due_meeting = row.due_meeting_ref
    this_url = urls.action(ref)
    return {
        "id": row.pk,
        "ref": ref,
        "url": this_url,
        "committee": {"code": code, "name": row.committee_name, "url": urls.committee(code)},
        "meeting": {"ref": row.meeting_ref, "url": urls.meeting(row.meeting_ref)},
        "agenda_item": None
        if agenda_item_id is None
        else {
            "id": agenda_item_id,
            "title": row.agenda_item_title,
            "url": urls.agenda_item(agenda_item_id),
        },
        "description": row.description,
        "owners": [_owner_dict(owner, urls) for owner in row.owner_parts],
        "owner_display": "; ".join(row.owners),
        "due_date": row.due_date,
        "due_meeting": None
        if due_meeting is None
        else {"ref": due_meeting, "url": urls.meeting(due_meeting)},
        "status": row.status,
        "is_overdue": row.is_overdue,
        "closed_date": row.closed_date,
        "closure_note": row.closure_note,
        "created_at": datetime_text(row.created_at_text, tz),
        "updated_at": datetime_text(row.updated_at_text, tz),
        "updates_url": this_url + "updates/",
        "reviews_url": this_url + "reviews/",
    }


def _owner_dict(owner: Owner, urls: _ActionUrls) -> dict[str, Any]:
    """One owner's JSON (:class:`ActionOwnerOutputSerializer`'s shape)."""
    return {
        "organisation": None
        if owner.organisation_id is None
        else {
            "id": owner.organisation_id,
            "name": owner.organisation,
            "url": urls.organisation(owner.organisation_id),
        },
        "role": owner.role,
        "person": None
        if owner.person_id is None
        else {
            "id": owner.person_id,
            "name": owner.person,
            "url": urls.person(owner.person_id),
        },
        "is_lead": owner.is_lead,
        "display": owner.text,
    }


# --- input -----------------------------------------------------------------------------------


class OwnerTextField(serializers.CharField):
    """An owner as the report writes it: ``Programme (Rob Short)``, ``Chair``."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 400)
        kwargs.setdefault(
            "help_text",
            "Organisation or role, then an optional person or team in brackets: "
            "Programme (Rob Short), Chair, Large Supplier Representative (Haz Elmamoun).",
        )
        super().__init__(**kwargs)

    def to_internal_value(self, data: Any) -> str:
        from django.core.exceptions import ValidationError

        text = super().to_internal_value(data)
        try:
            OwnerSpec.from_text(text)
        except ValidationError as exc:
            raise serializers.ValidationError(exc.messages) from None
        return text


@extend_schema_serializer(
    examples=[
        OpenApiExample(
            "An action raised at DAG028",
            value={
                "meeting": "DAG028",
                "description": "Programme to circulate the CR023 workshop dates",
                "owners": ["Programme (Berlinda Kugara)"],
                "due_date": "2023-10-11",
            },
            request_only=True,
        )
    ]
)
class ActionInputSerializer(InputSerializer):
    """A new action; the server assigns its ref (the meeting's next: DAG28-16)."""

    meeting = RefRelatedField(meeting_find, "meeting", help_text="The meeting raising it: DAG028")
    description = serializers.CharField(max_length=5000)
    owners = serializers.ListField(
        child=OwnerTextField(), min_length=1, max_length=20, help_text="Lead owner first."
    )
    due_date = serializers.DateField(required=False, allow_null=True)
    due_meeting = RefRelatedField(
        meeting_find,
        "meeting",
        required=False,
        allow_null=True,
        help_text="Due by this meeting (its date becomes the due date and follows it).",
    )
    agenda_item = IdRelatedField(
        queryset=AgendaItem.objects.all(),
        required=False,
        allow_null=True,
        help_text="The area (an agenda item of the same meeting), by id.",
    )


class ActionChangeSerializer(ActionInputSerializer):
    """The fields PATCH may change; status moves through close, reopen, decline-closure."""

    meeting = None  # type: ignore[assignment]


@extend_schema_serializer(
    examples=[
        OpenApiExample(
            "A member proposes closure",
            value={"text": "Explainer presented at DRG on 04/10.", "proposes_closure": True},
            request_only=True,
        )
    ]
)
class ActionProgressInputSerializer(InputSerializer):
    text = serializers.CharField(max_length=5000, help_text="What has been done.")
    proposes_closure = serializers.BooleanField(
        required=False, default=False, help_text="Ask the PMO to close the action."
    )


class ActionCloseInputSerializer(InputSerializer):
    closed_date = serializers.DateField(
        required=False, allow_null=True, help_text="Default: today."
    )
    note = serializers.CharField(max_length=5000, required=False, allow_blank=True)


class ActionNoteInputSerializer(InputSerializer):
    note = serializers.CharField(max_length=5000, required=False, allow_blank=True)


class ActionReopenInputSerializer(InputSerializer):
    reason = serializers.CharField(
        max_length=2000,
        required=False,
        allow_blank=True,
        help_text="Why it is reopened; recorded as an update on the action (optional here, "
        "asked for in the browser).",
    )


@extend_schema_serializer(
    examples=[
        OpenApiExample(
            "DAG27-08 re-dated at DAG028",
            value={
                "meeting": "DAG028",
                "outcome": "re_dated",
                "new_due_date": "2023-10-11",
                "note": "Awaiting the data flow catalogue.",
            },
            request_only=True,
        )
    ]
)
class ActionReviewInputSerializer(InputSerializer):
    meeting = RefRelatedField(meeting_find, "meeting", help_text="The later meeting: DAG028")
    outcome = serializers.ChoiceField(
        ActionReview.Outcome.choices,
        required=False,
        help_text=choices_help(ActionReview.Outcome.choices),
    )
    new_due_date = serializers.DateField(
        required=False, allow_null=True, help_text="Required when re-dated."
    )
    note = serializers.CharField(max_length=5000, required=False, allow_blank=True)
    agenda_item = IdRelatedField(queryset=AgendaItem.objects.all(), required=False, allow_null=True)


__all__ = [
    "ActionChangeSerializer",
    "ActionCloseInputSerializer",
    "ActionDetailOutputSerializer",
    "ActionInputSerializer",
    "ActionNoteInputSerializer",
    "ActionOutputSerializer",
    "ActionProgressInputSerializer",
    "ActionReviewInputSerializer",
    "ActionReviewOutputSerializer",
    "ActionUpdateOutputSerializer",
    "UrlField",
    "action_json",
]
