"""The login backend: Django's ModelBackend, reading a session's user with what every page needs.

Every browser page shows the user's roles and links to "My actions" when they are a person
on the register, and every view checks a role: with Django's backend that is three queries
(the user, their groups, their person) before the page reads anything of its own. Here the
user comes with their person (``select_related``) and one ``EXISTS`` per role, in one query,
and the roles are cached on the user (:func:`core.roles.user_roles_cache`).
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import backends, get_user_model
from django.contrib.auth.models import Group
from django.db.models import Exists, OuterRef

from core import roles


def _role_field(role: str) -> str:
    return f"_dag_has_role_{role.lower()}"


class ModelBackend(backends.ModelBackend):
    """Django's username/password backend; :meth:`get_user` reads roles and person too."""

    def get_user(self, user_id: Any) -> Any:
        """The active user with ``user_id`` (their person and roles loaded), or None.

        One query: the user row, their :class:`~meetings.models.Person` if any, and whether
        they are in each role's group (``core.roles.ALL_ROLES``). Other groups do not
        grant anything in this application, so they are not read.
        """
        in_group = Group.objects.filter(user=OuterRef("pk"))
        user = (
            get_user_model()
            ._default_manager.select_related("person__organisation")
            .annotate(
                **{
                    _role_field(role): Exists(in_group.filter(name=role))
                    for role in roles.ALL_ROLES
                }
            )
            .filter(pk=user_id)
            .first()
        )
        if user is None or not self.user_can_authenticate(user):
            return None
        roles.user_roles_cache(
            user, [role for role in roles.ALL_ROLES if getattr(user, _role_field(role))]
        )
        return user
