"""Text people type: bidi controls removed on save; discussion HTML sanitised for print."""

from __future__ import annotations

import re
import unicodedata

import nh3

# The explicit bidirectional embeddings, overrides and isolates: U+202A-U+202E (LRE, RLE,
# PDF, LRO, RLO) and U+2066-U+2069 (LRI, RLI, FSI, PDI). Typed or pasted into a record they
# reorder what follows them on every page, report and email that prints it (an RLO makes
# "DAG28-01 due 11/10" read backwards), and an unclosed one leaks into the text around it.
# The marks (U+200E, U+200F) only hint a direction and are kept. Output isolates user text
# instead (``unicode-bidi: isolate``, ``<bdi>``), so Arabic and Hebrew still read right.
BIDI_CONTROLS_RE = re.compile("[\u202a-\u202e\u2066-\u2069]")


def bidi_controls_stripped(text: str) -> str:
    """``text`` without the bidi embedding, override and isolate controls."""
    return BIDI_CONTROLS_RE.sub("", text)


def visible_text(text: str) -> str:
    """``text`` stripped, and empty when it holds nothing visible: a required reason made of
    zero-width spaces or joiners (format characters, Unicode category Cf) says nothing."""
    text = (text or "").strip()
    if all(unicodedata.category(ch) == "Cf" or ch.isspace() for ch in text):
        return ""
    return text


# Discussion text keeps the emphasis the headline report uses, and what the discussion
# editor writes: paragraphs, lists and links (http, https and mailto only, opened with
# rel="noopener noreferrer"). Everything else is removed, its text kept.
DISCUSSION_TAGS = {"b", "strong", "u", "i", "em", "br", "p", "ul", "ol", "li", "a"}
DISCUSSION_ATTRIBUTES = {"a": {"href"}}
DISCUSSION_URL_SCHEMES = {"http", "https", "mailto"}

# Emphasis nested deeper than this is flattened: a report needs a level or two, and
# WeasyPrint recurses per level (a few hundred <b> made the PDF fail to render at all).
DISCUSSION_MAX_NESTING = 8
_EMPHASIS_TAG_RE = re.compile(r"<(/?)(?:b|strong|u|i|em)>")


def discussion_text_clean(text: str) -> str:
    """Sanitise discussion HTML: keep ``DISCUSSION_TAGS`` (links with a safe ``href`` only),
    drop the rest, and drop emphasis tags nested more than ``DISCUSSION_MAX_NESTING`` deep
    (their text stays)."""
    html = nh3.clean(
        text or "",
        tags=DISCUSSION_TAGS,
        attributes=DISCUSSION_ATTRIBUTES,
        url_schemes=DISCUSSION_URL_SCHEMES,
        url_relative="deny",
        link_rel="noopener noreferrer",
    )
    # A link whose address was refused (a script, a relative path) is no link: its text stays.
    html = _HREFLESS_LINK_RE.sub(r"\1", html)
    # The editor leaves empty paragraphs behind (an Enter at the end, a list closed).
    html = _EMPTY_PARAGRAPH_RE.sub("", html)
    return _emphasis_flattened(html).strip()


_EMPTY_PARAGRAPH_RE = re.compile(r"<p>(?:\s|<br>)*</p>")


_HREFLESS_LINK_RE = re.compile(r'<a rel="noopener noreferrer">(.*?)</a>', re.DOTALL)


_ANCHOR_RE = re.compile(r"<a\b[^>]*>.*?</a>", re.DOTALL)


def anchor_spans(html: str) -> list[tuple[int, int]]:
    """Where the links written in sanitised ``html`` start and end (``<a …>`` to ``</a>``).

    A ref inside a link someone wrote is left as written: a link inside a link is not HTML.
    nh3's output never nests links, so the first ``</a>`` closes each one.
    """
    return [m.span() for m in _ANCHOR_RE.finditer(html)]


def inside(position: int, spans: list[tuple[int, int]]) -> bool:
    """Whether ``position`` falls inside one of ``spans``."""
    return any(start <= position < end for start, end in spans)


def _emphasis_flattened(html: str) -> str:
    # nh3's output is balanced, so each closing tag matches the last opening one.
    opened: list[bool] = []  # for each open tag: whether it was kept
    depth = 0

    def keep_or_drop(match: re.Match[str]) -> str:
        nonlocal depth
        if match[1]:
            kept = opened.pop() if opened else False
            depth -= kept
            return match[0] if kept else ""
        kept = depth < DISCUSSION_MAX_NESTING
        opened.append(kept)
        depth += kept
        return match[0] if kept else ""

    return _EMPHASIS_TAG_RE.sub(keep_or_drop, html)
