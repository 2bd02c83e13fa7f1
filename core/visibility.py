"""Who may see a meeting and its records: the one rule, as a ``Q`` (DESIGN.md "Access").

A meeting's classification and its committee decide who reads it and everything recorded
at it (actions, decisions, agenda, discussion, reviews, report versions):

| classification | who may read |
| --- | --- |
| Public | every signed-in user |
| Restricted | the committee's current members (any role; ``core.access``), administrators |
| Confidential | its participants, the committee's chair(s) and secretariat, administrators |

A meeting's participants (the people the PMO invited) read it whatever its
classification. The owner of an action may always open it: the named person, or whoever
holds the named seat on the action's committee (an owner ``Chair`` with no person is the
committee's chairs'); an organisation named alone gives its people nothing.

Every list, page, API view, PDF, e-mail and ref link filters through
:func:`meeting_visible_q` (the record apps wrap it in ``visible_to(user)`` queryset verbs,
actions add :func:`action_owned_q`), so a change to the rule is made here alone. The user's
seats are read once per request (:func:`core.access.user_access`) and the rule is one ``Q``
the database evaluates: lists of committee ids and a subquery of the user's participations,
never a Python filter over rows. The kernel imports no app, so the classification values
live here and ``meetings.models.Meeting`` takes its field's choices from
:class:`Classification`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, NamedTuple, Self

from django.contrib.auth import get_user_model
from django.db import connection, models
from django.db.models import Q

from core import roles
from core.access import CONFIDENTIAL_ROLES, SeatRole, user_access
from core.actors import is_system


class Classification(models.TextChoices):
    """A meeting's classification (``Meeting.classification``)."""

    PUBLIC = "public", "Public"
    RESTRICTED = "restricted", "Restricted"
    CONFIDENTIAL = "confidential", "Confidential"


# How far each classification narrows its readers: a record of a meeting classified above
# another is hidden from some readers of that other meeting.
_RANK = {Classification.PUBLIC: 0, Classification.RESTRICTED: 1, Classification.CONFIDENTIAL: 2}


def sees_all_meetings(user: Any) -> bool:
    """True when ``user`` may see every meeting (an administrator, or the system acting), so
    a page need not filter at all."""
    return is_system(user) or roles.is_pmo(user)


def reader_key(user: Any) -> tuple[Any, ...]:
    """What every rule here reads of ``user``, as a hashable key with their id: their
    roles, their person and current seats (``core.access``). A query built from these
    rules for one key (a kept compiled query: ``core.api.db.compiled_values``) is never
    another reader's, and a change of seats or roles makes a new key."""
    if is_system(user):
        return ("system",)
    return (user.pk, frozenset(roles.user_roles(user)), user_access(user))


def sees_unissued_reports(user: Any, committee_id: int) -> bool:
    """True when ``user`` may read a headline report of ``committee_id`` as it stands (the
    live preview and PDF, versions still rendering or failed): administrators, and that
    committee's members other than observers; others read issued versions only."""
    if sees_all_meetings(user):
        return True
    return any(
        seat.role != SeatRole.OBSERVER and seat.committee_id == committee_id
        for seat in user_access(user).seats
    )


def unissued_reports_q(user: Any, path: str = "") -> Q:
    """The meetings whose unissued report versions ``user`` may read, as a ``Q`` (see
    :func:`sees_unissued_reports`); matches nothing for an observer."""
    if sees_all_meetings(user):
        return Q()
    committees = {s.committee_id for s in user_access(user).seats if s.role != SeatRole.OBSERVER}
    return Q(**{f"{path}committee_id__in": sorted(committees)})


def _participations(person_id: int) -> Any:
    """The ids of the meetings ``person_id`` takes part in, as a subquery. The participant
    model is reached through the user's person relation: the kernel imports no app."""
    person_model = get_user_model()._meta.get_field("person").related_model
    participant_model = person_model._meta.get_field("meeting_participations").related_model
    return participant_model._default_manager.filter(person_id=person_id).values("meeting_id")


