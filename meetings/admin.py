"""Admin for committees, organisations, people, meetings, agenda, discussion and reports; and,
read-only, the records the meeting pages' services keep (papers and their versions, packs,
participants and attendance, series)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin

from core.admin import HistoryAdmin, ReadOnlyAdmin

from .models import (
    Committee,
    MeetingAttendance,
    MeetingPack,
    MeetingParticipant,
    MeetingSeries,
    Membership,
    Organisation,
    Paper,
    PaperVersion,
    Person,
)

admin.site.site_header = "Governance tracker administration"
admin.site.site_title = "Governance tracker admin"
admin.site.index_title = "Records and settings"


@admin.register(Committee)
class CommitteeAdmin(HistoryAdmin):
    list_display = [
        "code",
        "name",
        "programme_name",
        "due_soon_days",
        "last_meeting_number",
        "last_decision_seq",
    ]
    search_fields = ["code", "name", "programme_name"]
    readonly_fields = ["last_meeting_number", "last_decision_seq"]


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["person"]


@admin.register(Organisation)
class OrganisationAdmin(HistoryAdmin):
    list_display = ["name", "short_name"]
    search_fields = ["name", "short_name"]


@admin.register(Person)
class PersonAdmin(HistoryAdmin):
    list_display = ["name", "organisation", "email", "is_team", "user", "reminders_opt_out"]
    list_filter = ["is_team", "reminders_opt_out", "organisation"]
    search_fields = ["name", "email", "organisation__name"]
    autocomplete_fields = ["organisation"]
    raw_id_fields = ["user"]
    inlines = [MembershipInline]


@admin.register(Membership)
class MembershipAdmin(HistoryAdmin):
    list_display = ["person", "committee", "role", "constituency", "start_date", "end_date"]
    list_filter = ["committee", "role"]
    search_fields = ["person__name", "constituency"]
    autocomplete_fields = ["person"]


# --- read-only: kept by services (``meetings.agenda_services``, ``meetings.pack``,
# ``meetings.participants``, ``meetings.attendance``, ``meetings.series``) -------------------


class PaperVersionInline(admin.TabularInline):
    model = PaperVersion
    extra = 0
    can_delete = False
    fields = ["version", "filename", "kind", "size", "uploaded_by", "uploaded_at"]
    readonly_fields = fields

    def has_add_permission(self, request: Any, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        return False


@admin.register(Paper)
class PaperAdmin(ReadOnlyAdmin):
    list_display = ["title", "meeting", "agenda_item", "order", "created_at"]
    list_filter = ["meeting__committee"]
    search_fields = ["title", "meeting__ref"]
    list_select_related = ["meeting", "agenda_item"]
    inlines = [PaperVersionInline]


@admin.register(MeetingPack)
class MeetingPackAdmin(ReadOnlyAdmin):
    list_display = ["meeting", "status", "pages", "attempts", "requested_by", "rendered_at"]
    list_filter = ["status", "meeting__committee"]
    search_fields = ["meeting__ref"]
    list_select_related = ["meeting", "requested_by"]


@admin.register(MeetingParticipant)
class MeetingParticipantAdmin(ReadOnlyAdmin):
    list_display = ["person", "meeting", "attendance", "substitute_for", "is_guest", "added_at"]
    list_filter = ["attendance", "is_guest", "meeting__committee"]
    search_fields = ["person__name", "meeting__ref"]
    list_select_related = ["person", "meeting", "substitute_for"]


@admin.register(MeetingAttendance)
class MeetingAttendanceAdmin(ReadOnlyAdmin):
    list_display = ["meeting", "in_report", "recorded_by", "recorded_at"]
    search_fields = ["meeting__ref"]
    list_select_related = ["meeting", "recorded_by"]


@admin.register(MeetingSeries)
class MeetingSeriesAdmin(ReadOnlyAdmin):
    list_display = ["title", "committee", "rule", "first_date", "start_time", "end_time"]
    list_filter = ["committee"]
    search_fields = ["title", "rule"]
    list_select_related = ["committee"]
