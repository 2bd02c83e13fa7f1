"""Helpers every service uses: safe counters for refs, validated saves, field changes.

Every save and delete here records the service's ``acting_user`` in the record's history
(:func:`history_user_as`): the person, or no user for :data:`core.actors.SYSTEM`.

Every service is keyword-only, runs in a transaction and validates with the models'
``full_clean`` (fields and constraints), so bad input raises ``ValidationError`` with field
errors, never an ``IntegrityError``. See CONVENTIONS.md "The layers".
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.db.models import F, Value
from django.db.models.functions import Greatest

from core.actors import history_user

ModelT = TypeVar("ModelT", bound=models.Model)


class RecordLockedError(ValidationError):
    """A service's refusal to change a record that a decision has locked (a decided decision,
    a decided change request). A ValidationError, so forms and imports show it like any
    other refusal; the API answers it with 409 Conflict (``core.api.errors``)."""


def counter_take(queryset: models.QuerySet, field: str, *, explicit: int | None = None) -> int:
    """Take the next number from a counter column, safely under concurrency.

    ``queryset`` selects exactly one row (the committee, the meeting, the ``RefCounter``).
    The counter is raised with one ``UPDATE`` (which locks the row on PostgreSQL and takes
    the write lock on SQLite), so two transactions never read the same value. With
    ``explicit`` (a historical ref recorded as given), the counter becomes the larger of
    the two and ``explicit`` is returned. Must run inside ``transaction.atomic``.
    """
    if explicit is None:
        queryset.update(**{field: F(field) + 1})
    else:
        queryset.update(**{field: Greatest(F(field), Value(explicit))})
    value = queryset.values_list(field, flat=True).get()
    return explicit if explicit is not None else value


def number_range_check(*, field: str, value: int | None, maximum: int, minimum: int = 1) -> None:
    """Raise ValidationError on ``field`` unless ``value`` is None or within the range.

    Guards a number given for a ref (``maximum`` from ``core.refs``, such as
    ``MAX_MEETING_NUMBER``) before it moves a counter: a larger one would overflow the
    column (a 500) or give a ref that no URL can name.
    """
    if value is not None and not minimum <= value <= maximum:
        raise ValidationError({field: f"Give a whole number from {minimum} to {maximum}."})


@contextmanager
def history_user_as(instance: models.Model, *, acting_user: Any) -> Iterator[None]:
    """Within the block, history rows of ``instance`` record ``acting_user`` as who changed it.

    django-simple-history reads ``instance._history_user`` before any request-global user,
    so the service's actor is recorded (the system as no user) whatever the interface. It is
    cleared after the block, so a later save of the same object never claims this actor.
    """
    instance._history_user = history_user(acting_user)
    try:
        yield
    finally:
        instance.__dict__.pop("_history_user", None)


def history_delete(instance: models.Model, *, acting_user: Any) -> None:
    """Delete ``instance``; its history row records ``acting_user`` as who deleted it."""
    with history_user_as(instance, acting_user=acting_user):
        instance.delete()


def history_get_or_create(
    model: type[ModelT], *, acting_user: Any, defaults: dict[str, Any] | None = None, **lookup: Any
) -> ModelT:
    """The first ``model`` row matching ``lookup`` (by pk), created with ``defaults`` if missing.

    Like ``get_or_create``, but a new row's history records ``acting_user``; of two
    requests creating the same row at once (a unique constraint on ``lookup``), the loser
    reads the winner's row.
    """
    rows = model._default_manager.filter(**lookup).order_by("pk")
    instance = rows.first()
    if instance is not None:
        return instance
    instance = model(**lookup, **(defaults or {}))
    try:
        with history_user_as(instance, acting_user=acting_user), transaction.atomic():
            instance.save()
    except IntegrityError:  # added by another request since the read above
        instance = rows.first()
        if instance is None:
            raise
    return instance


def validated_save(
    instance: ModelT, *, acting_user: Any, exclude: list[str] | None = None
) -> ModelT:
    """``full_clean`` then save; a constraint lost to a concurrent write becomes a ValidationError.

    Raises ValidationError with field errors for bad values, duplicates and broken
    constraints, so callers (forms, API, imports) can show them to the user. The history
    row records ``acting_user`` (the service's actor) as who made the change.
    """
    instance.full_clean(exclude=exclude)
    try:
        with history_user_as(instance, acting_user=acting_user), transaction.atomic():
            instance.save()
    except IntegrityError as exc:
        raise ValidationError(
            f"This {instance._meta.verbose_name} conflicts with an existing record: {exc}"
        ) from exc
    return instance


def apply_changes(instance: ModelT, changes: dict[str, Any], allowed: set[str]) -> ModelT:
    """Set ``changes`` on ``instance``, refusing fields outside ``allowed``."""
    unknown = set(changes) - allowed
    if unknown:
        raise ValidationError(f"These fields cannot be changed here: {', '.join(sorted(unknown))}.")
    for name, value in changes.items():
        setattr(instance, name, value)
    return instance


def name_length_check(model: type[models.Model], value: str, *, field: str = "name") -> None:
    """Raise ValidationError on ``field`` when ``value`` is longer than the column holds.

    For records created by name on the way (an action's owner, a CR's release): without it
    PostgreSQL refuses the insert (a 500) while SQLite stores the overlong text.
    """
    max_length = model._meta.get_field(field).max_length
    if max_length is not None and len(value) > max_length:
        raise ValidationError(
            {
                field: f"“{value[:40]}…” is {len(value)} characters long; "
                f"{model._meta.verbose_name} {field}s are at most {max_length}."
            }
        )
