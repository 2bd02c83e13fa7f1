"""The receiver of ``core.events.record_event``: the event's notifications, written in the
changing transaction (so they exist exactly when the change does)."""

from __future__ import annotations

from typing import Any

from core.events import Event
from notifications.recipients import RULES
from notifications.services import notifications_write


def on_record_event(sender: Any, event: Event, **kwargs: Any) -> None:
    rule = RULES.get(event.kind)
    if rule is None:
        return
    for told in rule(event):
        notifications_write(told=told, actor=event.actor)
