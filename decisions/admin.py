"""Admin for decisions (created through ``decision_create`` so refs are assigned)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest

from core.admin import ServiceAdmin, ref_link_display

from . import services
from .models import Decision, DecisionReopening


class DecisionReopeningInline(admin.TabularInline):
    """The decision's re-openings, read-only: they are made by ``decision_reopen`` alone."""

    model = DecisionReopening
    extra = 0
    can_delete = False
    fields = readonly_fields = [
        "reopened_at",
        "reopened_by",
        "acted_as",
        "reason",
        "from_status",
        "from_conditions",
        "from_decided_by",
        "from_decided_at",
    ]

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Decision)
class DecisionAdmin(ServiceAdmin):
    list_display = [
        ref_link_display(),
        "meeting",
        "agenda_item",
        "short_text",
        "status",
        "change_request",
        "decided_by",
        "decided_at",
    ]
    list_filter = ["status", "committee", "meeting", "decided_at"]
    search_fields = ["ref", "text", "change_request__ref"]
    list_select_related = ["meeting", "agenda_item", "change_request", "decided_by"]
    autocomplete_fields = ["meeting", "agenda_item", "change_request", "decided_by"]
    fields = [
        "ref",
        "meeting",
        "agenda_item",
        "text",
        "change_request",
        "status",
        "conditions",
        "decided_by",
        "decided_at",
    ]

    inlines = [DecisionReopeningInline]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        # Status moves only through the chair's approval (decision_transition).
        if obj is None:
            return ["ref", "status", "conditions", "decided_by", "decided_at"]
        if obj.is_locked:
            # Decided: everything stays as the chair decided it until re-opened (issue #12).
            return list(self.fields)
        return ["ref", "meeting", "status", "conditions", "decided_by", "decided_at"]

    @admin.display(description="Decision")
    def short_text(self, obj: Decision) -> str:
        return obj.text if len(obj.text) < 90 else obj.text[:87] + "…"

    def create_with_service(self, request: HttpRequest, form: forms.ModelForm) -> Decision:
        data = form.cleaned_data
        return services.decision_create(
            meeting=data["meeting"],
            agenda_item=data.get("agenda_item"),
            text=data["text"],
            change_request=data.get("change_request"),
            acting_user=request.user,
        )

    def has_delete_permission(self, request: Any, obj: Any = None) -> bool:
        """A decided decision is evidence: never deleted (re-open it instead); the list's
        bulk delete is off, since it would not ask per decision."""
        if obj is not None and obj.is_locked:
            return False
        return super().has_delete_permission(request, obj)

    def get_actions(self, request: Any) -> dict:
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions
