"""Webhook state changes: endpoints (PMO only), the deliveries an event owes, each attempt.

Deliveries are written by :func:`deliveries_record` inside the changing transaction (the
``record_event`` receiver), and queued for Celery only once it commits; the task calls
:func:`delivery_send`, which POSTs once, logs the attempt and says whether to retry.
"""

from __future__ import annotations

import datetime as dt
import logging
import secrets
import uuid
from dataclasses import dataclass, replace
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from core import roles
from core.actors import SYSTEM, history_user
from core.events import Event
from core.services import history_delete, history_user_as, validated_save
from core.visibility import classification_within
from decisions.models import Decision

from . import payloads, sender
from .models import FAILING_DISABLE_AFTER, Delivery, DeliveryAttempt, Endpoint, Kind

logger = logging.getLogger(__name__)

# Attempts of one delivery, and the wait before each retry: RETRY_BASE_S doubled per attempt,
# at most RETRY_MAX_S. Twelve retries span about 32 hours, so an endpoint down for good is
# disabled by the day rule (FAILING_DISABLE_AFTER) before its last delivery gives up.
MAX_ATTEMPTS = 13
RETRY_BASE_S = 60
RETRY_MAX_S = 6 * 3600
# How long one sender's claim on a delivery lasts (longer than a POST can take).
CLAIM_S = 60


def retry_delay(attempt: int) -> int:
    """Seconds to wait after failed attempt number ``attempt`` (1, 2…): 60, 120, 240…"""
    return min(RETRY_BASE_S * 2 ** (attempt - 1), RETRY_MAX_S)


def secret_new() -> str:
    return secrets.token_urlsafe(32)


# --- endpoints (PMO) -------------------------------------------------------------------------


def _kinds_check(kinds: list[str]) -> list[str]:
    unknown = [k for k in kinds if k not in Kind.values]
    if unknown or not kinds:
        raise ValidationError({"kinds": f"Choose one or more of: {', '.join(Kind.values)}."})
    return [k for k in Kind.values if k in kinds]


@transaction.atomic
def endpoint_create(
    *,
    acting_user: Any,
    name: str,
    url: str,
    kinds: list[str],
    committees: list[Any] | None = None,
    max_classification: str = Endpoint._meta.get_field("max_classification").default,
    is_active: bool = True,
) -> Endpoint:
    """Register an endpoint (PMO only) with a new secret; read ``endpoint.secret`` now, it is
    shown once."""
    roles.require_pmo(acting_user)
    endpoint = Endpoint(
        name=name.strip(),
        url=url.strip(),
        kinds=_kinds_check(kinds),
        max_classification=max_classification,
        is_active=is_active,
        secret=secret_new(),
        created_by=history_user(acting_user),
    )
    validated_save(endpoint, acting_user=acting_user)
    if committees:
        with history_user_as(endpoint, acting_user=acting_user):
            endpoint.committees.set(committees)
    _none_active_forget()
    return endpoint


ENDPOINT_EDITABLE = ("name", "url", "kinds", "max_classification", "is_active")


@transaction.atomic
def endpoint_update(
    *, endpoint: Endpoint, acting_user: Any, committees: list[Any] | None = None, **changes: Any
) -> Endpoint:
    """Change an endpoint (PMO only). Made active again, it loses its disabled notice and
    starts a new failure count."""
    roles.require_pmo(acting_user)
    endpoint = Endpoint.objects.select_for_update().get(pk=endpoint.pk)
    unknown = set(changes) - set(ENDPOINT_EDITABLE)
    if unknown:
        raise ValidationError(dict.fromkeys(unknown, "Not a field of an endpoint."))
    if "kinds" in changes:
        changes["kinds"] = _kinds_check(changes["kinds"])
    for name in ("name", "url"):
        if name in changes:
            changes[name] = (changes[name] or "").strip()
    if changes.get("is_active") and not endpoint.is_active:
        endpoint.disabled_reason, endpoint.disabled_at, endpoint.failing_since = "", None, None
    for name, value in changes.items():
        setattr(endpoint, name, value)
    validated_save(endpoint, acting_user=acting_user)
    if committees is not None:
        with history_user_as(endpoint, acting_user=acting_user):
            endpoint.committees.set(committees)
    _none_active_forget()
    return endpoint


