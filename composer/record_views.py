"""Recording on the meeting page (PMO): actions, decisions, discussion and areas added in
place, and discussion items edited or deleted. With htmx the forms post in place and get
the agenda back; without it they post and redirect."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.forms import Form
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django_htmx.http import reswap, retarget

from actions.forms import ActionForm
from actions.services import action_create
from actions.views import due_warnings_show
from composer import discussion
from composer.api.views import DiscussionItemDetailApi
from composer.forms import AgendaItemForm, DiscussionItemForm
from composer.views import agenda_response, meeting_page_context
from core.concurrency import Version, VersionedForm, record_version, version_guard
from core.history import record_values
from core.templatetags.governance import dom_id
from core.views import (
    FORM_ID_RE,
    RecorderRequired,
    form_add_service_error,
    is_htmx,
    posted_form_id,
)
from decisions.forms import DecisionForm
from decisions.services import decision_create
from meetings import services
from meetings.models import DiscussionItem, Meeting
from meetings.views import area_for, get_meeting_or_404


class MeetingRecordView(RecorderRequired):
    """Base of the views that add a record on the meeting page (POST only; GET shows the
    form alone for browsers without JavaScript)."""

    visible_record = staticmethod(get_meeting_or_404)

    form_class: type[Form]
    kind: str
    title: str
    submit_label: str
    form_title: str

    def get(self, request: HttpRequest, ref: str) -> HttpResponse:
        """The blank form, its area filled in from ``?area=``: alone on a page, or with htmx
        the form itself (``?form_id=``), opened on the meeting page (meeting-wide or under
        an area)."""
        meeting = get_meeting_or_404(request, ref)
        area = request.GET.get("area", "")[:300]
        if not is_htmx(request):
            form = self.form_class(meeting=meeting, initial={"area": area}, auto_id="f-%s")
            return self.full_page(request, meeting, form)
        form_id = request.GET.get("form_id", "")
        form_id = form_id if FORM_ID_RE.fullmatch(form_id) else f"form-f-{self.kind}"
        form = self.form_class(
            meeting=meeting,
            initial={"area": area},
            auto_id=form_id.removeprefix("form-") + "-%s",
        )
        # The form arrives after its disclosure opened: htmx focuses the autofocus field.
        first = next(name for name in form.fields if not (area and name == "area"))
        form.fields[first].widget.attrs["autofocus"] = True
        return render(
            request, "meetings/_record_form.html", self.form_context(request, form, form_id)
        )

    def form_context(
        self, request: HttpRequest, form: Form, form_id: str, **extra: Any
    ) -> dict[str, Any]:
        """The context of ``meetings/_record_form.html`` for this kind of record."""
        return {
            "form": form,
            "form_id": form_id,
            "action_url": request.path,
            "kind": self.kind,
            "submit_label": self.submit_label,
            "title": self.form_title,
            "wrap": "",
            **extra,
        }

    def post(self, request: HttpRequest, ref: str) -> HttpResponse:
        meeting = get_meeting_or_404(request, ref)
        form_id = posted_form_id(request, f"anew-{self.kind}")
        auto_id = form_id.removeprefix("form-") + "-%s"
        form = self.form_class(request.POST, meeting=meeting, auto_id=auto_id)
        if form.is_valid():
            try:
                with transaction.atomic():
                    record = self.save(request, meeting, form)
            except ValidationError as exc:
                form_add_service_error(form, exc)
            else:
                return self.saved(request, meeting, record)
        if is_htmx(request):
            html = render_to_string(
                "meetings/_record_form.html",
                self.form_context(request, form, form_id, is_open=True),
                request=request,
            )
            return reswap(retarget(HttpResponse(html), f"#{form_id}"), "outerHTML")
        return self.full_page(request, meeting, form)

    def save(self, request: HttpRequest, meeting: Meeting, form: Any) -> Any:
        raise NotImplementedError

    def saved(self, request: HttpRequest, meeting: Meeting, record: Any) -> HttpResponse:
        messages.success(request, f"{self.title} {record.ref} added.")
        anchor = dom_id(record.ref)
        if is_htmx(request):
            return agenda_response(request, meeting, just_added=anchor)
        return HttpResponseRedirect(reverse("meeting-detail", args=[meeting.ref]) + f"#{anchor}")

    def full_page(self, request: HttpRequest, meeting: Meeting, form: Form) -> HttpResponse:
        return render(
            request,
            "meetings/meeting_record_form.html",
            {
                "meeting": meeting,
                "form": form,
                "form_id": "form-f",
                "kind": self.kind,
                "title": f"Add {self.kind} to {meeting.ref}",
                "submit_label": f"Add {self.kind}",
                "cancel_url": reverse("meeting-detail", args=[meeting.ref]),
                "action_url": request.path,
                "area_titles": list(meeting.agenda_items.values_list("title", flat=True)),
            },
        )


class MeetingActionCreateView(MeetingRecordView):
    """``/meetings/<ref>/actions/new/``: add an action; it gets the meeting's next ref."""

    form_class = ActionForm
    kind = "action"
    submit_label = "Add action"
    form_title = "Add an action"
    title = "Action"

    def save(self, request: HttpRequest, meeting: Meeting, form: Any) -> Any:
        data = form.cleaned_data
        return action_create(
            meeting=meeting,
            agenda_item=area_for(meeting, data["area"], request.user),
            description=data["description"],
            owners=data["owners"],
            due_date=data["due_date"],
            due_meeting=data["due_meeting"],
            acting_user=request.user,
        )

    def saved(self, request: HttpRequest, meeting: Meeting, record: Any) -> HttpResponse:
        due_warnings_show(request, record)  # before the page that shows the messages
        return super().saved(request, meeting, record)


