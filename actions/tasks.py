"""Celery tasks of the actions app: thin wrappers over ``actions.reminders``."""

from __future__ import annotations

import datetime as dt
from typing import Any

from celery import shared_task

from . import reminders

# A failed send is retried after these many seconds (then doubling), at most this many times;
# after that the failed rows wait for the next scheduled run that still owes them.
RETRY_DELAY_S = 300
MAX_RETRIES = 5


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
    result = reminders.reminders_send(today=run_date)
    if result.failed and self.request.retries < self.max_retries:
        raise self.retry(countdown=RETRY_DELAY_S * 2**self.request.retries, kwargs={"today": today})
    return result.as_dict()
