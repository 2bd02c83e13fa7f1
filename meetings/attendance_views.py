"""``/meetings/<ref>/attendance/``: the PMO records everyone's attendance in one form, and the
quorum shows; ``/meetings/<ref>/attendance/quorum/`` is the quorum alone (the meeting page
loads it with htmx, so the page itself reads no attendance).

Anyone who may see the meeting reads the attendance; a meeting they may not see is 404 on
every method, and only the PMO may change it (403; ``meetings.attendance`` checks again).
"""

from __future__ import annotations

import hashlib
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse

from core import roles
from core.views import LoginRequired

from . import attendance, participants
from .models import Meeting, MeetingAttendance, MeetingParticipant, Person
from .views import get_meeting_or_404


class AttendanceRowForm(forms.Form):
    """One participant's attendance and the voting member they stand in for."""

    attendance = forms.ChoiceField(
        choices=[("", "Not recorded"), *MeetingParticipant.Attendance.choices], required=False
    )
    substitute_for = forms.ModelChoiceField(
        queryset=Person.objects.none(), required=False, empty_label="Nobody", label="Stands in for"
    )

    def __init__(self, *args: Any, voting: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["substitute_for"].queryset = voting


class AttendanceOptionsForm(forms.Form):
    in_report = forms.BooleanField(
        required=False,
        label="Show the attendance in the headline report",
        help_text="Off by default: the report then has no attendance section.",
    )


def _rows(meeting: Meeting, data: Any = None) -> list[tuple[MeetingParticipant, AttendanceRowForm]]:
    voting = Person.objects.filter(pk__in=attendance.voting_member_ids(meeting=meeting))
    return [
        (
            p,
            AttendanceRowForm(
                data,
                # Nobody stands in for themself: their own name is not offered.
                voting=voting.exclude(pk=p.person_id),
                prefix=f"p{p.person_id}",
                auto_id=f"att-{p.person_id}-%s",
                initial={"attendance": p.attendance, "substitute_for": p.substitute_for_id},
            ),
        )
        for p in participants.meeting_participant_list(meeting=meeting)
    ]


def _read_state(meeting: Meeting) -> str:
    """A digest of everyone's attendance as it stands: the form carries the one it was read
    at, so a save from a page read before someone else's is refused, not laid over it."""
    rows = sorted(
        MeetingParticipant.objects.filter(meeting=meeting).values_list(
            "person_id", "attendance", "substitute_for_id"
        )
    )
    return hashlib.sha256(repr(rows).encode()).hexdigest()[:20]


STALE_ATTENDANCE = (
    "The attendance was changed by someone else since you opened this page. It is shown "
    "below with your choices kept; save again to record yours over theirs."
)


class MeetingAttendanceView(LoginRequired):
    """The participants with their attendance and the quorum; ``POST`` (PMO) saves every
    row together, or (``invite_members``) invites the committee's members in one step."""

    def get(self, request: HttpRequest, ref: str) -> HttpResponse:
        meeting = get_meeting_or_404(request, ref)
        return self.show(request, meeting, _rows(meeting), self._options(meeting))

    def post(self, request: HttpRequest, ref: str) -> HttpResponse:
        meeting = get_meeting_or_404(request, ref)
        if not roles.is_recorder(request.user, meeting.committee_id):
            raise PermissionDenied("Only the PMO (secretariat) can do this.")
        if "invite_members" in request.POST:
            added = attendance.meeting_participants_invite_members(
                meeting=meeting, acting_user=request.user
            )
            messages.success(request, f"{len(added)} committee member(s) invited.")
            return self._back(meeting)
        # Only the people the page showed: a participant added since is left as they are.
        rows = [
            (p, form)
            for p, form in _rows(meeting, request.POST)
            if f"{form.prefix}-attendance" in request.POST
        ]
        options = AttendanceOptionsForm(request.POST)
        errors: list[str] = []
        if all(form.is_valid() for _, form in rows) and options.is_valid():
            entries = [
                attendance.AttendanceEntry(
                    person_id=p.person_id,
                    attendance=form.cleaned_data["attendance"],
                    substitute_for=form.cleaned_data["substitute_for"],
                )
                for p, form in rows
            ]
            try:
                with transaction.atomic():
                    Meeting.objects.select_for_update().filter(pk=meeting.pk).exists()
                    if request.POST.get("read_state") != _read_state(meeting):
                        raise ValidationError(STALE_ATTENDANCE)
                    attendance.meeting_attendance_record(
                        meeting=meeting,
                        entries=entries,
                        in_report=options.cleaned_data["in_report"],
                        acting_user=request.user,
                    )
            except ValidationError as exc:
                errors = exc.messages
            else:
                messages.success(request, f"Attendance at {meeting.ref} saved.")
                return self._back(meeting)
        return self.show(request, meeting, rows, options, errors=errors)

    def _options(self, meeting: Meeting) -> AttendanceOptionsForm:
        record = attendance.meeting_attendance_get(meeting=meeting)
        return AttendanceOptionsForm(initial={"in_report": bool(record and record.in_report)})

    def _back(self, meeting: Meeting) -> HttpResponse:
        return HttpResponseRedirect(reverse("meeting-attendance", args=[meeting.ref]) + "#quorum")

    def show(
        self,
        request: HttpRequest,
        meeting: Meeting,
        rows: list[tuple[MeetingParticipant, AttendanceRowForm]],
        options: AttendanceOptionsForm,
        errors: list[str] | None = None,
    ) -> HttpResponse:
        record: MeetingAttendance | None = attendance.meeting_attendance_get(meeting=meeting)
        return render(
            request,
            "meetings/meeting_attendance.html",
            {
                "meeting": meeting,
                "rows": rows,
                "options": options,
                "errors": errors or [],
                "record": record,
                "quorum": attendance.meeting_quorum(
                    meeting=meeting, participants=[p for p, _ in rows]
                ),
                "can_edit": roles.is_recorder(request.user, meeting.committee_id),
                "read_state": _read_state(meeting),
            },
        )


class MeetingQuorumView(LoginRequired):
    """The quorum of a meeting as a fragment (the meeting page's quorum card)."""

    def get(self, request: HttpRequest, ref: str) -> HttpResponse:
        meeting = get_meeting_or_404(request, ref)
        return render(
            request,
            "meetings/_quorum.html",
            {"meeting": meeting, "quorum": attendance.meeting_quorum(meeting=meeting)},
        )
