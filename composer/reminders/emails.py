"""Writing the emails: one per person per run, text and HTML, from the templates.

``templates/actions/emails/reminders.{txt,html}`` lay out the email and
``reminder_row.{txt,html}`` one action in it; the HTML templates escape every value. A row is
rendered once per run and action (and meeting date, which decides "due by the meeting"),
then reused: one action appears in several emails when it has co-owners or seat holders.
The templates are compiled once per run and rendered with a plain Context; the rows are
filled in from each shape's one render (:mod:`.stamps`).

Each email links to the action pages and carries a List-Unsubscribe header (RFC 8058
one-click) for the per-person opt-out. Each action row carries the one-click links of
:mod:`composer.email_links` ("done, please close", "need more time", "add a note"): they name
the person, so a shared row is rendered with placeholders that each email signs for its
recipient (:func:`sign_action_links`).
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from email.utils import formataddr
from typing import Any, NamedTuple

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMultiAlternatives
from django.db.models import F
from django.template import Context
from django.template.loader import get_template
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe

from actions.models import Action
from actions.rows import ActionRow, action_rows
from changerequests.expected_respondents import ia_pending_by_person
from composer.digest_sections import digest_sections
from composer.email_links import EmailLinkSigner, email_link_token
from composer.reminders.candidates import Candidates, MeetingRow, Recipient
from composer.reminders.rules import KIND_ORDER, LONDON, Kind, ReminderKey
from composer.reminders.stamps import TemplateStamp
from composer.reminders.unsubscribe import unsubscribe_signer
from core.visibility import visible_meeting_ids
from meetings.models import Meeting

# The chasing kinds in the order an email lists them, with their section titles and their
# words in a subject.
_CHASED_KINDS = (
    (Kind.OVERDUE, "Overdue", "overdue"),
    (Kind.DUE_TODAY, "Due today", "due today"),
    (Kind.DUE_SOON, "Due soon", "due soon"),
)


@dataclass
class ReminderEmail:
    """One email of a run: who it went to and what it named.

    ``reminders`` maps a kind (``ReminderLog.Kind`` value) to the refs it covered: action refs
    for due soon / due today / overdue, meeting refs for digests. ``error`` is empty when the
    email went (or, in a dry run, would go).
    """

    person_id: int
    name: str
    email: str
    subject: str = ""
    reminders: dict[str, list[str]] = field(default_factory=dict)
    error: str = ""

    def describe(self) -> str:
        """``Rob Short <rob@example.org>: meeting digest DAG029; due soon DAG28-01``."""
        labels = dict(Kind.choices)
        parts = [
            f"{labels[kind].lower()} {', '.join(refs)}"
            for kind, refs in sorted(self.reminders.items(), key=lambda kv: KIND_ORDER[kv[0]])
        ]
        return f"{formataddr((self.name, self.email))}: {'; '.join(parts)}"


class Row(NamedTuple):
    """One action as rendered: its text lines, its HTML table row, and whether it falls due
    by the meeting of the digest it is listed in."""

    text: str
    html: str
    by_meeting: bool


@dataclass
class Composer:
    """Builds one person's email from the keys held for them; templates compiled once."""

    today: dt.date
    found: Candidates
    site_url: str = field(default_factory=lambda: settings.SITE_URL.rstrip("/"))

    def __post_init__(self) -> None:
        # The compiled templates themselves: rendered with a plain Context, once per email
        # (once per row for the rows).
        self.text_template = get_template("actions/emails/reminders.txt").template
        self.html_template = get_template("actions/emails/reminders.html").template
        # The rows, thousands a run, are filled in rather than rendered (.stamps).
        self.row_text = TemplateStamp(
            get_template("actions/emails/reminder_row.txt").template, autoescape=False
        )
        self.row_html = TemplateStamp(get_template("actions/emails/reminder_row.html").template)
        self.unsubscribe_url = self.site_url + reverse(
            "reminders-unsubscribe", kwargs={"token": "__TOKEN__"}
        )
        self.signer = unsubscribe_signer()
        # One signer for the run's one-click links (tens of thousands of tokens).
        self.link_signer = EmailLinkSigner()
        self.link_base = self.site_url + reverse("email-link", kwargs={"token": "__T__"})
        # The actions the run's keys name, as every list shows an action (two queries).
        self.actions = {
            row.pk: row
            for row in action_rows(
                Action.objects.filter(pk__in=sorted(self.found.action_ids)), today=self.today
            )
        }
        # Other apps' sections (notifications, escalations), read once for the run's people
        # (composer.digest_sections).
        self.extra_sections = digest_sections(
            person_ids=sorted(self.found.people), today=self.today
        )
        # Impact assessments awaiting each person's organisation (a section of their email).
        self.ia_pending = ia_pending_by_person()
        self._rows: dict[tuple[int, dt.date | None], Row] = {}
        self._dates: dict[dt.date, str] = {}
        self._readers: MeetingReaders | None = None

    def _date(self, day: dt.date | None) -> str:
        """``Wed 11 Oct 2023`` (cached: a run meets few distinct dates)."""
        if day is None:
            return "–"
        label = self._dates.get(day)
        if label is None:
            label = self._dates[day] = f"{day:%a} {day.day} {day:%b %Y}"
        return label

    def _state(self, action: ActionRow) -> str:
        due = action.due_date
        if action.status == Action.Status.PROPOSED_CLOSURE:
            return "closure proposed"
        if due is None:
            return "no due date"
        days = (due - self.today).days
        if days == 0:
            return "due today"
        if days > 0:
            return f"due in {days} day{'s' if days != 1 else ''}"
        return f"overdue by {-days} day{'s' if days != -1 else ''}"

    def _row(self, action: ActionRow, meeting_date: dt.date | None) -> Row:
        """One action's row, rendered on its first use in the run."""
        key = (action.pk, meeting_date)
        row = self._rows.get(key)
        if row is None:
            due = action.due_date
            by_meeting = meeting_date is not None and due is not None and due <= meeting_date
            values = {
                "ref": action.ref,
                "description": action.description,
                "due": self._date(due),
                "state": self._state(action),
                "overdue": action.is_overdue,
                "by_meeting": by_meeting,
                "url": self.site_url + action.url,
                **self._link_placeholders(action),
            }
            row = self._rows[key] = Row(
                text=self.row_text.render(values),
                html=self.row_html.render(values),
                by_meeting=by_meeting,
            )
        return row

    def _link_placeholders(self, action: ActionRow) -> dict[str, str]:
        """The row's one-click links, with a placeholder each email signs for its reader."""
        base = self.link_base
        links = {
            f"act_{purpose}_url": base.replace("__T__", f"__ACT_{action.pk}_{purpose}__")
            for purpose in ("close", "redate", "note")
        }
        links["act_close_url"] = (
            "" if action.status == Action.Status.PROPOSED_CLOSURE else links["act_close_url"]
        )
        return links

    def _rows_of(
        self, actions: Iterable[ActionRow], meeting_date: dt.date | None = None
    ) -> dict[str, Any]:
        rows = [self._row(a, meeting_date) for a in actions]
        return {
            "rows": rows,
            # The rows as the email shows them, joined here rather than by a template loop
            # (each row already rendered and escaped: .stamps).
            "rows_text": mark_safe("".join(r.text for r in rows)),  # noqa: S308
            "rows_html": mark_safe("".join(r.html for r in rows)),  # noqa: S308
            "count": len(rows),
            "due_by_count": sum(1 for r in rows if r.by_meeting),
        }

    def _key_order(self, key: ReminderKey) -> tuple:
        """Digests first (by date), then overdue, due today, due soon, each by due date, ref."""
        if key.meeting_id is not None:
            meeting = self.found.meetings[key.meeting_id]
            return (KIND_ORDER[key.kind], key.reminder_date, meeting.ref)
        action = self.actions[key.action_id]
        return (KIND_ORDER[key.kind], action.due_date, action.ref)

    def _digest(self, person_id: int, meeting_id: int) -> tuple[dict[str, Any], set[int]]:
        """A meeting digest's part of the email, and the ids of the actions it lists."""
        meeting = self.found.meetings[meeting_id]
        committee = self.found.committees[meeting.committee_id]
        action_ids = self.found.open_by_person[(person_id, meeting.committee_id)]
        actions = sorted(
            (self.actions[a] for a in action_ids),
            key=lambda a: (a.due_date or dt.date.max, a.ref),
        )
        start_at = timezone.localtime(meeting.start_at, LONDON)
        if self._readers is None:
            self._readers = MeetingReaders(self.found.meetings.values(), self.found.people)
        digest = {
            "meeting_ref": meeting.ref,
            # A meeting its recipient may not open is not named, only dated.
            "meeting_label": (
                meeting.ref if self._readers.may_open(person_id, meeting_id) else "a meeting"
            ),
            "committee_name": committee.name,
            "when": f"{start_at:%A} {start_at.day} {start_at:%B %Y at %H:%M}",
            "date": f"{start_at.day} {start_at:%B %Y}",
            **self._rows_of(actions, meeting.date),
        }
        return digest, action_ids

    def compose(
        self, recipient: Recipient, keys: list[ReminderKey]
    ) -> tuple[ReminderEmail, EmailMultiAlternatives]:
        """The summary and the EmailMultiAlternatives message for one person.

        An action listed in a digest is not repeated in the chasing sections below it.
        """
        summary = ReminderEmail(recipient.person_id, recipient.name, recipient.email)
        digests = []
        listed: set[int] = set()
        chased: dict[str, list[ActionRow]] = defaultdict(list)
        for key in sorted(keys, key=self._key_order):
            if key.meeting_id is not None:
                digest, action_ids = self._digest(recipient.person_id, key.meeting_id)
                digests.append(digest)
                listed.update(action_ids)
                summary.reminders.setdefault(key.kind, []).append(digest["meeting_ref"])
            else:
                action = self.actions[key.action_id]
                chased[key.kind].append(action)
                summary.reminders.setdefault(key.kind, []).append(action.ref)
        sections = []
        for kind, title, _ in _CHASED_KINDS:
            actions = [a for a in chased[kind] if a.pk not in listed]
            if actions:
                sections.append({"title": title, **self._rows_of(actions)})
        for refs in summary.reminders.values():
            refs.sort()
        summary.subject = _subject(digests, chased)
        return summary, self._message(recipient, summary.subject, digests, sections)

    def _message(
        self, recipient: Recipient, subject: str, digests: list[dict], sections: list[dict]
    ) -> EmailMultiAlternatives:
        """The message itself: text body, HTML alternative, the opt-out headers."""
        unsubscribe_url = self.unsubscribe_url.replace(
            "__TOKEN__", self.signer.sign(str(recipient.person_id))
        )
        # The text and the HTML carry the same links: each token is signed once per email.
        tokens: dict[str, str] = {}
        context = {
            "name": recipient.name,
            "digests": digests,
            "sections": sections,
            "extra_sections": self.extra_sections.get(recipient.person_id, []),
            "ia_pending": [
                {
                    "ref": expected.change_request.ref,
                    "title": expected.change_request.title,
                    "organisation": expected.organisation.name,
                    "due": self._date(expected.due_date),
                    "overdue": expected.due_date < self.today,
                    "url": self.site_url
                    + reverse("change-request-detail", args=[expected.change_request.ref]),
                }
                for expected in self.ia_pending.get(recipient.person_id, ())
            ],
            "unsubscribe_url": unsubscribe_url,
            "site_url": self.site_url,
        }
        message = EmailMultiAlternatives(
            subject=subject,
            body=sign_action_links(
                self.text_template.render(Context(context, autoescape=False)),
                person_id=recipient.person_id,
                tokens=tokens,
                signer=self.link_signer,
            ),
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[formataddr((recipient.name, recipient.email))],
            headers={
                "List-Unsubscribe": f"<{unsubscribe_url}>",
                "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
                "Auto-Submitted": "auto-generated",
            },
        )
        html = sign_action_links(
            self.html_template.render(Context(context)),
            person_id=recipient.person_id,
            tokens=tokens,
            signer=self.link_signer,
        )
        message.attach_alternative(html, "text/html")
        return message


