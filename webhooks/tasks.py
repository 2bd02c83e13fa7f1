"""Celery tasks of the webhooks app: thin wrappers over its services (ids in, one call)."""

from __future__ import annotations

from typing import Any

from celery import shared_task

from core.actors import SYSTEM

from .services import delivery_send


# max_retries None: no limit of Celery's own; the service stops at its MAX_ATTEMPTS.
@shared_task(name="webhooks.delivery_send", bind=True, acks_late=True, max_retries=None)
def delivery_send_task(self: Any, delivery_id: int) -> str:
    """POST delivery ``delivery_id`` once; when it failed and may be tried again, retry after
    the backoff the service gives (``webhooks.services.retry_delay``). Safe to run twice."""
    outcome = delivery_send(delivery_id=delivery_id, acting_user=SYSTEM)
    if outcome.retry_in is not None:
        raise self.retry(countdown=outcome.retry_in)
    return outcome.status
