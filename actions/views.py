"""Browser views of actions: the register, "my actions", the action page and its changes
(the register as a PDF: ``actions.register_pdf_views``).

Rights are checked here and again in ``actions.services``: only the PMO edits, closes,
declines a closure or reopens; owners (in person or through their organisation) and the
PMO post progress updates and propose closure. A forbidden POST gets 403.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.safestring import mark_safe
from django_htmx.http import reswap, retarget

from changerequests.expected_respondents import ia_pending_for_person
from core import roles, visibility
from core.concurrency import version_guard
from core.templatetags.governance import dom_id
from core.views import (
    LoginRequired,
    RecorderRequired,
    form_add_service_error,
    is_htmx,
    today_london,
)
from meetings.selectors import discussions_of, linkable_references_prefetch
from meetings.views import area_for, meeting_agenda_url

from . import services
from .due import action_due_warnings
from .forms import (
    ActionCloseForm,
    ActionDeclineForm,
    ActionEditForm,
    ActionFilterForm,
    ActionReopenForm,
    ProgressUpdateForm,
)
from .models import Action
from .register import action_register_choices, action_register_page
from .selectors import (
    MINE,
    action_get_for_user,
    action_history_of,
    action_mine_for_user,
    action_updates_of,
    next_meetings_by_committee,
)
from .versions import action_version


def due_warnings_show(request: HttpRequest, action: Action) -> None:
    """The action's due-date warnings (``actions.due.action_due_warnings``) as messages."""
    action = Action.objects.select_related("meeting").get(pk=action.pk)
    for warning in action_due_warnings(action=action):
        messages.warning(request, warning)


def get_action_or_404(request: HttpRequest, ref: str) -> Action:
    """The action ``ref`` if the user may see it; 404 otherwise."""
    try:
        return action_get_for_user(ref=ref, user=request.user)
    except Action.DoesNotExist as exc:
        raise Http404(f"No action {ref}.") from exc


class ActionListView(LoginRequired):
    """``/actions/``: the action register, filtered, sorted and in keyset pages of 50
    (``?cursor=`` from the First/Previous/Next/Last links; ``?cursor=last`` the last)."""

    def get(self, request: HttpRequest) -> HttpResponse:
        if "page" in request.GET:
            # A bookmark of the numbered pages the register had before: its first page.
            query = request.GET.copy()
            query.pop("page")
            return HttpResponseRedirect(f"{request.path}?{query.urlencode()}".rstrip("?"))
        today = today_london()
        form = ActionFilterForm(request.GET, choices=action_register_choices(user=request.user))
        filters = form.filters()
        cursor = request.GET.get("cursor") or None
        page = action_register_page(
            user=request.user,
            filters=filters,
            today=today,
            cursor=None if cursor == "last" else cursor,
            from_end=cursor == "last",
        )
        context = {
            "form": form,
            "filters": filters,
            "page": page,
            "rows": page.rows,
            "today": today,
            "ignored": form.ignored(),
            "is_filtered": any(
                request.GET.get(k) for k in ("q", "committee", "meeting", "status", "owner", "due")
            ),
            "sort": filters.sort,
        }
        template = "actions/_register_results.html" if is_htmx(request) else None
        return render(request, template or "actions/action_list.html", context)


# Stands in for an action's HTML id in the progress form rendered once for every item.
_FORM_ID_SLOT = "__item__"


class ActionMineView(LoginRequired):
    """``/actions/mine/``: the user's own and their seats' open actions (the same set as
    their reminder emails), with what is due by the next meeting first; ``?tab=organisation``
    shows their organisation's instead. In keyset pages of 50 by due date, as the register
    (``?cursor=`` from the First/Previous/Next/Last links)."""

    def get(self, request: HttpRequest) -> HttpResponse:
        today = today_london()
        cursor = request.GET.get("cursor") or None
        mine = action_mine_for_user(
            user=request.user,
            today=today,
            tab=request.GET.get("tab", ""),
            paged=True,
            cursor=None if cursor == "last" else cursor,
            from_end=cursor == "last",
        )
        upcoming = next_meetings_by_committee()
        # A next meeting the user may not see is not named (core.visibility).
        seen = visibility.visible_meeting_ids(request.user, upcoming.values())
        upcoming = {cid: m for cid, m in upcoming.items() if m.pk in seen}
        next_dates = {cid: meeting.date for cid, meeting in upcoming.items()}
        # Every item has the same progress form but its own ids: render the form once.
        form_html = render_to_string(
            "_form_fields.html",
            {"form": ProgressUpdateForm(auto_id=f"u-{_FORM_ID_SLOT}-%s")},
        )
        due_next, later = [], []
        for row in mine.rows:
            # The rendered form with this item's ids (letters, digits, - and _).
            form = mark_safe(form_html.replace(_FORM_ID_SLOT, row.dom_id))  # noqa: S308
            if mine.tab != MINE:
                form = ""  # the organisation's: to follow, not to update
            next_date = next_dates.get(row.committee_id)
            if row.due_date and next_date and row.due_date <= next_date:
                due_next.append((row, form))
            else:
                later.append((row, form))
        committees = {row.committee_id for row in mine.rows}
        next_meetings = sorted(
            (m for cid, m in upcoming.items() if cid in committees), key=lambda m: m.start_at
        )
        return render(
            request,
            "actions/action_mine.html",
            {
                "person": mine.person,
                "seats": mine.seats,
                "tab": mine.tab,
                "page": mine.page,
                "observer_only": roles.is_observer_only(request.user),
                "due_next": due_next,
                "later": later,
                "today": today,
                "next_meetings": next_meetings,
                # Impact assessments awaiting the user's organisation ("pending for me").
                "ia_pending": ia_pending_for_person(person=mine.person),
            },
        )


