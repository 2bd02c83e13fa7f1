"""Admin for change requests (with IA responses), releases and DINs."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest

from core.admin import HistoryAdmin, ServiceAdmin, ref_link_display

from . import services
from .models import (
    LOCKED_FIELDS,
    ChangeRequest,
    ChangeRequestStatusChange,
    DesignIssueNotification,
    ImpactAssessmentResponse,
    Release,
)


class ImpactAssessmentResponseInline(admin.TabularInline):
    model = ImpactAssessmentResponse
    extra = 0
    fields = [
        "organisation",
        "constituency",
        "position",
        "conditions",
        "comments",
        "impact_note",
        "received_date",
    ]
    autocomplete_fields = ["organisation"]


class ChangeRequestStatusChangeInline(admin.TabularInline):
    """Status moves on record with their reasons, read-only: the services write them."""

    model = ChangeRequestStatusChange
    extra = 0
    can_delete = False
    fields = readonly_fields = [
        "changed_at",
        "changed_by",
        "from_status",
        "to_status",
        "decision_ref",
        "reason",
    ]

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class ChangeRequestForm(forms.ModelForm):
    number = forms.IntegerField(
        min_value=1, required=False, help_text="Leave empty for the next CR number."
    )

    class Meta:
        model = ChangeRequest
        fields = [
            "number",
            "title",
            "description",
            "raiser",
            "status",
            "ia_start_date",
            "ia_end_date",
            "target_release",
            "backstop_release",
            "design_artefacts",
        ]


@admin.register(ChangeRequest)
class ChangeRequestAdmin(ServiceAdmin):
    form = ChangeRequestForm
    list_display = [
        ref_link_display(),
        "title",
        "raiser",
        "status",
        "target_release",
        "backstop_release",
    ]
    list_filter = ["status", "target_release", "raiser"]
    search_fields = ["ref", "title", "description", "design_artefacts"]
    list_select_related = ["raiser", "target_release", "backstop_release"]
    autocomplete_fields = ["raiser", "target_release", "backstop_release"]
    inlines = [ImpactAssessmentResponseInline, ChangeRequestStatusChangeInline]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        if obj is None:
            return ["ref"]
        # Status moves by its decisions or change_request_transition (with a reason once
        # decided), never by editing the field; a decided CR keeps its title and description.
        locked = list(LOCKED_FIELDS) if obj.is_decided else []
        return ["ref", "number", "status", *locked]

    def create_with_service(self, request: HttpRequest, form: forms.ModelForm) -> ChangeRequest:
        data = form.cleaned_data
        return services.change_request_create(
            number=data.get("number"),
            title=data.get("title", ""),
            description=data.get("description", ""),
            raiser=data.get("raiser"),
            status=data["status"],
            target_release=data.get("target_release"),
            backstop_release=data.get("backstop_release"),
            design_artefacts=data.get("design_artefacts", ""),
            acting_user=request.user,
        )

    def has_delete_permission(self, request: Any, obj: Any = None) -> bool:
        """A decided CR is evidence: never deleted; no bulk delete from the list."""
        if obj is not None and obj.is_decided:
            return False
        return super().has_delete_permission(request, obj)

    def get_actions(self, request: Any) -> dict:
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions


@admin.register(Release)
class ReleaseAdmin(HistoryAdmin):
    list_display = ["code", "name", "planned_date", "status"]
    list_filter = ["status"]
    search_fields = ["code", "name"]


class DinForm(forms.ModelForm):
    number = forms.IntegerField(min_value=1, required=False, help_text="Leave empty for the next.")

    class Meta:
        model = DesignIssueNotification
        fields = ["number", "title", "change_request", "release", "status"]


@admin.register(DesignIssueNotification)
class DesignIssueNotificationAdmin(ServiceAdmin):
    form = DinForm
    list_display = [ref_link_display(), "title", "change_request", "release", "status"]
    list_filter = ["status", "release"]
    search_fields = ["ref", "title", "change_request__ref"]
    autocomplete_fields = ["change_request", "release"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return ["ref", "number"] if obj else ["ref"]

    def create_with_service(self, request: HttpRequest, form: forms.ModelForm) -> Any:
        data = form.cleaned_data
        return services.din_create(
            number=data.get("number"),
            title=data.get("title", ""),
            change_request=data.get("change_request"),
            release=data.get("release"),
            acting_user=request.user,
        )
