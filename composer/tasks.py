"""Celery tasks of the composer: thin wrappers over its services.

Arguments are ids and plain values; each task loads by id, calls one service and returns. The
names are explicit and stable (CONVENTIONS.md "Tasks"): they keep the names they had before
the code moved here, so a message queued by an older release is still understood.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from celery import shared_task
from django.conf import settings

from composer import reminders
from composer.catalogue_jobs import catalogue_job_run
from composer.headline_report import headline_report_render_version
from composer.ia_chasers import ia_chasers_send
from composer.report_drafts import headline_report_draft_render
from core.actors import SYSTEM

# A failed send is retried after these many seconds (then doubling), at most this many times;
# after that the failed rows wait for the next scheduled run that still owes them.
RETRY_DELAY_S = 300
MAX_RETRIES = 5


# A headline report render is bounded inside (``core.bounded``: HEADLINE_REPORT_RENDER_
# TIMEOUT_S, then the child is killed and the row marked failed); the task's own limits sit
# above that bound, so Celery stops it only if something else hangs (storing, the database).
RENDER_SOFT_TIME_LIMIT_S = settings.HEADLINE_REPORT_RENDER_TIMEOUT_S + 60
RENDER_TIME_LIMIT_S = RENDER_SOFT_TIME_LIMIT_S + 30


@shared_task(
    name="meetings.headline_report_render",
    soft_time_limit=RENDER_SOFT_TIME_LIMIT_S,
    time_limit=RENDER_TIME_LIMIT_S,
)
def headline_report_render_task(report_id: int) -> None:
    """Render and store headline report version ``report_id`` (safe to run twice).

    See ``composer.headline_report.headline_report_render_version``: a failure is recorded on
    the version (status failed, with the error) for a retry from the meeting's report page.
    """
    headline_report_render_version(report_id=report_id)


@shared_task(
    name="composer.headline_report_draft_render",
    soft_time_limit=RENDER_SOFT_TIME_LIMIT_S,
    time_limit=RENDER_TIME_LIMIT_S,
)
def headline_report_draft_render_task(draft_id: int) -> None:
    """Render and store the live (draft) headline report ``draft_id`` (safe to run twice).

    See ``composer.report_drafts.headline_report_draft_render``: a failure is recorded on
    the draft for a retry from its status page.
    """
    headline_report_draft_render(draft_id=draft_id)


@shared_task(
    name="actions.reminders_send",
    bind=True,
    max_retries=MAX_RETRIES,
    acks_late=True,
)
def reminders_send_task(self: Any, today: str | None = None) -> dict[str, Any]:
    """Send the reminders owed today (``today``: ISO date, default the Europe/London date now).

    Returns the run's summary (see ``ReminderRun.as_dict``). Safe to run twice or at the same
    time as another run: the service sends each reminder once. When some sends failed the
    task retries; the retry sends only the failed ones.
    """
    run_date = dt.date.fromisoformat(today) if today else None
    result = reminders.reminders_send(today=run_date, acting_user=SYSTEM)
    if result.failed and self.request.retries < self.max_retries:
        raise self.retry(countdown=RETRY_DELAY_S * 2**self.request.retries, kwargs={"today": today})
    return result.as_dict()


@shared_task(name="composer.catalogue_import")
def catalogue_import_task(job_id: int, dry_run: bool) -> str:
    """Check (``dry_run``) or import a back catalogue; the outcome is kept on the job (see
    ``composer.catalogue_jobs``), a failure included, for the page to show and retry."""
    return catalogue_job_run(job_id=job_id, dry_run=dry_run).status


@shared_task(name="composer.ia_chasers_send", acks_late=True)
def ia_chasers_send_task(today: str | None = None) -> dict[str, Any]:
    """Send the impact assessment chasers owed today (safe to run twice: each occasion is
    claimed once; see ``composer.ia_chasers``)."""
    run = ia_chasers_send(today=dt.date.fromisoformat(today) if today else None, acting_user=SYSTEM)
    return {"today": run.today.isoformat(), "sent": len(run.sent), "failed": len(run.failed)}
