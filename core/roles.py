"""Roles and the rights that go with them (DESIGN.md "Who uses it").

Roles are Django groups: ``PMO`` (secretariat), ``Chair``, ``Member``, ``Observer``.
Superusers count as PMO and Chair. Every service names who acts (``acting_user``, with no
default): a person, or :data:`core.actors.SYSTEM` for an import, a scheduled task or a
management command, which every role check allows. ``None`` is nobody and is refused, so an
interface that forgets to pass its user fails loudly instead of acting as the system.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import PermissionDenied

from core.actors import is_system

PMO = "PMO"
CHAIR = "Chair"
MEMBER = "Member"
OBSERVER = "Observer"
ALL_ROLES = (PMO, CHAIR, MEMBER, OBSERVER)


def user_roles(user: Any) -> set[str]:
    """The role names of ``user`` among ``ALL_ROLES`` (cached on the user for the request)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return set()
    cached = getattr(user, "_dag_roles", None)
    if cached is None:
        cached = user_roles_cache(user, user.groups.values_list("name", flat=True))
    return cached


def user_roles_cache(user: Any, group_names: Iterable[str]) -> set[str]:
    """Cache the roles of ``user`` from their group names, already read; returns them.

    For a caller that reads the names with the user in one query (the API's token
    authentication), so :func:`user_roles` makes no query of its own.
    """
    # Only the four role groups grant anything: a user in another group alone (a "Staff"
    # group made in the admin) has no role, on every path (session, token, fallback).
    cached = set(group_names) & set(ALL_ROLES)
    if user.is_superuser:
        cached |= {PMO, CHAIR}
    user._dag_roles = cached
    return cached


def is_pmo(user: Any) -> bool:
    """True for the secretariat (PMO group) and superusers."""
    return PMO in user_roles(user)


def is_chair(user: Any) -> bool:
    """True for the chair/SRO (Chair group) and superusers."""
    return CHAIR in user_roles(user)


def is_member(user: Any) -> bool:
    """True for committee members (Member group)."""
    return MEMBER in user_roles(user)


def is_observer_only(user: Any) -> bool:
    """True when the user's only role is Observer (or they have none): ``core.visibility``
    shows them Public meetings alone."""
    roles = user_roles(user)
    return not roles or roles == {OBSERVER}


def require_pmo(acting_user: Any) -> None:
    """Raise PermissionDenied unless ``acting_user`` is the system (SYSTEM) or PMO.

    ``None`` (nobody) is refused like any user without the role.
    """
    if not is_system(acting_user) and not is_pmo(acting_user):
        raise PermissionDenied("Only the PMO (secretariat) can do this.")


def require_chair(acting_user: Any) -> None:
    """Raise PermissionDenied unless ``acting_user`` is the system (SYSTEM) or the chair.

    ``None`` (nobody) is refused like any user without the role.
    """
    if not is_system(acting_user) and not is_chair(acting_user):
        raise PermissionDenied("Only the chair can decide on a proposed decision.")
