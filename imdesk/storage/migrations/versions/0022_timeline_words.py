"""Timeline search that does not grow with the table for longer prefixes: a list of the words.

The timeline's full-text index has prefix indexes for 2 and 3 letters only (ten million entries
would make one for every length large). FTS5 answers a longer prefix ("cert*") by merging the
postings of every word it begins, whatever few hits are shown: at 10M entries 25–300 ms. With
the index's words kept in a table of their own, such a prefix becomes the words it begins
("certificate" OR "certs"), which FTS5 reads lazily, newest first. The table is filled here from
the index itself; `timeline_fts_words_upto` says up to which entry it holds every word (entries
written later are added when a search next needs them: storage/timeline_words.py). SQLite
only; PostgreSQL's GIN index needs nothing.

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-05
"""

from __future__ import annotations

from alembic import op

revision = "0022"
down_revision = "0021"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    op.execute("CREATE TABLE timeline_fts_words (term TEXT PRIMARY KEY) WITHOUT ROWID")
    op.execute("CREATE TABLE timeline_fts_words_upto "
               "(id INTEGER PRIMARY KEY CHECK (id = 1), upto INTEGER NOT NULL)")
    op.execute("CREATE VIRTUAL TABLE temp.timeline_fts_terms USING fts5vocab(main, timeline_fts, row)")
    op.execute("INSERT INTO timeline_fts_words (term) SELECT term FROM temp.timeline_fts_terms")
    op.execute("DROP TABLE temp.timeline_fts_terms")
    op.execute("INSERT INTO timeline_fts_words_upto (id, upto) "
               "SELECT 1, coalesce(max(id), 0) FROM timeline_entry")


def downgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    op.execute("DROP TABLE timeline_fts_words_upto")
    op.execute("DROP TABLE timeline_fts_words")
