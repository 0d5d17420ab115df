"""Documents that need attention: ``documents.attention``, the reasons an import kept spans exactly as
a file gave them although they are not clean entities (whitespace at an edge, off token boundaries,
overlapping, discontinuous), with how many spans each. NULL: nothing to resolve.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # A nullable column without a default: added in place on SQLite and PostgreSQL (no table copy).
    op.add_column("documents", sa.Column("attention", sa.JSON(none_as_null=True), nullable=True))


def downgrade() -> None:
    # In place (SQLite >= 3.35 drops a column no index or trigger uses): a batch copy of the table would
    # lose 0006's expression index and the full-text triggers attached to it.
    op.drop_column("documents", "attention")
