"""``/meetings/<ref>/take-up/``: the PMO takes up all the meeting's open earlier actions in one
form (``composer.take_up``); anyone who may see the meeting reads the list."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse

from core import roles
from core.views import LoginRequired, today_london
from meetings.models import Meeting
from meetings.views import get_meeting_or_404

from .review_views import _reviews_marked
from .take_up import TakeUpRow, take_up_rows, take_up_save


class MeetingTakeUpView(LoginRequired):
    def get(self, request: HttpRequest, ref: str) -> HttpResponse:
        meeting = get_meeting_or_404(request, ref)
        return self.show(request, meeting, take_up_rows(request, meeting))

    def post(self, request: HttpRequest, ref: str) -> HttpResponse:
        meeting = get_meeting_or_404(request, ref)  # 404 first for a meeting not to be seen
        if not roles.is_recorder(request.user, meeting.committee_id):
            raise PermissionDenied("Only the PMO (secretariat) can do this.")
        rows = take_up_rows(request, meeting, request.POST)
        if not any(row.form.is_chosen for row in rows):
            messages.info(request, "No outcome was chosen: nothing was saved.")
            return self.show(request, meeting, rows)
        reviews = take_up_save(request, meeting, rows)
        if not reviews:
            messages.error(
                request, "Nothing was saved: correct the rows marked below and save again."
            )
            return self.show(request, meeting, rows)
        messages.success(request, f"{len(reviews)} earlier action(s) taken up at {meeting.ref}.")
        return HttpResponseRedirect(reverse("meeting-take-up", args=[meeting.ref]) + "#taken-up")

    def show(self, request: HttpRequest, meeting: Meeting, rows: list[TakeUpRow]) -> HttpResponse:
        return render(
            request,
            "meetings/meeting_take_up.html",
            {
                "meeting": meeting,
                "rows": rows,
                "reviews": _reviews_marked(meeting, request.user),
                "can_edit": roles.is_recorder(request.user, meeting.committee_id),
                "today": today_london(),
            },
        )
