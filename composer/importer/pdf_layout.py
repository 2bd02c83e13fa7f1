"""What a PDF's drawing says beyond its characters, for :mod:`.pdf`: where a table broken by
a page ends, which characters are underlined, and which pieces of a margin line are apart.

* A table cut by a page break may be drawn without the rule under its last row (the row's
  cell borders stop at the page's foot with nothing closing them): the rule is supplied
  where two or more vertical rules end at one height with no horizontal rule there, so the
  last row is a row like any other.
* An underline is a thin horizontal rule drawn under a run of characters: across their
  lower part (a renderer draws it over the descenders, a word processor just below them).
  It is found per character, so "(<u>title</u>)" keeps its brackets outside.
* A margin line's pieces: running heads set in separate boxes (title in the middle,
  classification on the right) come out as one text line; split where the gap is wide.
"""

from __future__ import annotations

import collections
from typing import Any

_THIN = 1.5  # points: a rule is thinner than this


def _horizontal(edge: dict) -> bool:
    return abs(edge["bottom"] - edge["top"]) < _THIN


def _meets(x: float, y: float, edge: dict) -> bool:
    """True when ``edge`` passes through the point (x, y), within a point."""
    return edge["x0"] - 1 <= x <= edge["x1"] + 1 and edge["top"] - 1 <= y <= edge["bottom"] + 1


def closing_rules(page: Any) -> list[dict]:
    """Horizontal rules to add under rows whose cell borders end with nothing closing them:
    where two or more vertical rules end at one height (not going on below), and one of
    them meets no horizontal rule there."""
    vertical = [e for e in page.edges if e["orientation"] == "v" and e["height"] > 4]
    horizontal = [e for e in page.edges if e["orientation"] == "h"]
    ends: dict[int, list[tuple[float, float, bool]]] = collections.defaultdict(list)
    for edge in vertical:
        x, y = edge["x0"], edge["bottom"]
        if any(other is not edge and _meets(x, y, other) and other["bottom"] > y + 1
               for other in vertical):  # fmt: skip
            continue  # the border goes on below (drawn row by row)
        ends[round(y)].append((x, y, any(_meets(x, y, h) for h in horizontal)))
    rules = []
    for group in ends.values():
        if len(group) < 2 or all(closed for _, _, closed in group):
            continue
        x0, x1 = min(x for x, _, _ in group), max(x for x, _, _ in group)
        y = max(y for _, y, _ in group)
        rules.append(
            {
                "object_type": "line",
                "x0": x0,
                "x1": x1,
                "top": y,
                "bottom": y,
                "width": x1 - x0,
                "height": 0,
                "doctop": y,
            }
        )
    return rules


def with_underlines(chars: list[dict], rules: list[dict]) -> list[dict]:
    """``chars`` each with ``underline``: a thin rule runs under its middle, within its
    lower part or just below it."""
    marked = []
    for char in chars:
        middle = (char["x0"] + char["x1"]) / 2
        low = char["top"] + (char["bottom"] - char["top"]) * 0.6
        underline = any(
            rule["x0"] - 0.5 <= middle <= rule["x1"] + 0.5
            and low <= rule["top"] <= char["bottom"] + 4
            for rule in rules
        )
        marked.append({**char, "underline": underline})
    return marked


def underline_rules(page: Any, box: tuple[float, float, float, float]) -> list[dict]:
    """Thin horizontal rules inside a cell's box, shorter than the cell (not its borders)."""
    x0, top, x1, bottom = box
    rules = [*page.lines, *[r for r in page.rects if r["height"] < _THIN]]
    return [
        rule
        for rule in rules
        if _horizontal(rule)
        and rule["x0"] >= x0 - 0.5
        and rule["x1"] <= x1 + 0.5
        and top - 0.5 <= rule["top"] <= bottom + 0.5
        and rule["x1"] - rule["x0"] < (x1 - x0) - 4
    ]


def line_pieces(line: dict) -> list[str]:
    """A text line's pieces, split where the gap between characters is wider than three
    times their size (separate boxes set on one line)."""
    pieces: list[str] = []
    current = ""
    last: dict | None = None
    for char in line["chars"]:
        if last is not None and char["x0"] - last["x1"] > 3 * char["size"]:
            pieces.append(current.strip())
            current = ""
        elif last is not None and char["x0"] - last["x1"] > char["size"] * 0.2:
            current += " "
        current += char["text"]
        last = char
    pieces.append(current.strip())
    return [p for p in pieces if p]
