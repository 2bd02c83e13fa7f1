"""The full-text search itself, one backend per database behind :func:`search_backend`.

Both take the documents the reader may see (a queryset, filtered already), the query's
words (lower case, English stop words left out, ``composer.search.terms``) and the exact
refs it names, and answer one page of :class:`~composer.models.SearchDocument` rows, best
first: exact refs, then by rank, newest, with ``title_marked`` and ``body_marked`` holding
the matching words between ``MARK_START`` and ``MARK_END`` (escaped and marked up by
``composer.search.selectors``). One query per page either way.

- PostgreSQL: ``django.contrib.postgres.search`` over the English configuration; the
  vector is the expression the GIN index of migration ``search_document`` is built on.
- SQLite: the FTS5 table of that migration (Porter stemming), ranked by ``bm25``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from django.db import connection
from django.db.models import (
    BooleanField,
    ExpressionWrapper,
    F,
    FloatField,
    Func,
    Q,
    QuerySet,
    TextField,
    Value,
)
from django.db.models.functions import Left

from composer.models import SearchDocument

from .registry import MARK_END, MARK_START

# A snippet's length: FTS5 counts tokens, PostgreSQL words.
SNIPPET_WORDS = 30
# How much more a word in the title (a ref, a CR's title, an area) counts than one in the body
# (SQLite; PostgreSQL's weights A and B are 1.0 and 0.4).
TITLE_WEIGHT = 2.5

Backend = Callable[..., list[SearchDocument]]


class Words(Func):
    """A text with its punctuation read as spaces (PostgreSQL). PostgreSQL's parser reads
    ``DAG28-02`` as ``dag28`` and the number ``-02``, and ``DES-196`` as ``des`` and ``-196``;
    FTS5 reads letters and digits. Both then split text into the same words."""

    function = "REGEXP_REPLACE"
    template = "%(function)s(%(expressions)s, '[[:punct:]]+', ' ', 'g')"
    output_field = TextField()


def postgres_vector() -> Any:
    """The English ``tsvector`` of a document: title (weight A) and body (weight B). The GIN
    index of migration ``search_document`` is built on this very expression."""
    from django.contrib.postgres.search import SearchVector

    return SearchVector(Words("title"), config="english", weight="A") + SearchVector(
        Words("body"), config="english", weight="B"
    )


def postgres_ranked(docs: QuerySet, *, words: Sequence[str], refs: Sequence[str]) -> QuerySet:
    """``docs`` that match, best first, with ``exact``, ``score`` and the marked texts."""
    from django.contrib.postgres.search import SearchHeadline, SearchQuery, SearchRank

    exact = Q(ref__in=refs) if refs else Q(pk__in=[])
    marks = {"start_sel": MARK_START, "stop_sel": MARK_END, "config": "english"}
    if words:
        query = SearchQuery(" ".join(words), config="english", search_type="plain")
        docs = docs.annotate(vector=postgres_vector()).filter(Q(vector=query) | exact)
        docs = docs.annotate(
            score=SearchRank(F("vector"), query),
            title_marked=SearchHeadline("title", query, highlight_all=True, **marks),
            body_marked=SearchHeadline(
                "body",
                query,
                max_words=SNIPPET_WORDS,
                min_words=SNIPPET_WORDS // 2,
                max_fragments=2,
                fragment_delimiter=" … ",
                **marks,
            ),
        )
    else:
        docs = docs.filter(exact).annotate(
            score=Value(0.0, output_field=FloatField()),
            title_marked=F("title"),
            body_marked=Left("body", 240),
        )
    is_exact = ExpressionWrapper(exact, output_field=BooleanField()) if refs else Value(False)
    docs = docs.annotate(exact=is_exact)
    return docs.order_by("-exact", "-score", F("date").desc(nulls_last=True), "-pk")


def postgres_search(
    docs: QuerySet, *, words: Sequence[str], refs: Sequence[str], limit: int, offset: int
) -> list[SearchDocument]:
    ranked = postgres_ranked(docs, words=words, refs=refs)
    return list(ranked.defer("body")[offset : offset + limit])


FTS_TABLE = "composer_searchdocument_fts"
_COLUMNS = "d.id, d.kind, d.object_id, d.ref, d.title, d.place, d.link, d.committee_id, "
_COLUMNS += "d.meeting_id, d.date"


def _fts_phrase(word: str) -> str:
    return '"' + word.replace('"', '""') + '"'


def sqlite_search(
    docs: QuerySet, *, words: Sequence[str], refs: Sequence[str], limit: int, offset: int
) -> list[SearchDocument]:
    # Hand-written SQL: the ORM cannot join an FTS5 table nor call its bm25(), highlight()
    # and snippet(). The documents the reader may see are the ORM's query, as a subquery.
    # Only constants are written into the text; the query's words and refs are parameters.
    seen_sql, seen_params = docs.values("id").query.sql_with_params()
    marks = f"char({ord(MARK_START)}), char({ord(MARK_END)})"
    ref_marks = ", ".join(["%s"] * len(refs))
    exact = f"d.ref IN ({ref_marks})" if refs else "0"
    params: list[Any] = []
    sql = ""
    if words:
        sql = (
            f"WITH m AS MATERIALIZED (SELECT rowid AS doc_id, "  # noqa: S608 - constants
            f"-bm25({FTS_TABLE}, {TITLE_WEIGHT}, 1.0) AS score, "
            f"highlight({FTS_TABLE}, 0, {marks}) AS title_marked, "
            f"snippet({FTS_TABLE}, 1, {marks}, ' … ', {SNIPPET_WORDS}) AS body_marked "
            f"FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s) "
        )
        params.append(" ".join(_fts_phrase(w) for w in words))
        found = "m.doc_id IS NOT NULL"
        join = "LEFT JOIN m ON m.doc_id = d.id"
        columns = "COALESCE(m.score, 0.0) AS score, COALESCE(m.title_marked, d.title) AS "
        columns += "title_marked, COALESCE(m.body_marked, substr(d.body, 1, 240)) AS body_marked"
    else:
        found, join = "0", ""
        columns = "0.0 AS score, d.title AS title_marked, substr(d.body, 1, 240) AS body_marked"
    sql += (
        f"SELECT {_COLUMNS}, ({exact}) AS exact, {columns} "  # noqa: S608 - constants
        f"FROM composer_searchdocument d {join} "
        f"WHERE ({found} OR {exact}) AND d.id IN ({seen_sql}) "
        "ORDER BY exact DESC, score DESC, d.date IS NULL, d.date DESC, d.id DESC "
        "LIMIT %s OFFSET %s"
    )
    params = [*params, *refs, *refs, *seen_params, limit, offset]
    return list(SearchDocument.objects.raw(sql, params))


def search_backend() -> Backend:
    """The backend of the database in use: PostgreSQL's full-text search, else SQLite's."""
    return postgres_search if connection.vendor == "postgresql" else sqlite_search
