"""Command-line options shared by ``python -m bench`` and its per-database runs."""

from __future__ import annotations

import argparse
from typing import Any

# Flag name -> BenchSizes field; kept free of Django imports so --help works anywhere.
SIZE_FLAGS = {
    "committees": "committees (1-8)",
    "meetings": "meetings across the committees",
    "actions": "actions (about 5%% open)",
    "people": "people and teams",
    "organisations": "organisations",
    "decisions": "decisions",
    "change_requests": "change requests (with 5-15 IA responses each)",
}
SMALL = {
    "committees": 5,
    "meetings": 50,
    "actions": 5_000,
    "people": 200,
    "organisations": 20,
    "decisions": 400,
    "change_requests": 30,
}
FULL = {
    "committees": 5,
    "meetings": 500,
    "actions": 100_000,
    "people": 2_000,
    "organisations": 100,
    "decisions": 4_000,
    "change_requests": 300,
}
# ``reminders_sink``: the reminder run over SMTP to a 20 ms-per-message sink, 1-8 senders
# (bench.measure_sink); ``stack``: the compose configuration under load (bench.measure_stack).
SECTION_NAMES = ["api", "pages", "report", "reminders", "reminders_sink", "throughput", "stack"]
# Measured alone, on a fresh database with nothing generated: ``--only imports``.
ALONE_SECTIONS = ["imports"]
# Sections run only when asked for by name (--only growth), not by default.
OPTIONAL_SECTIONS = ["growth"]
# The growth table's action counts (python -m bench --growth), and with --small.
GROWTH_ACTIONS = (10_000, 100_000, 300_000)
GROWTH_ACTIONS_SMALL = (1_000, 5_000, 10_000)


def add_common_args(parser: argparse.ArgumentParser) -> None:
    """Sizes, ``--small``, repeats and the sections to run."""
    parser.add_argument(
        "--small",
        action="store_true",
        help="a twentieth of the data, fewer repeats, short load runs (CI; about 2 minutes)",
    )
    for name, help_text in SIZE_FLAGS.items():
        parser.add_argument(
            f"--{name.replace('_', '-')}",
            type=int,
            default=None,
            help=f"{help_text} (default {FULL[name]:,}; --small {SMALL[name]:,})",
        )
    parser.add_argument(
        "--repeats",
        type=int,
        default=None,
        help="timed runs per figure (default 15; --small 5); PDF and reminder runs use fewer",
    )
    parser.add_argument(
        "--only",
        default=",".join(SECTION_NAMES),
        help=f"comma-separated sections to run (default all: {','.join(SECTION_NAMES)}; "
        "also growth: the growth table's cells at this size)",
    )
    parser.add_argument(
        "--load-seconds",
        type=int,
        default=None,
        help="duration of each wrk load run (default 10; --small 3)",
    )
    parser.add_argument("--seed", type=int, default=28, help="random seed of the generator")


def sizes_kwargs(args: argparse.Namespace) -> dict[str, Any]:
    """The BenchSizes keyword arguments the flags ask for."""
    base = SMALL if args.small else FULL
    kwargs = {name: getattr(args, name) or base[name] for name in SIZE_FLAGS}
    kwargs["seed"] = args.seed
    return kwargs


def forward_args(args: argparse.Namespace) -> list[str]:
    """The common flags again, as argv for a child run."""
    argv = ["--only", args.only, "--seed", str(args.seed)]
    if args.small:
        argv.append("--small")
    for name in SIZE_FLAGS:
        value = getattr(args, name)
        if value is not None:
            argv += [f"--{name.replace('_', '-')}", str(value)]
    if args.repeats is not None:
        argv += ["--repeats", str(args.repeats)]
    if args.load_seconds is not None:
        argv += ["--load-seconds", str(args.load_seconds)]
    return argv


def growth_argv(args: argparse.Namespace, actions: int) -> list[str]:
    """argv of one growth run at ``actions`` actions: meetings and decisions grow with them
    (about 200 actions a meeting and 25 a decision, as at full size); the rest is the
    size's (``--small`` or full)."""
    base = SMALL if args.small else FULL
    meetings = max(4 * base["committees"], actions // 200)
    argv = ["--only", "growth", "--seed", str(args.seed), "--actions", str(actions)]
    argv += ["--meetings", str(meetings), "--decisions", str(max(20, actions // 25))]
    if args.small:
        argv.append("--small")
    if args.repeats is not None:
        argv += ["--repeats", str(args.repeats)]
    return argv
