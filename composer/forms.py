"""Forms of the meeting page that concern more than one kind of record: an agenda area (which
may name a CR) and a key discussion item."""

from __future__ import annotations

from typing import Any

from django import forms

from changerequests.forms import change_request_from_ref
from changerequests.models import ChangeRequest
from core.forms import AreaField
from meetings.models import Meeting


class AgendaItemForm(forms.Form):
    """Add an agenda item (the report's "Area"), optionally about a change request."""

    title = forms.CharField(max_length=300, label="Area title")
    change_request = forms.CharField(
        required=False, max_length=12, label="Change request", help_text="e.g. CR023"
    )

    def clean_change_request(self) -> ChangeRequest | None:
        return change_request_from_ref(self.cleaned_data["change_request"])


class DiscussionItemForm(forms.Form):
    """A key discussion item; refs written in it (DAG28-02, CR023) become links."""

    area = AreaField()
    text = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4, "data-rich-editor": ""}),
        label="Discussion",
        help_text="Refs such as ACTION DAG28-02, DECISION DAG-DEC68 or CR023 become links. "
        "Bold, italic, underline, lists and links are kept.",
    )

    def __init__(self, *args: Any, meeting: Meeting, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.meeting = meeting