_LINK_PLACEHOLDER = re.compile(r"__ACT_(\d+)_(close|redate|note)__")


def sign_action_links(
    body: str,
    *,
    person_id: int,
    tokens: dict[str, str] | None = None,
    signer: EmailLinkSigner | None = None,
) -> str:
    """``body`` with each one-click link's placeholder replaced by its token for the person
    (``composer.email_links.email_link_token``; a token per action and purpose). ``tokens``:
    the placeholders already signed for this person (filled in), shared by the parts of
    one email; ``signer``: the run's :class:`~composer.email_links.EmailLinkSigner` (the
    same tokens, signed faster)."""
    tokens = {} if tokens is None else tokens
    sign = email_link_token if signer is None else signer.token

    def token(match: re.Match) -> str:
        key = match[0]
        if key not in tokens:
            tokens[key] = sign(person_id=person_id, action_id=int(match[1]), purpose=match[2])
        return tokens[key]

    return _LINK_PLACEHOLDER.sub(token, body)


class MeetingReaders:
    """Whether a digest's recipient may open its meeting (``core.visibility``), decided once
    per run and person: Public meetings at once, others from the recipient's login (a person
    with none opens no other meeting), read only when a digest needs them."""

    def __init__(self, meetings: Iterable[MeetingRow], person_ids: Iterable[int]) -> None:
        # Rows of the run (``candidates.MeetingRow``): no query of their own.
        self.meetings = list(meetings)
        self.person_ids = sorted(person_ids)
        self.public = {
            m.pk for m in self.meetings if m.classification == Meeting.Classification.PUBLIC
        }
        self._users: dict[int, Any] | None = None
        self._seen: dict[int, set[int]] = {}

    def may_open(self, person_id: int, meeting_id: int) -> bool:
        if meeting_id in self.public:
            return True
        if person_id not in self._seen:
            if self._users is None:
                # The logins of the run's recipients, once (only when a digest is not Public).
                self._users = {
                    user.person_pk: user
                    for user in get_user_model()
                    .objects.filter(person__pk__in=self.person_ids, is_active=True)
                    .annotate(person_pk=F("person__pk"))
                }
            user = self._users.get(person_id)
            self._seen[person_id] = (
                visible_meeting_ids(user, self.meetings) if user is not None else set()
            )
        return meeting_id in self._seen[person_id]


def _subject(digests: list[dict], chased: dict[str, list[ActionRow]]) -> str:
    """``Before DAG029 on 11 October 2023: your open actions (1 due soon)`` or, without a
    digest, ``Actions reminder: 2 overdue, 1 due today``."""
    counts = [f"{len(chased[kind])} {word}" for kind, _, word in _CHASED_KINDS if chased[kind]]
    if digests:
        first = digests[0]
        subject = f"Before {first['meeting_label']} on {first['date']}: your open actions"
        return f"{subject} ({', '.join(counts)})" if counts else subject
    noun = "Action" if sum(len(v) for v in chased.values()) == 1 else "Actions"
    return f"{noun} reminder: {', '.join(counts)}"
