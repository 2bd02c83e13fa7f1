"""The history of a record as people read it: who, when, and old → new for each field.

Built from django-simple-history rows (every service records its ``acting_user`` there, see
``core.services.history_user_as``). One read model for every record page: each page passes
the history rows of its record (and of the records shown with it: an action's owners, a
meeting's agenda and discussion items, a CR's IA responses), and ``templates/_history.html``
renders the entries. Values are shown as people read them: a foreign key by its record's
name, a choice by its label, a date as a date, a text change as a word diff.
"""

from __future__ import annotations

import datetime as dt
import difflib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db import models
from django.utils import timezone
from django.utils.html import escape, strip_tags
from django.utils.safestring import SafeString, mark_safe

# Fields no reader needs in a history: keys, bookkeeping and sort columns.
SKIPPED_FIELDS = {"id", "created_at", "updated_at", "ref_sort"}
# A text longer than this (or with a line break) is shown as a word diff, not old → new.
SHORT_TEXT = 80


@dataclass
class FieldChange:
    """One field's change: its label, the old and new values as text, and for a text field
    the word diff (``<del>``/``<ins>``) of the two."""

    label: str
    old: str
    new: str
    diff: SafeString | None = None


@dataclass
class HistoryEntry:
    """One recorded change: when, who, what kind (recorded, changed, deleted), of which
    record (``subject``; empty for the page's own record) and its field changes."""

    at: dt.datetime
    who: str
    kind: str
    subject: str = ""
    changes: list[FieldChange] = field(default_factory=list)

    @property
    def is_change(self) -> bool:
        return self.kind == "Changed"


def actor_name(user: Any) -> str:
    """The name a history shows for ``user``: their person's name, full name or username;
    "System" for a change the product made (an import, a task)."""
    if user is None:
        return "System"
    person = getattr(user, "person", None)
    if person is not None and getattr(person, "name", ""):
        return person.name
    return user.get_full_name() or user.username


