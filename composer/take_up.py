"""Taking up a meeting's open earlier actions in one pass: one form, a row per action (outcome,
new due date, note), saved together.

Each row is recorded by the one service that takes up an action
(``actions.services.action_review_record``) under ``core.concurrency.version_guard``: the
row carries the version of its action, read when the page was shown, and a row whose
action changed meanwhile is refused with what changed. The rows are saved in one
transaction: when any row is refused (a stale version, a bad value), nothing is saved and
every refused row shows its error beside it, with everyone's input kept.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest

from actions.forms import ActionReviewForm
from actions.models import Action, ActionReview
from actions.selectors import action_list_to_review
from actions.services import action_review_record
from actions.versions import action_version
from core.concurrency import version_guard
from core.views import form_add_service_error
from meetings.models import Meeting

LEAVE = ""


class TakeUpRowForm(ActionReviewForm):
    """One row: the outcome (or left for now), the new due date and a note, at the action's
    version (the page always carries it: a chosen row posted without it is refused)."""

    version_required = True

    outcome = forms.ChoiceField(
        choices=[(LEAVE, "Leave for now"), *ActionReview.Outcome.choices], required=False
    )

    @property
    def is_chosen(self) -> bool:
        return bool(self.is_bound and self.data.get(self.add_prefix("outcome")))


@dataclass
class TakeUpRow:
    action: Action
    form: TakeUpRowForm


def _form(request: HttpRequest, action: Action, data: Any = None) -> TakeUpRowForm:
    return TakeUpRowForm(
        data,
        prefix=action.ref,
        auto_id=f"t-{action.ref}-%s",
        version=None if data is not None else action_version(request, action),
    )


def take_up_rows(request: HttpRequest, meeting: Meeting, data: Any = None) -> list[TakeUpRow]:
    """The rows of ``meeting``'s open earlier actions (``action_list_to_review``), each with
    its form (bound to ``data`` when posted); a posted action that is no longer waiting (closed
    or taken up meanwhile) keeps its row, so its refusal shows beside it."""
    actions = action_list_to_review(meeting=meeting, user=request.user)
    if data is not None:
        posted = set(data.getlist("actions")) - {a.ref for a in actions}
        if posted:
            actions += list(
                Action.objects.visible_to(request.user)
                .filter(
                    committee_id=meeting.committee_id,
                    meeting__start_at__lt=meeting.start_at,
                    ref__in=posted,
                )
                .select_related("meeting__committee")
            )
    return [TakeUpRow(action, _form(request, action, data)) for action in actions]


def review_record_guarded(
    request: HttpRequest, *, meeting: Meeting, action: Action, form: Any
) -> ActionReview:
    """The one way a browser review form reaches the service: the form's version checked
    under the action's lock (``version_guard``: ValidationError when stale), then
    ``action_review_record`` with the form's outcome, new date and note."""
    with version_guard(
        form,
        record=action,
        current=lambda: action_version(request, action),
        name=f"Action {action.ref}",
    ):
        return action_review_record(
            action=action,
            meeting=meeting,
            outcome=form.cleaned_data["outcome"],
            new_due_date=form.cleaned_data["new_due_date"],
            note=form.cleaned_data["note"],
            acting_user=request.user,
        )


class _RowRefusedError(Exception):
    """A row was refused: the transaction rolls back every row."""


def take_up_save(request: HttpRequest, meeting: Meeting, rows: list[TakeUpRow]) -> list[Any]:
    """Record the chosen rows in one transaction, all or nothing; returns the reviews saved
    (empty when a row was refused: its form then carries the error, and a stale row the
    action's new version)."""
    chosen = [row for row in rows if row.form.is_chosen]
    if not all(row.form.is_valid() for row in chosen):
        return []
    refused = False
    reviews: list[Any] = []
    try:
        with transaction.atomic():
            for row in chosen:
                action, form = row.action, row.form
                try:
                    reviews.append(
                        review_record_guarded(request, meeting=meeting, action=action, form=form)
                    )
                except ValidationError as exc:
                    form_add_service_error(form, exc)
                    refused = True
            if refused:
                raise _RowRefusedError
    except _RowRefusedError:
        return []
    return reviews
