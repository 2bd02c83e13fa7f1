"""``manage.py generate_bench_data``: fill this database with a programme's worth of history.

The benchmark data set (``bench.generate``): by default 500 meetings across 5 committees,
100,000 actions, 2,000 people in 100 organisations, 4,000 decisions and 300 change requests
with IA responses; ``--small`` for a twentieth. Meant for a database you can throw away
(``python -m bench`` makes its own); refuses to run twice into one database.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser


class Command(BaseCommand):
    help = "Fill the database with generated governance history for benchmarks."

    def add_arguments(self, parser: CommandParser) -> None:
        from bench.cli import FULL, SIZE_FLAGS, SMALL

        parser.add_argument("--small", action="store_true", help="a twentieth of the data")
        for name, help_text in SIZE_FLAGS.items():
            parser.add_argument(
                f"--{name.replace('_', '-')}",
                type=int,
                default=None,
                help=f"{help_text} (default {FULL[name]:,}; --small {SMALL[name]:,})",
            )
        parser.add_argument("--seed", type=int, default=28, help="random seed")

    def handle(self, *args: Any, **options: Any) -> None:
        from bench.cli import FULL, SIZE_FLAGS, SMALL
        from bench.generate import BenchSizes, analyze, generate

        base = SMALL if options["small"] else FULL
        kwargs = {name: options[name] or base[name] for name in SIZE_FLAGS}
        try:
            sizes = BenchSizes(seed=options["seed"], **kwargs)
            generated = generate(sizes, progress=lambda m: self.stderr.write(m))
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        analyze()
        for name, count in generated.counts.items():
            self.stdout.write(f"{name:>24}: {count:,}")
        self.stdout.write(
            self.style.SUCCESS(
                f"Generated in {generated.seconds:.1f}s (today = {generated.today}). "
                f"Logins: {generated.pmo_username} / bench-pmo (PMO), "
                f"{generated.member_username} / bench-member (Member)."
            )
        )