class MeetingDecisionCreateView(MeetingRecordView):
    """``/meetings/<ref>/decisions/new/``: record a proposed decision (the chair decides)."""

    form_class = DecisionForm
    kind = "decision"
    submit_label = "Add decision"
    form_title = "Add a proposed decision"
    title = "Decision"

    def save(self, request: HttpRequest, meeting: Meeting, form: Any) -> Any:
        data = form.cleaned_data
        return decision_create(
            meeting=meeting,
            agenda_item=area_for(meeting, data["area"], request.user),
            text=data["text"],
            change_request=data["change_request"],
            acting_user=request.user,
        )


class MeetingDiscussionCreateView(MeetingRecordView):
    """``/meetings/<ref>/discussion/new/``: add a key discussion item."""

    form_class = DiscussionItemForm
    kind = "discussion"
    submit_label = "Add discussion item"
    form_title = "Add a discussion item"
    title = "Discussion item"

    def save(self, request: HttpRequest, meeting: Meeting, form: Any) -> Any:
        data = form.cleaned_data
        return discussion.discussion_item_create(
            meeting=meeting,
            agenda_item=area_for(meeting, data["area"], request.user),
            text=data["text"],
            acting_user=request.user,
        )

    def saved(self, request: HttpRequest, meeting: Meeting, record: Any) -> HttpResponse:
        messages.success(request, "Discussion item added.")
        if is_htmx(request):
            return agenda_response(request, meeting, just_added=f"discussion-{record.pk}")
        return HttpResponseRedirect(
            reverse("meeting-detail", args=[meeting.ref]) + f"#discussion-{record.pk}"
        )


class MeetingAgendaItemCreateView(RecorderRequired):
    """``/meetings/<ref>/areas/new/``: add an agenda item ("Area")."""

    visible_record = staticmethod(get_meeting_or_404)

    def post(self, request: HttpRequest, ref: str) -> HttpResponse:
        meeting = get_meeting_or_404(request, ref)
        form = AgendaItemForm(request.POST, auto_id="add-area-%s")
        if form.is_valid():
            try:
                item = services.agenda_item_create(
                    meeting=meeting,
                    title=form.cleaned_data["title"],
                    change_request=form.cleaned_data["change_request"],
                    acting_user=request.user,
                )
            except ValidationError as exc:
                form_add_service_error(form, exc)
            else:
                messages.success(request, f"Area “{item.title}” added.")
                if is_htmx(request):
                    return agenda_response(request, meeting, just_added=f"area-{item.pk}")
                return HttpResponseRedirect(
                    reverse("meeting-detail", args=[meeting.ref]) + f"#area-{item.pk}"
                )
        if is_htmx(request):
            return agenda_response(request, meeting, agenda_form=form, agenda_form_open=True)
        context = meeting_page_context(request, meeting, agenda_form=form, agenda_form_open=True)
        return render(request, "meetings/meeting_detail.html", context, status=200)


# --- discussion items: edit and delete ------------------------------------------------------


class DiscussionItemEditForm(VersionedForm, DiscussionItemForm):
    """A discussion item's edit form, at the version read (``core.concurrency``)."""


