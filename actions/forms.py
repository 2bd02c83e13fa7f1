"""Browser forms of actions: the register's filters, editing, progress, closure and reviews."""

from __future__ import annotations

import functools
from html import escape
from typing import Any

from django import forms
from django.forms.utils import flatatt
from django.utils.safestring import SafeString, mark_safe

from core.concurrency import VersionedForm
from core.forms import AreaField, DateInput
from meetings.models import Meeting

from .due import CLOSED_WITH_NEW_DATE
from .models import Action, ActionReview
from .owner_field import OwnersField, OwnersFormMixin
from .register import ActionRegisterFilters, RegisterChoices


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


DUE_CHOICES = [
    ("", "Any due date"),
    ("overdue", "Overdue"),
    ("within", "Due within N days"),
    ("next", "Due by the next meeting"),
]
STATUS_CHOICES = [
    ("", "Any status"),
    # "open" has long meant "not closed" in links and bookmarks; the status Open alone (no
    # closure proposed) has a value of its own, or the two options would be one filter.
    ("open", "Not closed"),
    ("open_only", "Open, no closure proposed"),
    *[(value, label) for value, label in Action.Status.choices if value != Action.Status.OPEN],
]


SORT_CHOICES = [
    ("ref", "Ref, oldest first"),
    ("-ref", "Ref, newest first"),
    ("due_date", "Due date, soonest first"),
    ("-due_date", "Due date, latest first"),
    ("status", "Status"),
    ("-status", "Status, reversed"),
]


Choices = list[tuple[str, Any]]


class ListSelect(forms.Select):
    """A ``<select>`` written in one pass, as Django's templates would write it.

    The register's filters offer about 2,100 options (meetings, organisations, people); the
    stock widget renders a template per option, over half of the register's time. Values
    and labels are escaped as Django escapes them (``html.escape``, quotes included).
    Choices are kept as given (see :class:`ListChoiceField`).
    """

    @property
    def choices(self) -> Choices:
        return self._choices

    @choices.setter
    def choices(self, value: Choices) -> None:
        self._choices = list(value)

    def render(
        self, name: str, value: Any, attrs: dict[str, Any] | None = None, renderer: Any = None
    ) -> SafeString:
        selected = self.format_value(value)
        has_selected = False
        parts = [f'<select name="{escape(name)}"{flatatt(self.build_attrs(self.attrs, attrs))}>']
        for option_value, before, after in _options_html(_frozen(self.choices)):
            if option_value is None:  # an optgroup's opening or closing tag
                parts.append(before)
                continue
            is_selected = not has_selected and option_value in selected
            has_selected |= is_selected
            parts.append(f"{before} selected{after}" if is_selected else before + after)
        parts.append("\n</select>")
        return mark_safe("".join(parts))  # noqa: S308 - every value and label is escaped


def _frozen(choices: Choices) -> tuple:
    return tuple(
        (value, tuple(label)) if isinstance(label, list | tuple) else (value, label)
        for value, label in choices
    )


@functools.lru_cache(maxsize=16)
def _options_html(choices: tuple) -> tuple[tuple[str | None, str, str], ...]:
    """Each option of ``choices`` escaped once: ``(value, html up to its selected mark,
    html after it)``, or ``(None, tag, "")`` for an optgroup's tags. The register offers
    the same 2,100 options to every reader of a class until a write changes them
    (``actions.register_choices``), so they are escaped once, not on every view."""
    out: list[tuple[str | None, str, str]] = []
    for group_value, group_label in choices:
        is_group = isinstance(group_label, tuple)
        options = group_label if is_group else ((group_value, group_label),)
        if is_group:
            out.append((None, f'\n  <optgroup label="{escape(str(group_value))}">', ""))
        for option_value, option_label in options:
            option_value = "" if option_value is None else str(option_value)
            out.append(
                (
                    option_value,
                    f'\n  <option value="{escape(option_value)}"',
                    f">{escape(str(option_label))}</option>",
                )
            )
        if is_group:
            out.append((None, "\n  </optgroup>", ""))
    return tuple(out)


class ListChoiceField(forms.ChoiceField):
    """A choice field taking its choices ready-made: ``[(value, label)]`` or, for a group,
    ``[(group label, [(value, label), ...])]``, values and labels strings.

    Django normalises choices on every assignment, to the field and again to its widget:
    for the register's 2,100 options that was a sixth of the page.
    """

    widget = ListSelect

    @property
    def choices(self) -> Choices:
        return self._choices

    @choices.setter
    def choices(self, value: Choices) -> None:
        self._choices = self.widget.choices = list(value)


class ActionFilterForm(forms.Form):
    """The action register's filters (a GET form); invalid values are ignored."""

    q = forms.CharField(required=False, label="Search", max_length=200)
    committee = ListChoiceField(required=False)
    meeting = ListChoiceField(required=False, label="Raised at")
    status = ListChoiceField(choices=STATUS_CHOICES, required=False)
    owner = ListChoiceField(required=False)
    due = ListChoiceField(choices=DUE_CHOICES, required=False)
    days = forms.IntegerField(
        required=False, min_value=0, max_value=365, label="Within (days)", initial=14
    )
    sort = ListChoiceField(choices=SORT_CHOICES, required=False, label="Sort by")

    def __init__(self, *args: Any, choices: RegisterChoices, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["committee"].choices = [("", "All committees")] + [
            (code, code) for code in choices.committees
        ]
        self.fields["meeting"].choices = [("", "Any meeting")] + [
            (ref, ref) for ref in choices.meetings
        ]
        self.fields["owner"].choices = [("", "Anyone")] + [
            (group, owners) for group, owners in choices.owners.items() if owners
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


class ActionEditForm(OwnersFormMixin, VersionedForm):
    """Edit an action's area, description, owners and due date (PMO), at the version read."""

    area = AreaField()
    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}))
    owners = OwnersField(
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
        self.fields["due_meeting"].set_meetings(list(Meeting.objects.later_than(action.meeting)))
        self.owners_setup(action.committee_id)

    def clean(self) -> dict[str, Any]:
        """A due date left as it was follows a due meeting chosen now (the form shows the
        action's date, which a new meeting replaces); a date changed too must match it."""
        data = super().clean()
        if data.get("due_meeting") is not None and data.get("due_date") == self.action.due_date:
            data["due_date"] = None
        return data


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


class ActionReopenForm(forms.Form):
    """Reopen a closed action: the reason is recorded as an update on it."""

    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}),
        label="Why it is reopened",
        max_length=2000,
        help_text="Recorded on the action; a meeting that closed it shows it reopened since.",
    )


class ActionReviewForm(VersionedForm):
    """Take up an earlier action at a meeting: close it, re-date it or keep it open, at the
    action's version read."""

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
        if data.get("outcome") == ActionReview.Outcome.CLOSED and data.get("new_due_date"):
            self.add_error("new_due_date", CLOSED_WITH_NEW_DATE)
        return data


class ActionForm(OwnersFormMixin, forms.Form):
    """An action of a meeting: area, description, owners (one a line) and due date.

    ``later`` is the list of the committee's later meetings (read once per page by the
    caller); without it the form reads them itself.
    """

    area = AreaField()
    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}))
    owners = OwnersField(
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
            later if later is not None else list(Meeting.objects.later_than(meeting))
        )
        self.owners_setup(meeting.committee_id)
