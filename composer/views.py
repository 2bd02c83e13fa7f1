"""Browser views of meetings: the list, the meeting page, and recording on it (PMO).

Every view needs a login; rights are checked here and again by the services (a forbidden
POST gets 403, never just a hidden button). Observers do not see Restricted or Confidential
meetings (``meetings.selectors.meeting_list_for_user``). With htmx, the forms on the meeting
page post in place and get the agenda back; without it they post and redirect.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django_htmx.http import reswap, retarget

from actions.selectors import (
    action_list_for_owner,
    action_list_proposed_closure,
)
from composer.forms import AgendaItemForm
from composer.meeting_page import MeetingPage, meeting_page_get, meeting_page_get_for_user
from core import roles, visibility
from core.links import url_maker
from core.templatetags.governance import link_refs
from core.views import (
    LoginRequired,
    is_htmx,
    messages_fragment,
    today_london,
)
from decisions.selectors import decision_queue
from meetings.models import Meeting
from meetings.people_selectors import people_without_email_count
from meetings.selectors import meeting_history_of, meeting_list_for_user
from meetings.views import DOM_ID_RE, get_meeting_or_404

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
            "can_record": roles.is_recorder_somewhere(user),
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
            context["people_without_email"] = people_without_email_count()
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
    can_edit = roles.is_recorder(request.user, page.meeting.committee_id)
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
        "report_urls": report_urls(page.meeting, request.user),
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


def report_urls(meeting: Meeting, user: Any) -> dict[str, str]:
    """The headline report's pages for ``meeting`` (``composer.report_urls``) that ``user``
    may open: the HTML preview and the PDF of the report as it stands (only for readers of
    unissued reports: others read the issued versions listed on the page), and the issue
    page."""
    urls = {"issue": reverse("headline-report-issue", args=[meeting.ref])}
    if visibility.sees_unissued_reports(user, meeting.committee_id):
        urls["preview"] = reverse("headline-report-preview", args=[meeting.ref])
        urls["pdf"] = reverse("headline-report-pdf", args=[meeting.ref])
    return urls


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


class MeetingHistoryView(LoginRequired):
    """``/meetings/<ref>/history/``: the history of the meeting, its agenda and discussion.

    The meeting page loads it into its history card when the card is scrolled to (htmx),
    so the page itself reads none of it; opened directly it is a page of its own.
    """

    def get(self, request: HttpRequest, ref: str) -> HttpResponse:
        meeting = get_meeting_or_404(request, ref)
        context = {
            "meeting": meeting,
            "history_entries": meeting_history_of(meeting=meeting, user=request.user),
            "history_title": f"History of {meeting.ref}, its agenda and discussion",
        }
        if is_htmx(request):
            return render(request, "_history.html", context)
        return render(request, "meetings/meeting_history.html", context)


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
                "can_edit": roles.is_recorder(request.user, meeting.committee_id),
                "report_urls": report_urls(meeting, request.user),
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
