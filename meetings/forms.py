"""Browser forms of the meetings app: a meeting and the meeting list's filters.

Forms parse and check the shape of input; the services decide (refs, permissions, rules)
and their ValidationErrors are shown on the form (``form.add_error(None, error)``).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from core import refs
from core.concurrency import VersionedForm
from core.forms import DateInput, TimeInput, london_datetime

from .models import Committee, Meeting


class MeetingForm(VersionedForm):
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
            try:
                data["start_at"] = london_datetime(date, start)
                data["end_at"] = london_datetime(date, end) if end else None
            except ValidationError as exc:  # a time the clocks skip or pass twice
                self.add_error("start_time" if "start_at" not in data else "end_time", exc)
                return data
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
