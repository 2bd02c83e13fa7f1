"""The browser form of a webhook endpoint (PMO)."""

from __future__ import annotations

from typing import Any

from django import forms

from core.visibility import Classification
from meetings.models import Committee

from .models import Endpoint, Kind


class EndpointForm(forms.Form):
    name = forms.CharField(max_length=100, help_text="What it is, e.g. “Programme Jira sync”.")
    url = forms.CharField(
        label="URL",
        max_length=500,
        help_text="Where the events are POSTed: http:// or https://. Redirects are not followed.",
    )
    kinds = forms.MultipleChoiceField(
        label="Send",
        choices=Kind.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text="The kinds of change sent (README “Webhooks” lists the events of each).",
    )
    committees = forms.ModelMultipleChoiceField(
        queryset=Committee.objects.order_by("code"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Only these committees' records; none ticked: every committee. Change "
        "requests belong to the programme and are sent whichever are ticked.",
    )
    max_classification = forms.ChoiceField(
        label="Send records of meetings up to",
        choices=Classification.choices,
        initial=Classification.RESTRICTED,
        help_text="Records of meetings classified above this are never sent. Confidential "
        "records go only where you choose Confidential here.",
    )
    is_active = forms.BooleanField(
        label="Active",
        required=False,
        initial=True,
        help_text="Made active again, a disabled endpoint starts a new failure count.",
    )

    @classmethod
    def for_endpoint(cls, endpoint: Endpoint) -> EndpointForm:
        return cls(
            initial={
                "name": endpoint.name,
                "url": endpoint.url,
                "kinds": endpoint.kinds,
                "committees": list(endpoint.committees.all()),
                "max_classification": endpoint.max_classification,
                "is_active": endpoint.is_active,
            }
        )

    def service_kwargs(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data["committees"] = list(data["committees"])
        return data
