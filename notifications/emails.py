"""One email to one person: the notifications it carries, in text and HTML.

``templates/notifications/emails/notifications.{txt,html}`` lay it out (the HTML escapes
every value and has a viewport meta tag for phones). Like the reminders, each email carries
List-Unsubscribe (RFC 8058 one-click) with the same signed link: it stops this person's
emails, and the notification settings page turns them back on.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from email.utils import formataddr

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse

from composer.reminders import reminders_unsubscribe_token
from meetings.models import Person
from notifications.models import Kind, Notification


@dataclass(frozen=True)
class Section:
    title: str
    items: list[dict]


def _site() -> str:
    return settings.SITE_URL.rstrip("/")


def sections_of(notifications: Iterable[Notification]) -> list[Section]:
    """Grouped by kind (escalations by their group, "Overdue more than 14 days: 3"), in the
    order of the kinds; each item links to the record through its open-and-mark-read URL."""
    site = _site()
    groups: dict[str, list[dict]] = {}
    counted: set[str] = set()
    for n in sorted(notifications, key=lambda n: (Kind.values.index(n.kind), n.created_at, n.pk)):
        title = n.group if n.kind == Kind.ESCALATION else Kind(n.kind).label
        if n.kind == Kind.ESCALATION:
            counted.add(title)
        groups.setdefault(title, []).append(
            {
                "ref": n.record_ref,
                "text": n.text,
                "url": site + reverse("notification-open", args=[n.pk]),
            }
        )
    return [
        Section(f"{title}: {len(items)}" if title in counted else title, items)
        for title, items in groups.items()
    ]


def notifications_email(
    *, person: Person, notifications: list[Notification], subject: str
) -> EmailMultiAlternatives:
    """The message for ``person`` carrying ``notifications`` (at least one)."""
    site = _site()
    unsubscribe_url = site + reverse(
        "reminders-unsubscribe",
        kwargs={"token": reminders_unsubscribe_token(person_id=person.pk)},
    )
    context = {
        "name": person.name,
        "subject": subject,
        "sections": sections_of(notifications),
        "site_url": site,
        "settings_url": site + reverse("notification-settings"),
        "unsubscribe_url": unsubscribe_url,
    }
    message = EmailMultiAlternatives(
        subject=subject,
        body=render_to_string("notifications/emails/notifications.txt", context),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[formataddr((person.name, person.email))],
        headers={
            "List-Unsubscribe": f"<{unsubscribe_url}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            "Auto-Submitted": "auto-generated",
        },
    )
    message.attach_alternative(
        render_to_string("notifications/emails/notifications.html", context), "text/html"
    )
    return message


def subject_of(notifications: list[Notification]) -> str:
    """``DAG-DEC68: A decision awaiting you (chair)`` for one; ``3 notifications: a decision
    awaiting you (chair) (2), an action assigned to you (1)`` for several."""
    if len(notifications) == 1:
        return f"{notifications[0].record_ref}: {Kind(notifications[0].kind).label}"
    counts = Counter(n.kind for n in notifications)
    kinds = ", ".join(
        f"{Kind(kind).label[0].lower()}{Kind(kind).label[1:]} ({counts[kind]})"
        for kind in Kind.values
        if kind in counts
    )
    return f"{len(notifications)} notifications: {kinds}"
