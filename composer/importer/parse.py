"""Parsing a headline report's text form into a validated :class:`ParsedReport`.

Reads the text (:mod:`.reader`), joins the table rows into records (:mod:`.tables`), infers
each record's area (:mod:`.areas`), validates the header and records into plain records
(:mod:`.validate`), then orders the agenda and gathers the change requests and DINs named.
Touches no database.
"""

from __future__ import annotations

import re

from core import refs

from .areas import areas_infer
from .reader import Reader
from .records import ParsedAction, ParsedDecision, ParsedDiscussion, ParsedReport
from .results import HeadlineReportImportError
from .tables import discussion_records, table_records
from .text import cr_numbers, discussion_html, plain, squash, title_key
from .validate import actions_validate, decisions_validate, header_validate


def headline_report_parse(text: str) -> ParsedReport:
    """Read and validate a headline report's text form (see the package docstring).

    Returns a :class:`ParsedReport`; raises :class:`HeadlineReportImportError` with every
    problem found, line by line. Touches no database.
    """
    reader = Reader(text)
    found = reader.read()
    header = header_validate(found, reader.problem)
    tables = found.tables
    action_records, action_floating = table_records(tables["actions"], 0, reader)
    decision_records, decision_floating = table_records(tables["decisions"], 0, reader)
    discussion_rows, discussion_floating = discussion_records(tables["discussion"])
    action_areas, decision_areas, discussion_areas = areas_infer(
        (action_records, decision_records, discussion_rows),
        (action_floating, decision_floating, discussion_floating),
        header.code,
    )
    seen_refs: dict[str, int] = {}
    actions, reviews = actions_validate(
        action_records, action_areas, header, seen_refs, reader.problem
    )
    decisions = decisions_validate(
        decision_records, decision_areas, header.code, seen_refs, reader.problem
    )
    discussion = [
        ParsedDiscussion(record.line, area, discussion_html(record.cells[0], header.code))
        for record, area in zip(discussion_rows, discussion_areas, strict=True)
    ]
    areas = _agenda_order(discussion, decisions, actions)
    cr_titles, cr_lines = _change_requests(
        areas, (actions, reviews), decisions, discussion, header.code
    )
    if reader.problems:
        raise HeadlineReportImportError(reader.problems)
    assert header.start_at is not None  # no problems means the header was read
    return ParsedReport(
        committee_code=header.code,
        committee_full_name=squash(header.full_name),
        meeting_number=header.number,
        meeting_sub_number=header.sub_number,
        venue=header.venue,
        start_at=header.start_at,
        end_at=header.end_at,
        classification=header.classification,
        issue_date=header.issue_date,
        areas=areas,
        actions=actions,
        reviews=reviews,
        decisions=decisions,
        discussion=discussion,
        change_request_titles=cr_titles,
        change_request_lines=cr_lines,
        din_numbers=_dins(discussion, header.code),
        next_meeting_at=header.next_at,
        next_meeting_line=header.next_line,
    )


def _agenda_order(
    discussion: list[ParsedDiscussion],
    decisions: list[ParsedDecision],
    actions: list[ParsedAction],
) -> list[str]:
    """The agenda's areas: the discussion's, with the other tables' areas slotted in."""
    areas: list[str] = []
    for titles in (
        [d.area for d in discussion],
        [d.area for d in decisions],
        [a.area for a in actions],
    ):
        _merge_order(areas, [t for t in titles if t])
    return areas


def _change_requests(
    areas: list[str],
    actions_and_reviews: tuple[list[ParsedAction], list[ParsedAction]],
    decisions: list[ParsedDecision],
    discussion: list[ParsedDiscussion],
    code: str,
) -> tuple[dict[int, str], dict[int, int]]:
    """The CRs named anywhere: ``({number: title}, {number: first line})``, by number.

    Titles where the text gives them; an area title's line is its area's first record.
    """
    actions, reviews = actions_and_reviews
    first_line_of_area: dict[str, int] = {}
    for item in [*actions, *decisions, *discussion]:
        first_line_of_area.setdefault(title_key(item.area), item.line)
    cr_titles: dict[int, tuple[int, str]] = {}
    cr_lines: dict[int, int] = {}
    texts: list[tuple[int, str]] = (
        [(0, title) for title in areas]
        + [(a.line, a.description) for a in actions + reviews]
        + [(d.line, d.text) for d in decisions]
        + [(d.line, d.text) for d in discussion]
    )
    for line, cell in texts:
        for cr_number in cr_numbers(cell):
            cr_lines.setdefault(cr_number, line or first_line_of_area.get(title_key(cell), 0))
        for cr_number, priority, title in _titles_after_refs(cell, code or "DAG"):
            if priority > cr_titles.get(cr_number, (0, ""))[0]:
                cr_titles[cr_number] = (priority, title)
    return (
        {n: t for n, (_, t) in sorted(cr_titles.items())},
        dict(sorted(cr_lines.items())),
    )


def _dins(discussion: list[ParsedDiscussion], code: str) -> dict[int, str]:
    """The DINs the discussion names: number -> the area it was discussed under."""
    din_areas: dict[int, str] = {}
    for item in discussion:
        for ref in refs.find_refs(plain(item.text), (code,) if code else ()):
            if ref.kind == refs.RefKind.DIN:
                din_areas.setdefault(refs.parse_din_ref(ref.ref), item.area)
    return din_areas


_UNDERLINED_TITLE_RE = re.compile(r"^\s*\(\s*((?:<u>.*?</u>\s*)+)\)")


def _titles_after_refs(cell: str, code: str) -> list[tuple[int, int, str]]:
    """``(number, priority, title)`` for CRs written with their title after them.

    ``CR023 (<u>Title</u>)`` (underlined, priority 2) or ``CR029 (Title (With) Brackets)``
    (priority 1).
    """
    found: list[tuple[int, int, str]] = []
    for ref in refs.find_refs(cell, (code,)):
        if ref.kind != refs.RefKind.CHANGE_REQUEST:
            continue
        number = refs.parse_change_request_ref(ref.ref)
        rest = cell[ref.end :]
        underlined = _UNDERLINED_TITLE_RE.match(rest)
        if underlined:
            found.append((number, 2, plain(underlined.group(1))))
            continue
        stripped = rest.lstrip()
        if not stripped.startswith("("):
            continue
        depth, end = 0, None
        for index, char in enumerate(stripped):
            depth += {"(": 1, ")": -1}.get(char, 0)
            if depth == 0:
                end = index
                break
        if end is None:
            continue
        title = squash(stripped[1:end])
        words = title.split()
        if (
            "<" not in title
            and len(words) >= 2
            and title[:1].isupper()
            and not re.match(r"^(?:see|ACTION|DECISION|CR\s?\d|DIN)", title)
        ):
            found.append((number, 1, title))
    return found


def _merge_order(order: list[str], titles: list[str]) -> None:
    """Slot ``titles`` (in their own order) into ``order``: after their predecessor."""
    keys = [title_key(t) for t in order]
    previous: str | None = None
    for index, title in enumerate(titles):
        key = title_key(title)
        if key in keys:
            previous = key
            continue
        if previous is not None:
            position = keys.index(previous) + 1
        else:
            following = [title_key(t) for t in titles[index + 1 :] if title_key(t) in keys]
            position = keys.index(following[0]) if following else len(keys)
        order.insert(position, title)
        keys.insert(position, key)
        previous = key
