"""Webhook endpoints the PMO registers, the deliveries owed to them and each attempt's log.

An :class:`Endpoint` is a URL (http or https, exactly as the PMO entered it), a secret that
signs every body, the kinds of change it wants (:class:`Kind`), which committees, and how
far up the meetings' classifications it may be sent. A :class:`Delivery` is one event owed
to one endpoint (written in the changing transaction, ``webhooks.services``); every POST of
it is a :class:`DeliveryAttempt`, with the response code or the error.
"""

from __future__ import annotations

import datetime as dt
import uuid

from django.conf import settings
from django.core.validators import URLValidator
from django.db import models
from simple_history.models import HistoricalRecords

from core.visibility import Classification

# http and https only: no file:, ftp: or anything else a URL field would take.
url_validator = URLValidator(schemes=["http", "https"])

# No success for this long while attempts fail: the endpoint is disabled (with a notice).
FAILING_DISABLE_AFTER = dt.timedelta(hours=24)


class Kind(models.TextChoices):
    """The kinds of change an endpoint chooses from (each record event maps to one:
    ``webhooks.payloads.EVENT_KINDS``)."""

    CREATED = "created", "Created"
    UPDATED = "updated", "Updated"
    DECIDED = "decided", "Decided"
    CLOSED = "closed", "Closed"
    ISSUED = "issued", "Issued (headline reports, agendas)"


class EndpointQuerySet(models.QuerySet):
    def active(self) -> EndpointQuerySet:
        return self.filter(is_active=True)


class Endpoint(models.Model):
    """Where record events are POSTed, signed with ``secret`` (HMAC-SHA256 of the body)."""

    name = models.CharField(max_length=100, help_text="What it is, e.g. “Programme Jira sync”.")
    url = models.CharField(
        "URL",
        max_length=500,
        validators=[url_validator],
        help_text="http:// or https://; redirects are not followed.",
    )
    # Shown once, when made or rotated; never in a list, an API read or a history row.
    secret = models.CharField(max_length=100, editable=False)
    secret_rotated_at = models.DateTimeField(null=True, blank=True, editable=False)
    kinds = models.JSONField(default=list, help_text="Kinds of change sent (Kind values).")
    committees = models.ManyToManyField(
        "meetings.Committee",
        blank=True,
        related_name="+",
        help_text="Only these committees' records; none chosen: every committee.",
    )
    max_classification = models.CharField(
        "Send records of meetings up to",
        max_length=20,
        choices=Classification.choices,
        default=Classification.RESTRICTED,
        help_text="Records of meetings classified above this are never sent.",
    )
    is_active = models.BooleanField("Active", default=True)
    disabled_reason = models.CharField(max_length=300, blank=True, editable=False)
    disabled_at = models.DateTimeField(null=True, blank=True, editable=False)
    # Since when attempts have failed with no success (cleared by a success).
    failing_since = models.DateTimeField(null=True, blank=True, editable=False)
    last_success_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords(
        excluded_fields=["secret", "failing_since", "last_success_at"],
        m2m_fields=[committees],
    )

    objects = EndpointQuerySet.as_manager()

    class Meta:
        ordering = ["name", "pk"]

    def __str__(self) -> str:
        return self.name

    def kind_labels(self) -> list[str]:
        return [Kind(k).label for k in self.kinds if k in Kind.values]


class Delivery(models.Model):
    """One event owed to one endpoint: the payload (fixed when the event happened, so every
    attempt sends the same bytes and signature) and where its sending stands."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        DELIVERED = "delivered", "Delivered"
        FAILED = "failed", "Failed"

    endpoint = models.ForeignKey(Endpoint, on_delete=models.CASCADE, related_name="deliveries")
    delivery_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    event = models.CharField(max_length=60, help_text="action.updated, ping…")
    kind = models.CharField(max_length=20, blank=True)
    ref = models.CharField(max_length=40, blank=True)
    payload = models.JSONField()
    is_ping = models.BooleanField(default=False)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PENDING)
    status_note = models.CharField(max_length=300, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    # A sender's claim: another worker given the same message leaves it until then.
    claimed_until = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["endpoint", "-created_at"], name="delivery_endpoint_new")]

    def __str__(self) -> str:
        return f"{self.event} {self.ref} → {self.endpoint_id}"


class DeliveryAttempt(models.Model):
    """One POST of a delivery: when, how long, the response code or the error, and when the
    next attempt was scheduled (the backoff) if one was."""

    delivery = models.ForeignKey(Delivery, on_delete=models.CASCADE, related_name="log")
    number = models.PositiveSmallIntegerField()
    at = models.DateTimeField()
    duration_ms = models.PositiveIntegerField(default=0)
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    is_success = models.BooleanField(default=False)
    error = models.CharField(max_length=300, blank=True)
    retry_in_s = models.PositiveIntegerField(
        null=True, blank=True, help_text="Seconds until the next attempt (none: no retry)."
    )

    class Meta:
        ordering = ["number"]
        constraints = [
            models.UniqueConstraint(fields=["delivery", "number"], name="delivery_attempt_unique")
        ]

    def __str__(self) -> str:
        return f"attempt {self.number} of {self.delivery_id}"
