"""The anonymous password-reset form, throttled per address and per email.

Django's form mails a reset link to every account with the address entered, as often as it
is asked: anyone could fill a person's inbox, or the mail server's quota. Here at most
``PASSWORD_RESET_LIMIT_PER_EMAIL`` mails go to one address, and at most
``PASSWORD_RESET_LIMIT_PER_ADDRESS`` requests from one client address count, per hour; a
request over either limit sends nothing. The page answers the same either way (and the same
whether the email has an account, as Django's does), so it tells nobody anything.

The counts live in Django's cache (Redis in production, shared by every process). Links the
PMO sends from inside the application (invitations) do not pass through this form.
"""

from __future__ import annotations

import hashlib
from typing import Any

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.core.cache import cache
from django.http import HttpResponse, HttpResponseRedirect

from core.auth import client_ip

WINDOW_SECONDS = 3600


def _count(key: str) -> int:
    """Add one to the hourly counter ``key`` and return it (a fixed window from its first)."""
    cache.add(key, 0, timeout=WINDOW_SECONDS)
    try:
        return cache.incr(key)
    except ValueError:  # expired between the two calls: this is the window's first
        cache.set(key, 1, timeout=WINDOW_SECONDS)
        return 1


def password_reset_allowed(*, email: str, address: str) -> bool:
    """Count a reset request for ``email`` from client ``address``; True when within limits.

    Both counters move on every request, so spreading one email over many addresses or
    many emails over one address is caught by the other limit.
    """
    digest = hashlib.sha256(email.strip().lower().encode()).hexdigest()
    by_email = _count(f"password-reset:email:{digest}")
    by_address = _count(f"password-reset:address:{address}")
    return (
        by_email <= settings.PASSWORD_RESET_LIMIT_PER_EMAIL
        and by_address <= settings.PASSWORD_RESET_LIMIT_PER_ADDRESS
    )


class LoginView(auth_views.LoginView):
    """Django's sign-in page, offering single sign-on too when it is configured."""

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        if settings.OIDC_RP_CLIENT_ID:
            context["oidc_provider_name"] = settings.OIDC_PROVIDER_NAME
            context["sso_failed"] = self.request.GET.get("sso") == "failed"
        return context


class ThrottledPasswordResetView(auth_views.PasswordResetView):
    """Django's password-reset page, sending nothing over the hourly limits."""

    def form_valid(self, form: Any) -> HttpResponse:
        email = form.cleaned_data["email"]
        if password_reset_allowed(email=email, address=client_ip(self.request)):
            return super().form_valid(form)
        return HttpResponseRedirect(self.get_success_url())
