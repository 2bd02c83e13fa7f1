"""Search across every kind of record (``/search/``, ``/api/v1/search/``): what a user types,
read as words and refs, answered with the records they may see, best first, the matching
words marked.

The words are the same for both databases: split on anything not a letter or digit, lower
case, English stop words (PostgreSQL's ``english.stop``) left out, all required. Refs
written in the query (``DAG28-14``, ``dag-dec75``, ``CR 23``) are read as ``core.refs``
reads them in discussion text; a record with that very ref comes first.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from composer.models import SearchDocument
from core import refs as core_refs
from core.visibility import sees_all_meetings

from . import kinds as _kinds  # noqa: F401 - registers the kinds
from .backends import search_backend
from .registry import KINDS, MARK_END, MARK_START

MAX_WORDS = 12
MAX_WORD_LENGTH = 60
PAGE_SIZE = 20

# PostgreSQL's English stop words (tsearch_data/english.stop): dropped from the query on both
# databases, so that "the decision" finds on SQLite what it finds on PostgreSQL.
_STOP_WORDS = """i me my myself we our ours ourselves you your yours yourself yourselves he him his
    himself she her hers herself it its itself they them their theirs themselves what which
    who whom this that these those am is are was were be been being have has had having do
    does did doing a an the and but if or because as until while of at by for with about
    against between into through during before after above below to from up down in out on
    off over under again further then once here there when where why how all any both each
    few more most other some such no nor not only own same so than too very s t can will
    just don should now"""
STOP_WORDS = frozenset(_STOP_WORDS.split())
_WORD_RE = re.compile(r"[^\W_]+")
_CODE_RE = re.compile(r"[A-Z]{2,10}")
# Words that start programme-wide refs (CR023, DIN-620, DES-196), never a committee's code.
_NOT_CODES = {"CR", "DIN", "DES", "DEC"}


@dataclass(frozen=True)
class SearchTerms:
    """A query as the search reads it: its words and the canonical refs it names."""

    words: tuple[str, ...]
    refs: tuple[str, ...]

    def __bool__(self) -> bool:
        return bool(self.words or self.refs)


def search_terms(text: str) -> SearchTerms:
    """Read ``text`` (what the user typed) as words and refs."""
    text = (text or "")[:500]
    words: list[str] = []
    for word in _WORD_RE.findall(text.lower()):
        if word not in STOP_WORDS and word not in words and len(word) <= MAX_WORD_LENGTH:
            words.append(word)
    upper = text.upper()
    codes = set(_CODE_RE.findall(upper)) - _NOT_CODES
    found = core_refs.find_refs(upper, codes)
    refs = tuple(dict.fromkeys(f.ref for f in found))
    return SearchTerms(tuple(words[:MAX_WORDS]), refs)


def marked(text: str | None) -> SafeString:
    """``text`` with the backend's marks as ``<mark>``: escaped first, then marked, so the
    record's own text can never add markup."""
    html = escape(text or "").replace(MARK_START, "<mark>").replace(MARK_END, "</mark>")
    return mark_safe(html)  # noqa: S308 - escaped above; only our marks become tags


def unmarked(text: str | None) -> str:
    """``text`` without the backend's marks."""
    return (text or "").replace(MARK_START, "").replace(MARK_END, "")


@dataclass(frozen=True)
class SearchHit:
    """One record found: its kind, ref and page, what it is and where, with words marked."""

    kind: str
    kind_label: str
    record_id: int
    ref: str
    title_text: str
    title: SafeString
    snippet: SafeString
    place: str
    link: str
    date: dt.date | None
    is_exact: bool


@dataclass(frozen=True)
class SearchResults:
    terms: SearchTerms
    hits: list[SearchHit]
    has_more: bool


def search_visible_q(user: Any, kind: str = "") -> Q:
    """The documents ``user`` may see (of ``kind`` only, when given), by each kind's
    ``visible_to(user)`` queryset as a subquery."""
    chosen = [KINDS[kind]] if kind else list(KINDS.values())
    if sees_all_meetings(user):
        return Q(kind=kind) if kind else Q()
    seen = Q(pk__in=[])
    for k in chosen:
        visible = k.visible(user)
        if visible is None:
            seen |= Q(kind=k.name)
        else:
            seen |= Q(kind=k.name, object_id__in=visible.values("pk"))
    return seen


def search_documents_for(
    *,
    user: Any,
    kind: str = "",
    committee: str = "",
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
) -> QuerySet[SearchDocument]:
    """The documents ``user`` may see, filtered by kind, committee code and date range."""
    docs = SearchDocument.objects.filter(search_visible_q(user, kind))
    if committee:
        docs = docs.filter(committee__code=committee)
    if date_from:
        docs = docs.filter(date__gte=date_from)
    if date_to:
        docs = docs.filter(date__lte=date_to)
    return docs


def search_records(
    *,
    user: Any,
    text: str,
    kind: str = "",
    committee: str = "",
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    limit: int = PAGE_SIZE,
    offset: int = 0,
) -> SearchResults:
    """The records ``user`` may see that ``text`` finds: one page of ``limit`` from
    ``offset``, in one query whatever the number of hits (none for an empty query)."""
    terms = search_terms(text)
    if not terms:
        return SearchResults(terms, [], False)
    docs = search_documents_for(
        user=user, kind=kind, committee=committee, date_from=date_from, date_to=date_to
    )
    rows = search_backend()(
        docs, words=terms.words, refs=terms.refs, limit=limit + 1, offset=offset
    )
    hits = [
        SearchHit(
            kind=row.kind,
            kind_label=KINDS[row.kind].label if row.kind in KINDS else row.kind,
            record_id=row.object_id,
            ref=row.ref,
            title_text=unmarked(row.title_marked),
            title=marked(row.title_marked),
            snippet=marked(row.body_marked),
            place=row.place,
            link=row.link,
            date=row.date,
            is_exact=bool(row.exact),
        )
        for row in rows[:limit]
    ]
    return SearchResults(terms, hits, len(rows) > limit)
