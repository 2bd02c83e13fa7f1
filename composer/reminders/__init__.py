"""Reminder emails about actions: due soon, due today, overdue, and the digest before a meeting.

The rules (issue #6; DESIGN.md "Who uses it"; CONVENTIONS.md "Tasks"):

- **Due soon**: an open action due within the committee's ``due_soon_days`` (default 3) of
  the run date, once per due date. **Due today**: on its due date. **Overdue**: the day after
  the due date and then weekly (due + 1, + 8, + 15, ...) until it is closed.
- **Meeting digest**: in the ``due_soon_days`` before each planned meeting, each person with
  open actions of that committee gets their open actions listed, with those falling due by
  the meeting marked. People with no open actions get nothing (there is nothing to list).
- Actions proposed for closure are listed in a digest but not chased: the owner has asked
  for closure and the next step is the PMO's. Closed actions are never reminded.
- **Who gets an owner's reminder**: the named person (or team) when they have an email
  address and have not opted out; a named person with no address gets nothing, and nobody
  is reminded in their place. An owner with no named person (``Chair``, ``Large Supplier
  Representative``) goes to the people currently holding that seat on the committee: the
  chair and deputy chair for ``Chair``, the secretariat for ``Secretariat`` or ``PMO``,
  members whose constituency is the role (observers excluded). An organisation named alone
  (``Programme``) is nobody's seat and reminds no one. So every recipient owns the action
  by the access rule (``core.visibility.action_owned_q``) and may open it, and a person's
  email lists the same actions as their "My actions".
- **One email per person per run** gathers all their reminders (text and HTML, with links to
  the action pages and a List-Unsubscribe header for the per-person opt-out).
- **Exactly once**: each reminder is a :class:`~actions.models.ReminderLog` row with a unique
  key (person, action or meeting, kind, occasion date). A run claims everything it owes,
  then begins, sends and records each person's email on its own (:mod:`.claims`): the
  person's rows move to ``sending``, the email goes, and they are marked ``sent`` or
  ``failed`` straight after. Up to ``REMINDER_SEND_PARALLEL`` emails (default 4) are sent at
  once, each sender over one connection kept open for the run (:mod:`.senders`; one
  sender for a backend that sends in-process, such as locmem). An action
  closed since the run began is not reminded. A failed send is retried by the next run that
  still owes it (a task retry, the next day's run within the same window). A process killed
  while sending leaves the rows of the emails in flight (at most one per sender)
  ``sending`` with the time each began: whether they went is unknown, so they are not sent
  again (at most once beats twice for a PMO's inbox) and the admin's reminder log shows
  them; everyone not yet reached is released, and the next run sends them.
- Dates are Europe/London calendar dates: a run at 00:30 BST counts the new day.
- One scanner at a time: on PostgreSQL a session advisory lock, elsewhere a Redis lock when
  ``REDIS_URL`` is set; a run that finds the lock taken does nothing. (On SQLite without
  Redis, development only, the unique key alone keeps sends exactly once.)

Reading what is owed costs a fixed number of queries however many actions and people there
are: committees, meetings in the window, owners of candidate actions (one ``values_list``),
seat holders, the log's rows in the window. Each email then costs one short statement on
PostgreSQL, two elsewhere (its actions' statuses; its begin, which also records the email
before it; naming rows by primary key, prepared once on PostgreSQL, :mod:`.statements`),
the price of losing at most one email's certainty per sender to a crash; the run sets its
commits not to wait for the disk (:mod:`.commits`).

The modules: :mod:`.rules` (the kinds, their occasions, the calendar), :mod:`.candidates`
(what is owed today, to whom), :mod:`.claims` (the log rows), :mod:`.commits` (the log's
commits not waiting for the disk), :mod:`.statements` (the run's own SQL), :mod:`.emails`
(writing them from the templates), :mod:`.senders` (parallel senders over open
connections), :mod:`.lock` (one scanner), :mod:`.run` (:func:`reminders_send`) and
:mod:`.unsubscribe` (the signed opt-out link; the opt-out itself is
``meetings.services.person_reminders_opt_out_set``).
"""

from __future__ import annotations

from composer.reminders.emails import ReminderEmail
from composer.reminders.lock import LOCK_NAME, PG_LOCK_KEY
from composer.reminders.rules import (
    REMINDER_DATE_MAX,
    REMINDER_DATE_MIN,
    overdue_week_start,
    reminders_today,
)
from composer.reminders.run import ReminderRun, reminders_send
from composer.reminders.unsubscribe import (
    UNSUBSCRIBE_SALT,
    person_for_unsubscribe_token,
    reminders_unsubscribe_token,
)

__all__ = [
    "LOCK_NAME",
    "PG_LOCK_KEY",
    "REMINDER_DATE_MAX",
    "REMINDER_DATE_MIN",
    "UNSUBSCRIBE_SALT",
    "ReminderEmail",
    "ReminderRun",
    "overdue_week_start",
    "person_for_unsubscribe_token",
    "reminders_send",
    "reminders_today",
    "reminders_unsubscribe_token",
]
