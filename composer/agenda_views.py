"""The agenda page of a meeting: ``/meetings/<ref>/agenda-and-papers/``.

Anyone who may see the meeting reads its agenda (times, presenters, purposes, papers) once
the PMO has published it; before that the page says it is not published yet. The PMO builds
it here: adds and edits items (the edit form carries the item's version, so a stale save
is refused: ``core.concurrency``), moves them up and down (buttons that work without
JavaScript; ``static/js/agenda-order.js`` adds drag and drop), attaches papers and
publishes. Papers and the meeting pack are ``composer.paper_views``.
"""

from __future__ import annotations

import json
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone

from composer.agenda_forms import AgendaItemAddForm, AgendaItemEditForm, PaperAddForm
from composer.api.views import AgendaItemDetailApi
from core import roles
from core.concurrency import Version, record_version, version_guard
from core.history import record_values
from core.views import LoginRequired, RecorderRequired, form_add_service_error
from meetings import agenda_services, services
from meetings.models import AgendaItem, Meeting, MeetingPack, agenda_readable
from meetings.pack import (
    agenda_items_with_papers,
    agenda_time_clashes,
    pack_is_out_of_date,
    pack_is_withheld,
    paper_files,
)
from meetings.views import get_meeting_or_404

EDIT_FIELDS = ("title", "start_time", "duration_minutes", "presenter", "purpose", "change_request")


def agenda_url(meeting: Meeting) -> str:
    return reverse("meeting-agenda-page", args=[meeting.ref])


def _outside_meeting(meeting: Meeting, item: AgendaItem) -> bool:
    """Whether ``item``'s slot starts before the meeting or ends after it (allowed: the page
    warns, as for an item that starts before the one above it)."""
    if item.start_time is None:
        return False
    start = meeting.local_start
    if item.start_time < start.time():
        return True
    end = timezone.localtime(meeting.end_at) if meeting.end_at else None
    if end is None or end.date() != start.date() or item.end_time is None:
        return False
    return item.end_time > end.time()


def agenda_page_context(request: HttpRequest, meeting: Meeting, **extra: Any) -> dict[str, Any]:
    """What the agenda page shows ``request.user``: nothing of the agenda before it is
    published, unless they build it."""
    can_edit = roles.is_recorder(request.user, meeting.committee_id)
    readable = can_edit or meeting.agenda_published_at is not None
    context: dict[str, Any] = {
        "meeting": meeting,
        "can_edit": can_edit,
        "readable": readable,
        "items": [],
        "meeting_papers": [],
        "pack": None,
    }
    if readable:
        items = list(agenda_items_with_papers(meeting))
        for item in items:
            item.paper_files = paper_files(item.papers.all())
        loose = meeting.papers.filter(agenda_item__isnull=True).prefetch_related(
            Prefetch("versions")
        )
        context["items"] = items
        context["time_clashes"] = clashes = agenda_time_clashes(items)
        for item, earlier in clashes:
            item.starts_before = earlier
        for item in items:
            item.outside_meeting = _outside_meeting(meeting, item)
        context["meeting_papers"] = paper_files(loose)
        context["pack"] = pack = (
            agenda_readable(MeetingPack.objects.visible_to(request.user), request.user, "meeting__")
            .filter(meeting=meeting)
            .first()
        )
        context["pack_withheld"] = pack is not None and pack_is_withheld(pack)
        context["pack_out_of_date"] = pack is not None and pack_is_out_of_date(pack)
    if can_edit:
        context.setdefault("add_form", AgendaItemAddForm())
        context.setdefault("paper_form", PaperAddForm(meeting=meeting))
    context.update(extra)
    return context


class MeetingAgendaPageView(LoginRequired):
    """``/meetings/<ref>/agenda-and-papers/``: the agenda and papers (see the module)."""

    def get(self, request: HttpRequest, ref: str) -> HttpResponse:
        meeting = get_meeting_or_404(request, ref)
        context = agenda_page_context(request, meeting)
        return render(request, "meetings/agenda/agenda_page.html", context)


class AgendaItemAddView(RecorderRequired):
    """``/meetings/<ref>/agenda-and-papers/items/new/`` (POST): add an item at the end."""

    visible_record = staticmethod(get_meeting_or_404)

    def post(self, request: HttpRequest, ref: str) -> HttpResponse:
        meeting = get_meeting_or_404(request, ref)
        form = AgendaItemAddForm(request.POST)
        if form.is_valid():
            try:
                item = services.agenda_item_create(
                    meeting=meeting, title=form.cleaned_data["title"], acting_user=request.user
                )
            except ValidationError as exc:
                form_add_service_error(form, exc)
            else:
                messages.success(request, f"“{item.title}” added to the agenda.")
                return HttpResponseRedirect(agenda_url(meeting) + f"#item-{item.pk}")
        context = agenda_page_context(request, meeting, add_form=form)
        return render(request, "meetings/agenda/agenda_page.html", context, status=200)


