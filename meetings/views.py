"""Browser views of meetings: the list, creating and editing a meeting, and the helpers the
other apps' views use to find a meeting and its areas.

Every view needs a login; rights are checked here and again by the services (a forbidden
POST gets 403, never just a hidden button). The meeting page and recording on it read across
records and are the composer's (``composer.views``).
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import quote

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse

from core import refs, roles
from core.concurrency import Version, record_version, version_guard
from core.history import record_values
from core.views import LoginRequired, RecorderRequired, form_add_service_error, today_london

from . import services
from .api.views import MeetingDetailApi
from .forms import (
    MeetingFilterForm,
    MeetingForm,
)
from .models import AgendaItem, Committee, Meeting
from .selectors import (
    meeting_get_for_user,
    meeting_list_for_user,
)

MEETING_VERSION_FIELDS = (
    "title",
    "start_at",
    "end_at",
    "venue",
    "classification",
    "status",
    "report_issue_date",
)


def meeting_version(request: HttpRequest, meeting: Meeting) -> Version:
    """The meeting's version for its edit form: the API's ETag and the values it shows."""
    fresh = Meeting.objects.get(pk=meeting.pk)
    values = record_values(fresh, MEETING_VERSION_FIELDS)
    return Version(record_version(MeetingDetailApi, request, ref=fresh.ref), values)


def get_meeting_or_404(request: HttpRequest, ref: str) -> Meeting:
    """The meeting ``ref`` if the user may see it; 404 otherwise (hidden or malformed)."""
    try:
        return meeting_get_for_user(ref=ref, user=request.user)
    except (Meeting.DoesNotExist, ValidationError) as exc:
        raise Http404(f"No meeting {ref}.") from exc


class MeetingListView(LoginRequired):
    """``/meetings/``: meetings by committee, newest first, filtered by committee and status."""

    def get(self, request: HttpRequest) -> HttpResponse:
        form = MeetingFilterForm(request.GET or None)
        qs = meeting_list_for_user(user=request.user)
        if form.is_bound and form.is_valid():
            if form.cleaned_data["committee"]:
                qs = qs.filter(committee=form.cleaned_data["committee"])
            if form.cleaned_data["status"]:
                qs = qs.filter(status=form.cleaned_data["status"])
        qs = qs.order_by("committee__code", "-start_at")
        page = Paginator(qs, 50).get_page(request.GET.get("page"))
        groups: list[tuple[Committee, list[Meeting]]] = []
        for meeting in page.object_list:
            if not groups or groups[-1][0].pk != meeting.committee_id:
                groups.append((meeting.committee, []))
            groups[-1][1].append(meeting)
        return render(
            request,
            "meetings/meeting_list.html",
            {
                "form": form,
                "page": page,
                "groups": groups,
                "can_edit": roles.is_recorder_somewhere(request.user),
                "today": today_london(),
            },
        )


# --- create and edit a meeting ---------------------------------------------------------------


class MeetingCreateView(RecorderRequired):
    """``/meetings/new/``: the PMO creates a meeting; its ref is assigned on save."""

    def get(self, request: HttpRequest) -> HttpResponse:
        initial = {"status": Meeting.Status.PLANNED}
        code = request.GET.get("committee", "")
        # Only a well-formed code reaches the query (PostgreSQL refuses a NUL in it: a 500).
        committee = (
            Committee.objects.filter(code=code).first()
            if refs.COMMITTEE_CODE_RE.match(code)
            else None
        )
        if committee:
            initial["committee"] = committee.pk
        return self.show(request, self.form(request, initial=initial))

    @staticmethod
    def form(request: HttpRequest, *args: Any, **kwargs: Any) -> MeetingForm:
        """The meeting form offering the committees the user records for."""
        form = MeetingForm(*args, **kwargs)
        committee_ids = roles.recorded_committee_ids(request.user)
        if committee_ids is not None:
            field = form.fields["committee"]
            field.queryset = field.queryset.filter(pk__in=sorted(committee_ids))
        return form

    def post(self, request: HttpRequest) -> HttpResponse:
        form = self.form(request, request.POST)
        if form.is_valid():
            try:
                meeting = services.meeting_create(acting_user=request.user, **form.service_kwargs())
            except ValidationError as exc:
                form_add_service_error(form, exc)
            else:
                messages.success(request, f"Meeting {meeting.ref} created.")
                return HttpResponseRedirect(reverse("meeting-detail", args=[meeting.ref]))
        return self.show(request, form)

    def show(self, request: HttpRequest, form: MeetingForm) -> HttpResponse:
        return render(request, "meetings/meeting_form.html", {"form": form, "meeting": None})


class MeetingUpdateView(RecorderRequired):
    """``/meetings/<ref>/edit/``: the PMO edits a meeting's date, venue, status…"""

    visible_record = staticmethod(get_meeting_or_404)

    def get(self, request: HttpRequest, ref: str) -> HttpResponse:
        meeting = get_meeting_or_404(request, ref)
        form = MeetingForm(meeting=meeting, version=meeting_version(request, meeting))
        return self.show(request, meeting, form)

    def post(self, request: HttpRequest, ref: str) -> HttpResponse:
        meeting = get_meeting_or_404(request, ref)
        form = MeetingForm(request.POST, meeting=meeting)
        if form.is_valid():
            try:
                with version_guard(
                    form,
                    record=meeting,
                    current=lambda: meeting_version(request, meeting),
                    name=f"Meeting {meeting.ref}",
                ):
                    services.meeting_update(
                        meeting=meeting, acting_user=request.user, **form.service_kwargs()
                    )
            except ValidationError as exc:
                form_add_service_error(form, exc)
            else:
                messages.success(request, f"Meeting {meeting.ref} saved.")
                return HttpResponseRedirect(reverse("meeting-detail", args=[meeting.ref]))
        return self.show(request, meeting, form)

    def show(self, request: HttpRequest, meeting: Meeting, form: MeetingForm) -> HttpResponse:
        return render(request, "meetings/meeting_form.html", {"form": form, "meeting": meeting})


def area_for(meeting: Meeting, title: str, user: Any) -> AgendaItem | None:
    """The meeting's agenda item called ``title`` (added when new); None for blank."""
    title = " ".join((title or "").split())
    if not title:
        return None
    return services.agenda_item_get_or_create(meeting=meeting, title=title, acting_user=user)


# The HTML ids of the meeting page's rows (``r-DAG28-01``, ``discussion-12``, ``area-3``).
DOM_ID_RE = re.compile(r"[A-Za-z][A-Za-z0-9._-]{0,80}")


def meeting_agenda_url(meeting: Meeting, just_added: str) -> str:
    """Where an edit made in place on the meeting page goes after saving: the agenda
    fragment with the saved row marked (``composer.views.MeetingAgendaView``)."""
    return reverse("meeting-agenda", args=[meeting.ref]) + f"?just_added={quote(just_added)}"
