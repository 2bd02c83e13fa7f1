from django.contrib import admin

from notifications.models import EscalationLog, EscalationRule, Notification


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    """Read-only: the log of what was told to whom and whether its email went."""

    list_display = ["created_at", "recipient", "kind", "record_ref", "delivery", "email_status"]
    list_filter = ["kind", "delivery", "email_status"]
    search_fields = ["record_ref", "recipient__name"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(EscalationLog)
class EscalationLogAdmin(admin.ModelAdmin):
    list_display = ["escalated_date", "action", "person", "level"]
    list_filter = ["level"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(EscalationRule)
class EscalationRuleAdmin(admin.ModelAdmin):
    """Shown only; the PMO changes a rule on the committee's escalation page."""

    list_display = ["committee", "secretariat_after_days", "chair_after_days"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
