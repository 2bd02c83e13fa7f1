"""``/meetings/<ref>/participants/``: who is invited to a meeting; the PMO adds and removes.

Anyone who may see the meeting reads the list; a meeting they may not see is 404 on every
method, and only the PMO may change it (403; ``meetings.participants`` checks again).
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse

from core import roles
from core.views import LoginRequired, form_add_service_error

from . import participants
from .models import Meeting, Person
from .selectors import person_list_for_user
from .views import get_meeting_or_404


class ParticipantAddForm(forms.Form):
    """The person to invite: any person who is not a team, by name."""

    person = forms.ModelChoiceField(
        queryset=Person.objects.filter(is_team=False).select_related("organisation"),
        label="Person",
        empty_label="Choose a person",
    )


class MeetingParticipantsView(LoginRequired):
    """The participants of a meeting; ``POST`` (PMO) adds one (``person``) or removes one
    (``remove``: a person's id)."""

    def get(self, request: HttpRequest, ref: str) -> HttpResponse:
        meeting = get_meeting_or_404(request, ref)
        return self.show(request, meeting, ParticipantAddForm(auto_id="participant-%s"))

    def post(self, request: HttpRequest, ref: str) -> HttpResponse:
        meeting = get_meeting_or_404(request, ref)
        if not roles.is_recorder(request.user, meeting.committee_id):
            raise PermissionDenied("Only the PMO (secretariat) can do this.")
        if "remove" in request.POST:
            person = person_list_for_user(user=request.user).filter(pk=request.POST["remove"])
            if not person.exists():
                raise Http404("No such person.")
            participants.meeting_participant_remove(
                meeting=meeting, person=person.get(), acting_user=request.user
            )
            messages.success(request, f"{person.get().name} is no longer invited.")
            return self._back(meeting)
        form = ParticipantAddForm(request.POST, auto_id="participant-%s")
        if form.is_valid():
            try:
                participants.meeting_participant_add(
                    meeting=meeting, person=form.cleaned_data["person"], acting_user=request.user
                )
            except ValidationError as exc:
                form_add_service_error(form, exc)
            else:
                messages.success(request, f"{form.cleaned_data['person'].name} is invited.")
                return self._back(meeting)
        return self.show(request, meeting, form)

    def _back(self, meeting: Meeting) -> HttpResponse:
        return HttpResponseRedirect(reverse("meeting-participants", args=[meeting.ref]))

    def show(
        self, request: HttpRequest, meeting: Meeting, form: ParticipantAddForm
    ) -> HttpResponse:
        return render(
            request,
            "meetings/meeting_participants.html",
            {
                "meeting": meeting,
                "participants": list(participants.meeting_participant_list(meeting=meeting)),
                "form": form,
                "can_edit": roles.is_recorder(request.user, meeting.committee_id),
            },
        )
