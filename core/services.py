"""Helpers every service uses: safe counters for refs, validated saves, field changes.

Every save and delete here records the service's ``acting_user`` in the record's history
(:func:`history_user_as`): the person, or no user for :data:`core.actors.SYSTEM`.

Every service is keyword-only, runs in a transaction and validates with the models'
``full_clean`` (fields and constraints), so bad input raises ``ValidationError`` with field
errors, never an ``IntegrityError``. See CONVENTIONS.md "The layers".
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.db.models import F, Value
from django.db.models.functions import Greatest

from core.actors import history_user
from core.text import bidi_controls_stripped
from core.times import date_range_errors

ModelT = TypeVar("ModelT", bound=models.Model)
BULK_BATCH = 500  # rows a bulk insert writes per statement


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
    reads the winner's row. Text loses its bidi controls first, as in :func:`validated_save`.
    """
    lookup = {k: bidi_controls_stripped(v) if isinstance(v, str) else v for k, v in lookup.items()}
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


# The database constraints of every app, as a person reads them. Django's own message for a
# check constraint (and a unique one with a condition) is "Constraint “name” is violated.",
# which names the constraint, not the rule; forms, the admin, the API and imports all show
# what a service raises, so the sentence is chosen here, once.
CONSTRAINT_MESSAGES = {
    "action_closed_has_date": "A closed action needs the date it was closed.",
    "action_owner_has_organisation_or_role": "Each owner names an organisation or a role.",
    "action_owner_one_lead": "An action has one lead owner.",
    "action_review_redated_has_date": "A re-dated action needs its new due date.",
    "action_review_unique": "This action is already reviewed at this meeting.",
    "action_seq_positive": "An action's number is a whole number from 1.",
    "action_unique_seq": "This meeting already has an action with that number.",
    "agenda_item_unique_title": "This meeting already has an agenda item with this title.",
    "committee_code_format": "A committee code is 2 to 10 capital letters, such as DAG.",
    "committee_quorum_count_positive": "A quorum is a whole number from 1.",
    "committee_quorum_fraction_range": "A quorum fraction is above 0 and at most 1.",
    "committee_quorum_one_kind": "Give the quorum as a number or as a fraction, not both.",
    "cr_ia_window_order": "The impact assessment cannot close before it opens.",
    "cr_number_positive": "A change request's number is a whole number from 1.",
    "decision_conditions_required": "An approval with conditions needs the conditions.",
    "decision_seq_positive": "A decision's number is a whole number from 1.",
    "decision_unique_seq": "This committee already has a decision with that number.",
    "discussion_reference_unique": "This discussion item already names that reference.",
    "headline_report_issued_has_checksum": "An issued report needs its checksum.",
    "headline_report_version": "This meeting already has a report of that version.",
    "ia_response_conditions_required": "Support with conditions needs the conditions.",
    "ia_response_unique": "This organisation has already responded to this change request.",
    "meeting_end_after_start": "A meeting cannot end before it starts.",
    "meeting_attendance_unique": "This meeting already has an attendance record.",
    "meeting_participant_not_own_substitute": "A participant cannot stand in for themself.",
    "meeting_series_end_after_start": "A meeting of the series cannot end before it starts.",
    "meeting_number_positive": "A meeting's number is a whole number from 1.",
    "meeting_unique_number": "This committee already has a meeting with that number.",
    "membership_end_after_start": "A membership cannot end before it starts.",
    "membership_unique_role": "This person already holds this role on this committee.",
    "person_unique_name_in_organisation": "This organisation already has a person of this name.",
    "person_unique_name_without_organisation": (
        "There is already a person of this name with no organisation."
    ),
}
_DJANGO_CONSTRAINT_MESSAGE = re.compile(r"Constraint “(?P<name>[^”]+)” is violated\.")
CONSTRAINT_FALLBACK = "These values break a rule of the record; check them and try again."


def constraint_message(name: str) -> str:
    """The sentence for the database constraint ``name`` (a person's words, not the name)."""
    return CONSTRAINT_MESSAGES.get(name, CONSTRAINT_FALLBACK)


def constraint_errors_in_words(exc: ValidationError) -> ValidationError:
    """``exc`` with every "Constraint “name” is violated." replaced by its sentence."""

    def words(error: ValidationError) -> ValidationError:
        # Django formats the name into the message and gives no code, so the text is read.
        match = _DJANGO_CONSTRAINT_MESSAGE.fullmatch(str(error.message))
        if match:
            return ValidationError(constraint_message(match["name"]), code="constraint")
        return error

    if hasattr(exc, "error_dict"):
        return ValidationError(
            {field: [words(e) for e in errors] for field, errors in exc.error_dict.items()}
        )
    return ValidationError([words(e) for e in exc.error_list])


