"""The pre-annotation work queue: documents waiting for suggestions, per run (annotator.store.claims).

A table of its own rather than columns on ``documents``: workers claim and delete its rows with
``FOR UPDATE SKIP LOCKED`` while editors update documents, and neither waits for the other.

Revision ID: 0004
Revises: 0002
Create Date: 2026-11-29
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
# 0003 may land from another branch first; this table depends on nothing of it, so point this at it then.
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "preannotate_queue",
        sa.Column("kind", sa.String(length=80), nullable=False),
        sa.Column("document_id", sa.Integer(), nullable=False),
        sa.Column("queued_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["document_id"], ["documents.id"],
                                name=op.f("fk_preannotate_queue_document_id_documents"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("kind", "document_id", name=op.f("pk_preannotate_queue")),
    )
    with op.batch_alter_table("preannotate_queue") as batch_op:
        batch_op.create_index(batch_op.f("ix_preannotate_queue_document_id"), ["document_id"], unique=False)


def downgrade() -> None:
    op.drop_table("preannotate_queue")
