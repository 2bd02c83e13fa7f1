"""``/meetings/<ref>/since-last/``: matters arising, what changed since the committee's
previous meeting (``composer.since_last``), as the reader may see it."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from core.views import LoginRequired
from meetings.views import get_meeting_or_404

from .since_last import since_last_meeting


class MeetingSinceLastView(LoginRequired):
    def get(self, request: HttpRequest, ref: str) -> HttpResponse:
        meeting = get_meeting_or_404(request, ref)
        return render(
            request,
            "meetings/meeting_since_last.html",
            {"meeting": meeting, "since": since_last_meeting(meeting=meeting, user=request.user)},
        )
