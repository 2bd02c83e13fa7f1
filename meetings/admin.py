"""Admin for committees, organisations, people, meetings, agenda, discussion and reports."""

from __future__ import annotations

from django.contrib import admin

from core.admin import HistoryAdmin

from .models import (
    Committee,
    Membership,
    Organisation,
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
