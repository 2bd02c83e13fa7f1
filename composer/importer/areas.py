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
from collections.abc import Callable
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


class _Known:
    """The area titles the report prints whole (as ``title_key``), and every title's word
    prefixes, so "could this text still grow into a known title" is one set lookup."""

    def __init__(self, keys: set[str]) -> None:
        self.keys = keys
        self.prefixes = {key[:i] for key in keys for i, char in enumerate(key) if char == " "}

    def __contains__(self, key: str) -> bool:
        return key in self.keys

    def continues(self, key: str) -> bool:
        """True when a known title starts with ``key`` and a space (``minutes and``)."""
        return key in self.prefixes


_JOINING_WORDS = {"and", "of", "to", "for", "the", "&", "with", "on", "in", "a", "an", "-", "–"}


def _joins(left: str, right: str) -> bool:
    """True when two fragments read as one title: ``Minutes and`` + ``Actions``."""
    words = left.split()
    return (
        bool(words)
        and (words[-1].lower() in _JOINING_WORDS or left.rstrip().endswith(("-", "–", ",")))
    ) or right[:1].islower()


def _labels(records: list[Record], known: _Known) -> list[Label]:
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
            elif not known.continues(title_key(joined)):
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


def _reads_as_one(left: str, right: str, known: _Known) -> bool:
    joined = title_key(f"{left} {right}")
    return joined in known or known.continues(joined) or _joins(left, right)


def _place_floating(records: list[Record], floating: list[Floating], known: _Known) -> None:
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


class _CrTitles:
    """Which of a table's area titles name each CR: a record naming CR027 votes once for
    each title that names it, found by number rather than by reading every title again."""

    def __init__(self, titles: list[str]) -> None:
        self.keys = [title_key(title) for title in titles]
        self.by_number: dict[int, list[int]] = {}
        for index, title in enumerate(titles):
            for number in set(cr_numbers(title)):
                self.by_number.setdefault(number, []).append(index)

    def votes(self, numbers: set[int]) -> dict[str, float]:
        votes: dict[str, float] = {}
        indexes = {i for number in numbers for i in self.by_number.get(number, ())}
        for index in sorted(indexes):
            votes[self.keys[index]] = votes.get(self.keys[index], 0.0) + 1.0
        return votes


def _add(votes: dict[str, float], title: str, weight: float) -> None:
    if title:
        votes[title_key(title)] = votes.get(title_key(title), 0.0) + weight


Votes = Callable[[int], dict[str, float]]


def _assign(count: int, labels: list[Label], votes: Votes | None) -> list[str]:
    """Each record's area title: spans are firm, gaps split where the evidence agrees best.

    A gap's rows go to the label above up to a split and to the label below from it; the
    split scores the votes each row gives its side. Running sums give every split's score
    in one pass over the gap (issue #18: trying each split afresh was quadratic).
    """
    areas = _firm(count, labels)
    for above, below in itertools.pairwise(labels):
        gap = range(above.last + 1, below.first)
        if not gap:
            continue
        weights = [votes(r) if votes else {} for r in gap]
        key_above, key_below = title_key(above.title), title_key(below.title)
        # score(split) = votes for "above" of the rows before it + for "below" of the rest.
        score = sum(w.get(key_below, 0.0) for w in weights)  # the split before every row
        best_split, best_score = gap.start, score
        for offset, w in enumerate(weights):
            score += w.get(key_above, 0.0) - w.get(key_below, 0.0)
            # ">=": on a tie the later split wins, so an empty cell continues the area above.
            if score >= best_score:
                best_split, best_score = gap.start + offset + 1, score
        for r in gap:
            areas[r] = above.title if r < best_split else below.title
    return areas


def _ref_of(record: Record) -> str:
    return squash(record.cells[0]).upper()


class _Evidence:
    """The report's cross-references between its tables, as votes for an area.

    Everything a vote reads is worked out once here (the CRs each record and title names,
    and which discussion records name each action and decision), so a record's votes cost
    what it names, not the size of the report (issue #18).
    """

    def __init__(
        self,
        actions: list[Record],
        decisions: list[Record],
        discussion: list[Record],
        labels: tuple[list[Label], list[Label], list[Label]],
        code: str,
    ) -> None:
        self.action_titles, self.decision_titles, self.discussion_titles = (
            _CrTitles([label.title for label in table]) for table in labels
        )
        self.action_refs = [_ref_of(record) for record in actions]
        self.decision_refs = [_ref_of(record) for record in decisions]
        self.action_index: dict[str, int] = {}
        for index, ref in enumerate(self.action_refs):
            self.action_index.setdefault(ref, index)
        self.decision_index: dict[str, int] = {}
        for index, ref in enumerate(self.decision_refs):
            self.decision_index.setdefault(ref, index)
        self.action_crs = [set(cr_numbers(record.cells[1])) for record in actions]
        self.decision_crs = [set(cr_numbers(record.cells[1])) for record in decisions]
        self.discussion_crs = [set(cr_numbers(record.cells[0])) for record in discussion]
        codes = (code,) if code else ()
        # The action and decision refs each discussion record names, and the reverse.
        self.named: list[tuple[set[str], set[str]]] = []
        self.naming_action: dict[str, list[int]] = {}
        self.naming_decision: dict[str, list[int]] = {}
        for index, record in enumerate(discussion):
            found = refs.find_refs(plain(record.cells[0]), codes)
            actions_named = {f.ref for f in found if f.kind == refs.RefKind.ACTION}
            decisions_named = {f.ref for f in found if f.kind == refs.RefKind.DECISION}
            self.named.append((actions_named, decisions_named))
            for ref in actions_named:
                self.naming_action.setdefault(ref, []).append(index)
            for ref in decisions_named:
                self.naming_decision.setdefault(ref, []).append(index)

    def decision_votes(self, discussion_areas: list[str]) -> Votes:
        def votes(index: int) -> dict[str, float]:
            result = self.decision_titles.votes(self.decision_crs[index])
            for naming in self.naming_decision.get(self.decision_refs[index], ()):
                _add(result, discussion_areas[naming], 2.0)
            return result

        return votes

    def discussion_votes(self, action_areas: list[str], decision_areas: list[str]) -> Votes:
        def votes(index: int) -> dict[str, float]:
            result = self.discussion_titles.votes(self.discussion_crs[index])
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
            result = self.action_titles.votes(self.action_crs[index])
            for naming in self.naming_action.get(self.action_refs[index], ()):
                _add(result, discussion_areas[naming], 2.0)
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
    keys = {title_key(text) for records in tables for rec in records for _, text in rec.fragments}
    keys |= {title_key(text) for rows in floating for _, _, text in rows}
    known = _Known(keys)
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
