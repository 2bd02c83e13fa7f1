"""Admin plumbing shared by the apps: creating records through their services.

Records with refs are created by services (which assign the ref); the admin's add form
collects the fields and hands them over, and a service's ValidationError is shown on the
form instead of a server error.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.forms import ModelForm
from django.http import HttpRequest
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
