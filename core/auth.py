"""The login backend: Django's ModelBackend, reading a session's user with what every page needs.

Every browser page shows the user's roles and links to "My actions" when they are a person
on the register, and every view checks a role: with Django's backend that is three queries
(the user, their groups, their person) before the page reads anything of its own. Here the
user comes with their person (``select_related``) and one ``EXISTS`` per role, in one query,
and the roles are cached on the user (:func:`core.roles.user_roles_cache`).

The API's token authentication (:mod:`core.api.authentication`) reads a token's user in the
same shape, through :data:`USER_RELATED`, :func:`role_annotations` and :func:`roles_cache`.
"""

from __future__ import annotations

from typing import Any

from axes.backends import AxesStandaloneBackend
from django.conf import settings
from django.contrib.auth import backends, get_user_model
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from rest_framework.authtoken.models import Token

from core import access, roles

# What is read with a user: their person on the register and its organisation.
USER_RELATED = "person__organisation"


def _role_field(role: str) -> str:
    return f"_dag_has_role_{role.lower()}"


def role_annotations(user_id: str = "pk") -> dict[str, Exists]:
    """One ``EXISTS`` per role (``core.roles.ALL_ROLES``) for the user whose id is ``user_id``.

    ``user_id`` is a field of the query's model: ``pk`` on users, ``user_id`` on a model
    that points at one (a token). Other groups do not grant anything in this application,
    so they are not read.
    """
    in_group = Group.objects.filter(user=OuterRef(user_id))
    return {_role_field(role): Exists(in_group.filter(name=role)) for role in roles.ALL_ROLES}


def roles_cache(user: Any, annotated: Any) -> None:
    """Cache on ``user`` the roles read by :func:`role_annotations` on ``annotated``."""
    roles.user_roles_cache(
        user, [role for role in roles.ALL_ROLES if getattr(annotated, _role_field(role))]
    )


class ModelBackend(backends.ModelBackend):
    """Django's username/password backend; :meth:`get_user` reads roles and person too."""

    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> Any:
        """Django's check of a username and password, whose "no" is final.

        Django's own backend stays listed after this one for old sessions (settings), and
        :func:`django.contrib.auth.authenticate` asks every backend in turn until one says
        yes: a wrong password was hashed twice, doubling the cost of each guess to us.
        Raising PermissionDenied stops the round (Django then reports the failure, which
        django-axes counts). A call without a password (single sign-on's callback) is not
        this backend's to refuse.
        """
        user = super().authenticate(request, username=username, password=password, **kwargs)
        if user is None and password is not None:
            raise PermissionDenied
        return user

    def get_user(self, user_id: Any) -> Any:
        """The active user with ``user_id`` (their person and roles loaded), or None.

        One query: the user row, their :class:`~meetings.models.Person` if any, whether
        they are in each role's group, and their seats on committees (``core.access``).
        """
        user = (
            get_user_model()
            ._default_manager.select_related(USER_RELATED)
            .annotate(**role_annotations(), _dag_seats=access.seats_annotation())
            .filter(pk=user_id)
            .first()
        )
        if user is None or not self.user_can_authenticate(user):
            return None
        roles_cache(user, user)
        access.access_cache(user, getattr(user, "person", None), user._dag_seats)
        return user


class LoginThrottleBackend(AxesStandaloneBackend):
    """django-axes' check (listed first in AUTHENTICATION_BACKENDS): a locked-out account
    or address is refused before any password is hashed.

    A check of a password with no request (code in a shell, the test client's ``login``)
    has no client to throttle; axes' own backend refuses to run without one, this one lets
    the next backend check the password.
    """

    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> None:
        # Single sign-on's callback carries no password and no account name: the provider
        # throttles its own sign-in, and a shared "no name" count here would let a few
        # failed callbacks anywhere lock out everyone's single sign-on.
        if request is None or password is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)


class RevokeApiTokensOnPasswordChange:
    """A password "validator" with no rule, whose hook revokes the user's API tokens.

    Django calls every validator's ``password_changed`` once a new password is saved, on
    every path (the password-change and reset pages, the admin, ``set_password`` and
    ``save`` in a shell or a command): the one hook Django offers for "the password
    changed". A token is a second password; whoever changes theirs because it leaked must
    not leave a token working.
    """

    def validate(self, password: str, user: Any = None) -> None:
        return None

    def password_changed(self, password: str, user: Any = None) -> None:
        if user is not None and user.pk is not None:
            Token.objects.filter(user=user).delete()

    def get_help_text(self) -> str:
        return ""


def client_ip(request: HttpRequest) -> str:
    """The client's address: REMOTE_ADDR, or the one the last trusted proxy saw.

    Behind ``TRUSTED_PROXY_COUNT`` proxies (the compose stack's nginx: 1) REMOTE_ADDR
    is the nearest proxy's and the client is the entry that many places from the right of
    X-Forwarded-For; entries further left are whatever the client sent, so never trusted.
    Used by login throttling (django-axes) and password-reset throttling alike.
    """
    count = settings.TRUSTED_PROXY_COUNT
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
    if count and len(hops) >= count:
        return hops[-count]
    return request.META.get("REMOTE_ADDR", "")


def lockout_response(
    request: HttpRequest, original_response: Any = None, credentials: Any = None
) -> HttpResponse:
    """django-axes' answer to a locked-out login: the sign-in page, saying when to retry.

    429 (Too Many Requests) with ``Retry-After``; the time is the cool-off after the last
    failure, so more guesses during it push it back.
    """
    if request.path.startswith("/api/") and original_response is not None:
        return original_response  # the API's own 429 (core.api.authentication)
    cooloff = settings.AXES_COOLOFF_TIME
    retry_at = timezone.localtime(timezone.now() + cooloff)
    minutes = int(cooloff.total_seconds() // 60)
    response = render(
        request,
        "registration/locked_out.html",
        {"retry_at": retry_at, "minutes": minutes},
        status=429,
    )
    response["Retry-After"] = str(int(cooloff.total_seconds()))
    return response
