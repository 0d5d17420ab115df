"""Maintained per-document counts for the list sorted by "Sugg.": ``document_counts(document_id, model)``
-- how many model spans the document holds -- with a row for every document, kept by triggers on
``documents`` and ``spans`` and filled from what is stored; and a partial index of human spans by
author, from which the documents a person touched are found without reading the model spans.

A row is added by a trigger on each new document and removed with it (``ON DELETE CASCADE``); the span
triggers only UPDATE it, so the spans a document delete cascades to change nothing whether its counts
row is already gone or not. Human spans are not counted: an edit never locks a counts row.

SQLite: row triggers, only for model spans (``WHEN``). PostgreSQL: statement triggers with transition
tables, the rows of one statement grouped per document (an import batch or a pre-annotation batch is
one UPDATE per statement, not one per span; a statement of human spans updates nothing), the counts
rows locked in document order so two statements over the same documents never deadlock.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

SQLITE_TRIGGERS = (
    "CREATE TRIGGER document_counts_new_document AFTER INSERT ON documents BEGIN "
    "INSERT INTO document_counts (document_id, model) VALUES (new.id, 0); END",
    "CREATE TRIGGER document_counts_span_insert AFTER INSERT ON spans WHEN new.layer = 'model' BEGIN "
    "UPDATE document_counts SET model = model + 1 WHERE document_id = new.document_id; END",
    "CREATE TRIGGER document_counts_span_delete AFTER DELETE ON spans WHEN old.layer = 'model' BEGIN "
    "UPDATE document_counts SET model = model - 1 WHERE document_id = old.document_id; END",
    # No edit updates a span today; kept right if one ever does.
    "CREATE TRIGGER document_counts_span_update AFTER UPDATE OF document_id, layer ON spans "
    "WHEN old.layer = 'model' OR new.layer = 'model' BEGIN "
    "UPDATE document_counts SET model = model - (old.layer = 'model') WHERE document_id = old.document_id; "
    "UPDATE document_counts SET model = model + (new.layer = 'model') WHERE document_id = new.document_id; END",
)


def _pg_function(name: str, moved: str) -> str:
    """``moved``: rows (document_id, n) of +1/-1 per model span the statement added or removed."""
    return f"""CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN
         WITH grouped AS (
           SELECT document_id, sum(n) AS n FROM ({moved}) AS moved GROUP BY document_id HAVING sum(n) <> 0),
         locked AS (
           SELECT c.document_id FROM document_counts c JOIN grouped g ON g.document_id = c.document_id
           ORDER BY c.document_id FOR UPDATE OF c)
         UPDATE document_counts c SET model = c.model + g.n
           FROM grouped g JOIN locked l ON l.document_id = g.document_id
           WHERE c.document_id = g.document_id;
         RETURN NULL;
       END $$"""


_ROWS = "SELECT document_id, {sign}1 AS n FROM {rows} WHERE layer = 'model'"
POSTGRES_TRIGGERS = (
    """CREATE FUNCTION document_counts_new_document() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN
         INSERT INTO document_counts (document_id, model) SELECT id, 0 FROM new_documents ORDER BY id;
         RETURN NULL;
       END $$""",
    _pg_function("document_counts_span_insert", _ROWS.format(sign="", rows="new_spans")),
    _pg_function("document_counts_span_delete", _ROWS.format(sign="-", rows="old_spans")),
    _pg_function("document_counts_span_update", _ROWS.format(sign="", rows="new_spans") + " UNION ALL "
                 + _ROWS.format(sign="-", rows="old_spans")),
    "CREATE TRIGGER document_counts_new_document AFTER INSERT ON documents REFERENCING NEW TABLE AS new_documents "
    "FOR EACH STATEMENT EXECUTE FUNCTION document_counts_new_document()",
    "CREATE TRIGGER document_counts_span_insert AFTER INSERT ON spans REFERENCING NEW TABLE AS new_spans "
    "FOR EACH STATEMENT EXECUTE FUNCTION document_counts_span_insert()",
    "CREATE TRIGGER document_counts_span_delete AFTER DELETE ON spans REFERENCING OLD TABLE AS old_spans "
    "FOR EACH STATEMENT EXECUTE FUNCTION document_counts_span_delete()",
    "CREATE TRIGGER document_counts_span_update AFTER UPDATE ON spans REFERENCING OLD TABLE AS old_spans "
    "NEW TABLE AS new_spans FOR EACH STATEMENT EXECUTE FUNCTION document_counts_span_update()",
)
TRIGGERS = (("documents", "document_counts_new_document"), ("spans", "document_counts_span_insert"),
            ("spans", "document_counts_span_delete"), ("spans", "document_counts_span_update"))


def upgrade() -> None:
    op.create_table(
        "document_counts",
        sa.Column("document_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("model", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["document_id"], ["documents.id"], ondelete="CASCADE",
                                name=op.f("fk_document_counts_document_id_documents")),
        sa.PrimaryKeyConstraint("document_id", name=op.f("pk_document_counts")),
    )
    # Triggers first: on PostgreSQL creating one locks its table against writes until this migration
    # commits, so the fill below counts exactly what the triggers did not.
    for statement in SQLITE_TRIGGERS if op.get_bind().dialect.name == "sqlite" else POSTGRES_TRIGGERS:
        op.execute(statement)
    op.execute("INSERT INTO document_counts (document_id, model) "
               "SELECT d.id, coalesce(g.n, 0) FROM documents d LEFT JOIN ("
               "SELECT document_id, count(*) AS n FROM spans WHERE layer = 'model' GROUP BY document_id) g "
               "ON g.document_id = d.id")
    op.create_index("ix_document_counts_model", "document_counts", ["model", "document_id"], unique=False)
    op.create_index("ix_spans_author_document_human", "spans", ["author", "document_id", "rejected"], unique=False,
                    sqlite_where=sa.text("layer = 'human'"), postgresql_where=sa.text("layer = 'human'"))


def downgrade() -> None:
    op.drop_index("ix_spans_author_document_human", table_name="spans")
    postgres = op.get_bind().dialect.name != "sqlite"
    for table, name in TRIGGERS:
        op.execute(f"DROP TRIGGER IF EXISTS {name}" + (f" ON {table}" if postgres else ""))
        if postgres:
            op.execute(f"DROP FUNCTION IF EXISTS {name}()")
    op.drop_table("document_counts")
