"""Browser views of meetings: the list, the meeting page, and recording on it (PMO).

Every view needs a login; rights are checked here and again by the services (a forbidden
POST gets 403, never just a hidden button). Observers do not see Restricted or Confidential
meetings (``meetings.selectors.meeting_list_for_user``). With htmx, the forms on the meeting
page post in place and get the agenda back; without it they post and redirect.
"""

from __future__ import annotations

import re
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.forms import Form
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django_htmx.http import reswap, retarget

from actions.forms import ActionForm, ActionReviewForm
from actions.models import Action
from actions.selectors import (
    action_list_for_owner,
    action_list_proposed_closure,
    action_list_to_review,
    action_review_list_for_meeting,
)
from actions.services import action_create, action_review_record
from composer import discussion
from composer.forms import AgendaItemForm, DiscussionItemForm
from composer.meeting_page import MeetingPage, meeting_page_get, meeting_page_get_for_user
from core import refs, roles
from core.links import url_maker
from core.templatetags.governance import dom_id, link_refs
from core.views import (
    LoginRequired,
    PmoRequired,
    form_add_service_error,
    is_htmx,
    messages_fragment,
    posted_form_id,
    today_london,
)
from decisions.forms import DecisionForm
from decisions.selectors import decision_queue
from decisions.services import decision_create
from meetings import services
from meetings.models import DiscussionItem, Meeting
from meetings.selectors import meeting_list_for_user
from meetings.views import DOM_ID_RE, area_for, get_meeting_or_404

_FORM_ID_RE = re.compile(r"[a-z0-9-]{1,60}")


# --- home and the meeting list -------------------------------------------------------------------


# How many of the user's open actions the start page lists before "and N more".
HOME_LIST_SIZE = 10


class HomeView(LoginRequired):
    """``/``: what needs the user now: their actions, the chair's queue, closures to confirm."""

    def get(self, request: HttpRequest) -> HttpResponse:

        today = today_london()
        user = request.user
        upcoming = list(
            meeting_list_for_user(user=user)
            .filter(start_at__date__gte=today)
            .order_by("start_at")[:3]
        )
        recent = list(
            meeting_list_for_user(user=user)
            .filter(start_at__date__lt=today)
            .order_by("-start_at")[:3]
        )
        context: dict[str, Any] = {
            "today": today,
            "upcoming": upcoming,
            "recent": recent,
            "my_actions": list(action_list_for_owner(user=user)[:HOME_LIST_SIZE]),
            "is_pmo": roles.is_pmo(user),
            "is_chair": roles.is_chair(user),
        }
        if len(context["my_actions"]) == HOME_LIST_SIZE:
            # Only when the list is full: the count costs a query the short lists skip.
            more = action_list_for_owner(user=user).count() - HOME_LIST_SIZE
            context["my_actions_more"] = max(more, 0)
        if context["is_chair"] or context["is_pmo"]:
            context["queue"] = list(decision_queue(user=user)[:10])
        if context["is_pmo"]:
            context["closures"] = list(action_list_proposed_closure(user=user)[:10])
        return render(request, "meetings/home.html", context)


# --- the meeting page ---------------------------------------------------------------------------


def meeting_page_context(
    request: HttpRequest, meeting: Meeting, page: MeetingPage | None = None, **extra: Any
) -> dict[str, Any]:
    """The context of the meeting page and of its agenda fragment (``page`` when already
    read, else read here).

    The add-record forms (meeting-wide, and under each area) are fetched when opened
    (``MeetingRecordView.get`` with htmx): a page of many areas renders none of them.
    """
    today = today_london()
    if page is None:
        page = meeting_page_get(meeting=meeting, user=request.user, today=today)
    _page_links(page)
    can_edit = roles.is_pmo(request.user)
    context = {
        "meeting": page.meeting,
        "page": page,
        "can_edit": can_edit,
        "is_chair": roles.is_chair(request.user),
        "today": today,
        "area_titles": [a.agenda_item.title for a in page.areas if a.agenda_item],
        "record_urls": {
            kind: reverse(f"meeting-{kind}-create", args=[page.meeting.ref])
            for kind in ("action", "decision", "discussion")
        },
        "agenda_form": AgendaItemForm(auto_id="add-area-%s") if can_edit else None,
        "report_urls": report_urls(page.meeting),
    }
    context.update(extra)
    return context


def _page_links(page: MeetingPage) -> None:
    """Set the links of the page's discussion rows, and link the refs in its discussion (the
    action rows derive theirs from their refs)."""
    meeting_url = url_maker("meeting-detail")
    for area in page.areas:
        for item in area.discussion_items:
            item.html = link_refs(item.text, item.known_refs)
    for item in page.mentions:
        item.url = f"{meeting_url(item.meeting_ref)}#discussion-{item.pk}"


def report_urls(meeting: Meeting) -> dict[str, str]:
    """The headline report's pages for ``meeting`` (``composer.report_urls``): the HTML
    preview, the PDF and the issue page."""
    return {
        "preview": reverse("headline-report-preview", args=[meeting.ref]),
        "pdf": reverse("headline-report-pdf", args=[meeting.ref]),
        "issue": reverse("headline-report-issue", args=[meeting.ref]),
    }


class MeetingDetailView(LoginRequired):
    """``/meetings/<ref>/``: header, each area's actions, decisions and discussion, the earlier
    actions reviewed, the next meeting, and the headline report's links and versions."""

    def get(self, request: HttpRequest, ref: str) -> HttpResponse:
        try:
            page = meeting_page_get_for_user(ref=ref, user=request.user, today=today_london())
        except (Meeting.DoesNotExist, ValidationError) as exc:
            raise Http404(f"No meeting {ref}.") from exc
        if ref != page.meeting.ref:
            return HttpResponseRedirect(reverse("meeting-detail", args=[page.meeting.ref]))
        return render(
            request,
            "meetings/meeting_detail.html",
            meeting_page_context(request, page.meeting, page=page),
        )


