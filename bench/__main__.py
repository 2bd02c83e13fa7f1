"""``python -m bench``: generate a programme's history and print medians against floors.

Runs once on a fresh SQLite file and once on a throwaway PostgreSQL (``scripts/with-postgres``),
each in its own process, then prints one table: median, p10–p90, the floor measured in the
same run, the ratio, query counts and the target with "met" or "MISSED". It never fails on a
time: the exit status is non-zero only when a run could not be carried out at all.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
WORK = ROOT / "var" / "bench"


def _run_on(db: str, args: argparse.Namespace, forward: list[str], name: str = "") -> Path | None:
    """One database's run in its own folder (so two bench runs never share a file); the
    results are copied to ``bench/results/latest-<db>.json`` and the folder removed."""
    WORK.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=f"run-{db}-", dir=WORK))
    out = work / "results.json"
    env = os.environ.copy()
    env["DJANGO_SETTINGS_MODULE"] = "bench.settings"
    env["BENCH_MEDIA_ROOT"] = str(work / "media")
    env["BENCH_WORK_DIR"] = str(work)
    command = [sys.executable, "-m", "bench.run", "--out", str(out), *forward]
    if db == "sqlite":
        env["DATABASE_URL"] = f"sqlite:///{work / 'bench.sqlite3'}"
    else:
        command = [str(ROOT / "scripts" / "with-postgres"), *command]
        env.pop("DATABASE_URL", None)
    print(f"== {db}: python -m bench.run {' '.join(forward)}", file=sys.stderr, flush=True)
    try:
        proc = subprocess.run(command, cwd=ROOT, env=env, check=False)
        if proc.returncode != 0 or not out.exists():
            print(f"== {db}: the run failed (exit {proc.returncode})", file=sys.stderr)
            return None
        latest = RESULTS / f"{name or 'latest'}-{db}.json"
        shutil.copyfile(out, latest)
        return latest
    finally:
        shutil.rmtree(work, ignore_errors=True)


def main(argv: list[str] | None = None) -> int:
    from .cli import add_common_args, forward_args

    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    add_common_args(parser)
    parser.add_argument(
        "--db",
        default="sqlite,postgres",
        help="databases to run on: sqlite, postgres or both (default sqlite,postgres)",
    )
    parser.add_argument("--markdown", type=Path, help="also write the table as Markdown here")
    parser.add_argument(
        "--growth",
        action="store_true",
        help="also the growth table: every page and the API list per role at 10,000, 100,000 "
        "and 300,000 actions (--small: 1,000, 5,000, 10,000); with --only growth, only it",
    )
    args = parser.parse_args(argv)
    forward = forward_args(args)
    started = time.perf_counter()
    RESULTS.mkdir(parents=True, exist_ok=True)

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
    from .harness import Result
    from .table import growth_table, markdown_table, text_table

    growth_only = args.growth and args.only == "growth"
    payloads, failed = ([], []) if growth_only else _run_all(parser, args, forward)
    if args.growth:
        more, more_failed = _run_growth(parser, args)
        payloads, failed = payloads + more, failed + more_failed
    every = [Result.from_dict(r) for p in payloads for r in p["results"]]
    grown = [r for r in every if r.extra.get("growth")]
    results = [r for r in every if not r.extra.get("growth")]
    # Figures of one measurement side by side: SQLite then PostgreSQL.
    order = {}
    for r in results:
        order.setdefault(r.key, len(order))
    results.sort(key=lambda r: order[r.key])
    header = _header(payloads)
    print()
    print("\n".join(header))
    print()
    if results:
        print(text_table(results))
    if grown:
        print()
        print(growth_table(grown))
    print(f"\nTotal {time.perf_counter() - started:.0f}s. Raw figures: {RESULTS}/*.json")
    if args.markdown:
        args.markdown.write_text(
            "\n".join(f"{line}  " for line in header)
            + "\n\n"
            + (markdown_table(results) + "\n\n" if results else "")
            + (growth_table(grown, markdown=True) + "\n" if grown else ""),
            encoding="utf-8",
        )
    return 1 if failed else 0


def _run_all(
    parser: argparse.ArgumentParser, args: argparse.Namespace, forward: list[str]
) -> tuple[list[dict], list[str]]:
    """Each database's run in turn; the payloads of those that finished and the names of
    those that did not (which make the exit status non-zero)."""
    payloads = []
    failed = []
    databases = [d.strip() for d in args.db.split(",") if d.strip()]
    for index, db in enumerate(databases):
        if db not in ("sqlite", "postgres"):
            parser.error(f"unknown database {db!r}")
        # The plain-table PDF baseline does not depend on the database: measure it once.
        extra = [] if index == len(databases) - 1 else ["--no-register-baseline"]
        path = _run_on(db, args, [*forward, *extra])
        if path is None:
            failed.append(db)
        else:
            payloads.append(json.loads(path.read_text(encoding="utf-8")))
    return payloads, failed


def _run_growth(
    parser: argparse.ArgumentParser, args: argparse.Namespace
) -> tuple[list[dict], list[str]]:
    """The growth runs: for each size, each database from a fresh one (generated at that
    size, then ``--only growth``)."""
    from .cli import GROWTH_ACTIONS, GROWTH_ACTIONS_SMALL, growth_argv

    payloads, failed = [], []
    for actions in GROWTH_ACTIONS_SMALL if args.small else GROWTH_ACTIONS:
        for db in [d.strip() for d in args.db.split(",") if d.strip()]:
            if db not in ("sqlite", "postgres"):
                parser.error(f"unknown database {db!r}")
            path = _run_on(db, args, growth_argv(args, actions), name=f"growth-{actions}")
            if path is None:
                failed.append(f"{db} at {actions:,} actions")
            else:
                payloads.append(json.loads(path.read_text(encoding="utf-8")))
    return payloads, failed


def _header(payloads: list[dict]) -> list[str]:
    """The lines above the table: the machine, then what each run generated and how long it
    took, so a figure is read with its load."""
    header = []
    for p in payloads:
        env, gen = p["environment"], p["generated"]
        header.append(
            f"{p['db']}: {env.get('database')}; generated {gen['counts'].get('actions', 0):,} "
            f"actions, {gen['counts'].get('meetings', 0)} meetings in {gen['seconds']:.0f}s; "
            f"run {p['seconds']:.0f}s, load average at its end {env.get('load_average', '?')}"
        )
    if payloads:
        env = payloads[0]["environment"]
        header.insert(
            0,
            f"Machine: {env.get('cpus')} CPUs ({env.get('cpu', '?')}), "
            f"{env.get('memory_gib', '?')} GiB, Python {env.get('python')}",
        )
    return header


if __name__ == "__main__":
    sys.exit(main())
