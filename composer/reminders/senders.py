"""Sending a run's emails: up to ``REMINDER_SEND_PARALLEL`` senders, each over one
connection kept open for the whole run.

A relay answers each message after a round trip and its own checks (tens of milliseconds),
so one sender at a time spends the run waiting. :class:`Senders` opens up to N connections
(``django.core.mail.get_connection``) at the start of the run and keeps each open across
its messages; with N > 1 each connection is used by one worker thread at a time.

The threads only send. Everything that touches the database (begin, write, record) stays
in the run's own thread, in the order :mod:`.claims` sets: an email is begun (its rows
``sending``) before it is handed to a sender, and recorded once the sender reports. The run
begins a new email only when a sender is free, so at most N emails are ever ``sending``
at once: a process killed mid-run leaves at most one email in doubt per sender. This also
keeps SQLite (one writer at a time) and the run's query counts as they were, and the
threads need no database connection of their own.

With N = 1 (or when only one connection opens) messages go from the run's own thread, as
a custom backend that writes to the database may need. A backend that sends in-process
(locmem, console, file, dummy) gets one sender whatever N: nothing to wait for, and
threads would only slow the run's own database writes (:func:`_in_process`). A relay
that refuses extra connections gets the ones it accepted ("where the relay allows"). A
send that fails closes its connection: the next message on it reconnects (a relay that
drops the connection as a message starts gets that message again on a new one).
"""

from __future__ import annotations

import logging
import queue
import smtplib
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from typing import Any

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.core.mail import get_connection
from django.core.mail.backends import console, dummy, locmem

from composer.reminders.emails import ReminderEmail

logger = logging.getLogger(__name__)

STOPPED = "Stopped while sending: it may or may not have gone."


def send_parallel() -> int:
    """The senders a run asks for (``REMINDER_SEND_PARALLEL``, at least 1)."""
    return max(1, int(getattr(settings, "REMINDER_SEND_PARALLEL", 1)))


@dataclass
class Letter:
    """One begun email: whose, its summary for the run's result, the message, and the log
    rows it was begun with (recorded when it ends)."""

    person_id: int
    summary: ReminderEmail
    message: Any
    row_ids: list[int] = field(default_factory=list)


@dataclass
class Outcome:
    """A finished send: the letter, and the error if it did not go."""

    letter: Letter
    error: Exception | None


class Senders:
    """Up to ``size`` open connections; :meth:`submit` a begun email, :meth:`finished` to
    collect outcomes (waiting for room, or for all)."""

    def __init__(self, size: int) -> None:
        self.size = max(1, size)
        self._connections: list[Any] = []
        self._idle: queue.SimpleQueue = queue.SimpleQueue()
        self._executor: ThreadPoolExecutor | None = None
        self._in_flight: dict[Future, Letter] = {}
        self._inline: Letter | None = None
        self._done: list[Outcome] = []

    def open(self) -> None:
        """Open the connections; raises the error of the first if none opens. A backend
        that sends in-process (:func:`_in_process`) gets one, used from the run's thread."""
        for _ in range(self.size):
            connection = get_connection()
            try:
                connection.open()
            except Exception:
                if not self._connections:
                    raise
                logger.warning(
                    "Reminder emails: the server accepted %d connections of %d; sending over those",
                    len(self._connections),
                    self.size,
                    exc_info=True,
                )
                break
            self._connections.append(connection)
            self._idle.put(connection)
            if _in_process(connection):
                break
        if len(self._connections) > 1:
            self._executor = ThreadPoolExecutor(
                max_workers=len(self._connections), thread_name_prefix="reminder-send"
            )

    @property
    def width(self) -> int:
        """How many emails may be in flight at once (the connections open)."""
        return max(1, len(self._connections))

    def in_flight(self) -> list[Letter]:
        """Emails handed to a sender and not yet collected."""
        letters = list(self._in_flight.values())
        return [*letters, self._inline] if self._inline is not None else letters

    def submit(self, letter: Letter) -> None:
        """Send ``letter`` (in a worker thread, or here with one sender). The caller has
        made room first (:meth:`finished`)."""
        if self._executor is None:
            self._inline = letter
            error = self._send(letter.message)
            self._inline = None
            self._done.append(Outcome(letter, error))
        else:
            self._in_flight[self._executor.submit(self._send, letter.message)] = letter

    def finished(self, *, all_of_them: bool = False) -> list[Outcome]:
        """Outcomes of the sends that have ended: waits until a sender is free for the next
        email, or with ``all_of_them`` until none is in flight."""
        room = 0 if all_of_them else self.width - 1
        while len(self._in_flight) > room:
            ended, _ = wait(self._in_flight, return_when=FIRST_COMPLETED)
            for future in ended:
                self._done.append(Outcome(self._in_flight.pop(future), future.result()))
        done, self._done = self._done, []
        return done

    def _send(self, message: Any) -> Exception | None:
        """Send one message over an idle connection (reopened if a failure closed it); the
        error if it did not go. A relay closing the connection at the message's start (421
        to MAIL FROM: a limit of messages per connection, an idle timeout) has been sent
        nothing, so the message is tried once more on a new connection."""
        connection = self._idle.get()
        try:
            for retry in (True, False):
                try:
                    connection.open()  # a no-op while the connection is open
                    message.connection = connection
                    connection.send_messages([message])
                except SoftTimeLimitExceeded:
                    raise
                except Exception as exc:
                    _close(connection)
                    if not (retry and _closed_before_data(exc)):
                        return exc
                else:
                    return None
        finally:
            self._idle.put(connection)
        return None

    def close(self) -> None:
        """Wait for the threads' sends to end (uncollected ones stay in doubt), then close
        every connection."""
        if self._executor is not None:
            self._executor.shutdown(wait=True, cancel_futures=True)
        for connection in self._connections:
            _close(connection)


# Backends whose sending never waits on a network: memory, the console, a file.
_IN_PROCESS_BACKENDS = (locmem.EmailBackend, console.EmailBackend, dummy.EmailBackend)


def _in_process(connection: Any) -> bool:
    """Whether ``connection`` sends without waiting on a network. Parallel senders only pay
    for themselves while a send waits for a relay; for these they only cost: each database
    write of the run's thread releases the GIL and then queues for it behind idle sender
    threads (measured: a 300,000-action run to locmem took longer with four senders)."""
    return isinstance(connection, _IN_PROCESS_BACKENDS)


def _closed_before_data(exc: Exception) -> bool:
    """Whether the relay closed the connection before the message was sent (421 to MAIL)."""
    return isinstance(exc, smtplib.SMTPSenderRefused) and exc.smtp_code == 421


def _close(connection: Any) -> None:
    try:
        connection.close()
    except Exception:
        logger.debug("Closing a failed email connection failed", exc_info=True)
