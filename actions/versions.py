"""The version of an action a browser form carries (``core.concurrency``): the API's ETag of
the action and the values the PMO reads on its forms."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Prefetch
from django.http import HttpRequest

from core.concurrency import Version, record_version, record_versions
from core.history import record_values

from .api.views import ActionDetailApi
from .models import Action, ActionOwner

ACTION_VERSION_FIELDS = ("description", "due_date", "due_meeting", "agenda_item", "status")


def _values(action: Action) -> dict[str, str]:
    values = record_values(action, ACTION_VERSION_FIELDS)
    values["Owners"] = "; ".join(o.display for o in action.owners.all())
    return values


def action_version(request: HttpRequest, action: Action) -> Version:
    """``action``'s current version as ``request.user`` reads it (read afresh)."""
    fresh = Action.objects.select_related("due_meeting", "agenda_item").get(pk=action.pk)
    return Version(record_version(ActionDetailApi, request, ref=fresh.ref), _values(fresh))


def action_versions(request: HttpRequest, actions: Iterable[Action]) -> dict[int, Version]:
    """:func:`action_version` of each of ``actions`` (a page of review forms), ``{pk:
    Version}``, in a fixed number of queries however many there are."""
    pks = [action.pk for action in actions]
    tags = record_versions(ActionDetailApi, request, pks)
    fresh = (
        Action.objects.filter(pk__in=pks)
        .select_related("due_meeting", "agenda_item")
        .prefetch_related(
            Prefetch(
                "owners", queryset=ActionOwner.objects.select_related("organisation", "person")
            )
        )
    )
    return {
        action.pk: Version(tags[action.pk], _values(action))
        for action in fresh
        if action.pk in tags
    }
