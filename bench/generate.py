"""Fill a database with a programme's worth of governance history, fast.

The shapes come from the seed report (``seeds/DAG028-headline-report.txt``): its action,
decision and discussion texts are the templates; refs are made by ``core.refs``; owners
are ``ActionOwner`` rows (an organisation and a person, or a role); areas are agenda items.
Every ref counter (``Committee.last_meeting_number``/``last_decision_seq``,
``Meeting.last_action_seq``, the ``CR``/``DIN`` ``RefCounter``) ends consistent with the rows,
so the services can keep creating records in the generated database.

Rows go in with ``bulk_create`` in batches and no history rows (django-simple-history records
changes made through ``save()``; a bulk load is not a change anyone made). The committees are
not ``DAG``, so the seed report itself can be imported beside the generated history.
"""

from __future__ import annotations

import datetime as dt
import random
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any

from django.db import connection, transaction

from core.list_cache import list_cache_bump
from meetings.models import Committee

from .cli import SMALL
from .generate_actions import actions_and_discussion
from .generate_base import (
    COMMITTEES,
    FIXED_ORGS,
    PROGRAMME_TEAMS,
    SEED_REPORT,
    Build,
    SeedTexts,
    seed_texts,
)
from .generate_meetings import committees_and_meetings, decisions
from .generate_records import change_requests, people_and_logins


@dataclass(frozen=True)
class BenchSizes:
    """How much history to generate. The defaults are the issue's full size."""

    committees: int = 5
    meetings: int = 500
    actions: int = 100_000
    people: int = 2_000
    organisations: int = 100
    decisions: int = 4_000
    change_requests: int = 300
    open_fraction: float = 0.05
    seed: int = 28

    @classmethod
    def small(cls) -> BenchSizes:
        """The ``--small`` size: a twentieth of the data, for CI and a quick look."""
        return cls(**SMALL)

    def __post_init__(self) -> None:
        if not 1 <= self.committees <= len(COMMITTEES):
            raise ValueError(f"committees must be 1..{len(COMMITTEES)}")
        if self.meetings < 2 * self.committees:
            raise ValueError("meetings must be at least two per committee")
        if self.organisations < len(FIXED_ORGS) + 1:
            raise ValueError(f"organisations must be at least {len(FIXED_ORGS) + 1}")
        if self.people < self.organisations + len(PROGRAMME_TEAMS):
            raise ValueError("people must be at least one per organisation plus the teams")
        if self.change_requests < 4:
            raise ValueError("change_requests must be at least 4 (agenda areas name them)")


@dataclass
class Generated:
    """What was generated: row counts per record, the reference date and the timing."""

    today: dt.date
    counts: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0
    pmo_username: str = "bench-pmo"
    member_username: str = "bench-member"

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["today"] = self.today.isoformat()
        return data


@transaction.atomic
def generate(
    sizes: BenchSizes,
    *,
    today: dt.date | None = None,
    progress: Callable[[str], None] | None = None,
) -> Generated:
    """Fill the (empty of these committees) database with ``sizes`` worth of history.

    ``today`` (Europe/London calendar date, default the real today) is where the history
    ends: meetings run up to it with a few planned after it, and open actions' due dates are
    spread around it (about 75% overdue, 5% due within the committee's due-soon window, 20%
    later). Returns the counts of rows made per record. Raises ValueError when one of the
    bench committees already exists (generate into a fresh database).
    """
    from django.utils import timezone

    started = time.perf_counter()
    today = today or timezone.localdate()
    rng = random.Random(sizes.seed)
    say = progress or (lambda _msg: None)
    texts = seed_texts()
    chosen = COMMITTEES[: sizes.committees]
    if Committee.objects.filter(code__in=[c for c, _ in chosen]).exists():
        raise ValueError("The bench committees already exist: generate into a fresh database.")
    out = Generated(today=today)

    build = Build(
        sizes=sizes,
        today=today,
        rng=rng,
        say=say,
        texts=texts,
        chosen=chosen,
        out=out,
        started=started,
    )
    # In this order: each step draws from the one random sequence.
    people_and_logins(build)
    change_requests(build)
    committees_and_meetings(build)
    decisions(build)
    actions_and_discussion(build)
    # Written in bulk, without the signals that replace the register's cached choices and
    # total and the decision register's counts (core.list_cache): replace them here.
    list_cache_bump()
    return out


def analyze() -> None:
    """Refresh the planner's statistics after a bulk load (PostgreSQL ANALYZE, SQLite ANALYZE).

    Without it PostgreSQL plans the first queries against empty-table estimates, which is
    not the state of a database that grew to this size in use.
    """
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


__all__ = [
    "SEED_REPORT",
    "BenchSizes",
    "Generated",
    "SeedTexts",
    "analyze",
    "generate",
    "seed_texts",
]
