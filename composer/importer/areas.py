"""Area inference: which agenda area each table record sits under.

A merged Area cell prints its words on some rows of its group, often the middle ones
(``Minutes and`` … ``Actions``; ``CR023`` / ``Decision``), and the other rows of the group
have an empty Area cell. The areas are rebuilt so (nothing here is specific to one file):

1. The Area fragments of one table are joined into labels when the joined text is an area the
   report prints whole somewhere (the Decisions table prints ``Minutes and Actions`` and
   ``CR023 Decision`` in one cell), when one fragment ends with a joining word
   (``Minutes and``), or when both sit on the same record. A row between two fragments of one
   label belongs to that label.
2. Rows between two labels are ambiguous: the group boundary is placed where the report's own
   cross-references agree best. A discussion paragraph that names ``ACTION DAG28-07`` belongs
   to the area that action sits in, and the reverse; naming ``DECISION DAG-DEC68`` ties a
   paragraph to that decision's area; naming ``CR027`` leans towards the area about CR027.
   With no evidence, the empty Area cell continues the area above (how the printed table reads).
3. The tables are resolved in turn (Decisions, Key Discussion Items, Actions, and again) so
   evidence found in one table settles rows in another.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from core import refs

from .tables import Floating, Record
from .text import cr_numbers, plain, squash, title_key


@dataclass
class Label:
    """An area title and the span of records (first to last index) its fragments mark."""

    title: str
    first: int
    last: int
    line: int


_JOINING_WORDS = {"and", "of", "to", "for", "the", "&", "with", "on", "in", "a", "an", "-", "–"}


def _joins(left: str, right: str) -> bool:
    """True when two fragments read as one title: ``Minutes and`` + ``Actions``."""
    words = left.split()
    return (
        bool(words)
        and (words[-1].lower() in _JOINING_WORDS or left.rstrip().endswith(("-", "–", ",")))
    ) or right[:1].islower()


def _labels(records: list[Record], known: set[str]) -> list[Label]:
    """Join a table's Area fragments into labels with the span of records they mark."""
    frags = [
        (index, line, text) for index, rec in enumerate(records) for line, text in rec.fragments
    ]
    labels: list[Label] = []
    i = 0
    while i < len(frags):
        best = i
        joined = frags[i][2]
        for j in range(i + 1, len(frags)):
            joined = f"{joined} {frags[j][2]}"
            if title_key(joined) in known:
                best = j
            elif not any(k.startswith(title_key(joined) + " ") for k in known):
                break
        if best == i:
            while best + 1 < len(frags) and _joins(frags[best][2], frags[best + 1][2]):
                best += 1
        while best + 1 < len(frags) and frags[best + 1][0] == frags[best][0]:
            best += 1  # one record has one area: its fragments are one label
        title = squash(" ".join(f[2] for f in frags[i : best + 1]))
        labels.append(Label(title, frags[i][0], frags[best][0], frags[i][1]))
        i = best + 1
    return labels


Votes = Callable[[int], dict[str, float]]


def _firm(count: int, labels: list[Label]) -> list[str]:
    """Areas known without any evidence (inside a label's span, or before/after all labels)."""
    areas = [""] * count
    if not labels:
        return areas
    for index in range(count):
        if index < labels[0].first:
            areas[index] = labels[0].title
        elif index > labels[-1].last:
            areas[index] = labels[-1].title
    for label in labels:
        for index in range(label.first, label.last + 1):
            areas[index] = label.title
    return areas


def _reads_as_one(left: str, right: str, known: set[str]) -> bool:
    joined = title_key(f"{left} {right}")
    return joined in known or any(k.startswith(joined + " ") for k in known) or _joins(left, right)


def _place_floating(records: list[Record], floating: list[Floating], known: set[str]) -> None:
    """Give each label-only row to the record it reads with: the one above, unless its words
    run on into the first Area words of the record below (``Release`` / ``Plan``)."""
    for position, line, text in floating:
        above = records[position - 1] if position > 0 else None
        below = records[position] if position < len(records) else None
        if (
            above is not None
            and above.fragments
            and _reads_as_one(above.fragments[-1][1], text, known)
        ):
            above.fragments.append((line, text))
        elif (
            below is not None
            and below.fragments
            and _reads_as_one(text, below.fragments[0][1], known)
        ):
            below.fragments.insert(0, (line, text))
        elif above is not None:
            above.fragments.append((line, text))
        elif below is not None:
            below.fragments.insert(0, (line, text))


def _cr_votes(text: str, candidates: Iterable[str]) -> dict[str, float]:
    numbers = set(cr_numbers(text))
    votes: dict[str, float] = {}
    if not numbers:
        return votes
    for title in candidates:
        if numbers & set(cr_numbers(title)):
            votes[title_key(title)] = votes.get(title_key(title), 0.0) + 1.0
    return votes


def _add(votes: dict[str, float], title: str, weight: float) -> None:
    if title:
        votes[title_key(title)] = votes.get(title_key(title), 0.0) + weight


