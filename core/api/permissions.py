"""Who may call an API operation: DRF's settings name :class:`RoleWritePermission`."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from rest_framework.permissions import SAFE_METHODS, BasePermission
from rest_framework.request import Request

from core import roles


class RoleWritePermission(BasePermission):
    """Reads need a login; writes need the role the view's service requires.

    A view names the check in ``write_permission`` (a function of the user from
    :mod:`core.roles`, the same one the service calls; PMO by default) and the refusal
    text in ``write_denied_message``. ``write_permission = None`` leaves the decision to the
    view (object-level rules such as "owners may post updates"). Anonymous users get 401.
    """

    def has_permission(self, request: Request, view: Any) -> bool:
        user = request.user
        if user is None or not user.is_authenticated:
            return False
        if request.method in SAFE_METHODS:
            return True
        check: Callable[[Any], bool] | None = getattr(view, "write_permission", roles.is_pmo)
        if check is None or check(user):
            return True
        # A record the user may not see is not there (404), whatever they asked to do to
        # it: refusing first (403) would tell them it exists (core.visibility).
        if "ref" in getattr(view, "kwargs", {}) and hasattr(view, "record_get"):
            view.record_get()
        self.message = getattr(
            view, "write_denied_message", "Only the PMO (secretariat) can do this."
        )
        return False
