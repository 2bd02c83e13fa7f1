"""``manage.py rebuild_search_index``: index every record again (after an upgrade, or a write
that bypassed ``save()``). Saves and deletes keep the index in step otherwise."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from composer.search.index import search_index_rebuild


class Command(BaseCommand):
    help = "Rebuild the search index from every record."

    def handle(self, *args: Any, **options: Any) -> None:
        counts = search_index_rebuild()
        summary = ", ".join(f"{count} {kind}" for kind, count in counts.items())
        self.stdout.write(f"Search index rebuilt: {summary}.")