class ActionDetailView(LoginRequired):
    """``/actions/<ref>/``: the action, where it was raised, reviewed and discussed, its
    progress updates and its history; forms for those who may act on it."""

    def get(self, request: HttpRequest, ref: str) -> HttpResponse:
        action = get_action_or_404(request, ref)
        if ref != action.ref:
            return HttpResponseRedirect(reverse("action-detail", args=[action.ref]))
        return render(request, "actions/action_detail.html", action_page_context(request, action))


def action_page_context(request: HttpRequest, action: Action, **extra: Any) -> dict[str, Any]:
    """The action page's context; ``extra`` replaces forms that came back with errors."""
    user = request.user
    reviews = list(
        action.reviews.visible_to(user)
        .select_related("meeting__committee")
        .order_by("meeting__start_at")
    )
    discussions = list(
        discussions_of(field="action", record=action)
        .visible_to(user)
        .prefetch_related(linkable_references_prefetch(user))
    )
    can_update = services.action_can_update(user=user, action=action)
    is_pmo = roles.is_recorder(user, action.committee_id)
    context = {
        "action": action,
        # A due meeting the reader may not see is not named (core.visibility).
        "due_meeting_visible": visibility.meeting_is_visible(user, action.due_meeting),
        "today": today_london(),
        "reviews": reviews,
        "discussions": discussions,
        "updates": action_updates_of(action=action),
        "history": action_history_of(action=action),
        "can_update": can_update and action.is_open,
        "is_pmo": is_pmo,
        "update_form": ProgressUpdateForm(),
        "close_form": ActionCloseForm(initial={"closed_date": today_london()}),
        "decline_form": ActionDeclineForm(),
        "reopen_form": ActionReopenForm(auto_id="reopen-%s"),
    }
    context.update(extra)
    return context


class ActionUpdateView(RecorderRequired):
    """``/actions/<ref>/edit/``: the PMO edits an action, on its own page or in place on the
    meeting page (htmx; ``return_to=meeting`` sends the agenda back)."""

    visible_record = staticmethod(get_action_or_404)

    def get(self, request: HttpRequest, ref: str) -> HttpResponse:
        action = get_action_or_404(request, ref)
        form = ActionEditForm(
            action=action, auto_id=f"e-{action.ref}-%s", version=action_version(request, action)
        )
        return self.show(request, action, form)

    def post(self, request: HttpRequest, ref: str) -> HttpResponse:
        action = get_action_or_404(request, ref)
        form = ActionEditForm(request.POST, action=action, auto_id=f"e-{action.ref}-%s")
        if form.is_valid():
            data = form.cleaned_data
            try:
                with version_guard(
                    form,
                    record=action,
                    current=lambda: action_version(request, action),
                    name=f"Action {action.ref}",
                ):
                    services.action_update(
                        action=action,
                        acting_user=request.user,
                        owners=data["owners"],
                        description=data["description"],
                        due_date=data["due_date"],
                        due_meeting=data["due_meeting"],
                        agenda_item=area_for(action.meeting, data["area"], request.user),
                    )
            except ValidationError as exc:
                form_add_service_error(form, exc)
            else:
                messages.success(request, f"Action {action.ref} saved.")
                due_warnings_show(request, action)
                if is_htmx(request) and request.POST.get("return_to") == "meeting":
                    return HttpResponseRedirect(
                        meeting_agenda_url(action.meeting, dom_id(action.ref))
                    )
                return HttpResponseRedirect(reverse("action-detail", args=[action.ref]))
        return self.show(request, action, form)

    def show(self, request: HttpRequest, action: Action, form: ActionEditForm) -> HttpResponse:
        context = {
            "action": action,
            "meeting": action.meeting,
            "form": form,
            "form_id": f"form-e-{action.ref}",
            "action_url": reverse("action-edit", args=[action.ref]),
            "title": f"Edit action {action.ref}",
            "submit_label": "Save",
            "kind": "action",
            "is_open": True,
            "return_to": request.GET.get("return_to") or request.POST.get("return_to", ""),
            "area_titles": list(action.meeting.agenda_items.values_list("title", flat=True)),
        }
        if context["return_to"] == "meeting":
            context["cancel_url"] = (
                reverse("meeting-detail", args=[action.meeting.ref]) + f"#{dom_id(action.ref)}"
            )
        else:
            context["cancel_url"] = reverse("action-detail", args=[action.ref])
        if is_htmx(request):
            context.update(wrap="tr", wrap_id=dom_id(action.ref), colspan=6)
            html = render_to_string("meetings/_record_form.html", context, request=request)
            return reswap(retarget(HttpResponse(html), f"#{dom_id(action.ref)}"), "outerHTML")
        return render(request, "meetings/meeting_record_form.html", context)


