"""Who acts: a person (a Django user) or the product itself.

Every service takes ``acting_user`` with no default (CONVENTIONS.md "The actor"). An import,
a scheduled task or a management command passes :data:`SYSTEM`, which every role check
allows and which history records as no user; ``None`` is nobody and is allowed nothing.
"""

from __future__ import annotations

from typing import Any


class SystemActor:
    """The product acting on its own: an import, a scheduled task, a management command."""

    is_authenticated = False
    is_anonymous = False
    is_active = True
    is_superuser = False
    is_staff = False
    pk = None
    id = None
    username = "system"

    def __str__(self) -> str:
        return "the system"

    def __repr__(self) -> str:
        return "SYSTEM"


SYSTEM = SystemActor()


def is_system(actor: Any) -> bool:
    """True for :data:`SYSTEM`."""
    return actor is SYSTEM


def history_user(actor: Any) -> Any:
    """The user a history row records for ``actor``: the person, or None for the system."""
    return None if is_system(actor) or not getattr(actor, "is_authenticated", False) else actor
