"""Section 4b: the reminder run over SMTP to a sink that answers each message after 20 ms.

The locmem figure (``measure_load.reminders``) is the run's own cost; a real relay adds a
round trip and its checks to every message. This section sends the same run to an SMTP
server on 127.0.0.1 (``bench.smtp_sink``) that holds each answer back 20 ms, with 1, 2, 4
and 8 senders (``REMINDER_SEND_PARALLEL``, composer.reminders.senders), so the table shows
the run's time with a relay and how it scales with parallel sends. The floor of each row
is the sink's own wait, 20 ms x emails / senders: what the run would take if writing,
claiming and recording the emails cost nothing.
"""

from __future__ import annotations

import time
from collections import Counter
from email.utils import parseaddr
from typing import Any

from django.db import connection
from django.test import override_settings

from core.actors import SYSTEM

from .context import Context
from .harness import NotAvailableError, Result, Stats, count_queries, guarded
from .smtp_sink import SmtpReceiver

SINK_DELAY_S = 0.02
SENDERS = (1, 2, 4, 8)


def reminders_sink(ctx: Context) -> list[Result]:
    """One row per number of senders: the whole run's seconds with the 20 ms sink."""
    return [guarded(_result(ctx, parallel), _filler(ctx, parallel)) for parallel in SENDERS]


def _result(ctx: Context, parallel: int) -> Result:
    return Result(
        key=f"reminders_sink_{parallel}",
        title=f"Reminder run, SMTP sink +20 ms/message, {parallel} sender{'s' * (parallel > 1)}",
        db=ctx.db,
        unit="s",
        floor_label="20 ms × emails / senders",
    )


def _filler(ctx: Context, parallel: int) -> Any:
    def fill(r: Result) -> None:
        try:
            from actions.models import ReminderLog
            from composer.reminders import reminders_send
        except ImportError as exc:
            raise NotAvailableError("composer.reminders is not in this tree") from exc

        samples = []
        # Each run sends every email at 20 ms or more: one timed run at full size (tens of
        # seconds with one sender), two with --small.
        for _ in range(2 if ctx.small else 1):
            ReminderLog.objects.all().delete()
            with SmtpReceiver(delay=SINK_DELAY_S) as sink, _smtp_to(sink, parallel):
                # Django keeps the last 9,000 queries: a run of more after earlier ones
                # would count none (the log is full before and after).
                connection.queries_log.clear()
                started = time.perf_counter()
                r.queries, outcome = count_queries(
                    lambda: reminders_send(today=ctx.today, acting_user=SYSTEM)
                )
                samples.append(time.perf_counter() - started)
            _check(outcome, sink)
        emails = len(outcome.sent)
        r.value = Stats.of(samples)
        r.floor = Stats.of([emails * SINK_DELAY_S / parallel])
        r.extra.update(
            emails=emails,
            senders=parallel,
            connections=sink.connections,
            busiest=sink.busiest,
        )
        r.note = (
            f"{emails} emails, {sink.connections} SMTP connections, up to {sink.busiest} "
            f"messages awaiting the sink at once; {r.queries} queries"
        )
        ReminderLog.objects.all().delete()

    return fill


def _smtp_to(sink: SmtpReceiver, parallel: int) -> override_settings:
    return override_settings(
        EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
        EMAIL_HOST="127.0.0.1",
        EMAIL_PORT=sink.port,
        EMAIL_HOST_USER="",
        EMAIL_HOST_PASSWORD="",
        EMAIL_USE_TLS=False,
        EMAIL_USE_SSL=False,
        EMAIL_TIMEOUT=30,
        REMINDER_SEND_PARALLEL=parallel,
    )


def _check(outcome: Any, sink: SmtpReceiver) -> None:
    """The run went whole: not locked out, nothing failed, one message per email sent."""
    if outcome.locked_out:
        raise RuntimeError("the reminder run was locked out by another run")
    if outcome.failed:
        raise RuntimeError(f"{len(outcome.failed)} emails failed: {outcome.failed[0].error}")
    received = Counter(parseaddr(m["To"])[1] for m in sink.messages)
    if sorted(received.elements()) != sorted(e.email for e in outcome.sent):
        raise RuntimeError(f"{len(outcome.sent)} emails sent but the sink received {received}")
