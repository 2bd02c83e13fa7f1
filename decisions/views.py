"""Browser views of decisions: the register, the chair's queue, the decision page.

Only the chair decides (approve, approve with conditions, reject, defer): anyone else's
POST gets 403 here, and ``decisions.services.decision_transition`` refuses it again.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django_htmx.http import HttpResponseClientRedirect, reswap, retarget

from core import roles
from core.concurrency import Version, record_version, record_versions, version_guard
from core.history import actor_name, history_entries, record_values
from core.services import RecordLockedError
from core.templatetags.governance import dom_id
from core.views import LoginRequired, RecorderRequired, form_add_service_error, is_htmx
from meetings.attendance import meeting_is_inquorate
from meetings.selectors import discussions_of, linkable_references_prefetch
from meetings.views import area_for, meeting_agenda_url

from . import services
from .api.views import DecisionDetailApi
from .forms import DecisionDecideForm, DecisionEditForm, DecisionFilterForm, DecisionReopenForm
from .models import Decision
from .selectors import (
    AWAITING_CHAIR,
    DecisionIds,
    decision_get_for_user,
    decision_history_of,
    decision_queue,
    decision_register,
    decision_register_counts,
    decision_reopenings_of,
    decision_rows,
)

DECISION_VERSION_FIELDS = ("text", "status", "conditions", "agenda_item", "change_request")


def decision_version(request: HttpRequest, decision: Decision) -> Version:
    """The decision's version for an edit form: the API's ETag and the values it shows."""
    fresh = Decision.objects.select_related("agenda_item", "change_request").get(pk=decision.pk)
    values = record_values(fresh, DECISION_VERSION_FIELDS)
    return Version(record_version(DecisionDetailApi, request, ref=fresh.ref), values)


def decision_versions(request: HttpRequest, decisions: list[Decision]) -> dict[int, Version]:
    """:func:`decision_version` of each of ``decisions`` (read with their area and CR, as
    the queue reads them) in one pass: the queue's forms cost no query each."""
    tags = record_versions(DecisionDetailApi, request, [d.pk for d in decisions])
    return {
        d.pk: Version(tags[d.pk], record_values(d, DECISION_VERSION_FIELDS))
        for d in decisions
        if d.pk in tags
    }


def get_decision_or_404(request: HttpRequest, ref: str) -> Decision:
    """The decision ``ref`` if the user may see it; 404 otherwise."""
    try:
        return decision_get_for_user(ref=ref, user=request.user)
    except Decision.DoesNotExist as exc:
        raise Http404(f"No decision {ref}.") from exc


class DecisionListView(LoginRequired):
    """``/decisions/``: every decision the user may see, filtered by status and text."""

    def get(self, request: HttpRequest) -> HttpResponse:
        form = DecisionFilterForm(request.GET or None)
        status = text = ""
        if form.is_bound and form.is_valid():
            status, text = form.cleaned_data["status"], form.cleaned_data["q"]
        qs = decision_register(user=request.user, status=status, text=text)
        counts = decision_register_counts(
            user=request.user, queryset=qs, filtered=bool(status or text)
        )
        page = Paginator(DecisionIds(qs, counts), 50).get_page(request.GET.get("page"))
        page.object_list = decision_rows(qs, list(page.object_list))
        return render(
            request,
            "decisions/decision_list.html",
            {"form": form, "page": page, "is_filtered": bool(status or text)},
        )


class DecisionQueueView(LoginRequired):
    """``/decisions/queue/``: proposed and deferred decisions awaiting the chair."""

    def get(self, request: HttpRequest) -> HttpResponse:
        return self.show(request)

    def show(
        self, request: HttpRequest, bound: dict[int, DecisionDecideForm] | None = None
    ) -> HttpResponse:
        bound = bound or {}
        is_chair = roles.is_chair(request.user)
        decisions = list(decision_queue(user=request.user))
        # Each form carries the version the chair read (only a chair gets forms).
        versions = decision_versions(request, decisions) if is_chair else {}
        rows = [
            (
                decision,
                bound.get(decision.pk)
                or DecisionDecideForm(
                    prefix=decision.ref, auto_id="q-%s", version=versions.get(decision.pk)
                ),
            )
            for decision in decisions
        ]
        return render(
            request, "decisions/decision_queue.html", {"rows": rows, "is_chair": is_chair}
        )


class DecisionDetailView(LoginRequired):
    """``/decisions/<ref>/``: the decision, where it was taken and discussed, its CR, who
    decided and when; the chair's form while it awaits a decision."""

    def get(self, request: HttpRequest, ref: str) -> HttpResponse:
        decision = get_decision_or_404(request, ref)
        if ref != decision.ref:
            return HttpResponseRedirect(reverse("decision-detail", args=[decision.ref]))
        return render(
            request, "decisions/decision_detail.html", decision_page_context(request, decision)
        )


