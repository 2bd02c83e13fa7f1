"""A headline report of any size in the seed's text form, for the import's scaling tests.

The rows copy the seed's shapes: areas whose merged cell prints its words on middle rows
(``Minutes and`` … ``Actions``), owners ``Programme (Person)`` from a pool of people,
decisions on CRs, and discussion paragraphs that name the actions and decisions of their
area (the evidence the area inference weighs). ``large_report_text(n)`` has ``n`` action
rows, ``n // 5`` decisions and ``n // 4`` discussion paragraphs in ``n // 8`` areas.
"""

from __future__ import annotations

PEOPLE = [f"Person {chr(65 + i // 26)}{chr(65 + i % 26)}" for i in range(60)]
ROWS_PER_AREA = 8


def _area_title(index: int) -> str:
    return f"CR{100 + index} Decision" if index % 2 else f"Workstream {index} Update and Review"


def _split_title(title: str, rows: int) -> list[str]:
    """The title's words spread over the middle rows of its group, as a PDF prints them."""
    words = title.split()
    cells = [""] * rows
    start = max(0, rows // 2 - len(words) // 2)
    half = (len(words) + 1) // 2
    cells[start] = " ".join(words[:half])
    if half < len(words):
        cells[min(rows - 1, start + 1)] = " ".join(words[half:])
    return cells


def large_report_text(n: int, *, number: int = 28) -> str:
    """A DAG report of meeting ``number`` with ``n`` new actions (at most 9999)."""
    assert 8 <= n <= 9999
    areas = max(1, n // ROWS_PER_AREA)
    lines = [
        "# MHHS Design Advisory Group (DAG) Headline Report",
        "",
        "#### Issue date: 20/09/2023",
        "",
        f"Meeting Number\tDAG{number:03d}\tVenue\tVirtual – MS Teams",
        "Meeting Date and Time\t13 September 2023 1000-1300\tClassification\tPublic",
        "",
        "### Actions",
        "",
        "Area\tRef\tAction\tOwner\tDue",
    ]
    per_area = [n // areas + (1 if i < n % areas else 0) for i in range(areas)]
    seq = 0
    for index, rows in enumerate(per_area):
        cells = _split_title(_area_title(index), rows)
        for row in range(rows):
            seq += 1
            person = PEOPLE[seq % len(PEOPLE)]
            lines.append(
                f"{cells[row]}\tDAG{number}-{seq:02d}\tProgramme to follow up item {seq} of "
                f"{_area_title(index)}\tProgramme ({person})\t{1 + seq % 28:02d}/10/2023"
            )
    lines += ["", "## Decisions", "", "Area\tRef\tDecision"]
    decisions = max(1, n // 5)
    first_decision = 100 + max(0, number - 28) * 2000  # each meeting's own decision numbers
    for d in range(decisions):
        index = d * areas // decisions
        lines.append(
            f"{_area_title(index)}\tDAG-DEC{first_decision + d}\tThe SRO approved item {d} of "
            f"{_area_title(index)} for implementation"
        )
    lines += ["", "# **Key Discussion Items**", "", "Area\tDiscussion"]
    paragraphs = max(1, n // 4)
    first_seq = [sum(per_area[:i]) + 1 for i in range(areas)]
    for p in range(paragraphs):
        index = p * areas // paragraphs
        action = f"DAG{number}-{first_seq[index]:02d}"
        decision = f"DAG-DEC{first_decision + index * decisions // areas}"
        area_cell = _area_title(index) if p == 0 or (p - 1) * areas // paragraphs != index else ""
        lines.append(
            f"{area_cell}\tThe DAG discussed point {p} ( <b>ACTION {action}</b> ) and "
            f"noted the outcome ( <b>DECISION {decision}</b> )."
        )
    lines += ["", "Date of next DAG: 11 October 2023 10am", ""]
    return "\n".join(lines)
