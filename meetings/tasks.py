"""Celery tasks of the meetings app: thin wrappers over ``meetings.services``.

Arguments are ids; each task loads by id, calls one service and returns. The names are
explicit and stable (CONVENTIONS.md "Tasks") so a rename never strands queued messages.
"""

from __future__ import annotations

from celery import shared_task


@shared_task(name="meetings.headline_report_render")
def headline_report_render_task(report_id: int) -> None:
    """Render and store headline report version ``report_id`` (safe to run twice).

    See ``meetings.services.headline_report_render_version``: a failure is recorded on the
    version (status failed, with the error) for a retry from the meeting's report page.
    """
    from .services import headline_report_render_version

    headline_report_render_version(report_id=report_id)
