"""The five-report back catalogue of issue #14, built in memory: DAG026, DAG027 and the
extraordinary DAG027.1 in the text form (DAG027.1 as a Word document inside a ZIP, DAG027 as
a Word document), the seed's DAG028 as its PDF, and a DAG029 that takes up DAG28-01 with a
new date. Used by ``test_import_catalogue`` and by the import benchmark (``bench``).
"""

from __future__ import annotations

import io
import random
import zipfile
from pathlib import Path

from docx import Document

SEEDS = Path(__file__).resolve().parents[2] / "seeds"
DAG27_08 = (
    "Programme to confirm version incrementing arrangements for data flows and scenario "
    "variants changing as a result of MHHS"
)


def report(number: str, date: str, times: str, *, actions, decisions, discussion, next_at):
    """A headline report in the text form (as ``seeds/*.txt``)."""
    lines = [
        "# MHHS Design Advisory Group (DAG) Headline Report",
        "#### Issue date: 01/01/2023",
        f"Meeting Number\tDAG{number}\tVenue\tVirtual – MS Teams",
        f"Meeting Date and Time\t{date} {times}\tClassification\tPublic",
        "### Actions",
        "Area\tRef\tAction\tOwner\tDue",
        *("\t".join(row) for row in actions),
        "## Decisions",
        "Area\tRef\tDecision",
        *("\t".join(row) for row in decisions),
        "# **Key Discussion Items**",
        "Area\tDiscussion",
        *("\t".join(row) for row in discussion),
        f"Date of next DAG: {next_at}",
    ]
    return "\n".join(lines) + "\n"


DAG026 = report(
    "026", "14 June 2023", "1000-1300",
    actions=[("Minutes and Actions", "DAG26-01", "Programme to publish the DIN log",
              "Programme (PMO)", "12/07/2023")],
    decisions=[("Minutes and Actions", "DAG-DEC60", "Minutes of the May DAG approved")],
    discussion=[("Minutes and Actions", "The DAG reviewed the DIN log (ACTION DAG26-01).")],
    next_at="12 July 2023 10am",
)  # fmt: skip
DAG027 = report(
    "027", "12 July 2023", "1000-1300",
    actions=[
        ("Minutes and Actions", "DAG27-02", "Large Supplier Representative to give a view "
         "on CR023", "Large Supplier Representative (Haz Elmamoun)", "13/09/2023"),
        ("Design (DIN)", "DAG27-08", DAG27_08, "Programme (Matt McKeon)", "13/09/2023"),
        ("Design (DIN)", "DAG27-10", "Programme to notify Code Bodies of code changes",
         "Programme (PMO)", "13/09/2023"),
    ],
    decisions=[("Minutes and Actions", "DAG-DEC62", "Minutes of the June DAG approved")],
    discussion=[("Design (DIN)", "The DAG discussed versioning (ACTION DAG27-08).")],
    next_at="26 July 2023 2pm",
)  # fmt: skip
DAG027_1 = report(
    "027.1", "26 July 2023", "1400-1500",
    actions=[("CR024 Decision", "DAG27.1-01", "Programme to raise DINs for CR024",
              "Programme (Berlinda Kugara)", "13/09/2023")],
    decisions=[("CR024 Decision", "DAG-DEC63", "The SRO approved CR024 for implementation")],
    discussion=[("CR024 Decision", "An extraordinary DAG to decide CR024.")],
    next_at="13 September 2023 10am",
)  # fmt: skip
DAG029 = report(
    "029", "11 October 2023", "1000-1300",
    actions=[
        ("Minutes and Actions", "DAG29-01", "Programme to report on the DRG discussion",
         "Programme (Rob Short)", "08/11/2023"),
        ("Previous Meeting(s)", "DAG28-01", "Programme to provide overview of the Related "
         "MPAN Explainer document to the Design Resolution Group (DRG)",
         "Programme (Rob Short)", "08/11/2023"),
    ],
    decisions=[("Minutes and Actions", "DAG-DEC75", "Minutes of the September DAG approved")],
    discussion=[("Minutes and Actions", "The DAG took up DAG28-01 (ACTION DAG28-01).")],
    next_at="8 November 2023 10am",
)  # fmt: skip


def as_docx(text: str) -> bytes:
    """The text form laid out as a Word document (headings, then one table per block)."""
    document = Document()
    block: list[list[str]] = []

    def flush():
        if block:
            table = document.add_table(rows=len(block), cols=len(block[0]))
            for row, values in zip(table.rows, block, strict=True):
                for cell, value in zip(row.cells, values, strict=False):
                    cell.text = value
            block.clear()

    for line in text.splitlines():
        if "\t" in line:
            if block and len(line.split("\t")) != len(block[0]):
                flush()
            block.append(line.split("\t"))
            continue
        flush()
        if line.startswith("#"):
            level = len(line) - len(line.lstrip("#"))
            document.add_heading(line.lstrip("# ").strip("*"), min(level, 4))
        elif line.strip():
            document.add_paragraph(line)
    flush()
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def zip_of(**members: bytes) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return out.getvalue()


def catalogue() -> list[tuple[str, bytes]]:
    files = [
        ("DAG029.txt", DAG029.encode()),
        ("DAG028-headline-report.pdf", (SEEDS / "DAG028-headline-report.pdf").read_bytes()),
        (
            "older.zip",
            zip_of(**{"DAG026.txt": DAG026.encode(), "DAG027.1.docx": as_docx(DAG027_1)}),
        ),
        ("DAG027.docx", as_docx(DAG027)),
    ]
    random.Random(7).shuffle(files)
    return files