@transaction.atomic
def endpoint_secret_rotate(*, endpoint: Endpoint, acting_user: Any) -> Endpoint:
    """A new secret (PMO only): the old one signs nothing from now on, deliveries still
    pending included. Read ``endpoint.secret`` now; it is shown once."""
    roles.require_pmo(acting_user)
    endpoint = Endpoint.objects.select_for_update().get(pk=endpoint.pk)
    endpoint.secret = secret_new()
    endpoint.secret_rotated_at = timezone.now()
    return validated_save(endpoint, acting_user=acting_user)


@transaction.atomic
def endpoint_delete(*, endpoint: Endpoint, acting_user: Any) -> None:
    """Remove an endpoint and its delivery log (PMO only); its history keeps it."""
    roles.require_pmo(acting_user)
    history_delete(endpoint, acting_user=acting_user)


@transaction.atomic
def endpoint_ping(*, endpoint: Endpoint, acting_user: Any) -> Delivery:
    """ "Send test": a ``ping`` delivery to the endpoint, active or not (PMO only). Tried
    once, never retried; its outcome does not count towards disabling the endpoint."""
    roles.require_pmo(acting_user)
    delivery_id = uuid.uuid4()
    delivery = Delivery.objects.create(
        endpoint=endpoint,
        delivery_id=delivery_id,
        event=payloads.PING,
        kind=payloads.PING,
        is_ping=True,
        payload=payloads.ping_payload(
            delivery_id=str(delivery_id), at=timezone.now(), endpoint_name=endpoint.name
        ),
    )
    _queue(delivery.pk)
    return delivery


# --- deliveries ------------------------------------------------------------------------------


def _queue(delivery_pk: int) -> None:
    # Imported here: the task module imports this one (the task calls delivery_send).
    from .tasks import delivery_send_task

    transaction.on_commit(lambda: delivery_send_task.delay(delivery_pk))


# "No endpoint is active", remembered in the cache (Redis in production, shared by every
# process) for NONE_ACTIVE_S seconds, so an installation without webhooks spends no query on
# each record event (an import of a report sends hundreds). Forgotten whenever an endpoint is
# made or changed, at once and again when that commits.
NONE_ACTIVE_KEY = "webhooks:none-active"
NONE_ACTIVE_S = 60


def _none_active_forget() -> None:
    cache.delete(NONE_ACTIVE_KEY)
    transaction.on_commit(lambda: cache.delete(NONE_ACTIVE_KEY))


def _active_endpoints() -> list[Endpoint]:
    if cache.get(NONE_ACTIVE_KEY):
        return []
    endpoints = list(Endpoint.objects.active().prefetch_related("committees"))
    if not endpoints:
        cache.set(NONE_ACTIVE_KEY, True, NONE_ACTIVE_S)
    return endpoints


def _takes_meeting(endpoint: Endpoint, meeting: Any) -> bool:
    """Whether ``endpoint`` may be told of a record of ``meeting``: its committee among the
    endpoint's (if it chose any) and its classification not above the endpoint's."""
    committee_ids = {c.pk for c in endpoint.committees.all()}
    if committee_ids and meeting.committee_id not in committee_ids:
        return False
    return classification_within(meeting.classification, endpoint.max_classification)


def endpoints_for(
    event: Event, subject: payloads.Subject, active: list[Endpoint]
) -> list[Endpoint]:
    """The endpoints among ``active`` that take ``event``: its kind chosen, its committee
    among theirs (if they chose any; change requests belong to the programme and go to all),
    and its meeting's classification not above theirs."""
    kind = payloads.EVENT_KINDS[event.kind]
    return [
        endpoint
        for endpoint in active
        if kind in endpoint.kinds
        and (subject.meeting is None or _takes_meeting(endpoint, subject.meeting))
    ]