def meeting_visible_q(user: Any, path: str = "") -> Q:
    """The meetings ``user`` may see, as a ``Q`` over the meeting's classification and
    committee (``f"{path}classification"``, ``f"{path}committee_id"``).

    ``path`` leads from the queried model to the meeting (``"meeting__"``,
    ``"discussion_item__meeting__"``). Administrators and the system see all (an empty
    ``Q``); anyone else sees Public meetings, Restricted ones of the committees where they
    hold a seat, Confidential ones of the committees they chair or are secretariat of, and
    the meetings they are a participant of.
    """
    if sees_all_meetings(user):
        return Q()
    access = user_access(user)
    visible = Q(**{f"{path}classification": Classification.PUBLIC})
    members_of = access.committees()
    if members_of:
        visible |= Q(
            **{
                f"{path}classification": Classification.RESTRICTED,
                f"{path}committee_id__in": sorted(members_of),
            }
        )
    confidential_of = access.committees(CONFIDENTIAL_ROLES)
    if confidential_of:
        visible |= Q(
            **{
                f"{path}classification": Classification.CONFIDENTIAL,
                f"{path}committee_id__in": sorted(confidential_of),
            }
        )
    if access.person_id is not None:
        visible |= Q(**{f"{path}pk__in": _participations(access.person_id)})
    return visible


def meeting_is_visible(user: Any, meeting: Any) -> bool:
    """:func:`meeting_visible_q` for one loaded meeting (False for None): a side view
    deciding whether to link or name a meeting (:func:`visible_meeting_ids`)."""
    return meeting is not None and meeting.pk in visible_meeting_ids(user, [meeting])


def visible_meeting_ids(user: Any, meetings: Iterable[Any]) -> set[int]:
    """The ids among ``meetings`` (loaded, with ``classification`` and ``committee_id``)
    that ``user`` may see: decided from their seats in Python, and for those only a
    participation could open, by one query (none when there are none)."""
    meetings = list(meetings)
    if sees_all_meetings(user):
        return {m.pk for m in meetings}
    access = user_access(user)
    seen, undecided = set(), []
    for meeting in meetings:
        if meeting.classification == Classification.PUBLIC or (
            access.holds(
                meeting.committee_id,
                set(SeatRole)
                if meeting.classification == Classification.RESTRICTED
                else CONFIDENTIAL_ROLES,
            )
        ):
            seen.add(meeting.pk)
        else:
            undecided.append(meeting.pk)
    if undecided and access.person_id is not None:
        seen |= set(
            _participations(access.person_id)
            .filter(meeting_id__in=undecided)
            .values_list("meeting_id", flat=True)
        )
    return seen


def action_owned_q(
    user: Any, owners: models.QuerySet, path: str = "", *, beyond_seen: bool = False
) -> Q:
    """The actions ``user`` owns, as a ``Q`` (``owners`` is the action owners' queryset,
    ``path`` leads from the queried model to the action): those naming their person, and
    those naming a seat they hold on the action's committee with no person (``Chair`` is
    the chair's and deputy's; ``Large Supplier Representative`` that constituency's).
    An organisation named alone is nobody's own (``Programme`` gives its people nothing).
    Matches nothing for a user who is no person on the register.

    ``beyond_seen``: only what adds to :func:`meeting_visible_q` (see
    :func:`action_visible_q`): a seat on a committee whose every meeting the user reads (a
    chair's, the secretariat's) owns nothing they do not see already, so it is left out.
    """
    access = user_access(user)
    if access.person_id is None:
        return Q(pk__in=[])
    owned = Q(person_id=access.person_id)
    seen_committees = access.committees(CONFIDENTIAL_ROLES) if beyond_seen else frozenset()
    for committee_id, words in sorted(access.owner_words().items()):
        if committee_id in seen_committees:
            continue
        by_role = Q()
        for word in sorted(words):
            by_role |= Q(role__iexact=word)
        owned |= Q(by_role, person__isnull=True, action__committee_id=committee_id) & ~Q(role="")
    # One subquery of owners, not one per seat beside the action's own columns: an OR of
    # subqueries made PostgreSQL read every open action and test each against them (90 ms
    # for a chair's "My actions" at 300,000 actions); this one is read from the owners'
    # person and seat-role indexes.
    return Q(**{f"{path}pk__in": owners.filter(owned).values("action_id")})


