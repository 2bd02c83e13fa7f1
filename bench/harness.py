"""Timing with repeats, percentiles, query counts and peak memory; the result record.

A figure is the median of ``repeats`` timed runs after ``warmup`` untimed ones, with the
10th-90th percentile spread beside it, so one slow run on a shared machine moves the
spread, not the figure. Benchmarks print figures; they never fail on a time.
"""

from __future__ import annotations

import json
import math
import os
import resource
import subprocess
import sys
import time
import traceback
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any

from django.db import connection
from django.test.utils import CaptureQueriesContext


class NotAvailableError(Exception):
    """The path being measured does not exist in this tree (yet): the table says so."""


def percentile(values: list[float], q: float) -> float:
    """The ``q``-th percentile (0-100) by linear interpolation between closest ranks."""
    if not values:
        return math.nan
    ordered = sorted(values)
    pos = (len(ordered) - 1) * q / 100
    low = math.floor(pos)
    high = math.ceil(pos)
    return ordered[low] + (ordered[high] - ordered[low]) * (pos - low)


@dataclass
class Stats:
    """Median and 10th/90th percentiles of samples, in the samples' unit."""

    median: float
    p10: float
    p90: float
    n: int

    @classmethod
    def of(cls, samples: list[float]) -> Stats:
        return cls(
            median=percentile(samples, 50),
            p10=percentile(samples, 10),
            p90=percentile(samples, 90),
            n=len(samples),
        )


def time_calls(fn: Callable[[], Any], *, repeats: int, warmup: int = 1) -> list[float]:
    """Call ``fn`` ``warmup`` times untimed, then ``repeats`` times; seconds per call."""
    for _ in range(warmup):
        fn()
    samples = []
    for _ in range(repeats):
        started = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - started)
    return samples


def time_pair(
    fn: Callable[[], Any], floor: Callable[[], Any], *, repeats: int, warmup: int = 1
) -> tuple[list[float], list[float]]:
    """Time ``fn`` and its ``floor`` alternately, so both see the same moments of a noisy
    machine; seconds per call of each, after ``warmup`` untimed calls of each."""
    for _ in range(warmup):
        fn()
        floor()
    samples: list[float] = []
    floor_samples: list[float] = []
    for _ in range(repeats):
        started = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - started)
        started = time.perf_counter()
        floor()
        floor_samples.append(time.perf_counter() - started)
    return samples, floor_samples


def count_queries(fn: Callable[[], Any]) -> tuple[int, Any]:
    """Run ``fn`` once and return (number of SQL queries it sent, its return value)."""
    with CaptureQueriesContext(connection) as ctx:
        value = fn()
    return len(ctx.captured_queries), value


def peak_rss_mb() -> float:
    """This process's peak resident set size so far, in MiB (``ru_maxrss`` is KiB on Linux)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def current_rss_mb() -> float:
    """This process's resident set size now, in MiB (Linux ``/proc/self/statm``)."""
    with open("/proc/self/statm", encoding="ascii") as fh:
        pages = int(fh.read().split()[1])
    return pages * resource.getpagesize() / 1024 / 1024


class RssSampler:
    """Samples the resident set every ``interval`` seconds in a thread; ``peak_mb`` is the
    highest seen. ``ru_maxrss`` alone cannot say what one step needed when start-up
    (imports, Django set-up) reached a higher mark than the step, and memory freed by
    start-up is reused by the step."""

    def __init__(self, interval: float = 0.002) -> None:
        import threading

        self.interval = interval
        self.before_mb = current_rss_mb()
        self.peak_mb = self.before_mb
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak_mb = max(self.peak_mb, current_rss_mb())
            self._stop.wait(self.interval)

    def __enter__(self) -> RssSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.peak_mb = max(self.peak_mb, current_rss_mb())


def run_child(args: list[str], *, timeout: float = 900) -> dict[str, Any]:
    """Run ``python -m bench.<module> args`` in a fresh process; return the JSON it prints last.

    A fresh process is how peak memory is measured: ``ru_maxrss`` is a high-water mark, so
    only a process that did nothing else says what one render needs.
    """
    proc = subprocess.run(
        [sys.executable, "-m", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        env=os.environ.copy(),
        check=False,
    )
    lines = [line for line in proc.stdout.splitlines() if line.startswith("{")]
    if proc.returncode != 0 or not lines:
        raise RuntimeError(
            f"{' '.join(args)} exited {proc.returncode}: {proc.stderr.strip()[-2000:]}"
        )
    return json.loads(lines[-1])


@dataclass
class Result:
    """One row of the table: a figure on one database, its floor, ratio, queries and target.

    ``status`` is ``ok``, ``not available`` (the path is not in this tree) or ``error``
    (it raised; ``note`` holds the message). ``met`` is True/False against ``target`` or
    None where there is no target or no figure.
    """

    key: str
    title: str
    db: str
    unit: str = "ms"
    status: str = "ok"
    value: Stats | None = None
    floor: Stats | None = None
    floor_label: str = ""
    queries: int | None = None
    target: str = ""
    met: bool | None = None
    note: str = ""
    higher_is_better: bool = False
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def ratio(self) -> float | None:
        """How many times the floor's cost: figure/floor, or floor/figure for a rate."""
        if self.value is None or self.floor is None or not self.floor.median:
            return None
        if self.higher_is_better:
            return self.floor.median / self.value.median if self.value.median else None
        return self.value.median / self.floor.median

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["ratio"] = self.ratio
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Result:
        data = dict(data)
        data.pop("ratio", None)
        for name in ("value", "floor"):
            if data.get(name) is not None:
                data[name] = Stats(**data[name])
        return cls(**data)


def guarded(result: Result, fn: Callable[[Result], None]) -> Result:
    """Fill ``result`` with ``fn``; a missing path or an exception becomes the row's status
    (its message goes first in the note, before what ``fn`` had noted already)."""
    try:
        fn(result)
    except NotAvailableError as exc:
        result.status = "not available"
        result.note = "; ".join(filter(None, [str(exc), result.note]))
    except Exception as exc:  # a broken path must not stop the other measurements
        result.status = "error"
        message = f"{type(exc).__name__}: {exc}"[:500]
        result.note = "; ".join(filter(None, [message, result.note]))
        traceback.print_exc(file=sys.stderr)
    return result


def ms(samples: list[float]) -> Stats:
    """Stats of samples given in seconds, expressed in milliseconds."""
    return Stats.of([s * 1000 for s in samples])
