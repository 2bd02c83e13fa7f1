"""Representations of committees, organisations, people, meetings, agenda items, discussion
items and headline reports in the API, and the input their writes accept.

Related records appear as small link objects (``{"ref": "DAG028", "url": "…"}``) so a client
can follow them; the other apps reuse the link serializers defined here.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, extend_schema_field, extend_schema_serializer
from rest_framework import serializers

from core import refs, roles, visibility
from core.api.inputs import DateTimeInputField, InputSerializer, choices_help
from core.api.links import Links
from core.api.timestamps import DateTimeOutputField
from meetings.models import (
    AgendaItem,
    Committee,
    Meeting,
    Organisation,
    Paper,
    Person,
)

# --- link fields -----------------------------------------------------------------------------


@extend_schema_field(OpenApiTypes.URI)
class UrlField(serializers.Field):
    """The absolute API URL of the record itself (``source="*"``), or of a related one."""

    def __init__(self, url_name: str, key_attr: str, **kwargs: Any) -> None:
        self.url_name, self.key_attr = url_name, key_attr
        kwargs.setdefault("source", "*")
        kwargs["read_only"] = True
        super().__init__(**kwargs)

    def to_representation(self, value: Any) -> str:
        return Links.of(self.context).url(self.url_name, getattr(value, self.key_attr))


@extend_schema_field(OpenApiTypes.URI)
class ListUrlField(serializers.Field):
    """The URL of a list filtered to this record: ``/api/v1/actions/?meeting=DAG028``."""

    def __init__(self, url_name: str, query: str, key_attr: str, **kwargs: Any) -> None:
        self.url_name, self.query, self.key_attr = url_name, query, key_attr
        kwargs.setdefault("source", "*")
        kwargs["read_only"] = True
        super().__init__(**kwargs)

    def to_representation(self, value: Any) -> str:
        links = Links.of(self.context)
        return f"{links.path(self.url_name)}?{self.query}={getattr(value, self.key_attr)}"


class CommitteeLinkSerializer(serializers.Serializer):
    code = serializers.CharField(read_only=True, help_text="e.g. DAG")
    name = serializers.CharField(read_only=True)
    url = UrlField("api-committee-detail", "code")


class MeetingLinkSerializer(serializers.Serializer):
    ref = serializers.CharField(read_only=True, help_text="e.g. DAG028, DAG020.1")
    url = UrlField("api-meeting-detail", "ref")


class AgendaItemLinkSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    title = serializers.CharField(
        read_only=True, help_text="The report's Area, e.g. CR023 Decision"
    )
    url = UrlField("api-agenda-item-detail", "pk")


class OrganisationLinkSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    name = serializers.CharField(read_only=True, help_text="e.g. Programme")
    url = UrlField("api-organisation-detail", "pk")


class PersonLinkSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    name = serializers.CharField(
        read_only=True, help_text="A person or a team: Rob Short, Testing Team"
    )
    url = UrlField("api-person-detail", "pk")


class ChangeRequestLinkSerializer(serializers.Serializer):
    ref = serializers.CharField(read_only=True, help_text="e.g. CR023")
    title = serializers.CharField(read_only=True)
    url = UrlField("api-change-request-detail", "ref")


class ActionLinkSerializer(serializers.Serializer):
    ref = serializers.CharField(read_only=True, help_text="e.g. DAG28-01")
    url = UrlField("api-action-detail", "ref")


class DecisionLinkSerializer(serializers.Serializer):
    ref = serializers.CharField(read_only=True, help_text="e.g. DAG-DEC68")
    url = UrlField("api-decision-detail", "ref")


class DiscussionLinkSerializer(serializers.Serializer):
    """A discussion item that names a record ("where was this discussed")."""

    id = serializers.IntegerField(read_only=True)
    meeting = MeetingLinkSerializer(read_only=True)
    url = UrlField("api-discussion-item-detail", "pk")


# --- reading a related record from input -----------------------------------------------------


@extend_schema_field(OpenApiTypes.STR)
class RefRelatedField(serializers.Field):
    """Input of a related record by its ref or code (``"DAG028"``, ``"CR023"``).

    ``finder(text)`` returns the record or raises DoesNotExist/ValidationError (a malformed
    ref): both become the field error "No such …".
    """

    def __init__(self, finder: Any, noun: str, **kwargs: Any) -> None:
        self.finder, self.noun = finder, noun
        super().__init__(**kwargs)

    def to_internal_value(self, data: Any) -> Any:
        from django.core.exceptions import ObjectDoesNotExist, ValidationError

        if not isinstance(data, str) or not data.strip() or "\x00" in data or len(data) > 40:
            raise serializers.ValidationError(f"Give the {self.noun} by its ref, as text.")
        try:
            return self.finder(data.strip())
        except (ObjectDoesNotExist, ValidationError):
            raise serializers.ValidationError(f"No {self.noun} “{data}”.") from None

    def to_representation(self, value: Any) -> Any:  # pragma: no cover - input only
        return getattr(value, "ref", str(value))


def meeting_find(text: str) -> Meeting:
    """The meeting with ref ``text`` (``DAG028``, ``dag 28``); DoesNotExist/ValidationError."""

    key = refs.parse_meeting_ref(text)
    return Meeting.objects.select_related("committee").get(
        ref=refs.meeting_ref(key.code, key.number, key.sub_number)
    )


def committee_find(text: str) -> Committee:
    return Committee.objects.get(code=text.upper())


class IdRelatedField(serializers.PrimaryKeyRelatedField):
    """Input of a related record by id, with a clear error for a wrong type or size."""

    default_error_messages = {
        "does_not_exist": "No record with id {pk_value}.",
        "incorrect_type": "An id is a whole number, not {data_type}.",
    }

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, bool) or not isinstance(data, int) or not 0 < data < 2**63:
            if isinstance(data, int) and not isinstance(data, bool):
                self.fail("does_not_exist", pk_value=data)
            self.fail("incorrect_type", data_type=type(data).__name__)
        return super().to_internal_value(data)


# --- committees, organisations, people -------------------------------------------------------


class CommitteeOutputSerializer(serializers.ModelSerializer):
    url = UrlField("api-committee-detail", "code")
    meetings_url = ListUrlField("api-meeting-list", "committee", "code")
    actions_url = ListUrlField("api-action-list", "committee", "code")
    decisions_url = ListUrlField("api-decision-list", "committee", "code")

    class Meta:
        model = Committee
        fields = [
            "code",
            "url",
            "name",
            "programme_name",
            "due_soon_days",
            "quorum_count",
            "quorum_fraction",
            "meetings_url",
            "actions_url",
            "decisions_url",
        ]


@extend_schema_serializer(
    examples=[
        OpenApiExample(
            "A new committee",
            value={"code": "DRG", "name": "Design Resolution Group", "programme_name": "MHHS"},
            request_only=True,
        )
    ]
)
class CommitteeInputSerializer(InputSerializer):
    code = serializers.RegexField(
        r"^[A-Z]{2,10}$", max_length=10, help_text="2-10 capital letters: DAG, DRG, PSG."
    )
    name = serializers.CharField(max_length=200)
    programme_name = serializers.CharField(max_length=200, required=False, allow_blank=True)


class OrganisationOutputSerializer(serializers.ModelSerializer):
    url = UrlField("api-organisation-detail", "pk")
    people_url = ListUrlField("api-person-list", "organisation", "pk")
    actions_url = ListUrlField("api-action-list", "owner_organisation", "pk")

    class Meta:
        model = Organisation
        fields = ["id", "url", "name", "short_name", "people_url", "actions_url"]


class PersonOutputSerializer(serializers.ModelSerializer):
    url = UrlField("api-person-detail", "pk")
    organisation = OrganisationLinkSerializer(read_only=True, allow_null=True)
    email = serializers.SerializerMethodField(
        help_text="Shown to the PMO, the secretariats and the person themself; null to others "
        "(has_email still says whether reminders reach them)."
    )
    actions_url = ListUrlField("api-action-list", "owner_person", "pk")
    has_email = serializers.BooleanField(
        read_only=True, help_text="False: no reminder can reach them (shown to every reader)."
    )
    has_login = serializers.BooleanField(read_only=True, help_text="Whether they can sign in.")

    class Meta:
        model = Person
        fields = [
            "id",
            "url",
            "name",
            "email",
            "organisation",
            "is_team",
            "is_active",
            "has_email",
            "has_login",
            "actions_url",
        ]

    @extend_schema_field(serializers.EmailField(allow_null=True, allow_blank=True))
    def get_email(self, person: Person) -> str | None:
        request = self.context.get("request")
        if request is None or not visibility.sees_email_of(request.user, person.pk):
            return None
        return person.email or None


# --- meetings --------------------------------------------------------------------------------


class AgendaItemBriefSerializer(serializers.ModelSerializer):
    url = UrlField("api-agenda-item-detail", "pk")
    change_request = ChangeRequestLinkSerializer(read_only=True, allow_null=True)

    class Meta:
        model = AgendaItem
        fields = ["id", "url", "order", "title", "change_request"]


def agenda_is_readable(context: dict[str, Any], meeting: Meeting) -> bool:
    """True when the reader of ``context`` may read ``meeting``'s agenda: it is published,
    or they record for its committee (the PMO or its secretariat build it before publishing;
    the rule of ``meetings.models.agenda_readable``)."""
    request = context.get("request")
    user = getattr(request, "user", None)
    return meeting.agenda_published_at is not None or roles.is_recorder(user, meeting.committee_id)


class PaperBriefSerializer(serializers.ModelSerializer):
    """A paper with its current version; ``file_url`` is the browser's download (it checks
    the reader's right to the meeting on every request)."""

    agenda_item = serializers.IntegerField(source="agenda_item_id", allow_null=True)
    version = serializers.SerializerMethodField()
    kind = serializers.SerializerMethodField(help_text="pdf, docx, xlsx, png or jpeg")
    size = serializers.SerializerMethodField(help_text="Bytes.")
    file_url = serializers.SerializerMethodField()

    class Meta:
        model = Paper
        fields = ["id", "title", "agenda_item", "version", "kind", "size", "file_url"]

    def _current(self, paper: Paper) -> Any:
        return max(paper.versions.all(), key=lambda v: v.version, default=None)

    @extend_schema_field(serializers.IntegerField(allow_null=True))
    def get_version(self, paper: Paper) -> int | None:
        current = self._current(paper)
        return current.version if current else None

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_kind(self, paper: Paper) -> str | None:
        current = self._current(paper)
        return current.kind if current else None

    @extend_schema_field(serializers.IntegerField(allow_null=True))
    def get_size(self, paper: Paper) -> int | None:
        current = self._current(paper)
        return current.size if current else None

    @extend_schema_field(serializers.URLField(allow_null=True))
    def get_file_url(self, paper: Paper) -> str | None:
        current = self._current(paper)
        if current is None:
            return None
        return Links.of(self.context).path(
            "paper-file", ref=paper.meeting.ref, pk=paper.pk, version=current.version
        )