def _event_for(endpoint: Endpoint, event: Event, deciding_meeting: Any) -> Event:
    """``event`` as ``endpoint`` may read it: a CR decided by a decision of a meeting the
    endpoint may not be told of goes without that decision's ref."""
    if deciding_meeting is None or _takes_meeting(endpoint, deciding_meeting):
        return event
    data = {key: value for key, value in event.data.items() if key != "decision_ref"}
    return replace(event, data=data)


def _deciding_meeting(event: Event) -> Any:
    """The meeting of the decision a ``change_request.decided`` event names (one query), or
    None for any other event."""
    ref = event.data.get("decision_ref")
    if event.kind != "change_request.decided" or not ref:
        return None
    decision = Decision.objects.select_related("meeting").filter(ref=ref).first()
    return decision.meeting if decision is not None else None


def deliveries_record(*, event: Event) -> list[Delivery]:
    """Write a delivery of ``event`` for each endpoint that takes it, in the caller's
    transaction, and queue their sending for when it commits."""
    if event.kind not in payloads.EVENT_KINDS:
        return []
    active = _active_endpoints()
    subject = payloads.subject_of(event) if active else None
    if subject is None:
        return []
    made = []
    chosen = endpoints_for(event, subject, active)
    deciding_meeting = _deciding_meeting(event) if chosen else None
    for endpoint in chosen:
        delivery_id = uuid.uuid4()
        payload = payloads.payload_build(
            _event_for(endpoint, event, deciding_meeting), subject, delivery_id=str(delivery_id)
        )
        made.append(
            Delivery.objects.create(
                endpoint=endpoint,
                delivery_id=delivery_id,
                event=event.kind,
                kind=payload["kind"],
                ref=subject.ref,
                payload=payload,
            )
        )
    for delivery in made:
        _queue(delivery.pk)
    return made


@dataclass(frozen=True)
class SendOutcome:
    """What :func:`delivery_send` did: the delivery's status after it and, when it is to be
    tried again, in how many seconds."""

    status: str
    retry_in: int | None = None


def _claim(delivery_pk: int) -> Delivery | None:
    """The delivery, claimed for one attempt, or None when there is nothing to send (sent,
    given up, claimed by another sender, gone) — so a task run twice sends once."""
    with transaction.atomic():
        delivery = (
            Delivery.objects.select_for_update()
            .select_related("endpoint")
            .filter(pk=delivery_pk)
            .first()
        )
        if delivery is None or delivery.status != Delivery.Status.PENDING:
            return None
        now = timezone.now()
        if delivery.claimed_until is not None and delivery.claimed_until > now:
            return None
        if not delivery.endpoint.is_active and not delivery.is_ping:
            delivery.status = Delivery.Status.FAILED
            delivery.status_note = "Not sent: the endpoint is disabled."
            delivery.save(update_fields=["status", "status_note"])
            return None
        delivery.claimed_until = now + dt.timedelta(seconds=CLAIM_S)
        delivery.save(update_fields=["claimed_until"])
        return delivery


def delivery_send(*, delivery_id: int, acting_user: Any) -> SendOutcome:
    """POST delivery ``delivery_id`` once (the task's body), log the attempt, and say whether
    and when to try again. Safe to run twice: a delivery no longer pending is left alone."""
    delivery = _claim(delivery_id)
    if delivery is None:
        status = Delivery.objects.filter(pk=delivery_id).values_list("status", flat=True).first()
        return SendOutcome(status or "gone")
    endpoint = delivery.endpoint
    result = sender.post(
        url=endpoint.url,
        body=payloads.body_bytes(delivery.payload),
        secret=endpoint.secret,
        headers={"X-Delivery-Id": str(delivery.delivery_id), "X-Event": delivery.event},
    )
    return _attempt_record(delivery_pk=delivery.pk, result=result)


