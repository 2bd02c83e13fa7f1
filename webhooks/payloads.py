"""What a delivery says: the kind of change each record event is, and its JSON payload.

A payload names the event, the delivery, when it happened and the record (type, ref, the
URL of its page, a few of its fields); never a URL taken from a record. The body sent is
:func:`body_bytes` of the payload, signed by :func:`signature` (README "Webhooks").
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.urls import reverse

from actions.models import Action, ActionUpdate
from changerequests.models import ChangeRequest
from core.actors import is_system
from core.events import Event
from decisions.models import Decision
from meetings.models import Meeting

from .models import Kind

# Every record event and the kind of change an endpoint chooses it by.
EVENT_KINDS: dict[str, str] = {
    "action.created": Kind.CREATED,
    "action.updated": Kind.UPDATED,
    "action.update_posted": Kind.UPDATED,
    "action.closure_declined": Kind.UPDATED,
    "action.reopened": Kind.UPDATED,
    "action.closed": Kind.CLOSED,
    "decision.created": Kind.CREATED,
    "decision.updated": Kind.UPDATED,
    "decision.reopened": Kind.UPDATED,
    "decision.decided": Kind.DECIDED,
    "change_request.created": Kind.CREATED,
    "change_request.updated": Kind.UPDATED,
    "change_request.ia_response": Kind.UPDATED,
    "change_request.decided": Kind.DECIDED,
    "report.issued": Kind.ISSUED,
    "agenda.published": Kind.ISSUED,
}
PING = "ping"
# Of an event's data, what a payload repeats (ids of people and rows stay inside).
_DATA_KEYS = ("changed", "proposes_closure", "status", "decision_ref", "version")
SIGNATURE_HEADER = "X-Signature-SHA256"


@dataclass(frozen=True)
class Subject:
    """The record an event is about, as a delivery needs it: its type, ref, page, meeting
    (None for a change request, which belongs to the programme) and committee."""

    type: str
    ref: str
    url: str
    meeting: Meeting | None
    fields: dict[str, Any]

    @property
    def committee_id(self) -> int | None:
        return self.meeting.committee_id if self.meeting is not None else None


def _iso(value: Any) -> Any:
    return value.isoformat() if isinstance(value, dt.date | dt.datetime) else value


def _url(name: str, *args: Any) -> str:
    return settings.SITE_URL.rstrip("/") + reverse(name, args=args)


def subject_of(event: Event) -> Subject | None:
    """The :class:`Subject` of ``event``, or None for a record of no kind sent here."""
    record = event.record
    if isinstance(record, Action):
        return Subject(
            "action",
            record.ref,
            _url("action-detail", record.ref),
            record.meeting,
            {
                "description": record.description,
                "status": record.status,
                "due_date": _iso(record.due_date),
                "closed_date": _iso(record.closed_date),
                "owners": record.owner_display(),
                "committee": record.committee.code,
                "meeting": record.meeting.ref,
            },
        )
    if isinstance(record, Decision):
        return Subject(
            "decision",
            record.ref,
            _url("decision-detail", record.ref),
            record.meeting,
            {
                "text": record.text,
                "status": record.status,
                "conditions": record.conditions,
                "decided_at": _iso(record.decided_at),
                "committee": record.committee.code,
                "meeting": record.meeting.ref,
                "change_request": record.change_request.ref if record.change_request_id else None,
            },
        )
    if isinstance(record, ChangeRequest):
        url = _url("change-request-detail", record.ref)
        return Subject(
            "change_request",
            record.ref,
            url,
            None,
            {
                "title": record.title,
                "status": record.status,
                "ia_start_date": _iso(record.ia_start_date),
                "ia_end_date": _iso(record.ia_end_date),
            },
        )
    if isinstance(record, Meeting):
        return _meeting_subject(event, record)
    return None


def _meeting_subject(event: Event, meeting: Meeting) -> Subject:
    fields = {
        "committee": meeting.committee.code,
        "start_at": _iso(meeting.start_at),
        "status": meeting.status,
        "classification": meeting.classification,
    }
    if event.kind == "report.issued":
        version = event.data.get("version")
        url = _url("headline-report-version", meeting.ref, version)
        return Subject("headline_report", meeting.ref, url, meeting, {**fields, "version": version})
    return Subject("agenda", meeting.ref, _url("meeting-agenda-page", meeting.ref), meeting, fields)


def payload_build(event: Event, subject: Subject, *, delivery_id: str) -> dict[str, Any]:
    """The JSON payload of ``event`` for one delivery."""
    data = {key: event.data[key] for key in _DATA_KEYS if key in event.data}
    if event.kind == "action.update_posted":
        update = ActionUpdate.objects.filter(pk=event.data.get("update_id")).first()
        if update is not None:
            data["update"] = {"text": update.text, "proposes_closure": update.proposes_closure}
    actor = event.actor
    return {
        "event": event.kind,
        "kind": EVENT_KINDS[event.kind],
        "delivery_id": delivery_id,
        "occurred_at": event.at.isoformat(),
        "actor": "system" if is_system(actor) else getattr(actor, "username", ""),
        "record": {"type": subject.type, "ref": subject.ref, "url": subject.url, **subject.fields},
        "data": data,
    }


def ping_payload(*, delivery_id: str, at: dt.datetime, endpoint_name: str) -> dict[str, Any]:
    """The payload of a "send test" delivery."""
    return {
        "event": PING,
        "kind": PING,
        "delivery_id": delivery_id,
        "occurred_at": at.isoformat(),
        "endpoint": endpoint_name,
    }


def body_bytes(payload: dict[str, Any]) -> bytes:
    """The exact bytes POSTed (and signed): compact JSON, keys sorted, UTF-8."""
    return json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def signature(secret: str, body: bytes) -> str:
    """The ``X-Signature-SHA256`` header's value: ``sha256=`` and the hex HMAC-SHA256 of the
    body with the endpoint's secret as the key."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
