"""Reads of webhook endpoints and their delivery logs (PMO pages and API)."""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet

from .models import Delivery, DeliveryAttempt, Endpoint

# Deliveries shown on an endpoint's page, newest first.
LOG_LENGTH = 50


def endpoint_list() -> QuerySet[Endpoint]:
    return Endpoint.objects.prefetch_related("committees").select_related("created_by")


def endpoint_deliveries(endpoint: Endpoint, *, limit: int = LOG_LENGTH) -> list[Delivery]:
    """The endpoint's latest deliveries, each with its attempts (three queries in all)."""
    return list(
        endpoint.deliveries.order_by("-created_at", "-pk").prefetch_related(
            Prefetch("log", queryset=DeliveryAttempt.objects.order_by("number"))
        )[:limit]
    )
