"""The headline report's wording: how it writes dates, the meeting's date and time, the next
meeting, the rows it names without showing, and a discussion item's cell (refs in bold,
bulleted lines as a list).

Split from :mod:`composer.report`, which reads what the report shows and uses these to
write it.
"""

from __future__ import annotations

import datetime as dt
import re
from functools import lru_cache

from django.utils import timezone

from core import refs
from core.text import anchor_spans, discussion_text_clean, inside

PREVIOUS_MEETINGS = "Previous Meeting(s)"
HIDDEN_REVIEW_TEXT = "An action of a restricted meeting"


def date_text(value: dt.date | None) -> str:
    """``11/10/2023`` (the report's dd/mm/yyyy), or "" for no date."""
    return value.strftime("%d/%m/%Y") if value else ""


def meeting_date_and_time(start_at: dt.datetime, end_at: dt.datetime | None) -> str:
    """``13 September 2023 1000-1300`` in Europe/London, as the report writes it."""
    start = timezone.localtime(start_at)
    text = f"{start.day} {start:%B %Y} {start:%H%M}"
    return f"{text}-{timezone.localtime(end_at):%H%M}" if end_at else text


def next_meeting_text(start_at: dt.datetime) -> str:
    """``11 October 2023 10am`` (``2:30pm`` with minutes) in Europe/London."""
    start = timezone.localtime(start_at)
    hour = start.hour % 12 or 12
    minutes = f":{start.minute:02d}" if start.minute else ""
    return f"{start.day} {start:%B %Y} {hour}{minutes}{'am' if start.hour < 12 else 'pm'}"


# Refs shown in bold: the ones that point at actions, decisions and meetings (the report's
# cross-references), with the ACTION/DECISION word written before them.
_BOLD_KINDS = {refs.RefKind.ACTION, refs.RefKind.DECISION, refs.RefKind.MEETING}
_KEYWORD_BEFORE_RE = re.compile(r"(?:ACTION|DECISION)S?\s+$")
_EMPHASIS_RE = re.compile(r"<(b|strong)>([^<]*)</\1>")


def is_bold_ref(label: str, codes: tuple[str, ...]) -> bool:
    """True when ``label`` is one ref the report prints bold (an action, decision or
    meeting), with the ACTION/DECISION word before it or not: the report's own style."""
    label = label.strip()
    found = refs.find_refs(label, codes)
    if len(found) != 1 or found[0].kind not in _BOLD_KINDS or found[0].end != len(label):
        return False
    return not label[: found[0].start] or bool(
        _KEYWORD_BEFORE_RE.fullmatch(label[: found[0].start])
    )


def ref_emphasis_removed(text: str, codes: tuple[str, ...]) -> str:
    """``text`` without the bold written around a ref the report prints bold anyway: the
    report gives each such ref its style, so a report read back (its refs all bold) and the
    text it was written from keep the same words and markup."""
    return _EMPHASIS_RE.sub(lambda m: m[2] if is_bold_ref(m[2], codes) else m[0], text)


def discussion_cell_html(text: str, codes: list[str], anchors: dict[str, str]) -> str:
    """A discussion item's sanitised HTML with refs bold (and linked to ``anchors``).

    ``anchors`` maps a ref to the id of its row in the report (``action-DAG28-02``). Refs of
    actions, decisions and meetings are bold, with the ACTION/DECISION word written before
    them; lines after ``<br>`` that start with ``•`` become a bulleted list.
    """
    return discussion_cell_html_cached(text or "", tuple(codes), frozenset(anchors.items()))


# Cached: finding refs is the dearest part of reading a report, and the same texts come
# back on every request for an unchanged report.
@lru_cache(maxsize=2048)
def discussion_cell_html_cached(
    text: str, codes: tuple[str, ...], anchor_items: frozenset[tuple[str, str]]
) -> str:
    anchors = dict(anchor_items)
    # Sanitised again: a record written around the services must not inject markup here.
    text = discussion_text_clean(text)
    out: list[str] = []
    position = 0
    written_links = anchor_spans(text)
    for found in refs.find_refs(text, codes):
        if found.kind not in _BOLD_KINDS or inside(found.start, written_links):
            continue
        start = found.start
        keyword = _KEYWORD_BEFORE_RE.search(text, position, start)
        if keyword:
            start = keyword.start()
        label = text[start : found.end]
        anchor = anchors.get(found.ref)
        inner = f'<a href="#{anchor}">{label}</a>' if anchor else label
        out += [text[position:start], f'<strong class="ref">{inner}</strong>']
        position = found.end
    out.append(text[position:])
    return _with_lists("".join(out))


def _with_lists(text: str) -> str:
    parts = re.split(r"<br\s*/?>", text)
    if not any(p.lstrip().startswith("•") for p in parts[1:]):
        return text
    html_parts: list[str] = [f"<p>{parts[0]}</p>"] if parts[0].strip() else []
    in_list = False
    for part in parts[1:]:
        if part.lstrip().startswith("•"):
            if not in_list:
                html_parts.append("<ul>")
                in_list = True
            html_parts.append(f"<li>{part.lstrip()[1:].strip()}</li>")
        else:
            if in_list:
                html_parts.append("</ul>")
                in_list = False
            html_parts.append(f"<p>{part}</p>")
    if in_list:
        html_parts.append("</ul>")
    return "".join(html_parts)
