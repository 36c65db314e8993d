"""Full-text search over every timeline (SQLite FTS5 / PostgreSQL GIN on a tsvector).

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-27
"""

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute(
            "CREATE VIRTUAL TABLE timeline_fts USING fts5(text, content='timeline_entry', "
            "content_rowid='id', tokenize='unicode61 remove_diacritics 2', prefix='2 3')"
        )
        # Entries are append-only: an insert trigger is all the index ever needs.
        op.execute(
            "CREATE TRIGGER timeline_fts_ai AFTER INSERT ON timeline_entry BEGIN "
            "INSERT INTO timeline_fts(rowid, text) VALUES (new.id, new.text); END"
        )
        op.execute("INSERT INTO timeline_fts(timeline_fts) VALUES ('rebuild')")
    else:
        op.execute(
            "CREATE INDEX ix_timeline_fts ON timeline_entry USING gin "
            "((to_tsvector('simple', text)))"
        )


def downgrade() -> None:
    raise NotImplementedError("imdesk does not downgrade; restore a backup instead")
