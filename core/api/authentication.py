"""Token authentication (``Authorization: Token <key>``), reading the user's roles with it.

DRF's settings name :class:`TokenAuthentication`.
"""

from __future__ import annotations

from typing import Any

from axes.handlers.proxy import AxesProxyHandler
from django.conf import settings
from django.contrib.auth.signals import user_login_failed
from django.db import connection
from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions

from core.api.db import prepared_statements
from core.auth import client_ip, user_row_query, user_row_read


class TokenAuthentication(authentication.TokenAuthentication):
    """DRF's token authentication (``Authorization: Token <key>``) in one query.

    DRF's own reads the token with its user, and then every request read the user's roles
    (:func:`core.roles.user_roles`) with a second query. Here one query reads the token and
    its user with their person and organisation and their group names, and caches the
    roles on the user, so a request checks its role and finds its person without a query
    of its own. Refusals are DRF's (an unknown token, an inactive user: 401).
    """

    def authenticate(self, request: Any) -> tuple[Any, Any] | None:
        """DRF's, keeping the Django request for :meth:`authenticate_credentials`."""
        self._django_request = getattr(request, "_request", request)
        return super().authenticate(request)

    def authenticate_credentials(self, key: str) -> tuple[Any, Any]:
        sql, models = user_row_query(connection.vendor, by_token=True)
        with prepared_statements(), connection.cursor() as cursor:
            cursor.execute(sql, [key])
            row = cursor.fetchone()
        if row is None:
            self._refuse_guess()
        token, user, _person, _organisation = user_row_read(row, models)
        if not user.is_active:
            raise exceptions.AuthenticationFailed(_("User inactive or deleted."))
        token.user = user
        return user, token

    def _refuse_guess(self) -> None:
        """Count a wrong token as a failed login of the client's address (django-axes), and
        refuse it: 401, or 429 once the address is locked out.

        Only a wrong token is counted or checked, so a valid token costs no extra query; a
        locked-out address guessing tokens gets 429 until its cool-off ends.
        """
        request = self._django_request
        # No account is named: the address stands in for one, so that wrong tokens from
        # one address do not lock out those from another (settings: AXES_LOCKOUT_PARAMETERS).
        credentials = {"username": f"api-token@{client_ip(request)}"}
        user_login_failed.send(sender=type(self), credentials=credentials, request=request)
        if AxesProxyHandler.is_locked(request, credentials):
            raise exceptions.Throttled(
                wait=settings.AXES_COOLOFF_TIME.total_seconds(),
                detail=str(_("Too many failed sign-in attempts from this address; try later.")),
            )
        raise exceptions.AuthenticationFailed(_("Invalid token."))
