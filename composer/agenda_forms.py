"""Forms of the agenda page: an item's slot, presenter and purpose (at the version read,
``core.concurrency``), a new item, and a paper's file."""

from __future__ import annotations

from typing import Any

from django import forms

from changerequests.models import ChangeRequest
from core.concurrency import VersionedForm
from core.forms import TimeInput
from meetings.models import AgendaItem, Meeting, Person


class PresenterChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Person) -> str:
        return f"{obj.name} ({obj.organisation.name})" if obj.organisation_id else obj.name


class AgendaItemEditForm(VersionedForm):
    """An agenda item as the agenda shows it; ``meeting`` bounds nothing here but names the
    form's people (the active directory). The page always carries the version: a POST
    without it is refused."""

    version_required = True
    title = forms.CharField(max_length=300)
    start_time = forms.TimeField(required=False, widget=TimeInput(), label="Start time")
    duration_minutes = forms.IntegerField(
        required=False, min_value=1, max_value=24 * 60, label="Duration (minutes)"
    )
    presenter = PresenterChoiceField(
        queryset=Person.objects.none(), required=False, empty_label="— nobody named —"
    )
    purpose = forms.ChoiceField(
        choices=[("", "— not stated —"), *AgendaItem.Purpose.choices], required=False
    )
    change_request = forms.ModelChoiceField(
        queryset=ChangeRequest.objects.order_by("number"),
        required=False,
        label="Change request it concerns",
        to_field_name="ref",
        empty_label="— none —",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["presenter"].queryset = (
            Person.objects.filter(is_active=True).select_related("organisation").order_by("name")
        )


class AgendaItemAddForm(forms.Form):
    title = forms.CharField(max_length=300, label="New item's title")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "new-item-%s")  # one page holds this and the paper form
        super().__init__(*args, **kwargs)


class PaperAddForm(forms.Form):
    title = forms.CharField(max_length=200, label="Paper title")
    agenda_item = forms.ModelChoiceField(
        queryset=AgendaItem.objects.none(),
        required=False,
        label="Agenda item",
        empty_label="— the meeting as a whole —",
    )
    file = forms.FileField(
        help_text="A PDF, Word document (.docx), Excel workbook (.xlsx), PNG or JPEG.",
    )

    def __init__(self, *args: Any, meeting: Meeting, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "paper-%s")
        super().__init__(*args, **kwargs)
        self.fields["agenda_item"].queryset = meeting.agenda_items.order_by("order", "id")


class PaperReplaceForm(forms.Form):
    file = forms.FileField(label="New version")