class AgendaEntrySerializer(serializers.ModelSerializer):
    """An agenda item as the published agenda shows it."""

    url = UrlField("api-agenda-item-detail", "pk")
    change_request = ChangeRequestLinkSerializer(read_only=True, allow_null=True)
    presenter = PersonLinkSerializer(read_only=True, allow_null=True)
    end_time = serializers.TimeField(read_only=True, allow_null=True)
    changed_since_published = serializers.BooleanField(
        source="is_changed_since_published",
        read_only=True,
        default=False,
        help_text="Added or edited after the agenda was published.",
    )
    papers = PaperBriefSerializer(many=True, read_only=True)

    class Meta:
        model = AgendaItem
        fields = [
            "id",
            "url",
            "order",
            "title",
            "start_time",
            "duration_minutes",
            "end_time",
            "presenter",
            "purpose",
            "change_request",
            "changed_since_published",
            "papers",
        ]


class MeetingOutputSerializer(serializers.ModelSerializer):
    url = UrlField("api-meeting-detail", "ref")
    committee = CommitteeLinkSerializer(read_only=True)
    agenda_items = AgendaItemBriefSerializer(many=True, read_only=True)
    agenda_published_at = DateTimeOutputField(read_only=True, allow_null=True)
    agenda = serializers.SerializerMethodField(
        help_text="The agenda with times, presenters, purposes and papers: null until the PMO "
        "publishes it (the PMO reads it as it stands)."
    )
    papers = serializers.SerializerMethodField(
        help_text="The papers of the meeting as a whole (those of an item are in its agenda "
        "entry): null until the agenda is published."
    )
    actions_url = ListUrlField("api-action-list", "meeting", "ref")
    decisions_url = ListUrlField("api-decision-list", "meeting", "ref")
    discussion_items_url = ListUrlField("api-discussion-item-list", "meeting", "ref")
    headline_reports_url = UrlField("api-headline-report-list", "ref")
    start_at = DateTimeOutputField(read_only=True)
    end_at = DateTimeOutputField(read_only=True, allow_null=True)

    class Meta:
        model = Meeting
        fields = [
            "ref",
            "url",
            "committee",
            "number",
            "sub_number",
            "title",
            "start_at",
            "end_at",
            "venue",
            "classification",
            "status",
            "report_issue_date",
            "agenda_items",
            "agenda_published_at",
            "agenda",
            "papers",
            "actions_url",
            "decisions_url",
            "discussion_items_url",
            "headline_reports_url",
        ]

    @extend_schema_field(AgendaEntrySerializer(many=True, allow_null=True))
    def get_agenda(self, meeting: Meeting) -> list[dict[str, Any]] | None:
        if not agenda_is_readable(self.context, meeting):
            return None
        items = meeting.agenda_items.all()
        return AgendaEntrySerializer(items, many=True, context=self.context).data

    @extend_schema_field(PaperBriefSerializer(many=True, allow_null=True))
    def get_papers(self, meeting: Meeting) -> list[dict[str, Any]] | None:
        if not agenda_is_readable(self.context, meeting):
            return None
        papers = [p for p in meeting.papers.all() if p.agenda_item_id is None]
        return PaperBriefSerializer(papers, many=True, context=self.context).data


