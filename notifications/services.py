"""Writing notifications, reading them, and the settings people and the PMO change.

:func:`notifications_write` is called by the receiver of ``core.events.record_event``, inside
the changing transaction: its rows commit or roll back with the change.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from core import roles
from core.actors import is_system
from core.services import validated_save
from meetings.models import Committee, Person
from meetings.services import person_reminders_opt_out_set
from notifications.models import (
    Delivery,
    EmailStatus,
    EscalationRule,
    Kind,
    Notification,
    NotificationPreference,
    default_delivery,
)
from notifications.recipients import Told, record_visible, visible_record_ids


def deliveries_of(person_ids: Iterable[int], kind: str) -> dict[int, str]:
    """Each person's delivery for ``kind`` (their preference, else the default). One query."""
    set_ = dict(
        NotificationPreference.objects.filter(
            person_id__in=list(person_ids), kind=kind
        ).values_list("person_id", "delivery")
    )
    return {pk: set_.get(pk, default_delivery(kind)) for pk in person_ids}


def _email_status(person: Person, delivery: str) -> str:
    emailable = person.email and not person.reminders_opt_out and delivery != Delivery.NEVER
    return EmailStatus.PENDING if emailable else EmailStatus.NONE


def notifications_write(*, told: Told, actor: Any) -> list[Notification]:
    """One notification per person ``told`` names who may open the record, not the actor.

    A person with no active login is told nothing (they could not open it); one without
    an address, opted out of emails, or preferring "never" is told in the app only.
    """
    actor_id = getattr(actor, "pk", None) if not is_system(actor) else None
    people = [
        person
        for person in Person.objects.filter(
            pk__in=sorted(told.person_ids), is_active=True, user__isnull=False
        ).select_related("user")
        if person.user_id != actor_id
        and record_visible(person.user, told.record_type, told.record_id)
    ]
    if not people:
        return []
    deliveries = deliveries_of([p.pk for p in people], told.kind)
    now = timezone.now()
    return Notification.objects.bulk_create(
        [
            Notification(
                recipient=person,
                kind=told.kind,
                record_type=told.record_type,
                record_id=told.record_id,
                record_ref=told.record_ref,
                url=told.url,
                text=told.text,
                group=told.group,
                created_at=now,
                delivery=deliveries[person.pk],
                email_status=_email_status(person, deliveries[person.pk]),
            )
            for person in people
        ]
    )


def notification_list_for(*, user: Any, limit: int = 200) -> list[Notification]:
    """The user's newest notifications, each with ``still_visible``: whether they may still
    open its record (a seat ended or a meeting reclassified since). The text of one they may
    no longer open is not shown, nor its ref. One query per kind of record
    listed, however many notifications."""
    items = list(
        Notification.objects.filter(recipient__user=user).order_by("-created_at", "-id")[:limit]
    )
    wanted: dict[str, set[int]] = {}
    for item in items:
        wanted.setdefault(item.record_type, set()).add(item.record_id)
    visible = {kind: visible_record_ids(user, kind, ids) for kind, ids in wanted.items()}
    for item in items:
        item.still_visible = item.record_id in visible[item.record_type]
    return items


def notifications_unread_count(*, user: Any) -> int:
    """The bell's number: one query."""
    if not getattr(user, "is_authenticated", False):
        return 0
    return Notification.objects.filter(recipient__user=user, read_at__isnull=True).count()


def notification_open(*, notification_id: int, acting_user: Any) -> Notification:
    """Mark the user's own notification read and return it (its ``url`` to go to).

    Raises Notification.DoesNotExist for someone else's notification (the view answers
    404), PermissionDenied when the user may no longer open its record (it is marked read
    all the same: the bell's count must clear).
    """
    with transaction.atomic():
        notification = Notification.objects.select_for_update().get(
            pk=notification_id, recipient__user=acting_user
        )
        if notification.read_at is None:
            notification.read_at = timezone.now()
            notification.save(update_fields=["read_at"])
    if not record_visible(acting_user, notification.record_type, notification.record_id):
        raise PermissionDenied("You may no longer open that record.")
    return notification


@transaction.atomic
def notifications_mark_all_read(*, acting_user: Any) -> int:
    return Notification.objects.filter(recipient__user=acting_user, read_at__isnull=True).update(
        read_at=timezone.now()
    )


def preferences_of(*, person: Person) -> dict[str, str]:
    """Every kind's delivery for ``person`` (defaults filled in)."""
    chosen = dict(person.notification_preferences.values_list("kind", "delivery"))
    return {kind: chosen.get(kind, default_delivery(kind)) for kind in Kind.values}


@transaction.atomic
def notification_preferences_set(
    *, person: Person, deliveries: dict[str, str], emails_on: bool, acting_user: Any
) -> Person:
    """Set ``person``'s delivery per kind, and turn their emails back on (or off).

    ``emails_on`` is the reminders' opt-out (``Person.reminders_opt_out``, which an
    unsubscribe link sets) read the other way: this page is where a person opts back in.
    Allowed to the person's own login and the PMO (PermissionDenied otherwise);
    ValidationError for an unknown kind or delivery.
    """
    if getattr(acting_user, "pk", None) != person.user_id or person.user_id is None:
        roles.require_pmo(acting_user)
    for kind, delivery in deliveries.items():
        if kind not in Kind.values or delivery not in Delivery.values:
            raise ValidationError({kind: "Choose immediately, in the daily digest or never."})
        pref = NotificationPreference.objects.select_for_update().filter(
            person=person, kind=kind
        ).first() or NotificationPreference(person=person, kind=kind)
        if pref.pk is None or pref.delivery != delivery:
            pref.delivery = delivery
            validated_save(pref, acting_user=acting_user)
    return person_reminders_opt_out_set(
        person=person, opt_out=not emails_on, acting_user=acting_user
    )


def escalation_rule_get(*, committee: Committee) -> EscalationRule:
    """The committee's rule (unsaved defaults when none is set)."""
    return EscalationRule.objects.filter(committee=committee).first() or EscalationRule(
        committee=committee
    )


@transaction.atomic
def escalation_rule_set(
    *, committee: Committee, secretariat_after_days: int, chair_after_days: int, acting_user: Any
) -> EscalationRule:
    """Set the committee's escalation days (PMO only). The chair's must be no fewer than the
    secretariat's (ValidationError); 0 turns a level off."""
    roles.require_pmo(acting_user)
    if secretariat_after_days and chair_after_days and chair_after_days < secretariat_after_days:
        raise ValidationError(
            {"chair_after_days": "Escalate to the chair no sooner than to the secretariat."}
        )
    rule = EscalationRule.objects.select_for_update().filter(
        committee=committee
    ).first() or EscalationRule(committee=committee)
    rule.secretariat_after_days = secretariat_after_days
    rule.chair_after_days = chair_after_days
    return validated_save(rule, acting_user=acting_user)
