"""One benchmark run on one database: migrate, generate, measure, write JSON.

``python -m bench`` starts this once per database with ``DATABASE_URL`` pointing at a fresh
SQLite file or a throwaway PostgreSQL; run it directly only against a database you can
throw away (it fills it with generated history).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path
from typing import Any


def main(argv: list[str] | None = None) -> int:
    from .cli import sizes_kwargs

    args, sections = _parse_args(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
    import django

    django.setup()
    if sections == ["imports"]:  # a fresh database of its own: nothing generated
        from .measure_imports import run as imports_run

        return imports_run(args.out, args.repeats)
    # Django is set up only now, so the project's modules are imported from here on.
    from . import measures
    from .generate import BenchSizes

    started = time.perf_counter()
    sizes = BenchSizes(**sizes_kwargs(args))
    generated = _generated(args, sizes)
    ctx = _context(args, generated)
    results = _measure(ctx, sections)
    payload = {
        "db": ctx.db,
        "environment": measures.environment(),
        "generated": generated.as_dict(),
        "sizes": sizes_kwargs(args),
        "seconds": time.perf_counter() - started,
        "results": [r.as_dict() for r in results],
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(payload, indent=2, default=str), encoding="utf-8")
    _say(f"done in {payload['seconds']:.0f}s")
    if args.existing:
        from .table import growth_table, text_table

        plain = [r for r in results if not r.extra.get("growth")]
        grown = [r for r in results if r.extra.get("growth")]
        print("\n\n".join(filter(None, [plain and text_table(plain), growth_table(grown)])))
    return 0


def _parse_args(argv: list[str] | None) -> tuple[argparse.Namespace, list[str]]:
    """The flags and the sections asked for; an unknown section stops the run before any
    database work."""
    from .cli import ALONE_SECTIONS, OPTIONAL_SECTIONS, SECTION_NAMES, add_common_args

    parser = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__)
    add_common_args(parser)
    parser.add_argument("--out", required=True, type=Path, help="where to write the results")
    parser.add_argument(
        "--no-register-baseline",
        action="store_true",
        help="skip the plain-table PDF baseline (a minute at full size; one database is enough)",
    )
    parser.add_argument(
        "--existing",
        action="store_true",
        help="measure the data already in the database (from an earlier run or "
        "generate_bench_data) instead of migrating and generating",
    )
    args = parser.parse_args(argv)
    sections = [s for s in args.only.split(",") if s]
    unknown = set(sections) - set(SECTION_NAMES) - set(ALONE_SECTIONS) - set(OPTIONAL_SECTIONS)
    if unknown:
        parser.error(f"unknown sections: {', '.join(sorted(unknown))}")
    return args, sections


def _say(message: str) -> None:
    """Progress on stderr, tagged with the database, since two runs share the terminal."""
    from django.db import connection

    print(f"[{connection.vendor}] {message}", file=sys.stderr, flush=True)


def _generated(args: argparse.Namespace, sizes: Any) -> Any:
    """The data to measure: what is already there (``--existing``), or a migrated database
    filled by the generator."""
    from django.core.management import call_command

    from .generate import Generated, analyze, generate

    if args.existing:
        from django.utils import timezone

        from actions.models import Action
        from meetings.models import Meeting

        generated = Generated(today=timezone.localdate())
        generated.counts = {
            "actions": Action.objects.count(),
            "meetings": Meeting.objects.count(),
        }
        _say(f"measuring the existing data: {generated.counts}")
        return generated
    _say("migrating")
    call_command("migrate", verbosity=0, interactive=False)
    _say(f"generating {sizes}")
    generated = generate(sizes, progress=_say)
    analyze()
    _say(f"generated in {generated.seconds:.1f}s")
    return generated


def _context(args: argparse.Namespace, generated: Any) -> Any:
    """What every section measures with: the database, the two logins, an API token and the
    repeat counts."""
    from django.contrib.auth import get_user_model
    from django.db import connection
    from rest_framework.authtoken.models import Token

    from . import measures

    user_model = get_user_model()
    pmo = user_model.objects.get(username=generated.pmo_username)
    member = user_model.objects.get(username=generated.member_username)
    token, _ = Token.objects.get_or_create(user=pmo)
    return measures.Context(
        db="PostgreSQL" if connection.vendor == "postgresql" else "SQLite",
        today=generated.today,
        repeats=args.repeats or (5 if args.small else 15),
        pmo=pmo,
        member=member,
        token=token.key,
        small=args.small,
        load_seconds=args.load_seconds or (3 if args.small else 10),
        register_baseline=not args.no_register_baseline,
    )


def _measure(ctx: Any, sections: list[str]) -> list[Any]:
    """Each section asked for, in order, timed for the progress log."""
    from . import measures

    results = []
    for name in sections:
        section = measures.SECTIONS.get(name)
        if section is None:
            continue
        _say(f"measuring {name}")
        section_started = time.perf_counter()
        results.extend(section(ctx))
        _say(f"{name} took {time.perf_counter() - section_started:.1f}s")
    return results


if __name__ == "__main__":
    sys.exit(main())
