"""Impact assessment chasers: the expected respondents' people are reminded, each once,
``IA_CHASE_DAYS_BEFORE`` days before their due date and once after it passes.

An expected respondent (``changerequests.ExpectedRespondent``) that has not responded, on a
CR still open, is owed a **before** chaser from ``due_date - IA_CHASE_DAYS_BEFORE`` to the due
date, and an **after** chaser from the day after. A run claims an occasion by stamping
``chased_before_at`` / ``chased_after_at`` in one conditional UPDATE (only where it is still
empty), so two runs at once, or a run twice, claim it once; the emails it owes then go, one
to each active person of the organisation with an email address who has not opted out of
reminders, each recorded as an ``ImpactAssessmentChase`` row whose unique key (respondent,
occasion, due date, person) refuses a second. A new due date is a new window: the PMO's
change clears the stamps (``expected_respondent_add``) and its chasers are owed again. A
send that fails is recorded as failed (at most once: whether a half-sent email went is
unknown). Runs daily from the beat schedule
(``composer.ia_chasers_send``, after the reminders).

The email names only the CR (programme-wide, readable by every signed-in user) and the
organisation's own due date.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from email.utils import formataddr
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from changerequests.expected_respondents import ia_pending
from changerequests.models import ExpectedRespondent, ImpactAssessmentChase
from core import roles
from meetings.models import Person

Occasion = ImpactAssessmentChase.Occasion


@dataclass
class ChaseRun:
    """What a run sent: ``(CR ref, organisation, occasion, email)`` per email, and failures."""

    today: dt.date
    sent: list[tuple[str, str, str, str]] = field(default_factory=list)
    failed: list[tuple[str, str, str, str]] = field(default_factory=list)


def _owed(today: dt.date) -> list[tuple[ExpectedRespondent, str]]:
    days = dt.timedelta(days=int(settings.IA_CHASE_DAYS_BEFORE))
    owed = []
    for expected in ia_pending():
        if expected.due_date < today and expected.chased_after_at is None:
            owed.append((expected, Occasion.AFTER))
        elif expected.due_date - days <= today <= expected.due_date and (
            expected.chased_before_at is None
        ):
            owed.append((expected, Occasion.BEFORE))
    return owed


def _claim(expected: ExpectedRespondent, occasion: str) -> bool:
    """Stamp the occasion on the respondent if no run has: True for the run that did."""
    stamp = "chased_after_at" if occasion == Occasion.AFTER else "chased_before_at"
    claimed = ExpectedRespondent.objects.filter(pk=expected.pk, **{f"{stamp}__isnull": True})
    return claimed.update(**{stamp: timezone.now()}) == 1


def _message(expected: ExpectedRespondent, occasion: str, person: Person) -> Any:
    cr = expected.change_request
    site_url = settings.SITE_URL.rstrip("/")
    context = {
        "name": person.name,
        "cr": cr,
        "organisation": expected.organisation.name,
        "due_date": expected.due_date,
        "after": occasion == Occasion.AFTER,
        "url": site_url + reverse("change-request-detail", args=[cr.ref]),
        "site_url": site_url,
    }
    when = "overdue" if occasion == Occasion.AFTER else f"due {expected.due_date:%d/%m/%Y}"
    message = EmailMultiAlternatives(
        subject=f"Impact assessment of {cr.ref} {when}: {expected.organisation.name}'s response",
        body=render_to_string("changerequests/emails/ia_chaser.txt", context),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[formataddr((person.name, person.email.strip()))],
        headers={"Auto-Submitted": "auto-generated"},
    )
    message.attach_alternative(
        render_to_string("changerequests/emails/ia_chaser.html", context), "text/html"
    )
    return message


def _send(expected: ExpectedRespondent, occasion: str, person: Person, run: ChaseRun) -> None:
    try:
        with transaction.atomic():
            chase = ImpactAssessmentChase.objects.create(
                expected_respondent=expected,
                occasion=occasion,
                due_date=expected.due_date,
                person=person,
            )
    except IntegrityError:
        return  # this person was chased for this occasion already
    row = (expected.change_request.ref, expected.organisation.name, occasion, person.email)
    try:
        _message(expected, occasion, person).send()
    except Exception as exc:  # an SMTP refusal, a dropped connection: recorded, not resent
        chase.status, chase.error = ImpactAssessmentChase.Status.FAILED, str(exc)[:2000]
        chase.save(update_fields=["status", "error"])
        run.failed.append(row)
        return
    run.sent.append(row)


def ia_chasers_send(*, today: dt.date | None = None, acting_user: Any) -> ChaseRun:
    """Send the chasers owed on ``today`` (Europe/London date now by default), each once.

    Only the system or the PMO runs them (PermissionDenied otherwise)."""
    roles.require_pmo(acting_user)
    run = ChaseRun(today=today or timezone.localdate())
    for expected, occasion in _owed(run.today):
        if not _claim(expected, occasion):
            continue
        people = Person.objects.active().filter(
            organisation_id=expected.organisation_id, reminders_opt_out=False
        )
        for person in people.exclude(email="").order_by("name"):
            _send(expected, occasion, person, run)
    return run
