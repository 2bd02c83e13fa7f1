"""Admin for actions (created through ``action_create`` so refs are assigned), owners, reviews."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest

from core import refs
from core.admin import HistoryAdmin, ServiceAdmin, ref_link_display

from . import services
from .models import Action, ActionOwner, ActionReview, ActionUpdate, RegisterPdf, ReminderLog


class ActionOwnerInline(admin.TabularInline):
    model = ActionOwner
    extra = 0
    fields = ["is_lead", "organisation", "role", "person", "order"]
    autocomplete_fields = ["organisation", "person"]


class ActionUpdateInline(admin.TabularInline):
    model = ActionUpdate
    extra = 0
    fields = ["created_at", "author", "text", "proposes_closure"]
    readonly_fields = ["created_at", "author"]


class ActionAddForm(forms.ModelForm):
    owners_text = forms.CharField(
        label="Owners",
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="One per line, lead first, as the report writes them: "
        "“Programme (Rob Short)”, “Chair”.",
    )

    class Meta:
        model = Action
        fields = ["meeting", "agenda_item", "description", "due_date", "due_meeting"]

    def clean_owners_text(self) -> list[services.OwnerSpec]:
        lines = [line for line in self.cleaned_data["owners_text"].splitlines() if line.strip()]
        try:
            return [services.OwnerSpec.from_text(line) for line in lines]
        except ValidationError as exc:
            raise forms.ValidationError(exc.messages) from exc


@admin.register(Action)
class ActionAdmin(ServiceAdmin):
    list_display = [
        ref_link_display(),
        "short_description",
        "owners_list",
        "due_date",
        "status",
        "meeting",
        "agenda_item",
    ]
    list_filter = ["status", "committee", "meeting", "due_date", "owners__organisation"]
    search_fields = [
        "ref",
        "description",
        "owners__person__name",
        "owners__organisation__name",
        "owners__role",
    ]
    list_select_related = ["meeting", "agenda_item"]
    autocomplete_fields = ["meeting", "agenda_item", "due_meeting", "change_requests"]
    readonly_fields = ["ref", "committee", "meeting", "seq", "status", "closed_date"]
    date_hierarchy = "due_date"
    actions = ["close_selected"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Action]:
        return (
            super().get_queryset(request).prefetch_related("owners__organisation", "owners__person")
        )

    def get_form(self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any):
        if obj is None:
            kwargs["form"] = ActionAddForm
            kwargs["fields"] = [*ActionAddForm.Meta.fields, "owners_text"]
        return super().get_form(request, obj, change=change, **kwargs)

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return self.readonly_fields if obj else []

    def get_inlines(self, request: HttpRequest, obj: Any = None) -> list[Any]:
        return [ActionOwnerInline, ActionUpdateInline] if obj else []

    def get_fieldsets(self, request: HttpRequest, obj: Any = None):
        if obj is None:
            return [(None, {"fields": [*ActionAddForm.Meta.fields, "owners_text"]})]
        return super().get_fieldsets(request, obj)

    @admin.display(description="Action")
    def short_description(self, obj: Action) -> str:
        return obj.description if len(obj.description) < 90 else obj.description[:87] + "…"

    @admin.display(description="Owner")
    def owners_list(self, obj: Action) -> str:
        return obj.owner_display()

    def create_with_service(self, request: HttpRequest, form: forms.ModelForm) -> Action:
        data = form.cleaned_data
        return services.action_create(
            meeting=data["meeting"],
            agenda_item=data.get("agenda_item"),
            description=data["description"],
            due_date=data.get("due_date"),
            due_meeting=data.get("due_meeting"),
            owners=data["owners_text"],
            acting_user=request.user,
        )

    @admin.action(description="Close selected actions")
    def close_selected(self, request: HttpRequest, queryset: QuerySet[Action]) -> None:
        closed = 0
        for action in queryset.exclude(status=Action.Status.CLOSED):
            services.action_close(action=action, acting_user=request.user)
            closed += 1
        self.message_user(request, f"Closed {closed} action(s).", messages.SUCCESS)


class ActionReviewForm(forms.ModelForm):
    """Chooses the earlier action by typing its ref (``DAG27-08``)."""

    action_ref = forms.CharField(label="Action ref", help_text="e.g. DAG27-08")

    class Meta:
        model = ActionReview
        fields = ["meeting", "agenda_item", "order", "outcome", "new_due_date", "note"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["action_ref"].initial = self.instance.action.ref

    def clean_action_ref(self) -> Action:
        text = self.cleaned_data["action_ref"]
        try:
            key = refs.parse_action_ref(text)
        except ValidationError as exc:
            raise forms.ValidationError(exc.messages) from exc
        ref = refs.action_ref(key.code, key.number, key.sub_number, key.seq)
        action = Action.objects.filter(ref=ref).first()
        if action is None:
            raise forms.ValidationError(f"There is no action {ref}.")
        return action

    def _post_clean(self) -> None:
        if "action_ref" in self.cleaned_data:
            self.instance.action = self.cleaned_data["action_ref"]
        super()._post_clean()


@admin.register(ActionReview)
class ActionReviewAdmin(HistoryAdmin):
    form = ActionReviewForm
    list_display = ["action", "meeting", "outcome", "new_due_date"]
    list_filter = ["outcome", "meeting__committee", "meeting"]
    search_fields = ["action__ref", "meeting__ref", "note"]
    autocomplete_fields = ["meeting", "agenda_item"]


@admin.register(ReminderLog)
class ReminderLogAdmin(admin.ModelAdmin):
    """The reminder log, read-only: failed sends (retried by the next run) and ones in doubt.

    A row left ``sending`` after its run ended is an email whose send was interrupted (the
    process was killed): it may or may not have gone and is not sent again; its ``attempt_at``
    says when the send began, to check against the mail server's log.
    """

    list_display = [
        "reminder_date",
        "kind",
        "person",
        "action",
        "meeting",
        "status",
        "attempts",
        "attempt_at",
        "sent_at",
    ]
    list_filter = ["status", "kind", "reminder_date"]
    search_fields = ["person__name", "person__email", "action__ref", "meeting__ref", "error"]
    list_select_related = ["person", "action", "meeting"]
    date_hierarchy = "reminder_date"

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return [f.name for f in ReminderLog._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(RegisterPdf)
class RegisterPdfAdmin(admin.ModelAdmin):
    """Register PDF requests, read-only: who asked for what, and failed or stuck renders. The
    file itself is served to its requester alone (``actions.register_pdf_views``)."""

    list_display = ["id", "requested_by", "status", "rows", "total", "attempts", "created_at"]
    list_filter = ["status", "created_at"]
    search_fields = ["requested_by__username", "filters_text", "error"]
    list_select_related = ["requested_by"]
    date_hierarchy = "created_at"
    exclude = ["file"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return [f.name for f in RegisterPdf._meta.fields if f.name != "file"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
