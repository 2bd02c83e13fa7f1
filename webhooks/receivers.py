"""The webhooks' receiver of ``core.events.record_event``: a delivery per endpoint that takes
the event, written in the changing transaction (``webhooks.services.deliveries_record``)."""

from __future__ import annotations

from typing import Any

from django.dispatch import receiver

from core.events import Event, record_event

from .services import deliveries_record


@receiver(record_event, dispatch_uid="webhooks.deliveries_record")
def record_event_deliveries(sender: Any, event: Event, **kwargs: Any) -> None:
    deliveries_record(event=event)
