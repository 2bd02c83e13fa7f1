"""Browser forms of the meetings app: meetings, areas, and the records added on a meeting page.

Forms parse and check the shape of input; the services decide (refs, permissions, rules)
and their ValidationErrors are shown on the form (``form.add_error(None, error)``).
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError

from actions.services import OwnerSpec
from changerequests.models import ChangeRequest

from . import refs
from .models import Committee, Meeting


class DateInput(forms.DateInput):
    """A native date picker (values written YYYY-MM-DD)."""

    input_type = "date"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%d", **kwargs)


class TimeInput(forms.TimeInput):
    """A native time picker (HH:MM)."""

    input_type = "time"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%H:%M", **kwargs)


def london_datetime(date: dt.date, time: dt.time) -> dt.datetime:
    """The aware datetime of a wall-clock ``date`` and ``time`` in the site's zone (London)."""
    return dt.datetime.combine(date, time, tzinfo=ZoneInfo(settings.TIME_ZONE))


class MeetingForm(forms.Form):
    """Create or edit a meeting. Date and times are London wall-clock times.

    ``number`` and ``sub_number`` are asked only when creating: left blank, the committee's
    next number is used; an extraordinary meeting gives the number it follows and a
    sub-number (20 and 1 → DAG020.1).
    """

    committee = forms.ModelChoiceField(queryset=Committee.objects.all(), empty_label=None)
    number = forms.IntegerField(
        required=False,
        min_value=1,
        max_value=refs.MAX_MEETING_NUMBER,
        help_text="Leave blank for the committee's next number.",
    )
    sub_number = forms.IntegerField(
        required=False,
        min_value=0,
        max_value=refs.MAX_SUB_NUMBER,
        label="Extraordinary sub-number",
        help_text="Only for an extraordinary meeting: 1 makes DAG020.1 after DAG020.",
    )
    title = forms.CharField(required=False, max_length=200)
    date = forms.DateField(widget=DateInput())
    start_time = forms.TimeField(widget=TimeInput(), initial=dt.time(10, 0))
    end_time = forms.TimeField(widget=TimeInput(), required=False)
    venue = forms.CharField(required=False, max_length=200, initial="Virtual – MS Teams")
    classification = forms.ChoiceField(choices=Meeting.Classification.choices)
    status = forms.ChoiceField(choices=Meeting.Status.choices)
    report_issue_date = forms.DateField(required=False, widget=DateInput())

    def __init__(self, *args: Any, meeting: Meeting | None = None, **kwargs: Any) -> None:
        self.meeting = meeting
        if meeting is not None and "initial" not in kwargs:
            start = meeting.local_start
            end = meeting.end_at and meeting.end_at.astimezone(start.tzinfo)
            kwargs["initial"] = {
                "title": meeting.title,
                "date": start.date(),
                "start_time": start.time(),
                "end_time": end.time() if end else None,
                "venue": meeting.venue,
                "classification": meeting.classification,
                "status": meeting.status,
                "report_issue_date": meeting.report_issue_date,
            }
        super().__init__(*args, **kwargs)
        if meeting is not None:
            for name in ("committee", "number", "sub_number"):
                del self.fields[name]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        date, start, end = data.get("date"), data.get("start_time"), data.get("end_time")
        if date and start:
            data["start_at"] = london_datetime(date, start)
            data["end_at"] = london_datetime(date, end) if end else None
            if end and data["end_at"] <= data["start_at"]:
                self.add_error("end_time", "The meeting must end after it starts.")
        if self.meeting is None and data.get("sub_number") and not data.get("number"):
            self.add_error("number", "Give the number of the meeting this one follows.")
        return data

    def service_kwargs(self) -> dict[str, Any]:
        """The cleaned values as keyword arguments of meeting_create / meeting_update."""
        data = self.cleaned_data
        values = {
            "title": data["title"],
            "start_at": data["start_at"],
            "end_at": data["end_at"],
            "venue": data["venue"],
            "classification": data["classification"],
            "status": data["status"],
            "report_issue_date": data["report_issue_date"],
        }
        if self.meeting is None:
            values["committee"] = data["committee"]
            values["number"] = data["number"]
            values["sub_number"] = data["sub_number"] or 0
        return values


def change_request_from_ref(value: str) -> ChangeRequest | None:
    """The recorded CR written as ``CR023`` (or ``CR 23``); None for blank text.

    Raises ValidationError when the text is no CR ref or the CR is not recorded.
    """
    value = (value or "").strip()
    if not value:
        return None
    number = refs.parse_change_request_ref(value)
    cr = ChangeRequest.objects.filter(number=number).first()
    if cr is None:
        raise ValidationError(
            f"{refs.change_request_ref(number)} is not recorded yet; add it under Change "
            "requests first."
        )
    return cr


