"""Browser pages: the notification list, opening one, the person's settings, and a
committee's escalation rule (PMO)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from core.views import LoginRequired, PmoRequired, form_add_service_error
from meetings.models import Committee
from notifications.forms import EscalationRuleForm, NotificationSettingsForm
from notifications.models import Notification
from notifications.services import (
    escalation_rule_get,
    escalation_rule_set,
    notification_list_for,
    notification_open,
    notification_preferences_set,
    notifications_mark_all_read,
    preferences_of,
)


class NotificationListView(LoginRequired):
    """``/notifications/``: the user's notifications, newest first, unread marked."""

    def get(self, request: HttpRequest) -> HttpResponse:
        items = notification_list_for(user=request.user)
        return render(request, "notifications/notification_list.html", {"items": items})

    def post(self, request: HttpRequest) -> HttpResponse:
        notifications_mark_all_read(acting_user=request.user)
        return redirect("notification-list")


class NotificationOpenView(LoginRequired):
    """``/notifications/<id>/open/``: mark it read, then go to its record (404 when it is
    someone else's; 403 when its record is no longer the user's to open)."""

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        try:
            notification = notification_open(notification_id=pk, acting_user=request.user)
        except Notification.DoesNotExist as exc:
            raise Http404("No such notification.") from exc
        return redirect(notification.url)


class NotificationSettingsView(LoginRequired):
    """``/notifications/settings/``: per kind, immediately / daily digest / never, and
    emails on again after an unsubscribe."""

    def person(self, request: HttpRequest):
        person = getattr(request.user, "person", None)
        if person is None:
            raise Http404("Your login is not linked to a person on the register.")
        return person

    def get(self, request: HttpRequest) -> HttpResponse:
        person = self.person(request)
        initial = {**preferences_of(person=person), "emails_on": not person.reminders_opt_out}
        return self.show(request, person, NotificationSettingsForm(initial=initial))

    def post(self, request: HttpRequest) -> HttpResponse:
        person = self.person(request)
        form = NotificationSettingsForm(request.POST)
        if form.is_valid():
            try:
                notification_preferences_set(
                    person=person,
                    deliveries=form.deliveries(),
                    emails_on=form.cleaned_data["emails_on"],
                    acting_user=request.user,
                )
            except ValidationError as exc:
                form_add_service_error(form, exc)
            else:
                messages.success(request, "Your notification settings are saved.")
                return redirect("notification-settings")
        return self.show(request, person, form, status=400)

    def show(self, request, person, form, status: int = 200) -> HttpResponse:
        return render(
            request,
            "notifications/notification_settings.html",
            {"form": form, "person": person},
            status=status,
        )


class EscalationRuleView(PmoRequired):
    """``/committees/<code>/escalation/``: the committee's escalation days (PMO)."""

    def get(self, request: HttpRequest, code: str) -> HttpResponse:
        committee = get_object_or_404(Committee, code=code)
        rule = escalation_rule_get(committee=committee)
        return self.show(request, committee, EscalationRuleForm(instance=rule))

    def post(self, request: HttpRequest, code: str) -> HttpResponse:
        committee = get_object_or_404(Committee, code=code)
        form = EscalationRuleForm(request.POST, instance=escalation_rule_get(committee=committee))
        if form.is_valid():
            try:
                escalation_rule_set(
                    committee=committee,
                    secretariat_after_days=form.cleaned_data["secretariat_after_days"],
                    chair_after_days=form.cleaned_data["chair_after_days"],
                    acting_user=request.user,
                )
            except ValidationError as exc:
                form_add_service_error(form, exc)
            else:
                messages.success(request, f"{committee.code}'s escalation rule is saved.")
                return redirect("escalation-rule", code=committee.code)
        return self.show(request, committee, form, status=400)

    def show(self, request, committee, form, status: int = 200) -> HttpResponse:
        return render(
            request,
            "notifications/escalation_rule.html",
            {"form": form, "committee": committee},
            status=status,
        )
