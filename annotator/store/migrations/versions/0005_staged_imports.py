"""Staged imports: an ``imports`` table and ``documents.import_id``, so an import writes in short
batches that stay invisible until it publishes them in one small transaction.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-29
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "imports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token", sa.String(length=32), nullable=False),
        sa.Column("state", sa.String(length=10), nullable=False),
        sa.Column("author", sa.String(length=200), nullable=False),
        sa.Column("host", sa.String(length=255), nullable=False),
        sa.Column("pid", sa.Integer(), nullable=False),
        sa.Column("documents", sa.Integer(), nullable=False),
        sa.Column("spans", sa.Integer(), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_imports")),
        sa.UniqueConstraint("token", name=op.f("uq_imports_token")),
        sqlite_autoincrement=True,
    )
    op.create_index(op.f("ix_imports_state"), "imports", ["state"], unique=False)
    if op.get_bind().dialect.name == "sqlite":
        # SQLite adds a nullable column with a REFERENCES clause in place; going through batch mode
        # would copy every document of an existing store just to add one empty column.
        op.execute("ALTER TABLE documents ADD COLUMN import_id INTEGER "
                   "CONSTRAINT fk_documents_import_id_imports REFERENCES imports (id)")
    else:
        op.add_column("documents", sa.Column("import_id", sa.Integer(), nullable=True))
        op.create_foreign_key(op.f("fk_documents_import_id_imports"), "documents", "imports", ["import_id"], ["id"])
    op.create_index(op.f("ix_documents_import_id"), "documents", ["import_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_documents_import_id"), table_name="documents")
    with op.batch_alter_table("documents") as batch_op:
        if op.get_bind().dialect.name != "sqlite":  # SQLite: the table rebuild drops the column's REFERENCES
            batch_op.drop_constraint(batch_op.f("fk_documents_import_id_imports"), type_="foreignkey")
        batch_op.drop_column("import_id")
    op.drop_index(op.f("ix_imports_state"), table_name="imports")
    op.drop_table("imports")
