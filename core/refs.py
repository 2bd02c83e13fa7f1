"""Reference numbers: formatting, validation and finding them in free text.

The formats come from DESIGN.md ("Reference numbers") and the seed report:

=========  ================================  ==========================
record     format                            examples
=========  ================================  ==========================
Meeting    ``{code}{number:03}[.{sub}]``     ``DAG028``, ``DAG020.1``
Action     ``{code}{number}[.{sub}]-{seq:02}``  ``DAG28-01``, ``DAG20.1-12``
Decision   ``{code}-DEC{seq}``               ``DAG-DEC67``
CR         ``CR{number:03}``                 ``CR023``
DIN        ``DIN-{number}``                  ``DIN-620``
artefact   ``DES-{number}``                  ``DES-196`` (also ``DES196``)
=========  ================================  ==========================

These functions are pure (no database): the resolver in ``meetings.selectors`` turns the
:class:`FoundRef` values into records.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from django.core.exceptions import ValidationError

COMMITTEE_CODE_RE = re.compile(r"^[A-Z]{2,10}$")


class RefKind:
    """The kinds of reference the resolver knows (stored on DiscussionReference.kind)."""

    MEETING = "meeting"
    ACTION = "action"
    DECISION = "decision"
    CHANGE_REQUEST = "change_request"
    DIN = "din"
    DESIGN_ARTEFACT = "design_artefact"


def meeting_ref(code: str, number: int, sub_number: int = 0) -> str:
    """``("DAG", 28) -> "DAG028"``; ``("DAG", 20, 1) -> "DAG020.1"``."""
    ref = f"{code}{number:03d}"
    return f"{ref}.{sub_number}" if sub_number else ref


def action_ref(code: str, number: int, sub_number: int, seq: int) -> str:
    """``("DAG", 28, 0, 1) -> "DAG28-01"``; ``("DAG", 20, 1, 12) -> "DAG20.1-12"``."""
    meeting_part = f"{number}.{sub_number}" if sub_number else f"{number}"
    return f"{code}{meeting_part}-{seq:02d}"


def decision_ref(code: str, seq: int) -> str:
    """``("DAG", 67) -> "DAG-DEC67"``."""
    return f"{code}-DEC{seq}"


def change_request_ref(number: int) -> str:
    """``23 -> "CR023"``."""
    return f"CR{number:03d}"


def din_ref(number: int) -> str:
    """``620 -> "DIN-620"``."""
    return f"DIN-{number}"


def design_artefact_ref(number: int) -> str:
    """``196 -> "DES-196"``."""
    return f"DES-{number}"


def validate_committee_code(code: str) -> None:
    """Raise ValidationError unless ``code`` is 2-10 capital letters (``DAG``, ``DRG``)."""
    if not COMMITTEE_CODE_RE.match(code or ""):
        raise ValidationError(
            "A committee code is 2 to 10 capital letters, such as DAG.", code="invalid_code"
        )


# --- parsing one ref (for URLs, imports and forms) ------------------------------------------

_MEETING_RE = re.compile(r"^(?P<code>[A-Z]{2,10})\s?(?P<number>\d{1,4})(?:\.(?P<sub>\d{1,2}))?$")
_ACTION_RE = re.compile(
    r"^(?P<code>[A-Z]{2,10})\s?(?P<number>\d{1,4})(?:\.(?P<sub>\d{1,2}))?-(?P<seq>\d{1,4})$"
)
_DECISION_RE = re.compile(r"^(?P<code>[A-Z]{2,10})-DEC\s?(?P<seq>\d{1,5})$")
_CR_RE = re.compile(r"^CR\s?(?P<number>\d{1,5})$")
_DIN_RE = re.compile(r"^DIN-?\s?(?P<number>\d{1,6})$")

# The largest numbers the patterns above read back. A record numbered beyond them would get
# a ref that no URL, form or import can name, so the services refuse such numbers.
MAX_MEETING_NUMBER = 9999
MAX_SUB_NUMBER = 99
MAX_ACTION_SEQ = 9999
MAX_DECISION_SEQ = 99999
MAX_CHANGE_REQUEST_NUMBER = 99999
MAX_DIN_NUMBER = 999999


@dataclass(frozen=True)
class MeetingKey:
    """A parsed meeting ref: committee code, number and sub-number (0 for ordinary meetings)."""

    code: str
    number: int
    sub_number: int = 0


@dataclass(frozen=True)
class ActionKey:
    """A parsed action ref: the meeting's key plus the sequence within the meeting."""

    code: str
    number: int
    sub_number: int
    seq: int


@dataclass(frozen=True)
class DecisionKey:
    """A parsed decision ref: committee code and committee-wide sequence."""

    code: str
    seq: int


def _clean(ref: str) -> str:
    return (ref or "").strip().upper()


def parse_meeting_ref(ref: str) -> MeetingKey:
    """Parse ``DAG028``, ``DAG 28`` or ``DAG020.1``; raise ValidationError if malformed."""
    match = _MEETING_RE.match(_clean(ref))
    if not match:
        raise ValidationError(
            f"“{ref}” is not a meeting reference such as DAG028 or DAG020.1.", code="invalid_ref"
        )
    return MeetingKey(match["code"], int(match["number"]), int(match["sub"] or 0))


def parse_action_ref(ref: str) -> ActionKey:
    """Parse ``DAG28-01`` or ``DAG20.1-12``; raise ValidationError if malformed."""
    match = _ACTION_RE.match(_clean(ref))
    if not match:
        raise ValidationError(
            f"“{ref}” is not an action reference such as DAG28-01 or DAG20.1-12.",
            code="invalid_ref",
        )
    return ActionKey(match["code"], int(match["number"]), int(match["sub"] or 0), int(match["seq"]))


