"""The search index kept in step with the records (``composer.models.SearchDocument``).

Every save and delete of a registered kind's record writes or removes its document in the
same transaction (Django's ``post_save``/``post_delete``, connected for the registered
models by ``ComposerConfig.ready``), so the services, the imports, the demo loader and the
admin all leave the index filled, and a write that rolls back takes its document with it.
Signals here keep a derived copy in step; they drive no rule of the product. Writes that
bypass ``save()`` (a queryset ``update``) are caught only where they touch the index: a
meeting moved moves its records' dates. ``manage.py rebuild_search_index`` rebuilds it all.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict
from typing import Any

from django.db import transaction
from django.db.models import Model
from django.db.models.signals import post_delete, post_save, pre_delete

from composer.models import SearchDocument
from meetings.models import Meeting

from .registry import KINDS, SearchKind, kind_of

_UPDATED = ["ref", "title", "body", "place", "link", "committee", "meeting", "date"]
REBUILD_BATCH = 500


def _row(kind: SearchKind, record: Any) -> SearchDocument:
    return SearchDocument(kind=kind.name, object_id=record.pk, **asdict(kind.document(record)))


def search_documents_write(kind: SearchKind, records: Iterable[Any]) -> int:
    """Write the documents of ``records`` (of ``kind``), replacing those there: one upsert.
    Returns how many were written."""
    rows = [_row(kind, record) for record in records]
    if rows:
        SearchDocument.objects.bulk_create(
            rows,
            update_conflicts=True,
            unique_fields=["kind", "object_id"],
            update_fields=_UPDATED,
        )
    return len(rows)


def search_document_remove(kind: SearchKind, pk: Any) -> None:
    SearchDocument.objects.filter(kind=kind.name, object_id=pk).delete()


@transaction.atomic
def search_index_rebuild() -> dict[str, int]:
    """Index every record of every kind again, from nothing; returns the count per kind."""
    SearchDocument.objects.all().delete()
    counts = {}
    for kind in KINDS.values():
        counts[kind.name] = 0
        batch: list[Any] = []
        for record in kind.records().order_by("pk").iterator(chunk_size=REBUILD_BATCH):
            batch.append(record)
            if len(batch) == REBUILD_BATCH:
                counts[kind.name] += search_documents_write(kind, batch)
                batch = []
        counts[kind.name] += search_documents_write(kind, batch)
    return counts


def search_index_fill_if_empty(**kwargs: Any) -> None:
    """After ``migrate``: an index still empty beside records (an installation upgraded to
    the search, or a database restored without it) is built, so no one has to remember to."""
    if SearchDocument.objects.exists():
        return
    if any(kind.model._default_manager.exists() for kind in KINDS.values()):
        search_index_rebuild()


# --- the signals ---------------------------------------------------------------------------


def _saved(sender: type[Model], instance: Any, raw: bool = False, **kwargs: Any) -> None:
    if raw:  # a fixture being loaded: its related rows may not be there yet
        return
    kind = kind_of(sender)
    if kind is not None:
        search_documents_write(kind, [instance])
    if isinstance(instance, Meeting):
        # A meeting moved: the records of it are dated by it.
        SearchDocument.objects.filter(meeting_id=instance.pk).update(date=instance.date)
    _related_saved(sender, instance, raw=raw)


def _deleted(sender: type[Model], instance: Any, **kwargs: Any) -> None:
    kind = kind_of(sender)
    if kind is not None:
        search_document_remove(kind, instance.pk)


def _related_saved(sender: type[Model], instance: Any, raw: bool = False, **kwargs: Any) -> None:
    if raw:
        return
    for kind in KINDS.values():
        records = kind.related.get(sender)
        if records is not None:
            search_documents_write(kind, records(instance))


def _related_deleting(sender: type[Model], instance: Any, **kwargs: Any) -> None:
    # Read before the delete, while the records still point at ``instance``.
    instance._search_related = [
        (kind, kind.related[sender](instance)) for kind in KINDS.values() if sender in kind.related
    ]


def _related_deleted(sender: type[Model], instance: Any, **kwargs: Any) -> None:
    for kind, records in getattr(instance, "_search_related", []):
        search_documents_write(kind, records)


def search_index_connect() -> None:
    """Follow the saves and deletes of every registered kind (and of what they depend on)."""
    related = {model for kind in KINDS.values() for model in kind.related}
    for kind in KINDS.values():
        uid = f"search-index-{kind.name}"
        post_save.connect(_saved, sender=kind.model, dispatch_uid=uid)
        post_delete.connect(_deleted, sender=kind.model, dispatch_uid=uid)
    for model in related - {kind.model for kind in KINDS.values()}:
        uid = f"search-index-related-{model._meta.label_lower}"
        post_save.connect(_related_saved, sender=model, dispatch_uid=uid)
    for model in related:
        uid = f"search-index-related-{model._meta.label_lower}"
        pre_delete.connect(_related_deleting, sender=model, dispatch_uid=uid)
        post_delete.connect(_related_deleted, sender=model, dispatch_uid=uid)