@extend_schema_serializer(
    examples=[
        OpenApiExample(
            "The next DAG meeting",
            value={
                "committee": "DAG",
                "start_at": "2023-10-11T10:00:00+01:00",
                "end_at": "2023-10-11T13:00:00+01:00",
                "venue": "Virtual – MS Teams",
                "classification": "public",
            },
            request_only=True,
        )
    ]
)
class MeetingInputSerializer(InputSerializer):
    """A meeting to record; its number and ref (``DAG029``) are the committee's next."""

    committee = RefRelatedField(committee_find, "committee", help_text="Committee code, e.g. DAG")
    title = serializers.CharField(max_length=200, required=False, allow_blank=True)
    start_at = DateTimeInputField(help_text="With offset; stored in UTC.")
    end_at = DateTimeInputField(required=False, allow_null=True)
    venue = serializers.CharField(max_length=200, required=False, allow_blank=True)
    classification = serializers.ChoiceField(
        Meeting.Classification.choices,
        required=False,
        help_text=choices_help(Meeting.Classification.choices),
    )
    status = serializers.ChoiceField(
        Meeting.Status.choices, required=False, help_text=choices_help(Meeting.Status.choices)
    )
    report_issue_date = serializers.DateField(required=False, allow_null=True)


class MeetingUpdateSerializer(MeetingInputSerializer):
    """The meeting fields PATCH may change (not its committee or number)."""

    committee = None  # type: ignore[assignment]


# --- agenda and discussion -------------------------------------------------------------------
