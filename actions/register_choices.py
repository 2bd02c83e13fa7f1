"""The action register's filter choices: committees, meetings and owners a reader may pick.

Which owners to offer grows with the actions: an organisation is offered when it owns an
action the reader may see, and for an Observer (who sees some meetings only) the database
must look through owners until it finds one of a visible meeting. The answer depends
only on *which meetings* the reader sees (``ActionOwner.objects.visible_to`` is the
meeting rule, ``core.visibility``), so:

1. every view asks for the meetings the reader may see at which an action was raised (a
   query over meetings, an indexed probe each: it grows with meetings, not actions), which
   are also the meeting choices;
2. the committees and owners are cached under those meetings' ids
   (``actions.register_cache``: every reader who sees the same meetings shares one entry,
   and a write that could change them replaces the version), computed on a miss by two
   queries: the roles owners name, then one UNION ALL of indexed probes, each stopping at
   the first owner of a meeting the reader may see (30-50 ms at 300,000 actions, where a
   semi-join over every owner took 0.5-0.8 s).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import CharField, Exists, F, OuterRef, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce

from meetings.models import Committee, Meeting, Organisation, Person

from .models import Action, ActionOwner
from .register_cache import register_cached

# A filter choice: (value, label), e.g. ("o3", "Programme").
Choice = tuple[str, str]


@dataclass(frozen=True)
class RegisterChoices:
    """The register's filter choices: committee codes, meeting refs (newest first within
    each committee) and owners grouped (``{"Organisations": [("o3", "Programme")], ...}``,
    values ``o<organisation id>``, ``r<role>``, ``p<person id>``)."""

    committees: list[str]
    meetings: list[str]
    owners: dict[str, list[Choice]]


def action_register_choices(*, user: Any) -> RegisterChoices:
    """The register's filter choices for ``user``: one query, and two more when the cache
    has not got the rest (see the module's docstring).

    Every committee; the meetings ``user`` may see at which an action was raised; the
    organisations, roles and people owning an action ``user`` may see (an Observer does not
    learn who owns actions of hidden meetings), names alphabetically ignoring case.
    """
    meetings = list(
        Meeting.objects.visible_to(user)
        .filter(Exists(Action.objects.filter(meeting=OuterRef("pk"))))
        .order_by()
        .values_list("pk", "committee__code", "number", "sub_number", "ref")
    )
    rest = register_cached(
        "choices", sorted(m[0] for m in meetings), lambda: _other_choices(user=user)
    )
    return RegisterChoices(
        committees=rest["c"],
        meetings=[m[-1] for m in sorted(meetings, key=lambda m: (m[1], -m[2], -m[3]))],
        owners={
            "Organisations": rest["o"],
            "Roles": rest["r"],
            "People and teams": rest["p"],
        },
    )


def _other_choices(*, user: Any) -> dict[str, list[Any]]:
    """The committees (``c``) and owners (``o`` organisations, ``r`` roles, ``p`` people)
    ``user`` may pick, each kind in its order: two queries."""
    by_kind: dict[str, list[tuple[Any, ...]]] = {kind: [] for kind in "corp"}
    for kind, *columns in _choice_rows(user=user):
        by_kind[kind].append(_choice_entry(kind, *columns))
    return {kind: [entry[-1] for entry in sorted(entries)] for kind, entries in by_kind.items()}


def _choice_part(qs: QuerySet, kind: str, text: str, **columns: Any) -> QuerySet:
    """``qs`` as one part of the choices' UNION ALL: ``(kind, id, text, extra)``, the
    columns not given being the primary key and empty text."""
    return (
        qs.order_by()
        .annotate(
            c_kind=Value(kind, CharField()),
            c_id=columns.get("id", F("pk")),
            c_text=F(text),
            c_extra=columns.get("extra", Value("", CharField())),
        )
        .values_list("c_kind", "c_id", "c_text", "c_extra")
    )


def _first_visible(owners: QuerySet, **match: Any) -> Subquery:
    """The first owner among ``owners`` matching ``match`` (outer references), as a scalar
    subquery: the database probes each outer row's owners through their index and stops at
    the first one the reader may see. (An ``Exists`` here is planned as a semi-join that
    joins every owner to its action and meeting: 0.5-0.8 s at 300,000 actions.)"""
    return Subquery(owners.filter(**match).order_by().values("pk")[:1])


def _choice_rows(*, user: Any) -> QuerySet:
    """The query of :func:`_other_choices`: each kind of choice ``user`` may see as a part
    of one UNION ALL, not yet evaluated. Each part asks its own table whether an owner
    exists (an indexed probe per organisation, person or role, stopping at the first owner
    of a meeting the reader may see) instead of a DISTINCT over every action and owner."""
    owners = ActionOwner.objects.visible_to(user)
    # The roles named by any owner: the few distinct values of the partial role index.
    roles = ActionOwner.objects.exclude(role="").order_by().values("role").distinct()
    # People first: the first part's columns decide the result's, and plain columns need
    # no per-row conversion (constants would, on 2,000 rows).
    return _choice_part(
        Person.objects.alias(c_owner=_first_visible(owners, person=OuterRef("pk"))).filter(
            c_owner__isnull=False
        ),
        "p",
        "name",
        extra=Coalesce(F("organisation__name"), Value("")),
    ).union(
        _choice_part(Committee.objects.all(), "c", "code"),
        _choice_part(
            Organisation.objects.alias(
                c_owner=_first_visible(owners, organisation=OuterRef("pk"))
            ).filter(c_owner__isnull=False),
            "o",
            "name",
        ),
        *(
            _choice_part(
                ActionOwner.objects.filter(pk=_first_visible(owners, role=role)),
                "r",
                "role",
                id=Value(0),
            )
            for role in roles.values_list("role", flat=True)
        ),
        all=True,
    )


def _choice_entry(kind: str, pk: int, text: str, extra: str) -> tuple[Any, ...]:
    """One row of :func:`_choice_rows` as a tuple that sorts in its kind's order and ends
    with what is shown: names ignoring case."""
    if kind == "c":
        return (text,)
    if kind == "o":
        return (text.casefold(), pk, (f"o{pk}", text))
    if kind == "r":
        return (text.casefold(), (f"r{text}", text))
    label = f"{text} ({extra})" if extra else text
    return (text.casefold(), extra.casefold(), pk, (f"p{pk}", label))
