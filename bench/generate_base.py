"""The generator's shared parts: the shapes of the data, the seed's texts, the row helpers,
and the state one run passes from step to step (``bench.generate``)."""

from __future__ import annotations

import datetime as dt
import random
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import models

from changerequests.models import ImpactAssessmentResponse
from core import refs
from decisions.models import Decision

LONDON = ZoneInfo("Europe/London")
SEED_REPORT = Path(settings.BASE_DIR) / "seeds" / "DAG028-headline-report.txt"
BATCH = 2000

# Real MHHS governance groups other than DAG (DAG itself comes from the seed report).
COMMITTEES = [
    ("DRG", "Design Resolution Group"),
    ("PSG", "Programme Steering Group"),
    ("TMAG", "Testing and Migration Advisory Group"),
    ("CCAG", "Cross Code Advisory Group"),
    ("QWG", "Qualification Working Group"),
    ("EMAG", "Environments Management Advisory Group"),
    ("SITWG", "System Integration Testing Working Group"),
    ("ISG", "Implementation Steering Group"),
]
ROLE_OWNERS = ["Chair", "Large Supplier Representative", "Small Supplier Representative"]
PROGRAMME_TEAMS = ["PMO", "Testing Team", "Design Team", "Migration Team", "DIP Team"]
FIRST = [
    "Rob",
    "Fraser",
    "Berlinda",
    "Paul",
    "Matt",
    "Haz",
    "Sarah",
    "Priya",
    "Tom",
    "Anna",
    "James",
    "Olivia",
    "Ravi",
    "Chloe",
    "Daniel",
    "Grace",
    "Simon",
    "Aisha",
    "Mark",
    "Emma",
    "Kwame",
    "Laura",
    "Peter",
    "Zoe",
    "Ian",
    "Fatima",
    "Neil",
    "Helen",
    "Omar",
    "Ruth",
]
LAST = [
    "Short",
    "Mathieson",
    "Kugara",
    "Pettitt",
    "McKeon",
    "Elmamoun",
    "Jones",
    "Patel",
    "Brown",
    "Wilson",
    "Taylor",
    "Khan",
    "Davies",
    "Evans",
    "Thomas",
    "Roberts",
    "Walker",
    "Wright",
    "Green",
    "Hall",
    "Wood",
    "Clarke",
    "Hughes",
    "Lewis",
    "Young",
    "Mensah",
    "Okafor",
    "Murray",
    "Reid",
    "Fletcher",
    "Begum",
    "Shah",
    "Turner",
    "Price",
    "Bennett",
    "Ward",
    "Cooper",
    "Hill",
]
ORG_KINDS = ["Energy", "Power", "Supply", "Metering", "Data Services", "Networks", "Retail"]
FIXED_ORGS = ["Programme", "RECCo", "Elexon", "DCUSA", "Avanade", "Ofgem"]
FIXED_AREAS = ["Minutes and Actions", "Design (DIN)", "Top Programme Risks", "AOB"]
POSITIONS = [
    (ImpactAssessmentResponse.Position.SUPPORT, 55),
    (ImpactAssessmentResponse.Position.SUPPORT_WITH_CONDITIONS, 15),
    (ImpactAssessmentResponse.Position.NEUTRAL, 20),
    (ImpactAssessmentResponse.Position.OPPOSE, 10),
]
DECISION_STATUSES = [
    (Decision.Status.APPROVED, 80),
    (Decision.Status.APPROVED_WITH_CONDITIONS, 8),
    (Decision.Status.REJECTED, 4),
    (Decision.Status.DEFERRED, 4),
    (Decision.Status.WITHDRAWN, 4),
]


@dataclass(frozen=True)
class SeedTexts:
    """Texts of the seed report, used as templates for generated records."""

    actions: list[str]
    decisions: list[str]
    discussion: list[str]


def seed_texts(path: Path = SEED_REPORT) -> SeedTexts:
    """Action, decision and discussion texts of the seed report (tab-separated rows)."""
    action_re = re.compile(r"^DAG\d+(?:\.\d+)?-\d+$")
    decision_re = re.compile(r"^DAG-DEC\d+$")
    actions, decisions, discussion = [], [], []
    in_discussion = False
    for line in path.read_text(encoding="utf-8").splitlines():
        if "Key Discussion Items" in line:
            in_discussion = True
            continue
        cells = line.split("\t")
        if in_discussion:
            if len(cells) >= 2 and len(cells[1]) > 60:
                discussion.append(cells[1].strip())
            continue
        for i, cell in enumerate(cells[:-1]):
            if action_re.match(cell.strip()):
                actions.append(cells[i + 1].strip())
            elif decision_re.match(cell.strip()):
                decisions.append(cells[i + 1].strip())
    return SeedTexts(actions=actions, decisions=decisions, discussion=discussion)


def _weighted(rng: random.Random, choices: list[tuple[Any, int]]) -> Any:
    return rng.choices([c for c, _ in choices], weights=[w for _, w in choices])[0]


def _split(rng: random.Random, total: int, parts: int) -> list[int]:
    """``total`` split into ``parts`` uneven non-negative counts (each within ±50% of mean)."""
    weights = [rng.uniform(0.5, 1.5) for _ in range(parts)]
    scale = total / sum(weights)
    counts = [int(w * scale) for w in weights]
    for i in rng.sample(range(parts), total - sum(counts)):
        counts[i] += 1
    return counts


def _batches(rows: list[Any], size: int = BATCH) -> Iterator[list[Any]]:
    for start in range(0, len(rows), size):
        yield rows[start : start + size]


def _bulk(model: type[models.Model], rows: list[Any]) -> list[Any]:
    created: list[Any] = []
    for chunk in _batches(rows):
        created.extend(model.objects.bulk_create(chunk))
    return created


def _local(day: dt.date, hour: int = 10) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, tzinfo=LONDON)


def _cr_texts(text: str, rng: random.Random, cr_numbers: list[int], code: str) -> str:
    text = text.replace("DAG", code)
    return re.sub(r"CR0\d\d", lambda _: refs.change_request_ref(rng.choice(cr_numbers)), text)


@dataclass
class Build:
    """One generation run's state, filled step by step. The steps run in the order one long
    function ran them, so the random sequence, and so the data, is the same for a seed."""

    sizes: Any
    today: dt.date
    rng: random.Random
    say: Callable[[str], None]
    texts: SeedTexts
    chosen: list[tuple[str, str]]
    out: Any
    started: float
    organisations: list[Any] = field(default_factory=list)
    programme: Any = None
    individuals: list[Any] = field(default_factory=list)
    owner_pool: list[Any] = field(default_factory=list)
    teams: list[Any] = field(default_factory=list)
    org_by_id: dict[int, Any] = field(default_factory=dict)
    crs: list[Any] = field(default_factory=list)
    cr_numbers: list[int] = field(default_factory=list)
    committees: list[Any] = field(default_factory=list)
    chairs: dict[int, Any] = field(default_factory=dict)
    held_meetings: list[Any] = field(default_factory=list)
    areas_by_meeting: dict[int, list[Any]] = field(default_factory=dict)

    @property
    def counts(self) -> dict[str, int]:
        return self.out.counts
