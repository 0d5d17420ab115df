"""Maintained per-(document, person) counts of the suggestions a person still sees, for the list sorted
by their "Sugg." (either way) without counting every document they touched; and the list's Status sort
in workflow order through an expression index.

``suggestion_counts(document_id, author, visible)``: for every document holding a human span of
``author``'s (entity or dismissal), how many of its model spans they still see -- not hidden under one
of their entities (which hides every suggestion it overlaps) nor dismissed (which hides only the exact
same start, end and label) -- mirroring ``core.span.split_layers`` and ``list_query.hidden_from``.
A document a person never touched has no row: there their "Sugg." is ``document_counts.model``. A row
is added with a person's first human span on the document and kept after their last one is removed
(then it counts every model span); it goes with its document (``ON DELETE CASCADE``). Only the span
triggers write it and, besides the INSERT of a person's first span, only UPDATE it, so the spans a
document delete cascades to change nothing whether its rows are already gone or not.

Per edit the work is one document's spans, through indexes (``ix_spans_document_layer`` for its model
spans, ``ix_spans_document_author`` for the person's human spans there). No row exists for an untouched
document, so imports and pre-annotation of new documents only probe the primary key.

SQLite: row triggers (one writer at a time), moving counts: a human span inserted or removed moves its
author's row by the suggestions it newly hides or shows (the model spans it overlaps, each looked up
among the author's other human spans; a person's first span there counts the row in full), a model
span moves each row of its document by one unless its person hides it. PostgreSQL: statement triggers
with transition tables; the affected rows (the author's where a human span changed, every one of the
document where a model span did) are locked in (document, author) order first and recounted in full by
the next statement, which (READ COMMITTED, each statement of a function takes a new snapshot) sees
everything committed before the lock was granted, so two writers over the same row never lose an
update and, locking in one order (after ``document_counts``' rows, also in document order), never
deadlock. An edit locks only its author's row: two people editing one document never wait on each other.

Status: the list sorts by ``STATUS_ORDER`` (work to do first, finished last: new, pre-annotated, in
progress, flagged, rejected, accepted), a CASE over the column indexed with the id as
``ix_documents_status_order``.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

# The same text as ``schema.STATUS_ORDER_SQL`` (a migration keeps its own copy: it must not change).
STATUS_ORDER = ("CASE status WHEN 'new' THEN 0 WHEN 'pre-annotated' THEN 1 WHEN 'in progress' THEN 2 "
                "WHEN 'flagged' THEN 3 WHEN 'rejected' THEN 4 WHEN 'accepted' THEN 5 ELSE 6 END")


def _recount(document: str, author: str) -> str:
    """How many model spans of ``document`` the person ``author`` still sees (SQL expressions)."""
    return f"""(SELECT count(*) FROM spans m WHERE m.document_id = {document} AND m.layer = 'model'
                 AND NOT EXISTS (SELECT 1 FROM spans h WHERE h.document_id = {document} AND h.author = {author}
                   AND h.layer = 'human' AND h.start < m."end" AND h."end" > m.start
                   AND (NOT h.rejected OR (h.start = m.start AND h."end" = m."end" AND h.label = m.label))))"""


def _hidden(model: str, author: str) -> str:
    """Whether the model span ``model`` (a row alias: new, old) is hidden from ``author``."""
    return f"""EXISTS (SELECT 1 FROM spans h WHERE h.document_id = {model}.document_id AND h.author = {author}
                 AND h.layer = 'human' AND h.start < {model}."end" AND h."end" > {model}.start
                 AND (NOT h.rejected OR (h.start = {model}.start AND h."end" = {model}."end"
                                          AND h.label = {model}.label)))"""


_ROW = "suggestion_counts.document_id = {d} AND suggestion_counts.author = {a}"


def _moved(span: str, others: str) -> str:
    """How many model spans of its document the human span ``span`` (new, old) hides that no other
    human span of its author hides (``others``: the condition leaving ``span`` itself out, if there)."""
    return f"""(SELECT count(*) FROM spans m WHERE m.document_id = {span}.document_id AND m.layer = 'model'
                 AND m.start < {span}."end" AND m."end" > {span}.start
                 AND (NOT {span}.rejected OR (m.start = {span}.start AND m."end" = {span}."end"
                                              AND m.label = {span}.label))
                 AND NOT EXISTS (SELECT 1 FROM spans h WHERE h.document_id = {span}.document_id
                   AND h.author = {span}.author AND h.layer = 'human' AND {others}
                   AND h.start < m."end" AND h."end" > m.start
                   AND (NOT h.rejected OR (h.start = m.start AND h."end" = m."end" AND h.label = m.label))))"""


# A person's first span on a document adds their row, counted in full (the only span of theirs there:
# one look-up per model span); later ones move it by the suggestions they newly hide or show.
_HUMAN_INSERT = (
    "UPDATE suggestion_counts SET visible = visible - " + _moved("new", "h.id <> new.id")
    + " WHERE " + _ROW.format(d="new.document_id", a="new.author") + "; "
    "INSERT INTO suggestion_counts (document_id, author, visible) SELECT new.document_id, new.author, "
    + _recount("new.document_id", "new.author") + " WHERE NOT EXISTS (SELECT 1 FROM suggestion_counts WHERE "
    + _ROW.format(d="new.document_id", a="new.author") + ");")
_HUMAN_DELETE = ("UPDATE suggestion_counts SET visible = visible + " + _moved("old", "1 = 1")
                 + " WHERE " + _ROW.format(d="old.document_id", a="old.author") + ";")
_MOVE = ("UPDATE suggestion_counts SET visible = visible {sign} 1 WHERE document_id = {row}.document_id "
         "AND NOT " + _hidden("{row}", "suggestion_counts.author") + ";")

SQLITE_TRIGGERS = (
    "CREATE TRIGGER suggestion_counts_human_insert AFTER INSERT ON spans WHEN new.layer = 'human' BEGIN "
    + _HUMAN_INSERT + " END",
    "CREATE TRIGGER suggestion_counts_human_delete AFTER DELETE ON spans WHEN old.layer = 'human' BEGIN "
    + _HUMAN_DELETE + " END",
    "CREATE TRIGGER suggestion_counts_model_insert AFTER INSERT ON spans WHEN new.layer = 'model' BEGIN "
    + _MOVE.format(sign="+", row="new") + " END",
    "CREATE TRIGGER suggestion_counts_model_delete AFTER DELETE ON spans WHEN old.layer = 'model' BEGIN "
    + _MOVE.format(sign="-", row="old") + " END",
    # No edit updates a span today; kept right if one ever does: every row of both documents recounted.
    'CREATE TRIGGER suggestion_counts_span_update AFTER UPDATE OF document_id, start, "end", label, layer, author, '
    "rejected ON spans BEGIN "
    "INSERT INTO suggestion_counts (document_id, author, visible) "
    "SELECT new.document_id, new.author, 0 WHERE new.layer = 'human' ON CONFLICT DO NOTHING; "
    "UPDATE suggestion_counts SET visible = " + _recount("suggestion_counts.document_id", "suggestion_counts.author")
    + " WHERE suggestion_counts.document_id IN (old.document_id, new.document_id); END",
)


def _pg_function(name: str, changed: str, first: bool) -> str:
    """``changed``: rows (document_id, author, layer) the statement added, removed or changed. The
    person's rows of the documents where they changed a human span, every row of those where a model
    span changed: created (``first``), locked in order, then recounted."""
    affected = f"""SELECT p.document_id, p.author FROM suggestion_counts p
                     JOIN (SELECT DISTINCT document_id, author, layer FROM ({changed}) AS x) AS x
                       ON x.document_id = p.document_id AND (x.layer = 'model' OR x.author = p.author)"""
    create = f"""INSERT INTO suggestion_counts (document_id, author, visible)
                   SELECT DISTINCT document_id, author, 0 FROM ({changed}) AS x WHERE layer = 'human'
                   ORDER BY document_id, author ON CONFLICT DO NOTHING;""" if first else ""
    return f"""CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN
         {create}
         PERFORM 1 FROM suggestion_counts c WHERE (c.document_id, c.author) IN ({affected})
           ORDER BY c.document_id, c.author FOR UPDATE OF c;
         UPDATE suggestion_counts c SET visible = {_recount("c.document_id", "c.author")}
           WHERE (c.document_id, c.author) IN ({affected});
         RETURN NULL;
       END $$"""


_CHANGED = "SELECT document_id, author, layer FROM {rows}"
POSTGRES_TRIGGERS = (
    _pg_function("suggestion_counts_span_insert", _CHANGED.format(rows="new_spans"), first=True),
    _pg_function("suggestion_counts_span_delete", _CHANGED.format(rows="old_spans"), first=False),
    _pg_function("suggestion_counts_span_update", _CHANGED.format(rows="new_spans") + " UNION ALL "
                 + _CHANGED.format(rows="old_spans"), first=True),
    "CREATE TRIGGER suggestion_counts_span_insert AFTER INSERT ON spans REFERENCING NEW TABLE AS new_spans "
    "FOR EACH STATEMENT EXECUTE FUNCTION suggestion_counts_span_insert()",
    "CREATE TRIGGER suggestion_counts_span_delete AFTER DELETE ON spans REFERENCING OLD TABLE AS old_spans "
    "FOR EACH STATEMENT EXECUTE FUNCTION suggestion_counts_span_delete()",
    "CREATE TRIGGER suggestion_counts_span_update AFTER UPDATE ON spans REFERENCING OLD TABLE AS old_spans "
    "NEW TABLE AS new_spans FOR EACH STATEMENT EXECUTE FUNCTION suggestion_counts_span_update()",
)
SQLITE_NAMES = ("suggestion_counts_human_insert", "suggestion_counts_human_delete", "suggestion_counts_model_insert",
                "suggestion_counts_model_delete", "suggestion_counts_span_update")
POSTGRES_NAMES = ("suggestion_counts_span_insert", "suggestion_counts_span_delete", "suggestion_counts_span_update")


def upgrade() -> None:
    op.create_table(
        "suggestion_counts",
        sa.Column("document_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("author", sa.String(length=200), nullable=False),
        sa.Column("visible", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["document_id"], ["documents.id"], ondelete="CASCADE",
                                name=op.f("fk_suggestion_counts_document_id_documents")),
        sa.PrimaryKeyConstraint("document_id", "author", name=op.f("pk_suggestion_counts")),
    )
    # Triggers first: on PostgreSQL creating one locks its table against writes until this migration
    # commits, so the fill below counts exactly what the triggers did not.
    for statement in SQLITE_TRIGGERS if op.get_bind().dialect.name == "sqlite" else POSTGRES_TRIGGERS:
        op.execute(statement)
    op.execute("INSERT INTO suggestion_counts (document_id, author, visible) "
               f"SELECT t.document_id, t.author, {_recount('t.document_id', 't.author')} "
               "FROM (SELECT DISTINCT author, document_id FROM spans WHERE layer = 'human') AS t")
    op.create_index("ix_suggestion_counts_author_visible", "suggestion_counts", ["author", "visible", "document_id"],
                    unique=False)
    op.create_index("ix_documents_status_order", "documents", [sa.text(f"({STATUS_ORDER})"), "id"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_documents_status_order", table_name="documents")
    postgres = op.get_bind().dialect.name != "sqlite"
    for name in POSTGRES_NAMES if postgres else SQLITE_NAMES:
        op.execute(f"DROP TRIGGER IF EXISTS {name}" + (" ON spans" if postgres else ""))
        if postgres:
            op.execute(f"DROP FUNCTION IF EXISTS {name}()")
    op.drop_table("suggestion_counts")
