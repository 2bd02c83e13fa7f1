"""Who may see a meeting and its records: the one rule, as a ``Q``.

Every list, page, API view and report that shows meeting records filters through
:func:`meeting_visible_q` (the record apps wrap it in ``visible_to(user)`` queryset verbs),
so a change to the rule (access by committee membership, Confidential for participants) is
made here alone. The kernel imports no app, so the classification values live here too and
``meetings.models.Meeting`` takes its field's choices from :class:`Classification`.
"""

from __future__ import annotations

from typing import Any, Self

from django.db import models
from django.db.models import Q

from core import roles
from core.actors import is_system


class Classification(models.TextChoices):
    """A meeting's classification (``Meeting.classification``)."""

    PUBLIC = "public", "Public"
    RESTRICTED = "restricted", "Restricted"
    CONFIDENTIAL = "confidential", "Confidential"


def sees_all_meetings(user: Any) -> bool:
    """True when ``user`` may see every meeting, so a page need not filter at all: the
    system (a command's export or import) does, having the database's rights anyway."""
    return is_system(user) or not roles.is_observer_only(user)


def sees_unissued_reports(user: Any) -> bool:
    """True when ``user`` may read a meeting's headline report as it stands (the live
    preview and PDF, versions still rendering or failed); others read issued versions only."""
    return sees_all_meetings(user)


def meeting_visible_q(user: Any, path: str = "") -> Q:
    """The meetings ``user`` may see, as a ``Q`` over ``f"{path}classification"``.

    ``path`` leads from the queried model to the meeting (``"meeting__"``,
    ``"discussion_item__meeting__"``). A user whose only role is Observer (or who has no
    role) sees Public meetings only; everyone else sees all (an empty ``Q``).
    """
    if sees_all_meetings(user):
        return Q()
    return Q(**{f"{path}classification": Classification.PUBLIC})


class MeetingRecordQuerySet(models.QuerySet):
    """A queryset of meetings or of records held by a meeting (actions, decisions, agenda,
    discussion, reviews, report versions), with the ``visible_to(user)`` verb.

    ``meeting_path`` leads from the record to its meeting; a subclass whose record reaches
    the meeting another way sets its own (``""`` for meetings themselves).
    """

    meeting_path = "meeting__"

    def visible_to(self, user: Any) -> Self:
        """The records ``user`` may see: those of meetings :func:`meeting_visible_q` allows."""
        return self.filter(meeting_visible_q(user, self.meeting_path))
