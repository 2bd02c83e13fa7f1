"""Roles and the rights that go with them (DESIGN.md "Who uses it").

Roles are seats on a committee (``meetings.Membership``, read by :mod:`core.access`), not
global: one person may chair DAG, sit on TMAG and observe DRG. What a user may do follows
their seat on the record's committee: the chair (and deputy chair) decides that committee's
decisions (:func:`require_committee_chair`), members update their own and their seat's
actions (``actions.services.action_can_update``), observers read.

One Django group still grants something: ``PMO``, the programme administrators, who record,
edit and issue everywhere and see every meeting; superusers count as PMO and may decide any
committee's decisions. A committee's secretariat seat gives the PMO's recording rights
(meetings, agenda, actions, decisions, discussion, issuing the headline report) for that
committee's records only (:func:`is_recorder`, :func:`require_recorder`); the directory,
committees, CRs and imports stay the administrators'. The other names (``Chair``, ``Member``,
``Observer``) are shown beside a user's name, derived from their seats.

Every service names who acts (``acting_user``, with no default): a person, or
:data:`core.actors.SYSTEM` for an import, a scheduled task or a management command, which
every role check allows. ``None`` is nobody and is refused, so an interface that forgets to
pass its user fails loudly instead of acting as the system.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import PermissionDenied

from core.access import CHAIR_ROLES, SeatRole, user_access
from core.actors import is_system

PMO = "PMO"
CHAIR = "Chair"
MEMBER = "Member"
OBSERVER = "Observer"
# The names shown for a user, in this order; only PMO is a group that grants anything.
ALL_ROLES = (PMO, CHAIR, MEMBER, OBSERVER)
GROUP_ROLES = (PMO,)

# The shown role of each kind of seat.
_SEAT_ROLE_NAMES = {
    SeatRole.CHAIR: CHAIR,
    SeatRole.DEPUTY_CHAIR: CHAIR,
    SeatRole.MEMBER: MEMBER,
    SeatRole.ALTERNATE: MEMBER,
    SeatRole.SECRETARIAT: MEMBER,
    SeatRole.OBSERVER: OBSERVER,
}


def _group_roles(user: Any) -> set[str]:
    """``{PMO}`` for a programme administrator (PMO group or superuser), else empty (cached
    on the user for the request)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return set()
    cached = getattr(user, "_dag_roles", None)
    if cached is None:
        cached = user_roles_cache(user, user.groups.values_list("name", flat=True))
    return cached


def user_roles_cache(user: Any, group_names: Iterable[str]) -> set[str]:
    """Cache the administrator role of ``user`` from their group names, already read.

    For a caller that reads the names with the user in one query (the login backend, the
    API's token authentication), so :func:`is_pmo` makes no query of its own.
    """
    # Only the PMO group grants anything: a user in another group alone (a "Staff" group
    # made in the admin, or the Chair/Member/Observer groups of before seats) has no role.
    cached = set(group_names) & set(GROUP_ROLES)
    if user.is_superuser:
        cached.add(PMO)
    user._dag_roles = cached
    return cached


def user_roles(user: Any) -> set[str]:
    """The role names of ``user`` among ``ALL_ROLES``: PMO for an administrator, and the
    names of the seats they hold on any committee (a deputy chair shows as Chair)."""
    names = set(_group_roles(user))
    names |= {_SEAT_ROLE_NAMES[seat.role] for seat in user_access(user).seats}
    if getattr(user, "is_superuser", False):
        names.add(CHAIR)
    return names


def is_pmo(user: Any) -> bool:
    """True for the programme administrators: the PMO group and superusers."""
    return PMO in _group_roles(user)


def is_committee_chair(user: Any, committee_id: int | None) -> bool:
    """True when ``user`` chairs (or deputy-chairs) the committee, is a superuser, or is the
    system: who decides that committee's decisions."""
    if is_system(user):
        return True
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    return bool(user.is_superuser) or user_access(user).holds(committee_id, CHAIR_ROLES)


