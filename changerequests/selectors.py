"""Reads of change requests for the browser: the register and everything a CR page shows.

CRs are programme-wide and not classified; the decisions, actions and discussion that
concern a CR are filtered by the viewer's meeting visibility (Observers: Public only).
"""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet

from core import refs

from .models import ChangeRequest


def change_request_register(*, status: str = "", text: str = "") -> QuerySet[ChangeRequest]:
    """CRs filtered by status (a ``ChangeRequest.Status`` value, or ``open`` for those not
    yet settled) and free text (ref, title, raiser), by number, with IA response counts."""
    qs = ChangeRequest.objects.select_related("raiser", "target_release", "backstop_release")
    if status == "open":
        qs = qs.filter(
            status__in=[
                ChangeRequest.Status.DRAFT,
                ChangeRequest.Status.IMPACT_ASSESSMENT,
                ChangeRequest.Status.AWAITING_DECISION,
            ]
        )
    elif status:
        qs = qs.filter(status=status)
    text = text.strip()
    if text:
        qs = qs.filter(
            Q(ref__icontains=text) | Q(title__icontains=text) | Q(raiser__name__icontains=text)
        )
    return qs.annotate(ia_count=Count("ia_responses")).order_by("number")


def change_request_get(*, ref: str) -> ChangeRequest:
    """The CR with ``ref`` (``CR023``, ``cr23``); raises ChangeRequest.DoesNotExist otherwise."""
    try:
        number = refs.parse_change_request_ref(ref)
    except Exception as exc:
        raise ChangeRequest.DoesNotExist(ref) from exc
    return ChangeRequest.objects.select_related("raiser", "target_release", "backstop_release").get(
        number=number
    )
