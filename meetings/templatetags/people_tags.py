"""Template helpers of the people directory: who may manage it."""

from __future__ import annotations

from typing import Any

from django import template

from core import roles

register = template.Library()


@register.filter
def is_pmo(user: Any) -> bool:
    """True for the secretariat (``core.roles.is_pmo``): the directory's links."""
    return roles.is_pmo(user)
