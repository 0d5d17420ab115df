"""Maintained span counts for ``annotator stats``: ``span_counts(label, layer, rejected, shard, n)`` kept
by triggers on ``spans``, filled from the spans already stored; and an index from which documents are
counted by status and language without reading their rows.

SQLite: row triggers (one writer at a time, so one row per group: ``shard`` 0). PostgreSQL: statement
triggers with transition tables (one grouped upsert per statement: an import batch written as one
statement costs one upsert per label, not one per span), each writer counting into the shard of its
backend process id, so concurrent transactions never wait on, or deadlock over, one counts row.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-09
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

_UPSERT = ("ON CONFLICT (label, layer, rejected, shard) DO UPDATE SET n = span_counts.n + excluded.n")

SQLITE_TRIGGERS = (
    f"""CREATE TRIGGER span_counts_insert AFTER INSERT ON spans BEGIN
         INSERT INTO span_counts (label, layer, rejected, shard, n) VALUES (new.label, new.layer, new.rejected, 0, 1)
           {_UPSERT};
       END""",
    f"""CREATE TRIGGER span_counts_delete AFTER DELETE ON spans BEGIN
         INSERT INTO span_counts (label, layer, rejected, shard, n) VALUES (old.label, old.layer, old.rejected, 0, -1)
           {_UPSERT};
       END""",
    f"""CREATE TRIGGER span_counts_update AFTER UPDATE OF label, layer, rejected ON spans BEGIN
         INSERT INTO span_counts (label, layer, rejected, shard, n) VALUES (old.label, old.layer, old.rejected, 0, -1)
           {_UPSERT};
         INSERT INTO span_counts (label, layer, rejected, shard, n) VALUES (new.label, new.layer, new.rejected, 0, 1)
           {_UPSERT};
       END""",
)


def _pg_function(name: str, grouped: str) -> str:
    # ORDER BY: one statement locks its rows in one order (only its own backend's rows, in any case).
    return f"""CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN
         INSERT INTO span_counts (label, layer, rejected, shard, n)
           SELECT label, layer, rejected, pg_backend_pid(), n FROM ({grouped}) AS grouped
           WHERE n <> 0 ORDER BY label, layer, rejected
           {_UPSERT};
         RETURN NULL;
       END $$"""


_GROUPED = "SELECT label, layer, rejected, {sign}count(*) AS n FROM {rows} GROUP BY label, layer, rejected"
POSTGRES_TRIGGERS = (
    _pg_function("span_counts_insert", _GROUPED.format(sign="", rows="new_spans")),
    _pg_function("span_counts_delete", _GROUPED.format(sign="-", rows="old_spans")),
    # PostgreSQL allows no column list on a trigger with transition tables: every UPDATE of spans fires
    # it, and a row whose label, layer and rejected stay the same adds nothing.
    _pg_function("span_counts_update", "SELECT label, layer, rejected, sum(d) AS n FROM ("
                 "SELECT label, layer, rejected, 1 AS d FROM new_spans UNION ALL "
                 "SELECT label, layer, rejected, -1 AS d FROM old_spans) AS moved GROUP BY label, layer, rejected"),
    "CREATE TRIGGER span_counts_insert AFTER INSERT ON spans REFERENCING NEW TABLE AS new_spans "
    "FOR EACH STATEMENT EXECUTE FUNCTION span_counts_insert()",
    "CREATE TRIGGER span_counts_delete AFTER DELETE ON spans REFERENCING OLD TABLE AS old_spans "
    "FOR EACH STATEMENT EXECUTE FUNCTION span_counts_delete()",
    "CREATE TRIGGER span_counts_update AFTER UPDATE ON spans REFERENCING OLD TABLE AS old_spans "
    "NEW TABLE AS new_spans FOR EACH STATEMENT EXECUTE FUNCTION span_counts_update()",
)
TRIGGERS = ("span_counts_insert", "span_counts_delete", "span_counts_update")


def upgrade() -> None:
    op.create_table(
        "span_counts",
        sa.Column("label", sa.String(length=64), nullable=False),
        sa.Column("layer", sa.String(length=10), nullable=False),
        sa.Column("rejected", sa.Boolean(), nullable=False),
        sa.Column("shard", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("n", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("label", "layer", "rejected", "shard", name=op.f("pk_span_counts")),
    )
    # Triggers first: on PostgreSQL creating one locks spans against writes until this migration
    # commits, so the fill below counts exactly the spans the triggers did not.
    for statement in SQLITE_TRIGGERS if op.get_bind().dialect.name == "sqlite" else POSTGRES_TRIGGERS:
        op.execute(statement)
    op.execute("INSERT INTO span_counts (label, layer, rejected, shard, n) "
               "SELECT label, layer, rejected, 0, count(*) FROM spans GROUP BY label, layer, rejected")
    op.create_index("ix_documents_status_language_import", "documents", ["status", "language", "import_id"],
                    unique=False)


def downgrade() -> None:
    op.drop_index("ix_documents_status_language_import", table_name="documents")
    postgres = op.get_bind().dialect.name != "sqlite"
    for name in TRIGGERS:
        op.execute(f"DROP TRIGGER IF EXISTS {name}" + (" ON spans" if postgres else ""))
        if postgres:
            op.execute(f"DROP FUNCTION IF EXISTS {name}()")
    op.drop_table("span_counts")