def action_visible_q(user: Any, owners: models.QuerySet, meeting_path: str = "meeting__") -> Q:
    """The actions ``user`` may see, as a ``Q`` over the action (``meeting_path`` leads to
    its meeting; ``owners`` is the action owners' queryset): those of meetings they may see
    (:func:`meeting_visible_q`) and those they own (:func:`action_owned_q`). An empty ``Q``
    for administrators.

    The owned part carries only what the meetings do not already give: an action's
    committee is its meeting's, so where the user reads every meeting of a committee
    (chairs and secretariat read all three classifications) an action owned through their
    seat there is already seen. Leaving that seat out keeps the owners subquery to the
    user's own person (an indexed read of a few hundred owners), not every "Chair" owner
    of the history (5,000 owners joined to their actions, 50 ms at 300,000 actions, for
    every list a chair opens).
    """
    if sees_all_meetings(user):
        return Q()
    if connection.vendor == "postgresql":
        meetings = visible_meeting_in_q(user, meeting_path)
    else:
        meetings = meeting_visible_q(user, meeting_path)
    return meetings | action_owned_q(user, owners, beyond_seen=True)


def visible_meeting_in_q(user: Any, path: str) -> Q:
    """:func:`meeting_visible_q` over the meeting at ``path`` (``"meeting__"``) as "its
    meeting is one of the visible meetings": a subquery over the meetings, read once and
    looked up by the record's own meeting column. The same rule as the joined form; which
    form a database gets is chosen by how its planner reads it.

    PostgreSQL: written beside another condition (an action's owners), the joined form put
    the whole OR into the join, and PostgreSQL compared each action with every meeting in
    turn (a chair's last register page read 270,000 pairs, 25 ms at 300,000 actions); as a
    set of ids it is one hashed lookup per action (under 1 ms). SQLite keeps the joined
    form: it reads ``meeting_id IN (subquery)`` through the meeting index and then sorts
    every action found (a chair's register page 33 → 146 ms, its last page 407 ms, at
    300,000 actions).
    """
    person_model = get_user_model()._meta.get_field("person").related_model
    participant_model = person_model._meta.get_field("meeting_participations").related_model
    meeting_model = participant_model._meta.get_field("meeting").related_model
    visible = meeting_model._default_manager.filter(meeting_visible_q(user)).values("pk")
    return Q(**{f"{path}pk__in": visible})


def owns_action(user: Any, committee_id: int, owners: Iterable[tuple[int | None, str]]) -> bool:
    """:func:`action_owned_q` for one action, in Python: ``owners`` are its owners'
    ``(person_id, role)`` pairs, ``committee_id`` its committee. The right to post an
    update on it (``actions.services.action_can_update``) follows from this."""
    access = user_access(user)
    if access.person_id is None:
        return False
    words = access.owner_words().get(committee_id, set())
    return any(
        person_id == access.person_id or (person_id is None and role and role.casefold() in words)
        for person_id, role in owners
    )


# The records a written ref can resolve to that belong to a meeting, and the path from the
# reference to that meeting: a ref to one the reader may not open is written as plain text.
_LINKED_MEETING_PATHS = {
    "meeting": "meeting__",
    "action": "action__meeting__",
    "decision": "decision__meeting__",
}


def linked_record_q(user: Any, prefix: str = "") -> Q:
    """The discussion references whose record ``user`` may open, as a ``Q`` over the
    reference (``prefix`` leads to it: ``"references__"`` from a discussion item): those
    resolving to no meeting's record (a CR, a DIN, nothing) or to one of a meeting they may
    see. The ref links of discussion text follow it: any other ref stays plain text."""
    if sees_all_meetings(user):
        return Q()
    linkable = Q()
    for column, path in _LINKED_MEETING_PATHS.items():
        linkable &= Q(**{f"{prefix}{column}__isnull": True}) | meeting_visible_q(
            user, f"{prefix}{path}"
        )
    return linkable


# The columns of linked_meeting_columns, per record a reference may name.
_LINKED_COLUMNS = ("id", "classification", "committee_id")