def discussion_item_version(request: HttpRequest, item: DiscussionItem) -> Version:
    """The item's version for its edit form: the API's ETag and the values it shows."""
    fresh = DiscussionItem.objects.select_related("agenda_item").get(pk=item.pk)
    values = record_values(fresh, ("agenda_item", "text"))
    return Version(record_version(DiscussionItemDetailApi, request, pk=fresh.pk), values)


def _discussion_item_or_404(meeting: Meeting, pk: int) -> DiscussionItem:
    item = (
        meeting.discussion_items.select_related("agenda_item")
        .prefetch_related("references")
        .filter(pk=pk)
        .first()
    )
    if item is None:
        raise Http404("No such discussion item.")
    return item


class DiscussionItemUpdateView(RecorderRequired):
    """``/meetings/<ref>/discussion/<pk>/edit/``: edit in place (htmx) or on its own page."""

    visible_record = staticmethod(get_meeting_or_404)

    def get(self, request: HttpRequest, ref: str, pk: int) -> HttpResponse:
        meeting = get_meeting_or_404(request, ref)
        item = _discussion_item_or_404(meeting, pk)
        initial = {"area": item.agenda_item.title if item.agenda_item else "", "text": item.text}
        form = DiscussionItemEditForm(
            meeting=meeting,
            initial=initial,
            auto_id=f"d{pk}-%s",
            version=discussion_item_version(request, item),
        )
        return self.show(request, meeting, item, form)

    def post(self, request: HttpRequest, ref: str, pk: int) -> HttpResponse:
        meeting = get_meeting_or_404(request, ref)
        item = _discussion_item_or_404(meeting, pk)
        form = DiscussionItemEditForm(request.POST, meeting=meeting, auto_id=f"d{pk}-%s")
        if form.is_valid():
            try:
                with version_guard(
                    form,
                    record=item,
                    current=lambda: discussion_item_version(request, item),
                    name=f"This discussion item of {meeting.ref}",
                ):
                    discussion.discussion_item_update(
                        discussion_item=item,
                        text=form.cleaned_data["text"],
                        agenda_item=area_for(meeting, form.cleaned_data["area"], request.user),
                        acting_user=request.user,
                    )
            except ValidationError as exc:
                form_add_service_error(form, exc)
            else:
                messages.success(request, "Discussion item saved.")
                if is_htmx(request):
                    return agenda_response(request, meeting, just_added=f"discussion-{pk}")
                return HttpResponseRedirect(
                    reverse("meeting-detail", args=[meeting.ref]) + f"#discussion-{pk}"
                )
        return self.show(request, meeting, item, form)

    def show(
        self, request: HttpRequest, meeting: Meeting, item: DiscussionItem, form: Form
    ) -> HttpResponse:
        context = {
            "meeting": meeting,
            "item": item,
            "form": form,
            "form_id": f"form-d{item.pk}",
            "action_url": request.path,
            "kind": "discussion",
            "title": f"Edit discussion item of {meeting.ref}",
            "submit_label": "Save",
            "cancel_url": reverse("meeting-detail", args=[meeting.ref]) + f"#discussion-{item.pk}",
            "is_open": True,
            "area_titles": list(meeting.agenda_items.values_list("title", flat=True)),
        }
        if is_htmx(request):
            wrap_id = f"discussion-{item.pk}"
            context.update(wrap="li", wrap_id=wrap_id, return_to="meeting")
            html = render_to_string("meetings/_record_form.html", context, request=request)
            return reswap(retarget(HttpResponse(html), f"#{wrap_id}"), "outerHTML")
        return render(request, "meetings/meeting_record_form.html", context)


class DiscussionItemDeleteView(RecorderRequired):
    """``/meetings/<ref>/discussion/<pk>/delete/``: asks to confirm (GET), deletes (POST)."""

    visible_record = staticmethod(get_meeting_or_404)

    def get(self, request: HttpRequest, ref: str, pk: int) -> HttpResponse:
        meeting = get_meeting_or_404(request, ref)
        item = _discussion_item_or_404(meeting, pk)
        return render(
            request,
            "meetings/discussion_confirm_delete.html",
            {"meeting": meeting, "item": item},
        )

    def post(self, request: HttpRequest, ref: str, pk: int) -> HttpResponse:
        meeting = get_meeting_or_404(request, ref)
        item = _discussion_item_or_404(meeting, pk)
        discussion.discussion_item_delete(discussion_item=item, acting_user=request.user)
        messages.success(request, "Discussion item deleted.")
        if is_htmx(request):
            return agenda_response(request, meeting)
        return HttpResponseRedirect(reverse("meeting-detail", args=[meeting.ref]) + "#agenda")
