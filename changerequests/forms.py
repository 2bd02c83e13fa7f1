"""Browser forms of change requests: filters, the CR itself, status moves, IA responses."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from core import refs
from core.concurrency import VersionedForm
from core.forms import DateInput
from meetings.models import Committee, Organisation

from .models import (
    LOCKED_FIELDS,
    TRANSITIONS,
    ChangeRequest,
    ImpactAssessmentResponse,
    Release,
)


class ChangeRequestFilterForm(forms.Form):
    """The CR register's filters: status (or all not yet settled) and free text."""

    q = forms.CharField(required=False, label="Search", max_length=200)
    status = forms.ChoiceField(
        choices=[("", "Any status"), ("open", "Not yet decided"), *ChangeRequest.Status.choices],
        required=False,
    )


_RELEASE = {"list": "release-codes", "autocomplete": "off"}


class ChangeRequestForm(VersionedForm):
    """Record or edit a CR. Raiser and releases are written as text (created if new)."""

    number = forms.IntegerField(
        required=False,
        min_value=1,
        max_value=refs.MAX_CHANGE_REQUEST_NUMBER,
        help_text="Leave blank for the next CR number.",
    )
    title = forms.CharField(max_length=300)
    description = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 4}))
    raiser = forms.CharField(
        required=False,
        max_length=200,
        label="Change raiser",
        help_text="An organisation.",
        widget=forms.TextInput(attrs={"list": "organisation-names", "autocomplete": "off"}),
    )
    ia_start_date = forms.DateField(required=False, widget=DateInput(), label="IA opens")
    ia_end_date = forms.DateField(required=False, widget=DateInput(), label="IA closes")
    target_release = forms.CharField(
        required=False, max_length=20, help_text="e.g. IR5", widget=forms.TextInput(attrs=_RELEASE)
    )
    backstop_release = forms.CharField(
        required=False, max_length=20, help_text="e.g. IR6", widget=forms.TextInput(attrs=_RELEASE)
    )
    design_artefacts = forms.CharField(
        required=False, max_length=500, help_text="e.g. DES-196, DES-138"
    )

    def __init__(self, *args: Any, change_request: ChangeRequest | None = None, **kw: Any) -> None:
        if change_request is not None and "initial" not in kw:
            cr = change_request
            kw["initial"] = {
                "title": cr.title,
                "description": cr.description,
                "raiser": cr.raiser.name if cr.raiser_id else "",
                "ia_start_date": cr.ia_start_date,
                "ia_end_date": cr.ia_end_date,
                "target_release": cr.target_release.code if cr.target_release_id else "",
                "backstop_release": cr.backstop_release.code if cr.backstop_release_id else "",
                "design_artefacts": cr.design_artefacts,
            }
        super().__init__(*args, **kw)
        self.change_request = change_request
        if change_request is not None:
            del self.fields["number"]
            if change_request.is_decided:
                # Shown as decided, not taken from the POST (change_request_update refuses
                # a change too).
                for name in LOCKED_FIELDS:
                    self.fields[name].disabled = True
                    self.fields[name].help_text = "As decided; re-open the CR to change it."


class ChangeRequestTransitionForm(VersionedForm):
    """Move a CR by hand to one of the statuses its workflow allows next (approval and
    rejection come by a decision); once decided, with the reason, which goes on record. At
    the version of the CR read (``core.concurrency``)."""

    to_status = forms.ChoiceField(label="Move to")
    reason = forms.CharField(
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="On record with your name on the CR's page.",
    )

    def __init__(self, *args: Any, change_request: ChangeRequest, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        allowed = TRANSITIONS.get(change_request.status, set())
        self.fields["to_status"].choices = [
            (value, label) for value, label in ChangeRequest.Status.choices if value in allowed
        ]
        if change_request.is_decided:
            self.fields["reason"].required = True
        else:
            del self.fields["reason"]


class ImpactAssessmentResponseForm(VersionedForm):
    """Record (or replace) an organisation's IA response to a CR, at the version of the CR
    read (its API ETag counts the responses' positions; ``core.concurrency``)."""

    organisation = forms.CharField(
        max_length=200,
        widget=forms.TextInput(attrs={"list": "organisation-names", "autocomplete": "off"}),
    )
    constituency = forms.CharField(required=False, max_length=200)
    position = forms.ChoiceField(choices=ImpactAssessmentResponse.Position.choices)
    conditions = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))
    comments = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))
    impact_note = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 2}), label="Cost or impact"
    )
    received_date = forms.DateField(required=False, widget=DateInput())

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if (
            data.get("position") == ImpactAssessmentResponse.Position.SUPPORT_WITH_CONDITIONS
            and not (data.get("conditions") or "").strip()
        ):
            self.add_error("conditions", "Support with conditions needs the conditions.")
        return data


def release_choices() -> list[Release]:
    """Known releases, for the form's suggestions."""
    return list(Release.objects.order_by("code"))


def organisation_names() -> list[str]:
    """Known organisation names, for the form's suggestions."""
    return list(Organisation.objects.order_by("name").values_list("name", flat=True))


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


class ExpectedRespondentForm(forms.Form):
    """Expect an organisation, or every organisation seated on a committee, to respond."""

    organisation = forms.CharField(
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"list": "organisation-names", "autocomplete": "off"}),
        help_text="One organisation, or leave empty and choose a committee.",
    )
    committee = forms.ModelChoiceField(
        queryset=Committee.objects.order_by("code"),
        required=False,
        help_text="Every organisation with a member's or alternate's seat on it.",
    )
    due_date = forms.DateField(
        required=False,
        widget=DateInput(),
        help_text="By default the end of the CR's impact assessment window.",
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if not (data.get("organisation") or "").strip() and not data.get("committee"):
            raise forms.ValidationError("Name an organisation or choose a committee.")
        return data