def _integrity_message(exc: IntegrityError) -> str | None:
    """The sentence for the constraint an IntegrityError names, when it names one."""
    text = str(exc)
    return next((m for name, m in CONSTRAINT_MESSAGES.items() if name in text), None)


def _text_fields_cleaned(instance: models.Model) -> None:
    """Remove bidi controls from every text field (``core.text``): one place, every save."""
    for field in instance._meta.concrete_fields:
        if isinstance(field, models.CharField | models.TextField):
            value = getattr(instance, field.attname)
            if isinstance(value, str):
                setattr(instance, field.attname, bidi_controls_stripped(value))


def validated_save(
    instance: ModelT, *, acting_user: Any, exclude: list[str] | None = None
) -> ModelT:
    """``full_clean`` then save; a constraint lost to a concurrent write becomes a ValidationError.

    Text fields lose their bidi controls first (:func:`core.text.bidi_controls_stripped`).
    Raises ValidationError with field errors for bad values, dates outside 1990 to 2100
    (``core.times``), duplicates and broken constraints (in words:
    :data:`CONSTRAINT_MESSAGES`), so callers (forms, API, imports) can show them to the
    user. The history row records ``acting_user`` (the service's actor) as who made the
    change.
    """
    _text_fields_cleaned(instance)
    out_of_range = date_range_errors(instance)
    try:
        instance.full_clean(exclude=exclude)
    except ValidationError as exc:
        exc = constraint_errors_in_words(exc)
        if out_of_range:
            exc = ValidationError({**exc.update_error_dict({}), **out_of_range})
        raise exc from None
    if out_of_range:
        raise ValidationError(out_of_range)
    try:
        with history_user_as(instance, acting_user=acting_user), transaction.atomic():
            instance.save()
    except IntegrityError as exc:
        raise ValidationError(
            _integrity_message(exc)
            or f"This {instance._meta.verbose_name} conflicts with an existing record."
        ) from exc
    return instance


def instance_errors(
    instance: models.Model, *, exclude: list[str] | None = None
) -> ValidationError | None:
    """What :func:`validated_save` would refuse in ``instance``'s own values, without a
    query: bidi controls stripped, dates in range, fields and ``clean`` (the foreign keys in
    ``exclude``, given as records the caller holds; uniqueness and constraints are the
    caller's to check, and the database's). None when nothing is wrong."""
    _text_fields_cleaned(instance)
    out_of_range = date_range_errors(instance)
    try:
        instance.full_clean(exclude=exclude, validate_unique=False, validate_constraints=False)
    except ValidationError as exc:
        return ValidationError({**exc.update_error_dict({}), **out_of_range})
    return ValidationError(out_of_range) if out_of_range else None


def history_bulk_create(
    model: type[ModelT], instances: list[ModelT], *, acting_user: Any
) -> list[ModelT]:
    """Insert ``instances`` (checked by :func:`instance_errors`) and their history rows, in
    batches, each history row recording ``acting_user`` as who made the record.

    For an import's many new records: a few queries per batch, not a few per record. No
    ``post_save`` is sent: a caller keeping something derived in step (the search index) does
    so itself. A constraint broken despite the checks is a ValidationError.
    """
    from simple_history.utils import bulk_create_with_history

    user = history_user(acting_user)
    for instance in instances:  # read before any request's user (the system as no user)
        instance._history_user = user  # type: ignore[attr-defined]
    try:
        with transaction.atomic():
            return bulk_create_with_history(
                instances, model, batch_size=BULK_BATCH, default_user=user
            )
    except IntegrityError as exc:
        raise ValidationError(
            _integrity_message(exc)
            or f"A {model._meta.verbose_name} conflicts with an existing record."
        ) from exc
    finally:
        for instance in instances:
            instance.__dict__.pop("_history_user", None)


def history_bulk_update(
    model: type[ModelT], instances: list[ModelT], fields: list[str], *, acting_user: Any
) -> None:
    """Save ``fields`` of ``instances`` (checked by the caller) and their history rows, in
    batches, each recording ``acting_user``; as :func:`history_bulk_create`, no signals."""
    from simple_history.utils import bulk_update_with_history

    user = history_user(acting_user)
    for instance in instances:
        instance._history_user = user  # type: ignore[attr-defined]
    try:
        with transaction.atomic():
            bulk_update_with_history(
                instances, model, fields, batch_size=BULK_BATCH, default_user=user
            )
    finally:
        for instance in instances:
            instance.__dict__.pop("_history_user", None)


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
