"""Full-text search over the corpus: WHERE clauses on ``documents`` backed by the search indexes that
migration 0006 creates (SQLite: FTS5 external-content tables kept in step by triggers; PostgreSQL: a
``document_search`` table of ``to_tsvector('simple', …)`` kept by a trigger, with GIN indexes).

A query is a list of words (letters and digits; everything else separates them, as the indexes'
tokenizers do); a document matches when it holds every word, the last one as a prefix (so the list
narrows while a person types). Matching ignores case (and, on SQLite, accents).
"""

from __future__ import annotations

import re

from sqlalchemy import ColumnElement, Select, TableClause, column, func, literal_column, or_, select, table
from sqlalchemy.orm import Session

from annotator.store.schema import DocumentRow

# Objects the migrations make that are not ORM tables (the schema comparison leaves them out).
SEARCH_TABLES = ("documents_titles_fts", "documents_text_fts", "document_search")
SEARCH_INDEXES = ("ix_document_search_titles", "ix_document_search_body")
# A prefix shorter than this is not expanded in article text: "d*" over a large corpus reads the
# postings of every word starting with d. Titles are small enough for any prefix.
TEXT_PREFIX_MIN = 3

# From here on (CJK and later blocks) words are not separated by spaces: the tokenizers index whole
# runs of characters, so a name inside a run is only found by a substring scan.
UNSPACED_SCRIPTS = 0x2E80
_WORD = re.compile(r"\w+")
_titles_fts = table("documents_titles_fts", column("rowid"), column("documents_titles_fts"))
_text_fts = table("documents_text_fts", column("rowid"), column("documents_text_fts"))
_SIMPLE: ColumnElement[str] = literal_column("'simple'::regconfig")
_pg = table("document_search", column("document_id"), column("titles"), column("body"))


def is_search_object(name: str | None) -> bool:
    """A search table, one of FTS5's shadow tables, or a search index."""
    return bool(name) and (str(name).startswith(SEARCH_TABLES) or name in SEARCH_INDEXES)


def words(query: str) -> list[str]:
    """The words a query searches for, as the person typed them (for highlighting the hits too)."""
    return _WORD.findall(query)


_FIELD = re.compile(r"(?<![\w:])(\w+):(?=\S)")
_OPERATORS = ("OR", "AND", "NOT")


def syntax_notes(query: str) -> list[str]:
    """How a query written in another tool's search syntax is read here (a search takes plain words):
    one sentence per kind of syntax found, none for a query of plain words."""
    notes = [f"'{field}:' is not a field filter: '{field}' is searched as a word like the others"
             for field in dict.fromkeys(_FIELD.findall(query))]
    if '"' in query:
        notes.append("quotes do not make a phrase: each word is searched for on its own, in any order")
    if "*" in query or "?" in query:
        notes.append("'*' and '?' are not wildcards: the last word already matches the start of a word")
    operators = [w for w in dict.fromkeys(query.split()) if w in _OPERATORS]
    if operators:
        one = len(operators) == 1
        notes.append(f"{', '.join(repr(w) for w in operators)} {'is' if one else 'are'} searched for as "
                     f"{'a word' if one else 'words'}: a document matches when it holds every word")
    if re.search(r"(?:^|\s)-\w", query):
        notes.append("'-' does not leave a word out: every word must be in a matching document")
    return notes


def hit_pattern(found: list[str]) -> re.Pattern[str] | None:
    """Where the words of a search start in a text, any case (to show or mark the hits)."""
    if not found:
        return None
    alternatives = "|".join(re.escape(w) for w in sorted(found, key=len, reverse=True))
    return re.compile(rf"(?<!\w)(?:{alternatives})", re.IGNORECASE)


def matching(s: Session, query: str, in_text: bool) -> ColumnElement[bool] | None:
    """Documents whose title or file name (and, with ``in_text``, article text) hold every word of
    ``query``; None when the query has no word (no search)."""
    found = words(query)
    if not found:
        return None
    if s.get_bind().dialect.name == "sqlite":
        where: ColumnElement[bool] = DocumentRow.id.in_(_fts(_titles_fts, found, prefix=True))
        if in_text:
            text_prefix = len(found[-1]) >= TEXT_PREFIX_MIN
            where = or_(where, DocumentRow.id.in_(_fts(_text_fts, found, prefix=text_prefix)))
        return where
    where = DocumentRow.id.in_(_pg_match(_pg.c.titles, func.to_tsquery(_SIMPLE, _tsquery(found, prefix=True))))
    if in_text:
        prefix = len(found[-1]) >= TEXT_PREFIX_MIN
        where = or_(where, DocumentRow.id.in_(_pg_match(_pg.c.body, func.to_tsquery(_SIMPLE, _tsquery(found, prefix)))))
    return where


def containing_phrase(s: Session, needle: str) -> ColumnElement[bool]:
    """Documents whose text may hold ``needle``: those holding its words in sequence (a superset of
    the exact matches, which the caller checks). A needle without any word cannot use the index
    and falls back to a substring scan."""
    found = words(needle)
    if not found or any(ord(c) >= UNSPACED_SCRIPTS for c in needle):
        return DocumentRow.text.contains(needle, autoescape=True)
    if s.get_bind().dialect.name == "sqlite":
        phrase = '"' + " ".join(found) + '"'
        return DocumentRow.id.in_(select(_text_fts.c.rowid).where(_text_fts.c.documents_text_fts.match(phrase)))
    return DocumentRow.id.in_(_pg_match(_pg.c.body, func.phraseto_tsquery(_SIMPLE, " ".join(found))))


def search_ids(s: Session, query: str, in_text: bool, limit: int | None = None) -> list[int]:
    """Ids of the visible documents matching ``query``, in id order (``annotator search``)."""
    from annotator.store.queries import document_filter

    where = matching(s, query, in_text)
    if where is None:
        return []
    return list(s.scalars(select(DocumentRow.id).where(where, *document_filter()).order_by(DocumentRow.id)
                          .limit(limit)))


def _fts(fts: TableClause, found: list[str], prefix: bool) -> Select[tuple[int]]:
    terms = [f'"{w}"' for w in found]
    if prefix:
        terms[-1] += "*"
    return select(fts.c.rowid).where(getattr(fts.c, fts.name).match(" ".join(terms)))


def _tsquery(found: list[str], prefix: bool) -> str:
    terms = [f"'{w}'" for w in found]
    if prefix:
        terms[-1] += ":*"
    return " & ".join(terms)


def _pg_match(vector: ColumnElement[object], tsquery: ColumnElement[object]) -> Select[tuple[int]]:
    return select(_pg.c.document_id).where(vector.bool_op("@@")(tsquery))