class AreaField(forms.CharField):
    """An agenda area by title: an existing one of the meeting, or a new one to add."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        kwargs.setdefault("max_length", 300)
        kwargs.setdefault("label", "Area")
        kwargs.setdefault(
            "help_text", "An agenda item of this meeting; a new title adds it to the agenda."
        )
        # The meeting page holds one <datalist id="area-titles"> of the meeting's areas.
        kwargs.setdefault(
            "widget", forms.TextInput(attrs={"list": "area-titles", "autocomplete": "off"})
        )
        super().__init__(**kwargs)


class AgendaItemForm(forms.Form):
    """Add an agenda item (the report's "Area"), optionally about a change request."""

    title = forms.CharField(max_length=300, label="Area title")
    change_request = forms.CharField(
        required=False, max_length=12, label="Change request", help_text="e.g. CR023"
    )

    def clean_change_request(self) -> ChangeRequest | None:
        return change_request_from_ref(self.cleaned_data["change_request"])


def owners_from_text(text: str) -> list[OwnerSpec]:
    """Owners written one a line, lead first (``Programme (Rob Short)``, ``Chair``).

    Raises ValidationError naming the first line that is not an owner.
    """
    lines = [line.strip() for line in (text or "").splitlines() if line.strip()]
    if not lines:
        raise ValidationError("Name at least one owner, such as “Programme (Rob Short)”.")
    return [OwnerSpec.from_text(line) for line in lines]


def later_meetings(meeting: Meeting) -> list[Meeting]:
    """The committee's meetings after ``meeting`` (the choices of "due by meeting"), leaving
    out an import's placeholders (their dates are guesses)."""
    return list(
        Meeting.objects.real()
        .filter(committee_id=meeting.committee_id, start_at__gt=meeting.start_at)
        .order_by("start_at")
    )


class DueMeetingField(forms.ChoiceField):
    """ "Due by meeting": one of the later meetings, by ref; cleans to the Meeting or None.

    The choices are a list given by the form (not a queryset), so a page with many forms
    reads the meetings once.
    """

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        kwargs.setdefault("label", "Or due by meeting")
        kwargs.setdefault("help_text", "The due date then follows that meeting's date.")
        super().__init__(**kwargs)
        self.meetings: dict[str, Meeting] = {}

    def set_meetings(self, meetings: list[Meeting]) -> None:
        self.meetings = {m.ref: m for m in meetings}
        if meetings:
            self.choices = [("", "— none: use the due date —")] + [
                (m.ref, f"{m.ref} ({m.local_start:%d %b %Y})") for m in meetings
            ]
            self.help_text = "The due date then follows that meeting's date, if it moves."
        else:
            self.choices = [("", "— no later meeting planned —")]
            self.help_text = (
                "No later meeting of this committee is recorded yet; once one is planned "
                "(Meetings → New meeting) it can be chosen here."
            )

    def clean(self, value: Any) -> Meeting | None:
        ref = super().clean(value)
        return self.meetings.get(ref) if ref else None


class ActionForm(forms.Form):
    """An action of a meeting: area, description, owners (one a line) and due date.

    ``later`` is the list of the committee's later meetings (read once per page by the
    caller); without it the form reads them itself.
    """

    area = AreaField()
    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}))
    owners = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="One a line, lead first: an organisation or role, then a person in brackets "
        "— “Programme (Rob Short)”, “Chair”.",
    )
    due_date = forms.DateField(required=False, widget=DateInput())
    due_meeting = DueMeetingField()

    def __init__(
        self, *args: Any, meeting: Meeting, later: list[Meeting] | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.meeting = meeting
        self.fields["due_meeting"].set_meetings(
            later if later is not None else later_meetings(meeting)
        )

    def clean_owners(self) -> list[OwnerSpec]:
        return owners_from_text(self.cleaned_data["owners"])


class DecisionForm(forms.Form):
    """A proposed decision of a meeting: area, text and the CR it settles (if any)."""

    area = AreaField()
    text = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), label="Decision")
    change_request = forms.CharField(
        required=False,
        max_length=12,
        label="Change request",
        help_text="The CR this decision settles, e.g. CR023; its status follows the chair's "
        "decision.",
    )

    def __init__(self, *args: Any, meeting: Meeting, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.meeting = meeting

    def clean_change_request(self) -> ChangeRequest | None:
        return change_request_from_ref(self.cleaned_data["change_request"])


class DiscussionItemForm(forms.Form):
    """A key discussion item; refs written in it (DAG28-02, CR023) become links."""

    area = AreaField()
    text = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}),
        label="Discussion",
        help_text="Refs such as ACTION DAG28-02, DECISION DAG-DEC68 or CR023 become links. "
        "Bold, italic and underline (b, i, u tags) are kept.",
    )

    def __init__(self, *args: Any, meeting: Meeting, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.meeting = meeting


class MeetingFilterForm(forms.Form):
    """The meeting list's filters: committee and status."""

    committee = forms.ModelChoiceField(
        queryset=Committee.objects.all(),
        required=False,
        empty_label="All committees",
        to_field_name="code",
    )
    status = forms.ChoiceField(
        choices=[("", "Any status"), *Meeting.Status.choices], required=False
    )
