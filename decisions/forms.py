"""Browser forms of decisions: the chair's decision and the register's filters."""

from __future__ import annotations

from typing import Any

from django import forms

from changerequests.forms import change_request_from_ref
from changerequests.models import ChangeRequest
from core.concurrency import VersionedForm
from core.forms import AreaField
from meetings.models import Meeting

from .models import Decision

# What the chair may do with a proposed (or deferred) decision, and the status it gives.
OUTCOMES = {
    "approve": Decision.Status.APPROVED,
    "approve_with_conditions": Decision.Status.APPROVED_WITH_CONDITIONS,
    "reject": Decision.Status.REJECTED,
    "defer": Decision.Status.DEFERRED,
}


class DecisionDecideForm(VersionedForm):
    """The chair's decision: approve, approve with conditions (conditions required), reject
    or defer, at the version of the decision the chair read (``core.concurrency``: wording
    changed meanwhile is not approved unseen)."""

    outcome = forms.ChoiceField(
        choices=[
            ("approve", "Approve"),
            ("approve_with_conditions", "Approve with conditions"),
            ("reject", "Reject"),
            ("defer", "Defer"),
        ],
        widget=forms.RadioSelect,
    )
    conditions = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Required when approving with conditions.",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Required for one outcome: not marked "(optional)" (see templates/_form_fields.html).
        self.fields["conditions"].is_conditional = True

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if (
            data.get("outcome") == "approve_with_conditions"
            and not (data.get("conditions") or "").strip()
        ):
            self.add_error("conditions", "State the conditions of the approval.")
        return data

    @property
    def to_status(self) -> str:
        return OUTCOMES[self.cleaned_data["outcome"]]


class DecisionEditForm(VersionedForm):
    """Edit a decision's area, text and CR (PMO), at the version read (``core.concurrency``)."""

    area = AreaField()
    text = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), label="Decision")
    change_request = forms.CharField(required=False, max_length=12, label="Change request")

    def __init__(self, *args: Any, decision: Decision, **kwargs: Any) -> None:
        if "initial" not in kwargs:
            kwargs["initial"] = {
                "area": decision.agenda_item.title if decision.agenda_item_id else "",
                "text": decision.text,
                "change_request": decision.change_request.ref if decision.change_request_id else "",
            }
        super().__init__(*args, **kwargs)
        self.decision = decision
        self.meeting = decision.meeting

    def clean_change_request(self) -> Any:
        return change_request_from_ref(self.cleaned_data["change_request"])


class DecisionReopenForm(forms.Form):
    """Re-open a decided decision (chair, or PMO on record): the reason is required."""

    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=5000,
        help_text="On record with your name; the chair then decides again.",
    )


class DecisionFilterForm(forms.Form):
    """The decision register's filters."""

    q = forms.CharField(required=False, label="Search", max_length=200)
    status = forms.ChoiceField(
        choices=[("", "Any status"), *Decision.Status.choices], required=False
    )


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
