"""Runbooks and documents per service or team, with append-only versions and full-text search
(SQLite FTS5 over the versions / PostgreSQL GIN on a tsvector).

Revision ID: 0010
Revises: 0006
Create Date: 2026-12-05
"""

import sqlalchemy as sa
from alembic import op

from imdesk.storage.models import UTCDateTime

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "document",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("service_id", sa.Integer, sa.ForeignKey("service.id"), nullable=True),
        sa.Column("team_id", sa.Integer, sa.ForeignKey("team.id"), nullable=True),
        sa.Column("owner", sa.String(120), nullable=False),
        sa.Column("review_days", sa.Integer, nullable=False),
        sa.Column("last_reviewed_at", UTCDateTime, nullable=True),
        sa.Column("reviewed_by", sa.String(120), nullable=False),
        sa.Column("current_version", sa.Integer, nullable=False),
        sa.Column("retired_at", UTCDateTime, nullable=True),
        sa.Column("retired_by", sa.String(120), nullable=False),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.Column("updated_at", UTCDateTime, nullable=False),
    )
    op.create_index("ix_document_service", "document", ["service_id"])
    op.create_index("ix_document_team", "document", ["team_id"])
    op.create_table(
        "document_version",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("document_id", sa.Integer, sa.ForeignKey("document.id"), nullable=False),
        sa.Column("number", sa.Integer, nullable=False),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("author", sa.String(120), nullable=False),
        sa.Column("saved_at", UTCDateTime, nullable=False),
        sa.UniqueConstraint("document_id", "number", name="uq_document_version"),
    )
    if op.get_bind().dialect.name == "sqlite":
        for action in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER document_version_no_{action.lower()} BEFORE {action} ON "
                "document_version BEGIN SELECT RAISE(ABORT, 'document versions are append-only'); END"
            )
        op.execute(
            "CREATE VIRTUAL TABLE document_fts USING fts5(title, text, content='document_version', "
            "content_rowid='id', tokenize='unicode61 remove_diacritics 2', prefix='2 3')"
        )
        # Versions are append-only: an insert trigger is all the index ever needs.
        op.execute(
            "CREATE TRIGGER document_fts_ai AFTER INSERT ON document_version BEGIN "
            "INSERT INTO document_fts(rowid, title, text) VALUES (new.id, new.title, new.text); END"
        )
    else:
        op.execute(
            "CREATE FUNCTION document_version_append_only() RETURNS trigger AS $$ BEGIN "
            "RAISE EXCEPTION 'document versions are append-only'; END $$ LANGUAGE plpgsql"
        )
        op.execute(
            "CREATE TRIGGER document_version_append_only BEFORE UPDATE OR DELETE ON "
            "document_version FOR EACH ROW EXECUTE FUNCTION document_version_append_only()"
        )
        op.execute(
            "CREATE INDEX ix_document_fts ON document_version USING gin "
            "((to_tsvector('simple', title || ' ' || text)))"
        )


def downgrade() -> None:
    raise NotImplementedError("imdesk does not downgrade; restore a backup instead")