class ActionProgressCreateView(LoginRequired):
    """``/actions/<ref>/updates/`` (POST): an owner or the PMO posts progress, optionally
    proposing closure."""

    def post(self, request: HttpRequest, ref: str) -> HttpResponse:
        action = get_action_or_404(request, ref)
        if not services.action_can_update(user=request.user, action=action):
            raise PermissionDenied("Only the action's owners or the PMO can update it.")
        form = ProgressUpdateForm(request.POST)
        if form.is_valid():
            try:
                update = services.action_update_post(
                    action=action,
                    text=form.cleaned_data["text"],
                    proposes_closure=form.cleaned_data["proposes_closure"],
                    acting_user=request.user,
                )
            except ValidationError as exc:
                form_add_service_error(form, exc)
            else:
                if not update.action.is_open:
                    messages.warning(
                        request,
                        f"{action.ref} was closed meanwhile, so nothing was proposed; your "
                        "update is kept on it as a note for the PMO.",
                    )
                elif form.cleaned_data["proposes_closure"]:
                    messages.success(
                        request, f"Update posted; closure of {action.ref} proposed to the PMO."
                    )
                else:
                    messages.success(request, f"Update posted on {action.ref}.")
                return HttpResponseRedirect(_next_url(request, action) + "#updates")
        context = action_page_context(request, action, update_form=form)
        return render(request, "actions/action_detail.html", context)


def _next_url(request: HttpRequest, action: Action) -> str:
    if request.POST.get("return_to") == "mine":
        return reverse("action-mine")
    return reverse("action-detail", args=[action.ref])


class ActionCloseView(RecorderRequired):
    """``/actions/<ref>/close/`` (POST): the PMO closes the action (or confirms a proposed
    closure)."""

    visible_record = staticmethod(get_action_or_404)

    def post(self, request: HttpRequest, ref: str) -> HttpResponse:
        action = get_action_or_404(request, ref)
        form = ActionCloseForm(request.POST)
        if form.is_valid():
            try:
                services.action_close(
                    action=action,
                    closed_date=form.cleaned_data["closed_date"],
                    note=form.cleaned_data["note"],
                    acting_user=request.user,
                )
            except ValidationError as exc:
                form_add_service_error(form, exc)
            else:
                messages.success(request, f"Action {action.ref} closed.")
                return HttpResponseRedirect(reverse("action-detail", args=[action.ref]))
        context = action_page_context(request, action, close_form=form)
        return render(request, "actions/action_detail.html", context)


class ActionClosureDeclineView(RecorderRequired):
    """``/actions/<ref>/decline-closure/`` (POST): the PMO declines a proposed closure."""

    visible_record = staticmethod(get_action_or_404)

    def post(self, request: HttpRequest, ref: str) -> HttpResponse:
        action = get_action_or_404(request, ref)
        form = ActionDeclineForm(request.POST)
        if form.is_valid():
            try:
                services.action_closure_decline(
                    action=action, note=form.cleaned_data["note"], acting_user=request.user
                )
            except ValidationError as exc:
                form_add_service_error(form, exc)
            else:
                messages.success(request, f"Closure of {action.ref} declined; it stays open.")
                return HttpResponseRedirect(reverse("action-detail", args=[action.ref]))
        context = action_page_context(request, action, decline_form=form)
        return render(request, "actions/action_detail.html", context)


class ActionReopenView(RecorderRequired):
    """``/actions/<ref>/reopen/`` (POST): the PMO reopens a closed action."""

    visible_record = staticmethod(get_action_or_404)

    def post(self, request: HttpRequest, ref: str) -> HttpResponse:
        action = get_action_or_404(request, ref)
        form = ActionReopenForm(request.POST, auto_id="reopen-%s")
        if not form.is_valid():
            context = action_page_context(request, action, reopen_form=form)
            return render(request, "actions/action_detail.html", context)
        try:
            services.action_reopen(
                action=action, reason=form.cleaned_data["reason"], acting_user=request.user
            )
        except ValidationError as exc:
            # Two PMOs reopening at once: the second finds it open already.
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, f"Action {action.ref} reopened.")
        return HttpResponseRedirect(reverse("action-detail", args=[action.ref]))