def decision_page_context(request: HttpRequest, decision: Decision, **extra: Any) -> dict:
    """The decision page's context; ``extra`` replaces a form that came back with errors."""
    history = decision_history_of(decision=decision)
    decider = decision_decider(decision, history)
    is_chair = roles.is_committee_chair(request.user, decision.committee_id)
    awaiting = decision.status in AWAITING_CHAIR
    context = {
        "decision": decision,
        "discussions": list(
            discussions_of(field="decision", record=decision)
            .visible_to(request.user)
            .prefetch_related(linkable_references_prefetch(request.user))
        ),
        "history": history,
        "history_entries": history_entries(
            decision.history.select_related("history_user__person"), skipped={"seq", "ref"}
        ),
        "decider": decider,
        "is_chair": is_chair,
        "is_pmo": roles.is_recorder(request.user, decision.committee_id),
        "awaiting": awaiting,
        "decide_form": DecisionDecideForm(
            prefix=decision.ref,
            auto_id="q-%s",
            version=decision_version(request, decision) if is_chair and awaiting else None,
        ),
        "locked_message": services.decision_locked_message(decision) if decision.is_locked else "",
        "can_reopen": decision.is_locked and can_reopen(request.user, decision),
        "reopen_form": DecisionReopenForm(auto_id="reopen-%s"),
        "reopenings": decision_reopenings_of(decision=decision),
        "is_inquorate": decision.status != Decision.Status.WITHDRAWN
        and meeting_is_inquorate(meeting=decision.meeting),
    }
    context.update(extra)
    return context


def decision_decider(decision: Decision, history: list[Any]) -> str:
    """Who decided, as far as the record tells: the chair's Person; else the login that
    recorded the decided status (its person's name, ``core.history.actor_name``); else, for
    a decision the product recorded (an imported report: the chair decided at the meeting,
    no person is named), the committee at that meeting. Empty only when not decided."""
    if not decision.decided_at:
        return ""
    if decision.decided_by_id:
        return decision.decided_by.name
    recorder = next(
        (v.history_user for v in history if v.history_user_id and v.status == decision.status),
        None,
    )
    if recorder is not None:
        return actor_name(recorder)
    meeting = decision.meeting
    return f"{meeting.committee.name} at {meeting.ref}, as recorded (no person named)"


def can_reopen(user: Any, decision: Decision) -> bool:
    """The committee's chair re-opens a decided decision; the PMO may too, recorded as the
    PMO."""
    return roles.is_committee_chair(user, decision.committee_id) or roles.is_recorder(
        user, decision.committee_id
    )


def locked_refusal(request: HttpRequest, decision: Decision, message: str) -> HttpResponse:
    """Back to the decision's page, which shows why it is locked and how to re-open it."""
    messages.error(request, message)
    url = reverse("decision-detail", args=[decision.ref])
    if is_htmx(request):
        return HttpResponseClientRedirect(url)
    return HttpResponseRedirect(url)


class DecisionReopenView(LoginRequired):
    """``/decisions/<ref>/reopen/`` (POST, chair or PMO): put a decided decision back to
    proposed with a reason, on record; the chair decides again."""

    def post(self, request: HttpRequest, ref: str) -> HttpResponse:
        decision = get_decision_or_404(request, ref)
        if not can_reopen(request.user, decision):
            raise PermissionDenied("Only the committee's chair or the PMO can re-open a decision.")
        form = DecisionReopenForm(request.POST, auto_id="reopen-%s")
        if form.is_valid():
            try:
                services.decision_reopen(
                    decision=decision, reason=form.cleaned_data["reason"], acting_user=request.user
                )
            except ValidationError as exc:
                if not decision.is_locked:
                    messages.error(request, " ".join(exc.messages))
                    return HttpResponseRedirect(reverse("decision-detail", args=[decision.ref]))
                form_add_service_error(form, exc)
            else:
                messages.success(request, f"{decision.ref} re-opened: it awaits the chair again.")
                return HttpResponseRedirect(reverse("decision-detail", args=[decision.ref]))
        context = decision_page_context(request, decision, reopen_form=form)
        return render(request, "decisions/decision_detail.html", context)


class DecisionDecideView(LoginRequired):
    """``/decisions/<ref>/decide/`` (POST, chair only): approve, approve with conditions,
    reject or defer. Records who and when; the decision's CR follows."""

    def post(self, request: HttpRequest, ref: str) -> HttpResponse:
        decision = get_decision_or_404(request, ref)
        if not roles.is_committee_chair(request.user, decision.committee_id):
            raise PermissionDenied("Only the chair can decide on a proposed decision.")
        form = DecisionDecideForm(request.POST, prefix=decision.ref, auto_id="q-%s")
        if form.is_valid():
            try:
                # Decided on the wording the chair read, or not at all (the API's If-Match).
                with version_guard(
                    form,
                    record=decision,
                    current=lambda: decision_version(request, decision),
                    name=f"Decision {decision.ref}",
                ):
                    decision = services.decision_transition(
                        decision=decision,
                        to_status=form.to_status,
                        conditions=form.cleaned_data["conditions"] or "",
                        acting_user=request.user,
                    )
            except ValidationError as exc:
                decision = get_decision_or_404(request, ref)
                if decision.status not in AWAITING_CHAIR:
                    # Already decided (perhaps in another tab): there is no form to show.
                    messages.error(request, already_decided_message(decision, exc))
                    return HttpResponseRedirect(reverse("decision-detail", args=[decision.ref]))
                form_add_service_error(form, exc)
            else:
                messages.success(
                    request, f"{decision.ref}: {decision.get_status_display().lower()}."
                )
                if request.POST.get("return_to") == "queue":
                    return HttpResponseRedirect(reverse("decision-queue"))
                return HttpResponseRedirect(reverse("decision-detail", args=[decision.ref]))
        if request.POST.get("return_to") == "queue":
            return DecisionQueueView().show(request, bound={decision.pk: form})
        context = decision_page_context(request, decision, decide_form=form)
        return render(request, "decisions/decision_detail.html", context)


