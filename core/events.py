"""Record events: what changed, told once to whatever listens above the record apps.

The record apps' services call :func:`emit` after a change is saved; notifications and
webhooks (higher layers) connect receivers to :data:`record_event`, so no record app
imports them. The signal is sent **inside** the service's transaction, so a receiver's own
writes (a notification queued, a webhook delivery recorded) commit or roll back with the
change itself, exactly once; a receiver that talks to the outside world (Celery, SMTP, HTTP)
does so from ``transaction.on_commit``.

Event kinds (``<record>.<what>``) and what ``data`` carries:

- ``action.created``: ``owner_person_ids`` (people named as owners).
- ``action.updated``: ``changed`` (field names), ``owner_person_ids_added`` when owners changed.
- ``action.update_posted``: ``update_id``, ``proposes_closure``.
- ``action.closed``, ``action.reopened``: ``note`` / ``reason``; ``action.closed`` also
  ``closure_proposed`` (it confirmed its owner's proposed closure).
- ``action.closure_declined``: ``note`` (the PMO's reason).
- ``decision.created`` (proposed, or recorded as decided by an import), ``decision.updated``:
  ``changed``.
- ``decision.decided``: ``status``; ``decision.reopened``: ``reason``.
- ``change_request.created``, ``change_request.updated``: ``changed``.
- ``change_request.decided``: ``status``, ``decision_ref``.
- ``change_request.ia_response``: ``organisation_id``, ``response_id``.
- ``report.issued``: ``version``, ``report_id`` (the record is the meeting; sent as the
  rendered PDF is stored, so it can be linked).
- ``agenda.published`` (the record is the meeting).

Every event has the record, its kind, the acting user (the system for tasks and imports)
and the time it was emitted.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.dispatch import Signal
from django.utils import timezone

#: Sent with ``event=`` an :class:`Event`, inside the changing transaction.
record_event = Signal()


@dataclass(frozen=True)
class Event:
    kind: str
    record: Any
    actor: Any
    at: dt.datetime
    data: dict[str, Any] = field(default_factory=dict)

    @property
    def record_kind(self) -> str:
        """``action``, ``decision``, ``change_request``, ``report``, ``agenda``."""
        return self.kind.split(".", 1)[0]


def emit(kind: str, record: Any, *, acting_user: Any, **data: Any) -> Event:
    """Tell the receivers of :data:`record_event` that ``record`` changed as ``kind`` says."""
    event = Event(kind=kind, record=record, actor=acting_user, at=timezone.now(), data=data)
    record_event.send(sender=Event, event=event)
    return event
