"""Linked incidents (caller and related links) and service dependencies.

Revision ID: 0009
Revises: 0006
Create Date: 2026-12-05
"""

import sqlalchemy as sa
from alembic import op

from imdesk.storage import link_models  # noqa: F401  (the tables join Base.metadata)
from imdesk.storage.models import UTCDateTime

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "incident_link",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("incident_id", sa.Integer, sa.ForeignKey("incident.id"), nullable=False),
        sa.Column("other_id", sa.Integer, sa.ForeignKey("incident.id"), nullable=False),
        sa.Column("kind", sa.String(10), nullable=False),
        sa.Column("caller_name", sa.String(200), nullable=False),
        sa.Column("caller_contact", sa.String(200), nullable=False),
        sa.Column("reached_via", sa.String(20), nullable=False),
        sa.Column("author", sa.String(120), nullable=False),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.UniqueConstraint("incident_id", "other_id", name="uq_incident_link_pair"),
    )
    op.create_index("ix_incident_link_other", "incident_link", ["other_id", "kind"])
    op.create_table(
        "service_dependency",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("service_id", sa.Integer, sa.ForeignKey("service.id"), nullable=False),
        sa.Column("depends_on_id", sa.Integer, sa.ForeignKey("service.id"), nullable=False),
        sa.UniqueConstraint("service_id", "depends_on_id", name="uq_service_dependency"),
    )
    op.create_index("ix_service_dependency_on", "service_dependency", ["depends_on_id"])
    if op.get_bind().dialect.name == "sqlite":
        _open_incident_fts()


OPEN = "('new', 'in_progress', 'on_hold')"
NOTE_KINDS = "('opened', 'note', 'decision', 'action', 'communication')"
RECENT_CHARS = 3000  # "recent timeline text": the newest characters of an incident's lines


def _open_incident_fts() -> None:
    """Similar hints search only open incidents: a full-text table of them (ref and title,
    description and service, their recent timeline lines), kept by triggers, so that a
    keystroke's query reads ~10k documents, not every incident and entry ever written."""
    op.execute(
        "CREATE VIRTUAL TABLE open_incident_fts USING fts5(title, body, notes, "
        "tokenize='unicode61 remove_diacritics 2', prefix='2 3 4')")
    cols = ("new.ref || ' ' || new.title, new.description || ' ' || "
            "coalesce(new.service_name, '')")
    is_open = f"new.status IN {OPEN} AND new.exercise = 0"
    was_open = f"old.status IN {OPEN} AND old.exercise = 0"
    op.execute(
        f"CREATE TRIGGER open_fts_ai AFTER INSERT ON incident WHEN {is_open} BEGIN "
        f"INSERT INTO open_incident_fts(rowid, title, body, notes) VALUES (new.id, {cols}, ''); "
        "END")
    watched = "UPDATE OF ref, title, description, service_name, status, exercise ON incident"
    op.execute(
        f"CREATE TRIGGER open_fts_au_stay AFTER {watched} WHEN {is_open} AND {was_open} BEGIN "
        "UPDATE open_incident_fts SET title = new.ref || ' ' || new.title, "
        "body = new.description || ' ' || coalesce(new.service_name, '') "
        "WHERE rowid = new.id; END")
    op.execute(
        f"CREATE TRIGGER open_fts_au_open AFTER {watched} WHEN {is_open} AND NOT ({was_open}) "
        f"BEGIN INSERT INTO open_incident_fts(rowid, title, body, notes) "
        f"VALUES (new.id, {cols}, ''); END")
    op.execute(
        f"CREATE TRIGGER open_fts_au_close AFTER {watched} WHEN NOT ({is_open}) AND {was_open} "
        "BEGIN DELETE FROM open_incident_fts WHERE rowid = old.id; END")
    op.execute(
        f"CREATE TRIGGER open_fts_entry AFTER INSERT ON timeline_entry WHEN new.kind IN "
        f"{NOTE_KINDS} BEGIN UPDATE open_incident_fts SET notes = "
        f"substr(notes || ' ' || new.text, -{RECENT_CHARS}) WHERE rowid = new.incident_id; END")
    op.execute(
        "INSERT INTO open_incident_fts(rowid, title, body, notes) "
        "SELECT i.id, i.ref || ' ' || i.title, i.description || ' ' || coalesce(i.service_name, ''), "
        "coalesce((SELECT substr(group_concat(text, ' '), -3000) FROM (SELECT e.text FROM "
        f"timeline_entry e WHERE e.incident_id = i.id AND e.kind IN {NOTE_KINDS} "
        "ORDER BY e.seq DESC LIMIT 20)), '') "
        f"FROM incident i WHERE i.status IN {OPEN} AND i.exercise = 0")


def downgrade() -> None:
    raise NotImplementedError("imdesk does not downgrade; restore a backup instead")