def parse_decision_ref(ref: str) -> DecisionKey:
    """Parse ``DAG-DEC67``; raise ValidationError if malformed."""
    match = _DECISION_RE.match(_clean(ref))
    if not match:
        raise ValidationError(
            f"“{ref}” is not a decision reference such as DAG-DEC67.", code="invalid_ref"
        )
    return DecisionKey(match["code"], int(match["seq"]))


def parse_change_request_ref(ref: str) -> int:
    """Parse ``CR023`` (or ``CR 23``) to its number; raise ValidationError if malformed."""
    match = _CR_RE.match(_clean(ref))
    if not match:
        raise ValidationError(
            f"“{ref}” is not a change request reference such as CR023.", code="invalid_ref"
        )
    return int(match["number"])


def parse_din_ref(ref: str) -> int:
    """Parse ``DIN-620`` (or ``DIN620``) to its number; raise ValidationError if malformed."""
    match = _DIN_RE.match(_clean(ref))
    if not match:
        raise ValidationError(
            f"“{ref}” is not a Design Issue Notification reference such as DIN-620.",
            code="invalid_ref",
        )
    return int(match["number"])


# --- finding refs in free text --------------------------------------------------------------


@dataclass(frozen=True)
class FoundRef:
    """A reference found in text: its kind, its canonical form and where it was written."""

    kind: str
    ref: str
    start: int
    end: int
    text: str


def _code_alternation(committee_codes: Iterable[str]) -> str:
    codes = sorted(
        {c for c in committee_codes if COMMITTEE_CODE_RE.match(c)}, key=len, reverse=True
    )
    return "|".join(re.escape(c) for c in codes)


# Refs every installation has, whatever its committees: CRs, DINs and design artefacts.
_PROGRAMME_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    (
        RefKind.CHANGE_REQUEST,
        re.compile(
            r"\b(?:CR\s?(?P<number>\d{1,4})|Change\s+Request\s*\(CR\)\s*(?P<long>\d{1,4}))\b"
        ),
    ),
    (RefKind.DIN, re.compile(r"\bDIN-?\s?(?P<number>\d{1,6})\b")),
    (RefKind.DESIGN_ARTEFACT, re.compile(r"\bDES-?(?P<number>\d{1,5})\b")),
)


def _committee_patterns(codes: str) -> list[tuple[str, re.Pattern[str]]]:
    """The patterns of the refs that start with a committee code (``codes``: an alternation)."""
    return [
        (
            RefKind.ACTION,
            re.compile(
                rf"\b(?P<code>{codes})\s?(?P<number>\d{{1,4}})(?:\.(?P<sub>\d{{1,2}}))?"
                r"-(?P<seq>\d{1,4})\b"
            ),
        ),
        (RefKind.DECISION, re.compile(rf"\b(?P<code>{codes})-DEC\s?(?P<seq>\d{{1,5}})\b")),
        (
            RefKind.MEETING,
            re.compile(
                rf"\b(?P<code>{codes})(?:(?P<padded>\d{{3}})|\s(?P<number>\d{{1,3}}))"
                r"(?:\.(?P<sub>\d{1,2}))?\b(?![-.]\d)"
            ),
        ),
    ]


def _canonical(kind: str, groups: dict[str, str | None]) -> str:
    """The canonical ref of one match of ``kind``'s pattern (its named groups)."""
    if kind == RefKind.ACTION:
        return action_ref(
            str(groups["code"]),
            int(str(groups["number"])),
            int(groups["sub"] or 0),
            int(str(groups["seq"])),
        )
    if kind == RefKind.DECISION:
        return decision_ref(str(groups["code"]), int(str(groups["seq"])))
    if kind == RefKind.MEETING:
        number = int(str(groups["padded"] or groups["number"]))
        return meeting_ref(str(groups["code"]), number, int(groups["sub"] or 0))
    if kind == RefKind.CHANGE_REQUEST:
        return change_request_ref(int(str(groups["number"] or groups["long"])))
    if kind == RefKind.DIN:
        return din_ref(int(str(groups["number"])))
    return design_artefact_ref(int(str(groups["number"])))


def find_refs(text: str, committee_codes: Iterable[str] = ("DAG",)) -> list[FoundRef]:
    """Find every reference written in ``text``, in order of appearance.

    ``committee_codes`` are the codes whose meeting, action and decision refs are looked
    for (the committees of the installation), so that ``CR023`` is never read as a meeting.
    Accepts the variants people write (DESIGN.md): ``ACTION DAG28-02``, ``DAG 28``,
    ``DES196`` for ``DES-196`` and "Change Request (CR) 023" for ``CR023``. Overlapping
    matches keep the longest, so ``DAG20.1-12`` is one action, not a meeting.
    Returns :class:`FoundRef` values with canonical refs; unknown text is ignored.
    """
    text = text or ""
    codes = _code_alternation(committee_codes)
    patterns = [*(_committee_patterns(codes) if codes else []), *_PROGRAMME_PATTERNS]
    candidates = [
        FoundRef(kind, _canonical(kind, m.groupdict()), m.start(), m.end(), m.group(0))
        for kind, pattern in patterns
        for m in pattern.finditer(text)
    ]
    candidates.sort(key=lambda f: (f.start, -(f.end - f.start)))
    found: list[FoundRef] = []
    last_end = -1
    for candidate in candidates:
        if candidate.start >= last_end:
            found.append(candidate)
            last_end = candidate.end
    return found
