"""Token authentication (``Authorization: Token <key>``), reading the user's roles with it.

DRF's settings name :class:`TokenAuthentication`.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions

from core.api.db import prepared_statements
from core.auth import USER_RELATED, role_annotations, roles_cache


class TokenAuthentication(authentication.TokenAuthentication):
    """DRF's token authentication (``Authorization: Token <key>``) in one query.

    DRF's own reads the token with its user, and then every request read the user's roles
    (:func:`core.roles.user_roles`) with a second query. Here one query reads the token and
    its user in the shape the login backend reads a session's user (:mod:`core.auth`: the
    person with them, one ``EXISTS`` per role) and caches the roles on the user, so a
    request checks its role without a query of its own. Refusals are DRF's (an unknown
    token, an inactive user: 401).
    """

    def authenticate_credentials(self, key: str) -> tuple[Any, Any]:
        # get_model(): DRF's Token model (or the one a subclass names in ``model``).
        with prepared_statements():
            token = (
                self.get_model()
                .objects.select_related(f"user__{USER_RELATED}")
                .annotate(**role_annotations("user_id"))
                .filter(key=key)
                .first()
            )
        if token is None:
            raise exceptions.AuthenticationFailed(_("Invalid token."))
        user = token.user
        if not user.is_active:
            raise exceptions.AuthenticationFailed(_("User inactive or deleted."))
        roles_cache(user, token)
        return user, token