def agenda_item_version(request: HttpRequest, item: AgendaItem) -> Version:
    """The item's version for its edit form: the API's ETag and the values it shows."""
    fresh = AgendaItem.objects.select_related("presenter", "change_request").get(pk=item.pk)
    values = record_values(fresh, EDIT_FIELDS)
    return Version(record_version(AgendaItemDetailApi, request, pk=fresh.pk), values)


def _item_or_404(meeting: Meeting, pk: int) -> AgendaItem:
    item = meeting.agenda_items.select_related("presenter", "change_request").filter(pk=pk)
    found = item.first()
    if found is None:
        raise Http404("No such agenda item.")
    return found


class AgendaItemEditView(RecorderRequired):
    """``/meetings/<ref>/agenda-and-papers/items/<pk>/edit/``: an item's title, slot,
    presenter, purpose and CR, refused when the item changed since the form was read."""

    visible_record = staticmethod(get_meeting_or_404)

    def get(self, request: HttpRequest, ref: str, pk: int) -> HttpResponse:
        meeting = get_meeting_or_404(request, ref)
        item = _item_or_404(meeting, pk)
        initial = {name: getattr(item, name) for name in EDIT_FIELDS}
        if item.change_request:
            initial["change_request"] = item.change_request.ref
        form = AgendaItemEditForm(initial=initial, version=agenda_item_version(request, item))
        return self.show(request, meeting, item, form)

    def post(self, request: HttpRequest, ref: str, pk: int) -> HttpResponse:
        meeting = get_meeting_or_404(request, ref)
        item = _item_or_404(meeting, pk)
        form = AgendaItemEditForm(request.POST)
        if form.is_valid():
            changes = {name: form.cleaned_data[name] for name in EDIT_FIELDS}
            try:
                with version_guard(
                    form,
                    record=item,
                    current=lambda: agenda_item_version(request, item),
                    name=f"The agenda item “{item.title}”",
                ):
                    agenda_services.agenda_item_edit(
                        agenda_item=item, acting_user=request.user, **changes
                    )
            except ValidationError as exc:
                form_add_service_error(form, exc)
            else:
                messages.success(request, f"Agenda item “{changes['title']}” saved.")
                return HttpResponseRedirect(agenda_url(meeting) + f"#item-{item.pk}")
        return self.show(request, meeting, item, form)

    def show(
        self, request: HttpRequest, meeting: Meeting, item: AgendaItem, form: Any
    ) -> HttpResponse:
        context = {"meeting": meeting, "item": item, "form": form}
        return render(request, "meetings/agenda/agenda_item_form.html", context)


class AgendaItemMoveView(RecorderRequired):
    """``/meetings/<ref>/agenda-and-papers/items/<pk>/move/`` (POST ``direction=up|down``)."""

    visible_record = staticmethod(get_meeting_or_404)

    def post(self, request: HttpRequest, ref: str, pk: int) -> HttpResponse:
        meeting = get_meeting_or_404(request, ref)
        item = _item_or_404(meeting, pk)
        offset = {"up": -1, "down": 1}.get(request.POST.get("direction", ""))
        if offset is None:
            raise Http404("Move up or down.")
        agenda_services.agenda_item_move(agenda_item=item, offset=offset, acting_user=request.user)
        messages.success(request, f"“{item.title}” moved {request.POST['direction']}.")
        return HttpResponseRedirect(agenda_url(meeting) + f"#item-{item.pk}")


class AgendaReorderView(RecorderRequired):
    """``/meetings/<ref>/agenda-and-papers/order/`` (POST ``{"items": [ids]}``): the order
    after a drag and drop (``static/js/agenda-order.js``). 409 when the agenda changed."""

    visible_record = staticmethod(get_meeting_or_404)

    def post(self, request: HttpRequest, ref: str) -> HttpResponse:
        meeting = get_meeting_or_404(request, ref)
        try:
            ids = [int(i) for i in json.loads(request.body or b"{}").get("items", [])]
        except (ValueError, TypeError, AttributeError, OverflowError, RecursionError):
            return JsonResponse({"detail": 'Send {"items": [ids]}.'}, status=400)
        try:
            agenda_services.agenda_reorder(meeting=meeting, item_ids=ids, acting_user=request.user)
        except ValidationError as exc:
            return JsonResponse({"detail": " ".join(exc.messages)}, status=409)
        return JsonResponse({"detail": "Agenda order saved."})


class AgendaPublishView(RecorderRequired):
    """``/meetings/<ref>/agenda-and-papers/publish/`` (POST): publish the agenda now."""

    visible_record = staticmethod(get_meeting_or_404)

    def post(self, request: HttpRequest, ref: str) -> HttpResponse:
        meeting = get_meeting_or_404(request, ref)
        try:
            agenda_services.agenda_publish(meeting=meeting, acting_user=request.user)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, f"The agenda of {meeting.ref} is published to its readers.")
        return HttpResponseRedirect(agenda_url(meeting))