def linked_meeting_columns(prefix: str = "") -> dict[str, Any]:
    """:func:`linked_record_q` read as columns, to be decided in Python with
    :func:`visible_meeting_ids` (:func:`linked_meetings`, :func:`linked_record_visible`): for
    each record a reference may name, its meeting's id, classification and committee
    (``prefix`` leads to the reference, as there). Compiling the ``Q`` for a seat holder
    cost more than the rest of the meeting page's discussion read."""
    return {
        f"linked_{column}_{name}": models.F(f"{prefix}{path}{name}")
        for column, path in _LINKED_MEETING_PATHS.items()
        for name in _LINKED_COLUMNS
    }


def linked_meetings(row: Mapping[str, Any]) -> list[Any]:
    """The meetings of the records a row of :func:`linked_meeting_columns` names, as
    :func:`visible_meeting_ids` takes them."""
    return [
        LinkedMeeting(*(row[f"linked_{column}_{name}"] for name in _LINKED_COLUMNS))
        for column in _LINKED_MEETING_PATHS
        if row[f"linked_{column}_id"] is not None
    ]


def linked_record_visible(row: Mapping[str, Any], seen: set[int]) -> bool:
    """:func:`linked_record_q` for a row of :func:`linked_meeting_columns`: every meeting it
    names is among ``seen`` (what :func:`visible_meeting_ids` gave for them)."""
    return all(
        row[f"linked_{column}_id"] is None or row[f"linked_{column}_id"] in seen
        for column in _LINKED_MEETING_PATHS
    )


class LinkedMeeting(NamedTuple):
    """A meeting as :func:`visible_meeting_ids` reads it, from the columns of a row."""

    pk: int
    classification: str
    committee_id: int


def person_visible_q(user: Any, path: str = "") -> Q:
    """The people ``user`` may see on the register (the people API, its organisations), as
    a ``Q`` over the person (``path`` leads to one): themselves, the holders of seats on
    the committees where they hold one, the owners of actions of meetings they may see, and
    the participants of those meetings. Someone named only on a Restricted action of
    another committee is not theirs to list. Administrators see everyone (an empty ``Q``).
    """
    if sees_all_meetings(user):
        return Q()
    person_model = get_user_model()._meta.get_field("person").related_model
    people = person_model._default_manager
    access = user_access(user)
    seen = Q(
        **{
            f"{path}pk__in": people.filter(
                meeting_visible_q(user, "owned_actions__action__meeting__")
            ).values("pk")
        }
    ) | Q(
        **{
            f"{path}pk__in": people.filter(
                meeting_visible_q(user, "meeting_participations__meeting__")
            ).values("pk")
        }
    )
    if access.seats:
        seen |= Q(
            **{
                f"{path}pk__in": people.filter(
                    memberships__committee_id__in=sorted(access.committees())
                ).values("pk")
            }
        )
    if access.person_id is not None:
        seen |= Q(**{f"{path}pk": access.person_id})
    return seen


def sees_email_of(user: Any, person_id: int | None) -> bool:
    """Whether ``user`` may read the email address of the person ``person_id``: the PMO and
    the secretariats, who invite people and keep them reachable (``core.roles``
    ``is_recorder_somewhere``), and the person themself. Whether someone *has* an email (a
    reminder can reach them) is no secret; the address is."""
    if roles.is_recorder_somewhere(user):
        return True
    return person_id is not None and user_access(user).person_id == person_id


def hidden_from_readers_of(
    meeting: Any, *, record_meeting_id: int, classification: str, committee_id: int
) -> bool:
    """True when a record of another meeting (``record_meeting_id``, of ``classification``
    and ``committee_id``) would reach readers of ``meeting`` who may not open it: shown on
    ``meeting``'s issued headline report, read by all its readers, such a record (a review
    of an earlier action) is named without its text.

    Never hidden: a record of the same meeting, or of a Public one. Otherwise hidden when
    it is of another committee, classified above ``meeting``, or Confidential (read by its
    own meeting's participants only).
    """
    if record_meeting_id == meeting.pk or classification == Classification.PUBLIC:
        return False
    if committee_id != meeting.committee_id:
        return True
    return classification == Classification.CONFIDENTIAL or (
        _RANK[classification] > _RANK[meeting.classification]
    )


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


def classification_within(classification: str, ceiling: str) -> bool:
    """True when a meeting of ``classification`` is classified no higher than ``ceiling``
    (Public < Restricted < Confidential): what a webhook endpoint may be sent."""
    return _RANK[Classification(classification)] <= _RANK[Classification(ceiling)]