class MeetingReportsView(LoginRequired):
    """``/meetings/<ref>/reports/``: the report versions fragment, polled while rendering.

    Opened directly (not by htmx) it redirects to the meeting page's report card.
    """

    def get(self, request: HttpRequest, ref: str) -> HttpResponse:
        meeting = get_meeting_or_404(request, ref)
        if not is_htmx(request):
            return HttpResponseRedirect(reverse("meeting-detail", args=[meeting.ref]) + "#reports")
        reports = list(meeting.headline_reports.select_related("requested_by").order_by("-version"))
        return render(
            request,
            "meetings/_reports.html",
            {
                "meeting": meeting,
                "page": {"headline_reports": reports},
                "can_edit": roles.is_pmo(request.user),
                "report_urls": report_urls(meeting),
            },
        )


class MeetingRecordView(PmoRequired):
    """Base of the views that add a record on the meeting page (POST only; GET shows the
    form alone for browsers without JavaScript)."""

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
        form_id = form_id if _FORM_ID_RE.fullmatch(form_id) else f"form-f-{self.kind}"
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


class MeetingAgendaView(LoginRequired):
    """``/meetings/<ref>/agenda/?just_added=<id>``: the meeting page's agenda fragment.

    An edit made in place on the meeting page (an action's or a decision's own edit view,
    which belong to their apps) redirects here after saving; htmx follows the redirect and
    swaps the agenda in. Without htmx it is the meeting page at that row.
    """

    def get(self, request: HttpRequest, ref: str) -> HttpResponse:
        meeting = get_meeting_or_404(request, ref)
        just_added = request.GET.get("just_added", "")
        if not DOM_ID_RE.fullmatch(just_added):
            just_added = ""
        if not is_htmx(request):
            anchor = f"#{just_added}" if just_added else ""
            return HttpResponseRedirect(reverse("meeting-detail", args=[meeting.ref]) + anchor)
        return agenda_response(request, meeting, just_added=just_added)


def agenda_response(request: HttpRequest, meeting: Meeting, **extra: Any) -> HttpResponse:
    """The agenda fragment (and the messages, out of band) that replaces ``#agenda``."""
    context = meeting_page_context(request, meeting, **extra)
    html = render_to_string("meetings/_agenda.html", context, request=request)
    html += messages_fragment(request)
    return reswap(retarget(HttpResponse(html), "#agenda"), "outerHTML")


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


class MeetingAgendaItemCreateView(PmoRequired):
    """``/meetings/<ref>/areas/new/``: add an agenda item ("Area")."""

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


class DiscussionItemUpdateView(PmoRequired):
    """``/meetings/<ref>/discussion/<pk>/edit/``: edit in place (htmx) or on its own page."""

    def get(self, request: HttpRequest, ref: str, pk: int) -> HttpResponse:
        meeting = get_meeting_or_404(request, ref)
        item = _discussion_item_or_404(meeting, pk)
        initial = {"area": item.agenda_item.title if item.agenda_item else "", "text": item.text}
        form = DiscussionItemForm(meeting=meeting, initial=initial, auto_id=f"d{pk}-%s")
        return self.show(request, meeting, item, form)

    def post(self, request: HttpRequest, ref: str, pk: int) -> HttpResponse:
        meeting = get_meeting_or_404(request, ref)
        item = _discussion_item_or_404(meeting, pk)
        form = DiscussionItemForm(request.POST, meeting=meeting, auto_id=f"d{pk}-%s")
        if form.is_valid():
            try:
                with transaction.atomic():
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


class DiscussionItemDeleteView(PmoRequired):
    """``/meetings/<ref>/discussion/<pk>/delete/``: asks to confirm (GET), deletes (POST)."""

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


# --- earlier actions taken up at this meeting -------------------------------------------------


class MeetingReviewView(LoginRequired):
    """``/meetings/<ref>/reviews/``: the earlier open actions of the committee; the PMO closes,
    re-dates or keeps each open with a note (``actions.services.action_review_record``)."""

    def get(self, request: HttpRequest, ref: str) -> HttpResponse:
        meeting = get_meeting_or_404(request, ref)
        return self.show(request, meeting)

    def post(self, request: HttpRequest, ref: str) -> HttpResponse:

        if not roles.is_pmo(request.user):
            raise PermissionDenied("Only the PMO (secretariat) can do this.")
        meeting = get_meeting_or_404(request, ref)
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
                review = action_review_record(
                    action=action,
                    meeting=meeting,
                    outcome=form.cleaned_data["outcome"],
                    new_due_date=form.cleaned_data["new_due_date"],
                    note=form.cleaned_data["note"],
                    acting_user=request.user,
                )
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
        return self.show(request, meeting, bound={action.ref: form})

    def show(
        self, request: HttpRequest, meeting: Meeting, bound: dict[str, Form] | None = None
    ) -> HttpResponse:

        bound = bound or {}
        can_edit = roles.is_pmo(request.user)
        candidates = action_list_to_review(meeting=meeting, user=request.user)
        rows = [
            (
                action,
                bound.get(action.ref)
                or ActionReviewForm(prefix=action.ref, auto_id=f"r-{action.ref}-%s"),
            )
            for action in candidates
        ]
        return render(
            request,
            "meetings/meeting_reviews.html",
            {
                "meeting": meeting,
                "rows": rows,
                "reviews": action_review_list_for_meeting(meeting=meeting),
                "can_edit": can_edit,
                "today": today_london(),
            },
        )
