"""The earlier actions taken up at a meeting (the report's "Previous Meeting(s)"): closed,
re-dated or kept open, one review each."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.forms import Form
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse

from actions.forms import ActionReviewForm
from actions.models import Action, ActionReview
from actions.selectors import (
    action_list_to_review,
    action_review_list_for_meeting,
)
from actions.versions import action_versions
from composer.take_up import review_record_guarded
from core import refs, roles
from core.views import (
    LoginRequired,
    form_add_service_error,
    today_london,
)
from meetings.models import Meeting
from meetings.views import get_meeting_or_404


def _reviews_marked(meeting: Meeting, user: Any) -> list[ActionReview]:
    """The reviews recorded at ``meeting``, each marked ``is_hidden`` when its action is one
    ``user`` may not open (of a meeting hidden from them, ``core.visibility``): the page
    names it without its text. One more query when there are reviews."""
    reviews = action_review_list_for_meeting(meeting=meeting)
    ids = [review.action_id for review in reviews]
    visible = set(Action.objects.visible_to(user).filter(pk__in=ids).values_list("pk", flat=True))
    for review in reviews:
        review.is_hidden = review.action_id not in visible
    return reviews


class MeetingReviewView(LoginRequired):
    """``/meetings/<ref>/reviews/``: the earlier open actions of the committee; the PMO closes,
    re-dates or keeps each open with a note (``actions.services.action_review_record``)."""

    def get(self, request: HttpRequest, ref: str) -> HttpResponse:
        meeting = get_meeting_or_404(request, ref)
        return self.show(request, meeting)

    def post(self, request: HttpRequest, ref: str) -> HttpResponse:
        meeting = get_meeting_or_404(request, ref)
        if not roles.is_recorder(request.user, meeting.committee_id):
            raise PermissionDenied("Only the committee's secretariat (PMO) can do this.")
        try:
            key = refs.parse_action_ref(request.POST.get("action", ""))
        except ValidationError as exc:
            raise Http404("No such earlier action.") from exc
        action = (
            Action.objects.filter(
                ref=refs.action_ref(key.code, key.number, key.sub_number, key.seq),
                committee_id=meeting.committee_id,
                meeting__start_at__lt=meeting.start_at,
            )
            .select_related("meeting")
            .first()
        )
        if action is None:
            raise Http404("No such earlier action.")
        form = ActionReviewForm(request.POST, prefix=action.ref, auto_id=f"r-{action.ref}-%s")
        if form.is_valid():
            try:
                review = review_record_guarded(request, meeting=meeting, action=action, form=form)
            except ValidationError as exc:
                form_add_service_error(form, exc)
            else:
                messages.success(
                    request,
                    f"{action.ref}: {review.get_outcome_display().lower()} at {meeting.ref}.",
                )
                return HttpResponseRedirect(
                    reverse("meeting-reviews", args=[meeting.ref]) + "#reviewed"
                )
        return self.show(request, meeting, bound={action.ref: form}, bound_action=action)

    def show(
        self,
        request: HttpRequest,
        meeting: Meeting,
        bound: dict[str, Form] | None = None,
        bound_action: Action | None = None,
    ) -> HttpResponse:
        bound = bound or {}
        can_edit = roles.is_recorder(request.user, meeting.committee_id)
        candidates = list(action_list_to_review(meeting=meeting, user=request.user))
        # Each form carries its action's version (only a recorder gets forms), all read in one
        # pass: a fixed number of queries however many actions wait.
        versions = action_versions(request, candidates) if can_edit else {}
        rows = [
            (
                action,
                bound.get(action.ref)
                or ActionReviewForm(
                    prefix=action.ref,
                    auto_id=f"r-{action.ref}-%s",
                    version=versions.get(action.pk),
                ),
            )
            for action in candidates
        ]
        # A form that came back (refused: the action was closed meanwhile, say) stays on the
        # page with its input even when its action is no longer waiting.
        if bound_action is not None and all(a.ref != bound_action.ref for a, _ in rows):
            rows.insert(0, (bound_action, bound[bound_action.ref]))
        return render(
            request,
            "meetings/meeting_reviews.html",
            {
                "meeting": meeting,
                "rows": rows,
                "reviews": _reviews_marked(meeting, request.user),
                "can_edit": can_edit,
                "today": today_london(),
            },
        )
