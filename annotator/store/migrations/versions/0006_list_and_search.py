"""The lazy document list and full-text search: indexes the list's page queries sort and count by, and
the search indexes (SQLite FTS5 external-content tables kept in sync by triggers; PostgreSQL GIN
indexes over ``to_tsvector`` in a side table kept by a trigger).

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


# SQLite: two external-content FTS5 tables over ``documents`` (titles and file names; article text),
# so a title search never reads the text index. Triggers keep them in step with every write path
# (imports, sweeps, deletes); an edit updates neither column, so it costs the index nothing.
SQLITE_SEARCH = (
    "CREATE VIRTUAL TABLE documents_titles_fts USING fts5(title, source, content='documents', "
    "content_rowid='id', tokenize='unicode61 remove_diacritics 2')",
    "CREATE VIRTUAL TABLE documents_text_fts USING fts5(text, content='documents', content_rowid='id', "
    "tokenize='unicode61 remove_diacritics 2')",
    """CREATE TRIGGER documents_fts_insert AFTER INSERT ON documents BEGIN
         INSERT INTO documents_titles_fts(rowid, title, source) VALUES (new.id, new.title, new.source);
         INSERT INTO documents_text_fts(rowid, text) VALUES (new.id, new.text);
       END""",
    """CREATE TRIGGER documents_fts_delete AFTER DELETE ON documents BEGIN
         INSERT INTO documents_titles_fts(documents_titles_fts, rowid, title, source)
           VALUES ('delete', old.id, old.title, old.source);
         INSERT INTO documents_text_fts(documents_text_fts, rowid, text) VALUES ('delete', old.id, old.text);
       END""",
    """CREATE TRIGGER documents_fts_titles AFTER UPDATE OF title, source ON documents BEGIN
         INSERT INTO documents_titles_fts(documents_titles_fts, rowid, title, source)
           VALUES ('delete', old.id, old.title, old.source);
         INSERT INTO documents_titles_fts(rowid, title, source) VALUES (new.id, new.title, new.source);
       END""",
    """CREATE TRIGGER documents_fts_text AFTER UPDATE OF text ON documents BEGIN
         INSERT INTO documents_text_fts(documents_text_fts, rowid, text) VALUES ('delete', old.id, old.text);
         INSERT INTO documents_text_fts(rowid, text) VALUES (new.id, new.text);
       END""",
)
# PostgreSQL: the tsvectors live in a side table kept by a trigger, with GIN indexes on it (store/
# search.py queries them). Not expression indexes on ``documents``: every edit updates the document
# row, and PostgreSQL would then recompute the article's tsvector for the new row version. The
# 'simple' configuration (no stemming) suits a corpus in many languages. A tsvector holds at most
# 1 MB, so the text's covers its first 250,000 characters (longer articles are found by words there).
POSTGRES_SEARCH = (
    "CREATE TABLE document_search (document_id INTEGER PRIMARY KEY "
    "REFERENCES documents (id) ON DELETE CASCADE, titles TSVECTOR NOT NULL, body TSVECTOR NOT NULL)",
    "CREATE INDEX ix_document_search_titles ON document_search USING gin (titles)",
    "CREATE INDEX ix_document_search_body ON document_search USING gin (body)",
    """CREATE FUNCTION document_search_sync() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN
         INSERT INTO document_search (document_id, titles, body)
           VALUES (NEW.id, to_tsvector('simple', NEW.title || ' ' || NEW.source),
                   to_tsvector('simple', left(NEW.text, 250000)))
           ON CONFLICT (document_id) DO UPDATE SET titles = EXCLUDED.titles, body = EXCLUDED.body;
         RETURN NULL;
       END $$""",
    "CREATE TRIGGER document_search_sync AFTER INSERT OR UPDATE OF title, source, text ON documents "
    "FOR EACH ROW EXECUTE FUNCTION document_search_sync()",
    "INSERT INTO document_search (document_id, titles, body) SELECT id, to_tsvector('simple', title || ' ' || source), "
    "to_tsvector('simple', left(text, 250000)) FROM documents",
)


def upgrade() -> None:
    # The list sorts by title (case folded) and by last edit, a page at a time, through these.
    op.create_index("ix_documents_title_lower", "documents", [sa.text("lower(title)")], unique=False)
    op.create_index(op.f("ix_documents_updated_at"), "documents", ["updated_at"], unique=False)
    # A person's spans of one document, in text order: the list's counts, the edit's span window.
    op.create_index("ix_spans_document_author", "spans", ["document_id", "author", "start"], unique=False)
    if op.get_bind().dialect.name == "sqlite":
        for statement in SQLITE_SEARCH:
            op.execute(statement)
        op.execute("INSERT INTO documents_titles_fts(documents_titles_fts) VALUES ('rebuild')")
        op.execute("INSERT INTO documents_text_fts(documents_text_fts) VALUES ('rebuild')")
    else:
        for statement in POSTGRES_SEARCH:
            op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for trigger in ("documents_fts_insert", "documents_fts_delete", "documents_fts_titles", "documents_fts_text"):
            op.execute(f"DROP TRIGGER IF EXISTS {trigger}")
        op.execute("DROP TABLE IF EXISTS documents_titles_fts")
        op.execute("DROP TABLE IF EXISTS documents_text_fts")
    else:
        op.execute("DROP TRIGGER IF EXISTS document_search_sync ON documents")
        op.execute("DROP FUNCTION IF EXISTS document_search_sync()")
        op.execute("DROP TABLE IF EXISTS document_search")
    op.drop_index("ix_spans_document_author", table_name="spans")
    op.drop_index(op.f("ix_documents_updated_at"), table_name="documents")
    op.drop_index("ix_documents_title_lower", table_name="documents")
