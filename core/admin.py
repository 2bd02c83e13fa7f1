"""Admin plumbing shared by the apps: creating records through their services; and who may
touch users and API tokens in the admin.

Records with refs are created by services (which assign the ref); the admin's add form
collects the fields and hands them over, and a service's ValidationError is shown on the
form instead of a server error.

Users and tokens (separation of duties): only a superuser sees API tokens or changes a
user's groups, rights, staff or superuser flags, email or password. Whoever could would act
as anyone, the chair included, whatever rights their own group grants.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.contrib import admin, messages
from django.contrib.auth import admin as auth_admin
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.forms import ModelForm
from django.http import HttpRequest
from rest_framework.authtoken.admin import TokenAdmin
from rest_framework.authtoken.models import TokenProxy
from simple_history.admin import SimpleHistoryAdmin
from simple_history.models import HistoricalRecords


def adopt(target: models.Model, source: models.Model) -> None:
    """Copy every concrete field of ``source`` onto ``target`` (the admin's form instance)."""
    for field in source._meta.concrete_fields:
        setattr(target, field.attname, getattr(source, field.attname))
    target._state.adding = False
    target._state.db = source._state.db


@contextmanager
def admin_history_user(request: HttpRequest) -> Iterator[None]:
    """Let history rows the admin writes itself (inline rows, deletes) record the signed-in user.

    Services record their own actor on what they save; the admin also saves inline rows and
    deletes records without a service, and simple-history reads the user of those from its
    request context, which this sets for the one admin view (there is no site-wide
    history middleware: outside the admin, the service's ``acting_user`` is who acted).
    """
    HistoricalRecords.context.request = request
    try:
        yield
    finally:
        del HistoricalRecords.context.request


class HistoryAdmin(SimpleHistoryAdmin):
    """A history-keeping ModelAdmin whose every write records the signed-in user."""

    def changeform_view(
        self,
        request: HttpRequest,
        object_id: str | None = None,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ):
        with admin_history_user(request):
            return super().changeform_view(request, object_id, form_url, extra_context)

    def changelist_view(self, request: HttpRequest, extra_context: dict[str, Any] | None = None):
        with admin_history_user(request):
            return super().changelist_view(request, extra_context)

    def delete_view(
        self, request: HttpRequest, object_id: str, extra_context: dict[str, Any] | None = None
    ):
        with admin_history_user(request):
            return super().delete_view(request, object_id, extra_context)

    def history_form_view(
        self,
        request: HttpRequest,
        object_id: str,
        version_id: str,
        extra_context: dict[str, Any] | None = None,
    ):
        # simple-history's "revert disabled" only hides the button: a POST here would still
        # save the past version over the record, past its services (a re-opened decision
        # back to approved, say). Past versions are shown, never restored.
        if request.method == "POST":
            raise PermissionDenied("Past versions are shown here, not restored.")
        with admin_history_user(request):
            return super().history_form_view(request, object_id, version_id, extra_context)


class ServiceAdmin(HistoryAdmin):
    """A history-keeping ModelAdmin whose add goes through ``create_with_service``.

    Subclasses implement ``create_with_service(request, form) -> instance``. The service runs
    in the form's clean step (inside the admin's transaction), so its ValidationErrors land
    on the form as field errors; the created record is then adopted by the form instance.
    """

    def create_with_service(self, request: HttpRequest, form: ModelForm) -> models.Model:
        raise NotImplementedError

    def get_form(self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any):
        form_class = super().get_form(request, obj, change=change, **kwargs)
        if obj is not None:
            return form_class
        model_admin = self

        class ServiceCreateForm(form_class):  # type: ignore[misc, valid-type]
            def _post_clean(self) -> None:
                super()._post_clean()
                if self.errors:
                    return
                try:
                    self._created = model_admin.create_with_service(request, self)
                except ValidationError as exc:
                    self._update_errors(exc)

        return ServiceCreateForm

    def changeform_view(
        self,
        request: HttpRequest,
        object_id: str | None = None,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ):
        with transaction.atomic():
            response = super().changeform_view(request, object_id, form_url, extra_context)
            # An add POST answered with the form again (errors in the form or an inline):
            # undo the record the service created while validating.
            if request.method == "POST" and object_id is None and response.status_code == 200:
                transaction.set_rollback(True)
        return response

    def save_model(self, request: HttpRequest, obj: Any, form: ModelForm, change: bool) -> None:
        created = getattr(form, "_created", None)
        if change or created is None:
            super().save_model(request, obj, form, change)
        else:
            adopt(obj, created)

    def save_related(
        self, request: HttpRequest, form: ModelForm, formsets: Any, change: bool
    ) -> None:
        try:
            super().save_related(request, form, formsets, change)
        except ValidationError as exc:
            self.message_user(request, "; ".join(exc.messages), messages.ERROR)


def ref_link_display(description: str = "Ref") -> Any:
    """A list_display column showing ``obj.ref``, sortable by ref."""

    @admin.display(description=description, ordering="ref")
    def show(obj: Any) -> str:
        return obj.ref

    return show


class SuperuserTokenAdmin(TokenAdmin):
    """DRF's token admin, for superusers only: a token is its user's password in plain text,
    so even a staff user granted the token permissions neither sees nor makes one here."""

    def has_module_permission(self, request: HttpRequest) -> bool:
        return request.user.is_active and request.user.is_superuser

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self.has_module_permission(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return self.has_module_permission(request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self.has_module_permission(request)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self.has_module_permission(request)


# What only a superuser may change on a user: whoever changes these can become anyone.
USER_PRIVILEGED_FIELDS = (
    "is_superuser",
    "is_staff",
    "is_active",
    "groups",
    "user_permissions",
    "email",
    "password",
)


class UserAdmin(auth_admin.UserAdmin):
    """Django's user admin, where a non-superuser changes nothing that grants rights.

    A staff user given ``change_user`` may still correct names; the fields of
    :data:`USER_PRIVILEGED_FIELDS` are read-only to them, and a superuser's account and
    anyone's password are out of their reach.
    """

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        fields = list(super().get_readonly_fields(request, obj))
        if request.user.is_superuser:
            return fields
        return fields + [name for name in USER_PRIVILEGED_FIELDS if name not in fields]

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if obj is not None and obj.is_superuser and not request.user.is_superuser:
            return False
        return super().has_change_permission(request, obj)

    def has_add_permission(self, request: HttpRequest) -> bool:
        # The add form sets a password: a user made with a known one can be anyone's.
        return request.user.is_superuser

    def user_change_password(self, request: HttpRequest, id: str, form_url: str = "") -> Any:
        if not request.user.is_superuser:
            raise PermissionDenied("Only a superuser sets another user's password here.")
        return super().user_change_password(request, id, form_url)


def _register_account_admins() -> None:
    """Put :class:`SuperuserTokenAdmin` and :class:`UserAdmin` in place of Django's and DRF's
    (core's admin module is read after theirs: INSTALLED_APPS lists core later)."""
    for model, model_admin in (
        (TokenProxy, SuperuserTokenAdmin),
        (get_user_model(), UserAdmin),
    ):
        if admin.site.is_registered(model):
            admin.site.unregister(model)
        admin.site.register(model, model_admin)


_register_account_admins()


class ReadOnlyAdmin(HistoryAdmin):
    """A record the admin shows but never writes: its rows are made and changed by services
    (papers, packs, attendance, series), whose rules (checks, refs, history's actor, the
    render lifecycle) an admin form would bypass. Every field read-only; no add, no delete;
    the change page is a view page. The history page stays."""

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
