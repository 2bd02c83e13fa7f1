"""Admin of the records that gather other apps' records: a meeting with its agenda, actions,
decisions and discussion; discussion items with their resolved refs; headline reports."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest

from actions.models import Action
from composer import discussion
from core.admin import HistoryAdmin, ServiceAdmin, ref_link_display
from core.text import discussion_text_clean
from decisions.models import Decision
from meetings import services
from meetings.models import AgendaItem, DiscussionItem, DiscussionReference, HeadlineReport, Meeting


class AgendaItemInline(admin.TabularInline):
    model = AgendaItem
    extra = 0
    fields = ["order", "title", "change_request"]
    autocomplete_fields = ["change_request"]


class ActionInline(admin.TabularInline):
    """The meeting's actions, read-only here: they are added on the action admin (refs)."""

    model = Action
    fk_name = "meeting"
    extra = 0
    fields = ["ref", "agenda_item", "description", "due_date", "status"]
    readonly_fields = fields
    show_change_link = True
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class DecisionInline(admin.TabularInline):
    model = Decision
    extra = 0
    fields = ["ref", "agenda_item", "text", "status", "change_request"]
    readonly_fields = fields
    show_change_link = True
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class DiscussionItemInline(admin.StackedInline):
    model = DiscussionItem
    extra = 0
    fields = ["order", "agenda_item", "text"]


class MeetingAdminForm(forms.ModelForm):
    number = forms.IntegerField(
        min_value=1,
        required=False,
        help_text="Leave empty for the committee's next number. For an extraordinary meeting "
        "give the number it follows and a sub-number (20 and 1 make DAG020.1).",
    )

    class Meta:
        model = Meeting
        fields = [
            "committee",
            "number",
            "sub_number",
            "title",
            "start_at",
            "end_at",
            "venue",
            "classification",
            "status",
            "report_issue_date",
        ]


@admin.register(Meeting)
class MeetingAdmin(ServiceAdmin):
    form = MeetingAdminForm
    list_display = [
        ref_link_display(),
        "committee",
        "start_at",
        "venue",
        "classification",
        "status",
        "report_issue_date",
    ]
    list_filter = ["committee", "status", "classification", "start_at"]
    search_fields = ["ref", "title", "venue"]
    date_hierarchy = "start_at"
    readonly_fields = ["ref"]
    inlines = [AgendaItemInline, ActionInline, DecisionInline, DiscussionItemInline]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        # Committee and number make the ref, which never changes once assigned.
        return ["ref", "committee", "number", "sub_number"] if obj else ["ref"]

    def create_with_service(self, request: HttpRequest, form: forms.ModelForm) -> Meeting:
        data = form.cleaned_data
        return services.meeting_create(
            committee=data["committee"],
            number=data.get("number"),
            sub_number=data.get("sub_number") or 0,
            title=data.get("title", ""),
            start_at=data["start_at"],
            end_at=data.get("end_at"),
            venue=data.get("venue", ""),
            classification=data["classification"],
            status=data["status"],
            report_issue_date=data.get("report_issue_date"),
            acting_user=request.user,
        )

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        super().save_formset(request, form, formset, change)
        if formset.model is DiscussionItem:
            # Discussion text may name other records: keep its resolved references current.
            for item in formset.new_objects + [obj for obj, _ in formset.changed_objects]:
                discussion.discussion_references_refresh(
                    discussion_item=item, acting_user=request.user
                )


@admin.register(AgendaItem)
class AgendaItemAdmin(HistoryAdmin):
    list_display = ["title", "meeting", "order", "change_request"]
    list_filter = ["meeting__committee", "meeting"]
    search_fields = ["title", "meeting__ref"]
    autocomplete_fields = ["meeting", "change_request"]


class DiscussionReferenceInline(admin.TabularInline):
    model = DiscussionReference
    extra = 0
    fields = ["kind", "ref", "meeting", "action", "decision", "change_request", "din"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(DiscussionItem)
class DiscussionItemAdmin(HistoryAdmin):
    list_display = ["__str__", "meeting", "agenda_item", "order"]
    list_filter = ["meeting__committee", "meeting"]
    search_fields = ["text", "meeting__ref", "references__ref"]
    autocomplete_fields = ["meeting", "agenda_item"]
    inlines = [DiscussionReferenceInline]

    def save_model(
        self, request: HttpRequest, obj: DiscussionItem, form: Any, change: bool
    ) -> None:
        obj.text = discussion_text_clean(obj.text)
        super().save_model(request, obj, form, change)
        discussion.discussion_references_refresh(discussion_item=obj, acting_user=request.user)


@admin.register(HeadlineReport)
class HeadlineReportAdmin(HistoryAdmin):
    """Issued versions are immutable: everything is read-only here."""

    list_display = ["meeting", "version", "status", "issue_date", "checksum", "created_at"]
    list_filter = ["status", "meeting__committee"]
    search_fields = ["meeting__ref", "checksum"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return [f.name for f in HeadlineReport._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: Any, obj: Any = None) -> bool:
        """An issued version is immutable, file and all: never deleted (its version number
        would be given to another PDF); no bulk delete from the list."""
        if obj is not None and obj.status == obj.Status.ISSUED:
            return False
        return super().has_delete_permission(request, obj)

    def get_actions(self, request: Any) -> dict:
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions
