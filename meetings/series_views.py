"""``/meetings/series/new/``: the PMO plans a committee's meetings as a series
(``meetings.series``)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse

from core.forms import DateInput, TimeInput
from core.views import RecorderRequired, form_add_service_error

from . import series
from .models import Committee, Meeting

WEEKDAY_CHOICES = list(
    zip(series.WEEKDAYS, ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday"), strict=False)
)


class MeetingSeriesForm(forms.Form):
    """A series: which committee, how often, from when, at what London time, the agenda."""

    committee = forms.ModelChoiceField(queryset=Committee.objects.all(), empty_label=None)
    title = forms.CharField(max_length=200, initial="Monthly meetings")
    frequency = forms.ChoiceField(
        choices=[
            ("monthly", "Monthly, on a weekday of the month"),
            ("weekly", "Weekly"),
            ("fortnightly", "Every two weeks"),
        ]
    )
    week = forms.TypedChoiceField(
        coerce=int,
        choices=[(1, "First"), (2, "Second"), (3, "Third"), (4, "Fourth"), (-1, "Last")],
        initial=2,
        label="Week of the month",
        help_text="For a monthly series.",
    )
    weekday = forms.ChoiceField(choices=WEEKDAY_CHOICES, initial="WE")
    count = forms.IntegerField(
        min_value=1, max_value=series.MAX_MEETINGS, initial=12, label="Number of meetings"
    )
    first_date = forms.DateField(widget=DateInput(), label="From", help_text="The first date.")
    start_time = forms.TimeField(widget=TimeInput(), initial=dt.time(10, 0), label="Starts")
    end_time = forms.TimeField(widget=TimeInput(), initial=dt.time(13, 0), label="Ends")
    venue = forms.CharField(required=False, max_length=200, initial="Virtual – MS Teams")
    classification = forms.ChoiceField(choices=Meeting.Classification.choices)
    agenda_template = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        label="Template agenda",
        help_text="One item a line, copied to each meeting.",
        initial="Minutes and Actions\nAOB",
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        start, end = data.get("start_time"), data.get("end_time")
        if start and end and end <= start:
            self.add_error("end_time", "A meeting ends after it starts.")
        return data

    def service_kwargs(self) -> dict[str, Any]:
        data = self.cleaned_data
        rule = series.series_rule(
            frequency=data["frequency"],
            count=data["count"],
            weekday=data["weekday"],
            week=data["week"],
        )
        names = ("committee", "title", "first_date", "start_time", "end_time", "venue")
        kwargs = {name: data[name] for name in names}
        kwargs |= {"classification": data["classification"], "rule": rule}
        return kwargs | {"agenda_template": data["agenda_template"]}


class MeetingSeriesCreateView(RecorderRequired):
    def get(self, request: HttpRequest) -> HttpResponse:
        return self.show(request, MeetingSeriesForm(auto_id="series-%s"))

    def post(self, request: HttpRequest) -> HttpResponse:
        form = MeetingSeriesForm(request.POST, auto_id="series-%s")
        if form.is_valid():
            try:
                planned = series.meeting_series_plan(
                    acting_user=request.user, **form.service_kwargs()
                )
            except ValidationError as exc:
                form_add_service_error(form, exc)
            else:
                meetings = list(planned.meetings.order_by("start_at"))
                messages.success(
                    request,
                    f"{len(meetings)} meetings planned: {meetings[0].ref} to {meetings[-1].ref}.",
                )
                url = reverse("meeting-list") + f"?committee={planned.committee.code}"
                return HttpResponseRedirect(url)
        return self.show(request, form)

    def show(self, request: HttpRequest, form: MeetingSeriesForm) -> HttpResponse:
        return render(request, "meetings/meeting_series_form.html", {"form": form})
