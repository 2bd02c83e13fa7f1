"""The bell's unread count for every page (one query, only for signed-in users)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from notifications.services import notifications_unread_count


def notifications_unread(request: HttpRequest) -> dict[str, Any]:
    # Lazy: a page that does not show the header (a PDF, JSON) runs no query.
    return {
        "notifications_unread": SimpleLazyObject(
            lambda: notifications_unread_count(user=getattr(request, "user", None))
        )
    }