Votes = Callable[[int], dict[str, float]]


def _assign(count: int, labels: list[Label], votes: Votes | None) -> list[str]:
    """Each record's area title: spans are firm, gaps split where the evidence agrees best."""
    areas = _firm(count, labels)
    for above, below in itertools.pairwise(labels):
        gap = range(above.last + 1, below.first)
        if not gap:
            continue
        weights = [votes(r) if votes else {} for r in gap]
        best_split, best_score = below.first, None
        for split in range(above.last + 1, below.first + 1):
            score = sum(
                w.get(title_key(above.title if r < split else below.title), 0.0)
                for r, w in zip(gap, weights, strict=True)
            )
            # ">=": on a tie the later split wins, so an empty cell continues the area above.
            if best_score is None or score >= best_score:
                best_split, best_score = split, score
        for r in gap:
            areas[r] = above.title if r < best_split else below.title
    return areas


def _ref_of(record: Record) -> str:
    return squash(record.cells[0]).upper()


class _Evidence:
    """The report's cross-references between its tables, as votes for an area."""

    def __init__(
        self,
        actions: list[Record],
        decisions: list[Record],
        discussion: list[Record],
        labels: tuple[list[Label], list[Label], list[Label]],
        code: str,
    ) -> None:
        self.actions, self.decisions, self.discussion = actions, decisions, discussion
        self.action_titles, self.decision_titles, self.discussion_titles = (
            [label.title for label in table] for table in labels
        )
        self.action_index: dict[str, int] = {}
        for index, record in enumerate(actions):
            self.action_index.setdefault(_ref_of(record), index)
        self.decision_index: dict[str, int] = {}
        for index, record in enumerate(decisions):
            self.decision_index.setdefault(_ref_of(record), index)
        codes = (code,) if code else ()
        # The action and decision refs each discussion record names.
        self.named: list[tuple[set[str], set[str]]] = []
        for record in discussion:
            found = refs.find_refs(plain(record.cells[0]), codes)
            self.named.append(
                (
                    {f.ref for f in found if f.kind == refs.RefKind.ACTION},
                    {f.ref for f in found if f.kind == refs.RefKind.DECISION},
                )
            )

    def decision_votes(self, discussion_areas: list[str]) -> Votes:
        def votes(index: int) -> dict[str, float]:
            record = self.decisions[index]
            result = _cr_votes(record.cells[1], self.decision_titles)
            ref = _ref_of(record)
            for (_, decisions), area in zip(self.named, discussion_areas, strict=True):
                if ref in decisions:
                    _add(result, area, 2.0)
            return result

        return votes

    def discussion_votes(self, action_areas: list[str], decision_areas: list[str]) -> Votes:
        def votes(index: int) -> dict[str, float]:
            result = _cr_votes(self.discussion[index].cells[0], self.discussion_titles)
            actions_named, decisions_named = self.named[index]
            for ref in actions_named:
                if ref in self.action_index:
                    _add(result, action_areas[self.action_index[ref]], 2.0)
            for ref in decisions_named:
                if ref in self.decision_index:
                    _add(result, decision_areas[self.decision_index[ref]], 2.0)
            return result

        return votes

    def action_votes(self, discussion_areas: list[str]) -> Votes:
        def votes(index: int) -> dict[str, float]:
            record = self.actions[index]
            result = _cr_votes(record.cells[1], self.action_titles)
            ref = _ref_of(record)
            for (actions_named, _), area in zip(self.named, discussion_areas, strict=True):
                if ref in actions_named:
                    _add(result, area, 2.0)
            return result

        return votes


def areas_infer(
    tables: tuple[list[Record], list[Record], list[Record]],
    floating: tuple[list[Floating], list[Floating], list[Floating]],
    code: str,
) -> tuple[list[str], list[str], list[str]]:
    """The area of every record of the (actions, decisions, discussion) tables, in order.

    Places the label-only rows first (they join the record they read with), so the records'
    Area fragments are final when joined into labels.
    """
    # An area printed whole anywhere in the report is "known".
    known = {title_key(text) for records in tables for rec in records for _, text in rec.fragments}
    known |= {title_key(text) for rows in floating for _, _, text in rows}
    for records, rows in zip(tables, floating, strict=True):
        _place_floating(records, rows, known)
    labels = (
        _labels(tables[0], known),
        _labels(tables[1], known),
        _labels(tables[2], known),
    )
    evidence = _Evidence(*tables, labels, code)
    n_act, n_dec, n_dis = (len(records) for records in tables)
    action_areas = _firm(n_act, labels[0])
    discussion_areas = _firm(n_dis, labels[2])
    decision_areas = _assign(n_dec, labels[1], evidence.decision_votes(discussion_areas))
    for _ in range(2):
        discussion_areas = _assign(
            n_dis, labels[2], evidence.discussion_votes(action_areas, decision_areas)
        )
        action_areas = _assign(n_act, labels[0], evidence.action_votes(discussion_areas))
    return action_areas, decision_areas, discussion_areas
