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

from django.contrib.auth import backends, get_user_model
from django.contrib.auth.models import Group
from django.db.models import Exists, OuterRef

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
