"""Incident search that does not grow with the table: prefix indexes for 1 to 8 letters.

FTS5 answers a prefix ("mail*") that no prefix index covers by merging the postings of every
word it begins, on every keystroke: work in proportion to the number of incidents. With a
prefix index for each length up to 8 it reads one list, lazily, and stops at the page. The
full-text table is created again with those indexes and rebuilt from the incident table (its
triggers name it and stay as they are). SQLite only; PostgreSQL's GIN index needs nothing.

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-05
"""

from __future__ import annotations

from alembic import op

revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None


def _incident_fts(prefix: str) -> None:
    op.execute("DROP TABLE incident_fts")
    op.execute(
        "CREATE VIRTUAL TABLE incident_fts USING fts5("
        "ref, title, description, service_name, content='incident', content_rowid='id', "
        f"tokenize='unicode61 remove_diacritics 2', prefix='{prefix}')"
    )
    op.execute("INSERT INTO incident_fts(incident_fts) VALUES ('rebuild')")


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        _incident_fts("1 2 3 4 5 6 7 8")


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        _incident_fts("1 2 3")