def already_decided_message(decision: Decision, error: ValidationError) -> str:
    """Why the chair's decision on ``decision``, decided meanwhile, was not recorded."""
    said = " ".join(error.messages)
    if "was changed by someone else" not in said:
        return said
    return (
        f"{decision.ref} was decided meanwhile ({decision.get_status_display().lower()}), so "
        "your decision was not recorded. Re-open it to decide again."
    )


class DecisionWithdrawView(RecorderRequired):
    """``/decisions/<ref>/withdraw/`` (POST, PMO): withdraw a decision not yet taken."""

    visible_record = staticmethod(get_decision_or_404)

    def post(self, request: HttpRequest, ref: str) -> HttpResponse:
        decision = get_decision_or_404(request, ref)
        try:
            services.decision_transition(
                decision=decision, to_status=Decision.Status.WITHDRAWN, acting_user=request.user
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, f"{decision.ref} withdrawn.")
        return HttpResponseRedirect(reverse("decision-detail", args=[decision.ref]))


class DecisionUpdateView(RecorderRequired):
    """``/decisions/<ref>/edit/``: the PMO edits the text, area or CR (on its own page or in
    place on the meeting page with htmx). A decided decision is locked: the form is not
    offered, a save is refused by ``decision_update``, and both lead to its page, which says
    why and offers the re-opening."""

    visible_record = staticmethod(get_decision_or_404)

    def get(self, request: HttpRequest, ref: str) -> HttpResponse:
        decision = get_decision_or_404(request, ref)
        if decision.is_locked:
            return locked_refusal(request, decision, services.decision_locked_message(decision))
        form = DecisionEditForm(
            decision=decision,
            auto_id=f"e-{decision.ref}-%s",
            version=decision_version(request, decision),
        )
        return self.show(request, decision, form)

    def post(self, request: HttpRequest, ref: str) -> HttpResponse:
        decision = get_decision_or_404(request, ref)
        form = DecisionEditForm(request.POST, decision=decision, auto_id=f"e-{decision.ref}-%s")
        if form.is_valid():
            data = form.cleaned_data
            try:
                with version_guard(
                    form,
                    record=decision,
                    current=lambda: decision_version(request, decision),
                    name=f"Decision {decision.ref}",
                ):
                    services.decision_update(
                        decision=decision,
                        acting_user=request.user,
                        text=data["text"],
                        change_request=data["change_request"],
                        agenda_item=area_for(decision.meeting, data["area"], request.user),
                    )
            except RecordLockedError as exc:
                return locked_refusal(request, decision, " ".join(exc.messages))
            except ValidationError as exc:
                form_add_service_error(form, exc)
            else:
                messages.success(request, f"Decision {decision.ref} saved.")
                if is_htmx(request) and request.POST.get("return_to") == "meeting":
                    return HttpResponseRedirect(
                        meeting_agenda_url(decision.meeting, dom_id(decision.ref))
                    )
                return HttpResponseRedirect(reverse("decision-detail", args=[decision.ref]))
        return self.show(request, decision, form)

    def show(self, request: HttpRequest, decision: Decision, form: Any) -> HttpResponse:
        return_to = request.GET.get("return_to") or request.POST.get("return_to", "")
        context = {
            "decision": decision,
            "meeting": decision.meeting,
            "form": form,
            "form_id": f"form-e-{decision.ref}",
            "action_url": reverse("decision-edit", args=[decision.ref]),
            "title": f"Edit decision {decision.ref}",
            "submit_label": "Save",
            "kind": "decision",
            "is_open": True,
            "return_to": return_to,
            "cancel_url": (
                reverse("meeting-detail", args=[decision.meeting.ref]) + f"#{dom_id(decision.ref)}"
                if return_to == "meeting"
                else reverse("decision-detail", args=[decision.ref])
            ),
            "area_titles": list(decision.meeting.agenda_items.values_list("title", flat=True)),
        }
        if is_htmx(request):
            context.update(wrap="li", wrap_id=dom_id(decision.ref))
            html = render_to_string("meetings/_record_form.html", context, request=request)
            return reswap(retarget(HttpResponse(html), f"#{dom_id(decision.ref)}"), "outerHTML")
        return render(request, "meetings/meeting_record_form.html", context)
