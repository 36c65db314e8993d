"""Initial schema: services, incidents (projection), append-only hash-chained timeline, settings.

Revision ID: 0001
Revises:
Create Date: 2026-11-27
"""

import sqlalchemy as sa
from alembic import op

from imdesk.storage.models import UTCDateTime

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "service",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.String(120), nullable=False, unique=True),
        sa.Column("criticality", sa.String(10), nullable=False),
        sa.Column("description", sa.Text, nullable=False),
    )
    op.create_table(
        "incident",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("ref", sa.String(40), nullable=False, unique=True),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("description", sa.Text, nullable=False),
        sa.Column("service_id", sa.Integer, sa.ForeignKey("service.id"), nullable=True),
        sa.Column("service_name", sa.String(120), nullable=True),
        sa.Column("impact", sa.String(10), nullable=False),
        sa.Column("urgency", sa.String(10), nullable=False),
        sa.Column("priority", sa.String(2), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("major", sa.Boolean, nullable=False),
        sa.Column("origin", sa.String(20), nullable=False),
        sa.Column("exercise", sa.Boolean, nullable=False),
        sa.Column("opened_at", UTCDateTime, nullable=False),
        sa.Column("acknowledged_at", UTCDateTime, nullable=True),
        sa.Column("resolved_at", UTCDateTime, nullable=True),
        sa.Column("closed_at", UTCDateTime, nullable=True),
        sa.Column("hold_started_at", UTCDateTime, nullable=True),
        sa.Column("on_hold_seconds", sa.Integer, nullable=False),
        sa.Column("respond_minutes", sa.Integer, nullable=False),
        sa.Column("resolve_minutes", sa.Integer, nullable=False),
        sa.Column("respond_due", UTCDateTime, nullable=False),
        sa.Column("resolve_due", UTCDateTime, nullable=False),
        sa.Column("sla_due", UTCDateTime, nullable=True),
        sa.Column("last_seq", sa.Integer, nullable=False),
        sa.Column("head_hash", sa.String(64), nullable=False),
        sa.Column("updated_at", UTCDateTime, nullable=False),
    )
    op.create_index("ix_incident_status", "incident", ["status"])
    op.create_index("ix_incident_priority", "incident", ["priority"])
    op.create_index("ix_incident_title", "incident", [sa.text("lower(title)")])
    op.create_index("ix_incident_service_name", "incident", [sa.text("lower(service_name)")])
    op.create_index("ix_incident_major", "incident", ["major"])
    op.create_index("ix_incident_opened", "incident", ["opened_at"])
    op.create_index("ix_incident_sla_due", "incident", ["sla_due"])
    op.create_index("ix_incident_updated", "incident", ["updated_at"])
    op.create_index("ix_incident_service", "incident", ["service_id"])
    op.create_table(
        "timeline_entry",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("uuid", sa.String(36), nullable=False, unique=True),
        sa.Column("incident_id", sa.Integer, sa.ForeignKey("incident.id"), nullable=False),
        sa.Column("seq", sa.Integer, nullable=False),
        sa.Column("kind", sa.String(30), nullable=False),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("author", sa.String(120), nullable=False),
        sa.Column("recorded_at", UTCDateTime, nullable=False),
        sa.Column("occurred_at", UTCDateTime, nullable=True),
        sa.Column("data", sa.JSON, nullable=False),
        sa.Column("prev_hash", sa.String(64), nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
        sa.UniqueConstraint("incident_id", "seq", name="uq_timeline_incident_seq"),
    )
    op.create_table(
        "setting",
        sa.Column("key", sa.String(80), primary_key=True),
        sa.Column("value", sa.JSON, nullable=False),
    )
    if op.get_bind().dialect.name == "sqlite":
        _sqlite_extras()
    else:
        _postgres_extras()


def _sqlite_extras() -> None:
    op.execute("PRAGMA application_id = 1229800523")  # 'IMDK'
    for action in ("UPDATE", "DELETE"):
        op.execute(
            f"CREATE TRIGGER timeline_entry_no_{action.lower()} BEFORE {action} ON timeline_entry "
            "BEGIN SELECT RAISE(ABORT, 'timeline entries are append-only'); END"
        )
    op.execute(
        "CREATE VIRTUAL TABLE incident_fts USING fts5("
        "ref, title, description, service_name, content='incident', content_rowid='id', "
        "tokenize='unicode61 remove_diacritics 2', prefix='1 2 3')"
    )
    op.execute(
        "CREATE TRIGGER incident_fts_ai AFTER INSERT ON incident BEGIN "
        "INSERT INTO incident_fts(rowid, ref, title, description, service_name) "
        "VALUES (new.id, new.ref, new.title, new.description, new.service_name); END"
    )
    op.execute(
        "CREATE TRIGGER incident_fts_au AFTER UPDATE OF ref, title, description, service_name "
        "ON incident BEGIN "
        "INSERT INTO incident_fts(incident_fts, rowid, ref, title, description, service_name) "
        "VALUES ('delete', old.id, old.ref, old.title, old.description, old.service_name); "
        "INSERT INTO incident_fts(rowid, ref, title, description, service_name) "
        "VALUES (new.id, new.ref, new.title, new.description, new.service_name); END"
    )


def _postgres_extras() -> None:
    op.execute(
        "CREATE FUNCTION timeline_entry_append_only() RETURNS trigger AS $$ BEGIN "
        "RAISE EXCEPTION 'timeline entries are append-only'; END $$ LANGUAGE plpgsql"
    )
    op.execute(
        "CREATE TRIGGER timeline_entry_append_only BEFORE UPDATE OR DELETE ON timeline_entry "
        "FOR EACH ROW EXECUTE FUNCTION timeline_entry_append_only()"
    )
    op.execute(
        "CREATE INDEX ix_incident_fts ON incident USING gin (("
        "to_tsvector('simple', incident.ref || ' ' || incident.title || ' ' || "
        "incident.description || ' ' || coalesce(incident.service_name, ''))))"
    )


def downgrade() -> None:
    raise NotImplementedError("imdesk does not downgrade; restore a backup instead")
