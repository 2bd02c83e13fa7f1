"""Browser forms of actions: the register's filters, editing, progress, closure and reviews."""

from __future__ import annotations

from typing import Any

from django import forms

from meetings.forms import AreaField, DateInput, DueMeetingField, later_meetings, owners_from_text
from meetings.models import Committee, Meeting

from .models import Action, ActionReview
from .selectors import ActionRegisterFilters, OwnerChoice
from .services import OwnerSpec

DUE_CHOICES = [
    ("", "Any due date"),
    ("overdue", "Overdue"),
    ("within", "Due within N days"),
    ("next", "Due by the next meeting"),
]
STATUS_CHOICES = [
    ("", "Any status"),
    ("open", "Not closed"),
    *Action.Status.choices,
]


SORT_CHOICES = [
    ("ref", "Ref, oldest first"),
    ("-ref", "Ref, newest first"),
    ("due_date", "Due date, soonest first"),
    ("-due_date", "Due date, latest first"),
    ("status", "Status"),
    ("-status", "Status, reversed"),
]


class ActionFilterForm(forms.Form):
    """The action register's filters (a GET form); invalid values are ignored."""

    q = forms.CharField(required=False, label="Search", max_length=200)
    committee = forms.ChoiceField(required=False)
    meeting = forms.ChoiceField(required=False, label="Raised at")
    status = forms.ChoiceField(choices=STATUS_CHOICES, required=False)
    owner = forms.ChoiceField(required=False)
    due = forms.ChoiceField(choices=DUE_CHOICES, required=False)
    days = forms.IntegerField(
        required=False, min_value=0, max_value=365, label="Within (days)", initial=14
    )
    sort = forms.ChoiceField(choices=SORT_CHOICES, required=False, label="Sort by")

    def __init__(
        self,
        *args: Any,
        committees: list[Committee],
        meetings: list[Meeting],
        owner_choices: dict[str, list[OwnerChoice]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["committee"].choices = [("", "All committees")] + [
            (c.code, c.code) for c in committees
        ]
        self.fields["meeting"].choices = [("", "Any meeting")] + [(m.ref, m.ref) for m in meetings]
        self.fields["owner"].choices = [("", "Anyone")] + [
            (group, [(c.value, c.label) for c in choices])
            for group, choices in owner_choices.items()
            if choices
        ]

    def clean(self) -> dict[str, Any]:
        """ "Due within N days" needs N: an empty box is an error, not a silent 14."""
        cleaned = super().clean()
        wants_days = cleaned.get("due") == "within" and "days" not in self.errors
        if wants_days and cleaned.get("days") is None:
            self.add_error("days", "Give the number of days, from 0 to 365.")
        return cleaned

    def ignored(self) -> list[str]:
        """Labels of the filters ignored for a bad value (``["Status"]``), in form order.

        A bad number of days also sets aside "Due within N days" (the Due filter).
        """
        self.is_valid()
        names = [name for name in self.fields if name in self.errors]
        if "days" in names and self.cleaned_data.get("due") == "within":
            names.insert(names.index("days"), "due")
        return [str(self.fields[name].label or name.capitalize()) for name in names]

    def filters(self) -> ActionRegisterFilters:
        """The valid filters as the selector takes them (invalid fields count as unset; a bad
        number of days unsets "Due within N days" too)."""
        self.is_valid()
        data = {name: self.cleaned_data.get(name) for name in self.fields}
        due = data["due"] or ""
        if due == "within" and "days" in self.errors:
            due = ""
        return ActionRegisterFilters(
            committee=data["committee"] or "",
            meeting=data["meeting"] or "",
            status=data["status"] or "",
            owner=data["owner"] or "",
            due=due,
            within_days=data["days"],
            text=data["q"] or "",
            sort=data["sort"] or "ref",
        )


class ActionEditForm(forms.Form):
    """Edit an action's area, description, owners and due date (PMO)."""

    area = AreaField()
    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}))
    owners = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="One a line, lead first: “Programme (Rob Short)”, “Chair”.",
    )
    due_date = forms.DateField(required=False, widget=DateInput())
    due_meeting = DueMeetingField()

    def __init__(self, *args: Any, action: Action, **kwargs: Any) -> None:
        if "initial" not in kwargs:
            kwargs["initial"] = {
                "area": action.agenda_item.title if action.agenda_item_id else "",
                "description": action.description,
                "owners": "\n".join(o.display for o in action.owners.all()),
                "due_date": action.due_date,
                "due_meeting": action.due_meeting.ref if action.due_meeting_id else "",
            }
        super().__init__(*args, **kwargs)
        self.action = action
        self.meeting = action.meeting
        self.fields["due_meeting"].set_meetings(later_meetings(action.meeting))

    def clean_owners(self) -> list[OwnerSpec]:
        return owners_from_text(self.cleaned_data["owners"])


class ProgressUpdateForm(forms.Form):
    """A progress update by an owner or the PMO, optionally proposing closure."""

    text = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}), label="Progress update", max_length=5000
    )
    proposes_closure = forms.BooleanField(
        required=False,
        label="Propose closure",
        help_text="The action is done: ask the PMO to close it.",
    )


class ActionCloseForm(forms.Form):
    """Close an action (the PMO confirms a proposed closure)."""

    closed_date = forms.DateField(required=False, widget=DateInput(), label="Closed on")
    note = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 2}), label="Closure note"
    )


class ActionDeclineForm(forms.Form):
    """Decline a proposed closure: the action is open again."""

    note = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}), label="Why it stays open", max_length=2000
    )


class ActionReviewForm(forms.Form):
    """Take up an earlier action at a meeting: close it, re-date it or keep it open."""

    outcome = forms.ChoiceField(choices=ActionReview.Outcome.choices)
    new_due_date = forms.DateField(required=False, widget=DateInput(), label="New due date")
    note = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 1}))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["new_due_date"].is_conditional = True

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("outcome") == ActionReview.Outcome.RE_DATED and not data.get("new_due_date"):
            self.add_error("new_due_date", "A re-dated action needs its new due date.")
        return data
