"""The composer's own records: each person's secret calendar feed address."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models


def new_calendar_token() -> str:
    """A fresh secret for a feed's address (256 bits, URL-safe)."""
    return secrets.token_urlsafe(32)


class CalendarFeed(models.Model):
    """The secret in a user's calendar feed addresses (``/calendar/<token>.ics``).

    A calendar program fetches the feed without a session, so the token is the credential:
    whoever has the address reads what its user may see. Resetting it (a new token) stops
    every copy of the old address at once.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feed"
    )
    token = models.CharField(max_length=64, unique=True, default=new_calendar_token)
    created_at = models.DateTimeField(auto_now_add=True)
    reset_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"Calendar feed of {self.user}"
