"""Celery tasks of the meetings app: thin wrappers over its services (ids in, one call)."""

from __future__ import annotations

from celery import shared_task

from core.actors import SYSTEM

from .pack import meeting_pack_render


@shared_task(name="meetings.meeting_pack_render")
def meeting_pack_render_task(pack_id: int) -> None:
    """Render and store meeting pack ``pack_id`` (safe to run twice; a failure is kept on
    the row for a Retry: ``meetings.pack.meeting_pack_render``)."""
    meeting_pack_render(pack_id=pack_id, acting_user=SYSTEM)