def word_diff(old: str, new: str) -> SafeString:
    """``new`` with the words taken out of ``old`` in ``<del>`` and those added in ``<ins>``."""
    old_words, new_words = old.split(), new.split()
    parts: list[str] = []
    matcher = difflib.SequenceMatcher(a=old_words, b=new_words, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            parts.append(escape(" ".join(old_words[i1:i2])))
            continue
        if tag in ("delete", "replace"):
            parts.append(f"<del>{escape(' '.join(old_words[i1:i2]))}</del>")
        if tag in ("insert", "replace"):
            parts.append(f"<ins>{escape(' '.join(new_words[j1:j2]))}</ins>")
    return mark_safe(" ".join(parts))  # noqa: S308 - every word is escaped


class ValueNames:
    """Display names of field values: choices by label, foreign keys by their record's name
    (read once per field for all the ids a history holds), dates as dates."""

    def __init__(self, model: type[models.Model], html_fields: set[str] | None = None) -> None:
        self.model = model
        self.related: dict[str, dict[Any, str]] = {}
        # Fields holding sanitised HTML (a discussion item's text): compared as their text.
        self.html_fields = html_fields or set()

    def field(self, name: str) -> models.Field | None:
        try:
            return self.model._meta.get_field(name)
        except Exception:  # a field removed since the row was written
            return None

    def label(self, name: str) -> str:
        model_field = self.field(name)
        return str(getattr(model_field, "verbose_name", name)).capitalize()

    def preload(self, name: str, ids: set[Any]) -> None:
        model_field = self.field(name)
        if model_field is None or not model_field.is_relation:
            return
        known = self.related.setdefault(name, {})
        missing = {i for i in ids if i is not None and i not in known}
        if missing:
            rows = model_field.related_model._default_manager.filter(pk__in=missing)
            known.update({row.pk: str(row) for row in rows})

    def display(self, name: str, value: Any) -> str:
        if value is None or value == "":
            return "—"
        model_field = self.field(name)
        if model_field is not None and model_field.is_relation:
            return self.related.get(name, {}).get(value, f"#{value} (deleted)")
        if model_field is not None and model_field.choices:
            return str(dict(model_field.flatchoices).get(value, value))
        if isinstance(value, bool):
            return "Yes" if value else "No"
        if isinstance(value, dt.datetime):
            return (
                f"{timezone.localtime(value) if timezone.is_aware(value) else value:%d %b %Y %H:%M}"
            )
        if isinstance(value, dt.date):
            return f"{value:%d %b %Y}"
        return str(value)

    def change(self, name: str, old: Any, new: Any) -> FieldChange:
        if name in self.html_fields:
            old, new = strip_tags(old or ""), strip_tags(new or "")
        old_text, new_text = self.display(name, old), self.display(name, new)
        change = FieldChange(self.label(name), old_text, new_text)
        is_text = isinstance(old, str) and isinstance(new, str) and bool(old) and bool(new)
        if is_text and (max(len(old), len(new)) > SHORT_TEXT or "\n" in old + new):
            change.diff = word_diff(old, new)
        return change


def _tracked(rows: list[Any], skipped: set[str]) -> list[str]:
    if not rows:
        return []
    return [f.name for f in rows[0].tracked_fields if f.editable and f.name not in skipped]


def history_entries(
    rows: Iterable[Any],
    *,
    subject: Callable[[Any], str] | None = None,
    skipped: set[str] | None = None,
    html_fields: set[str] | None = None,
) -> list[HistoryEntry]:
    """The entries of simple-history ``rows`` (of one model, any number of its records):
    each row against the previous row of the same record.

    ``subject(row)`` names the record in each entry (a meeting's agenda item); ``skipped``
    adds fields to leave out (counters the services keep); ``html_fields`` hold sanitised
    HTML, compared as their text.
    """
    rows = sorted(rows, key=lambda r: (r.history_date, r.history_id))
    skip = SKIPPED_FIELDS | (skipped or set())
    names = ValueNames(rows[0].instance_type, html_fields) if rows else None
    tracked = _tracked(rows, skip)
    previous: dict[Any, Any] = {}
    pairs: list[tuple[Any, Any, list[Any]]] = []
    for row in rows:
        older = previous.get(row.id)
        deltas = []
        if older is not None and row.history_type == "~":
            deltas = row.diff_against(older, included_fields=tracked).changes
            deltas.sort(key=lambda d: tracked.index(d.field))  # in the model's field order
        pairs.append((row, older, deltas))
        previous[row.id] = row
    if names is not None:
        for name in tracked:
            ids = {getattr(r, f"{name}_id", None) for r in rows if hasattr(r, f"{name}_id")}
            if ids:
                names.preload(name, ids)
    entries = []
    for row, _older, deltas in pairs:
        kind = {"+": "Recorded", "-": "Deleted"}.get(row.history_type, "Changed")
        changes = [names.change(d.field, d.old, d.new) for d in deltas] if names else []
        if kind == "Changed" and not changes:
            continue  # saved with nothing changed a reader could see
        entries.append(
            HistoryEntry(
                at=row.history_date,
                who=actor_name(row.history_user),
                kind=kind,
                subject=subject(row) if subject else "",
                changes=changes,
            )
        )
    return entries


def list_changes(
    events: Iterable[tuple[dt.datetime, Any, Any, str, bool]],
    *,
    label: str,
    window: dt.timedelta = dt.timedelta(seconds=2),
) -> list[HistoryEntry]:
    """The changes of a list held in rows of its own (an action's owners) as old → new.

    ``events`` are ``(when, user, row key, display, is_present_after)``, one per history row.
    A service replaces the whole list in one go (each row saved a moment after the other);
    events of one user within ``window`` of each other are read as one change, and one
    that leaves the list as it was (the same owners written again) is not shown.
    """
    current: dict[Any, str] = {}
    entries: list[HistoryEntry] = []
    group: list[tuple[dt.datetime, Any, Any, str, bool]] = []

    def flush() -> None:
        if not group:
            return
        before = list(current.values())
        for _at, _user, key, display, present in group:
            if present:
                current[key] = display
            else:
                current.pop(key, None)
        after = list(current.values())
        if before != after:
            old, new = "; ".join(before) or "—", "; ".join(after) or "—"
            entries.append(
                HistoryEntry(
                    at=group[-1][0],
                    who=actor_name(group[-1][1]),
                    kind="Changed",
                    changes=[FieldChange(label, old, new)],
                )
            )
        group.clear()

    for event in sorted(events, key=lambda e: e[0]):
        if group and (event[1] != group[-1][1] or event[0] - group[-1][0] > window):
            flush()
        group.append(event)
    flush()
    return entries


def entries_join(
    entries: list[HistoryEntry],
    extra: list[HistoryEntry],
    *,
    window: dt.timedelta = dt.timedelta(seconds=2),
) -> list[HistoryEntry]:
    """``entries`` with each of ``extra`` folded into the entry of the same save (same
    person, within ``window``, not a deletion): one edit of an action and its owners reads
    as one entry. An extra entry with no such partner stays an entry of its own."""
    alone = []
    for entry in extra:
        partner = next(
            (
                e
                for e in entries
                if e.who == entry.who and e.kind != "Deleted" and abs(e.at - entry.at) <= window
            ),
            None,
        )
        if partner is None:
            alone.append(entry)
        else:
            partner.changes.extend(entry.changes)
    return entries + alone


def history_merge(*lists: list[HistoryEntry]) -> list[HistoryEntry]:
    """The entries of several records as one history, newest first."""
    merged = [entry for entries in lists for entry in entries]
    return sorted(merged, key=lambda e: e.at, reverse=True)


def record_values(instance: models.Model, names: Iterable[str]) -> dict[str, str]:
    """The fields ``names`` of ``instance`` as a history shows them (``{"Due date": "…"}``),
    for a form to remember what its user read (``core.concurrency``)."""
    display = ValueNames(type(instance))
    values = {}
    for name in names:
        model_field = display.field(name)
        if model_field is not None and model_field.is_relation:
            related = getattr(instance, name)
            values[display.label(name)] = str(related) if related is not None else "—"
        else:
            values[display.label(name)] = display.display(name, getattr(instance, name))
    return values
