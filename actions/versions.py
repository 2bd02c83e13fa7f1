"""The version of an action a browser form carries (``core.concurrency``): the API's ETag of
the action and the values the PMO reads on its forms."""

from __future__ import annotations

from django.http import HttpRequest

from core.concurrency import Version, record_version
from core.history import record_values

from .api.views import ActionDetailApi
from .models import Action

ACTION_VERSION_FIELDS = ("description", "due_date", "due_meeting", "agenda_item", "status")


def action_version(request: HttpRequest, action: Action) -> Version:
    """``action``'s current version as ``request.user`` reads it (read afresh)."""
    fresh = Action.objects.select_related("due_meeting", "agenda_item").get(pk=action.pk)
    values = record_values(fresh, ACTION_VERSION_FIELDS)
    values["Owners"] = "; ".join(o.display for o in fresh.owners.all())
    return Version(record_version(ActionDetailApi, request, ref=fresh.ref), values)