def is_chair(user: Any) -> bool:
    """True when ``user`` chairs some committee (or is a superuser): the decisions queue."""
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    return bool(user.is_superuser) or bool(user_access(user).committees(CHAIR_ROLES))


def is_member(user: Any) -> bool:
    """True when ``user`` holds a seat other than observer on some committee."""
    return any(seat.role != SeatRole.OBSERVER for seat in user_access(user).seats)


def is_observer_only(user: Any) -> bool:
    """True when the user is no administrator and holds no seat but observer seats."""
    return not is_pmo(user) and not is_member(user) and not is_chair(user)


def is_recorder(user: Any, committee_id: int | None) -> bool:
    """True when ``user`` records and issues for the committee: the system, an administrator
    (:func:`is_pmo`, every committee), or the holder of a current secretariat seat on it."""
    if is_system(user) or is_pmo(user):
        return True
    if committee_id is None or user is None or not getattr(user, "is_authenticated", False):
        return False
    return user_access(user).holds(committee_id, {SeatRole.SECRETARIAT})


def is_recorder_somewhere(user: Any) -> bool:
    """True when ``user`` records for some committee (:func:`is_recorder`): the gate of a
    page or API operation whose service then checks the record's own committee."""
    return recorded_committee_ids(user) != frozenset()


def recorded_committee_ids(user: Any) -> frozenset[int] | None:
    """The committees ``user`` records for (:func:`is_recorder`): None for all (the system,
    an administrator), else the ids of those where they hold a secretariat seat."""
    if is_system(user) or is_pmo(user):
        return None
    return user_access(user).committees({SeatRole.SECRETARIAT})


def require_recorder(acting_user: Any, committee_id: int | None) -> None:
    """Raise PermissionDenied unless ``acting_user`` records for the committee
    (:func:`is_recorder`): DAG's secretariat records and issues for DAG, not for TMAG."""
    if not is_recorder(acting_user, committee_id):
        raise PermissionDenied("Only the committee's secretariat (PMO) can do this.")


def require_recorder_somewhere(acting_user: Any) -> None:
    """Raise PermissionDenied unless ``acting_user`` records for some committee: what is
    no committee's (an action owner's person or organisation, created while recording)."""
    if not is_recorder_somewhere(acting_user):
        raise PermissionDenied("Only the secretariat (PMO) can do this.")


def require_pmo(acting_user: Any) -> None:
    """Raise PermissionDenied unless ``acting_user`` is the system (SYSTEM) or PMO.

    ``None`` (nobody) is refused like any user without the role.
    """
    if not is_system(acting_user) and not is_pmo(acting_user):
        raise PermissionDenied("Only the PMO (secretariat) can do this.")


def require_chair(acting_user: Any) -> None:
    """Raise PermissionDenied unless ``acting_user`` is the system (SYSTEM) or chairs some
    committee (a decision already checked by :func:`require_committee_chair` settling its
    change request). ``None`` (nobody) is refused like any user without the role.
    """
    if not is_system(acting_user) and not is_chair(acting_user):
        raise PermissionDenied("Only the chair can decide on a proposed decision.")


def require_committee_chair(acting_user: Any, committee_id: int | None) -> None:
    """Raise PermissionDenied unless ``acting_user`` is the system or chairs the committee
    (:func:`is_committee_chair`): the DAG chair does not decide TMAG's decisions."""
    if not is_committee_chair(acting_user, committee_id):
        raise PermissionDenied("Only the chair can decide on a proposed decision.")


def chaired_committee_ids(user: Any) -> frozenset[int] | None:
    """The committees whose decisions ``user`` decides (:func:`is_committee_chair`): None
    for all (a superuser, the system), else the ids of those they chair or deputy-chair."""
    if is_system(user) or getattr(user, "is_superuser", False):
        return None
    return user_access(user).committees(CHAIR_ROLES)