@transaction.atomic
def _attempt_record(*, delivery_pk: int, result: sender.PostResult) -> SendOutcome:
    delivery = Delivery.objects.select_for_update().get(pk=delivery_pk)
    endpoint = Endpoint.objects.select_for_update().get(pk=delivery.endpoint_id)
    number = delivery.attempts + 1
    retry_in = None
    if not result.ok and not delivery.is_ping and number < MAX_ATTEMPTS:
        retry_in = retry_delay(number)
    DeliveryAttempt.objects.create(
        delivery=delivery,
        number=number,
        at=result.at,
        duration_ms=result.duration_ms,
        status_code=result.status_code,
        is_success=result.ok,
        error=result.error[:300],
        retry_in_s=retry_in,
    )
    delivery.attempts = number
    delivery.last_status_code = result.status_code
    delivery.claimed_until = None
    delivery.next_attempt_at = result.at + dt.timedelta(seconds=retry_in) if retry_in else None
    if result.ok:
        delivery.status, delivery.delivered_at = Delivery.Status.DELIVERED, result.at
    elif retry_in is None:
        delivery.status = Delivery.Status.FAILED
        delivery.status_note = (
            "Test not delivered." if delivery.is_ping else f"Gave up after {number} attempts."
        )
    delivery.save()
    if not delivery.is_ping:
        _endpoint_health(endpoint, ok=result.ok, at=result.at)
    if endpoint.is_active is False and retry_in is not None and not delivery.is_ping:
        # Disabled by this very failure: the remaining attempts are not made.
        retry_in = None
        delivery.status, delivery.next_attempt_at = Delivery.Status.FAILED, None
        delivery.status_note = "Not sent: the endpoint was disabled."
        delivery.save(update_fields=["status", "next_attempt_at", "status_note"])
    return SendOutcome(delivery.status, retry_in)


def _endpoint_health(endpoint: Endpoint, *, ok: bool, at: dt.datetime) -> None:
    """The day rule: a success clears the failure count; failures with no success for
    ``FAILING_DISABLE_AFTER`` disable the endpoint, with a notice on its page and an email
    to whoever registered it. The counters are written without a history row (they change
    with every attempt); disabling is a change on record, by the system."""
    counters = Endpoint.objects.filter(pk=endpoint.pk)
    if ok:
        endpoint.failing_since, endpoint.last_success_at = None, at
        counters.update(failing_since=None, last_success_at=at)
        return
    if endpoint.failing_since is None:
        endpoint.failing_since = at
        counters.update(failing_since=at)
        return
    if not endpoint.is_active or at - endpoint.failing_since < FAILING_DISABLE_AFTER:
        return
    since = timezone.localtime(endpoint.failing_since)
    endpoint.is_active = False
    endpoint.disabled_at = at
    endpoint.disabled_reason = (
        f"Disabled automatically: deliveries have failed since {since:%d/%m/%Y %H:%M} "
        f"(Europe/London), with no success for over {FAILING_DISABLE_AFTER.days} day."
    )
    validated_save(endpoint, acting_user=SYSTEM)
    transaction.on_commit(lambda: _disabled_notice_send(endpoint.pk))


def _disabled_notice_send(endpoint_pk: int) -> None:
    endpoint = Endpoint.objects.select_related("created_by").filter(pk=endpoint_pk).first()
    email = getattr(endpoint and endpoint.created_by, "email", "") if endpoint else ""
    if not email:
        return
    page = settings.SITE_URL.rstrip("/") + reverse("webhook-detail", args=[endpoint.pk])
    context = {"endpoint": endpoint, "page": page}
    try:
        send_mail(
            subject=f"Webhook disabled: {endpoint.name}",
            message=render_to_string("webhooks/emails/endpoint_disabled.txt", context),
            from_email=None,
            recipient_list=[email],
        )
    except Exception:  # the notice on the page stands; a mail server down is logged
        logger.exception("The notice of webhook %s being disabled was not sent", endpoint_pk)
