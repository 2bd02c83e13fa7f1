"""Single sign-on by OpenID Connect (mozilla-django-oidc), when configured (README).

The provider vouches for an email address; the register says who that is. A sign-in is
accepted for the one person (not a team) on the register with that email:

- linked to a login already: that login (its roles are its groups, as ever);
- not linked yet: a login is made for them and linked (recorded as done by the system), with
  no role until the PMO gives one;
- no person has the email: refused, unless ``OIDC_CREATE_USER`` is set, which makes a login
  with no person and no role.

An email the provider says it has not verified (``email_verified: false``) is refused: whoever
typed it into their provider account would otherwise sign in as that person.
"""

from __future__ import annotations

import logging
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import SuspiciousOperation
from django.db import transaction
from mozilla_django_oidc.auth import OIDCAuthenticationBackend

from core.actors import SYSTEM
from core.auth import ModelBackend
from core.services import history_user_as

logger = logging.getLogger(__name__)


def _person_model() -> Any:
    """The register's Person, reached through the user model (the kernel imports no app)."""
    return get_user_model()._meta.get_field("person").related_model


def _unique_username(email: str) -> str:
    base = email.split("@", 1)[0][:140] or "user"
    user_model = get_user_model()
    username, n = base, 1
    while user_model._default_manager.filter(username__iexact=username).exists():
        n += 1
        username = f"{base}{n}"
    return username


class PersonOIDCBackend(OIDCAuthenticationBackend):
    """mozilla-django-oidc's backend, matching the provider's email to a person."""

    def verify_claims(self, claims: dict[str, Any]) -> bool:
        return bool(claims.get("email")) and claims.get("email_verified") is not False

    def filter_users_by_claims(self, claims: dict[str, Any]) -> Any:
        """The logins of the people with the claimed email (teams are no one's login)."""
        return get_user_model()._default_manager.filter(
            person__email__iexact=claims["email"], person__is_team=False
        )

    @transaction.atomic
    def get_or_create_user(self, access_token: str, id_token: str, payload: Any) -> Any:
        claims = self.get_userinfo(access_token, id_token, payload)
        if not self.verify_claims(claims):
            raise SuspiciousOperation("The provider gave no verified email.")
        users = list(self.filter_users_by_claims(claims))
        if len(users) > 1:
            raise SuspiciousOperation("More than one login has this email.")
        if users:
            return users[0] if users[0].is_active else None
        people = list(
            _person_model()
            .objects.select_for_update()
            .filter(email__iexact=claims["email"], is_team=False, user__isnull=True)
        )
        if len(people) > 1:
            raise SuspiciousOperation("More than one person has this email.")
        if people:
            return self._link_new_login(people[0], claims)
        if self.get_settings("OIDC_CREATE_USER", False):
            return self.create_user(claims)
        logger.info("Single sign-on refused: no person on the register has that email.")
        return None

    def create_user(self, claims: dict[str, Any]) -> Any:
        """A login with no usable password (single sign-on only) and no role."""
        user_model = get_user_model()
        return user_model._default_manager.create_user(
            _unique_username(claims["email"]),
            email=claims["email"],
            first_name=claims.get("given_name", "")[:150],
            last_name=claims.get("family_name", "")[:150],
        )

    def _link_new_login(self, person: Any, claims: dict[str, Any]) -> Any:
        user = self.create_user(claims)
        person.user = user
        with history_user_as(person, acting_user=SYSTEM):
            person.save(update_fields=["user"])
        return user

    def get_user(self, user_id: Any) -> Any:
        """The session's user read as the password backend reads it (person and roles)."""
        return ModelBackend().get_user(user_id)
