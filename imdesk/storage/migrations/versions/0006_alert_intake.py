"""Alert intake: inbox, alert groups (one incident each), alerts, maintenance windows, heartbeats.
The mapping rules (label matchers → service, severity → impact/urgency) are a row of the
setting table.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-27
"""

import sqlalchemy as sa
from alembic import op

from imdesk.storage import alert_models  # noqa: F401  (the tables join Base.metadata)
from imdesk.storage.models import UTCDateTime

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "alert_inbox",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("received_at", UTCDateTime, nullable=False),
        sa.Column("endpoint", sa.String(20), nullable=False),
        sa.Column("body", sa.Text, nullable=False),
        sa.Column("assigned_key", sa.String(255), nullable=True),
        sa.Column("processed_at", UTCDateTime, nullable=True),
        sa.Column("outcome", sa.Text, nullable=True),
    )
    op.create_index("ix_alert_inbox_pending", "alert_inbox", ["processed_at", "id"])
    op.create_table(
        "alert_group",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("source", sa.String(20), nullable=False),
        sa.Column("key_hash", sa.String(64), nullable=False),
        sa.Column("group_key", sa.Text, nullable=False),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("incident_id", sa.Integer, sa.ForeignKey("incident.id"), nullable=True),
        sa.Column("last_digest", sa.String(64), nullable=False),
        sa.Column("last_digest_at", UTCDateTime, nullable=True),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.UniqueConstraint("source", "key_hash", name="uq_alert_group_key"),
    )
    op.create_index("ix_alert_group_incident", "alert_group", ["incident_id"])
    op.create_table(
        "maintenance_window",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("matchers", sa.Text, nullable=False),
        sa.Column("service", sa.String(120), nullable=True),
        sa.Column("starts_at", UTCDateTime, nullable=False),
        sa.Column("ends_at", UTCDateTime, nullable=False),
        sa.Column("ended_at", UTCDateTime, nullable=True),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.Column("author", sa.String(120), nullable=False),
    )
    op.create_index("ix_maintenance_ends", "maintenance_window", ["ends_at"])
    op.create_table(
        "alert",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("group_id", sa.Integer, sa.ForeignKey("alert_group.id"), nullable=False),
        sa.Column("incident_id", sa.Integer, sa.ForeignKey("incident.id"), nullable=True),
        sa.Column("source", sa.String(20), nullable=False),
        sa.Column("alert_key", sa.String(255), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("summary", sa.String(200), nullable=False),
        sa.Column("severity", sa.String(20), nullable=False),
        sa.Column("labels", sa.JSON, nullable=False),
        sa.Column("annotations", sa.JSON, nullable=False),
        sa.Column("links", sa.JSON, nullable=False),
        sa.Column("starts_at", UTCDateTime, nullable=True),
        sa.Column("first_seen", UTCDateTime, nullable=False),
        sa.Column("last_seen", UTCDateTime, nullable=False),
        sa.Column("resolved_at", UTCDateTime, nullable=True),
        sa.Column("count", sa.Integer, nullable=False),
        sa.Column("suppressed", sa.Boolean, nullable=False),
        sa.Column("maintenance_id", sa.Integer, sa.ForeignKey("maintenance_window.id"),
                  nullable=True),
    )
    op.create_index("ix_alert_group_key", "alert", ["group_id", "alert_key", "id"])
    op.create_index("ix_alert_incident", "alert", ["incident_id"])
    op.create_index("ix_alert_last_seen", "alert", ["last_seen"])
    op.create_table(
        "heartbeat",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.String(120), nullable=False, unique=True),
        sa.Column("interval_minutes", sa.Integer, nullable=False),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.Column("last_seen", UTCDateTime, nullable=True),
        sa.Column("state", sa.String(10), nullable=False),
        sa.Column("missed_at", UTCDateTime, nullable=True),
        sa.Column("incident_id", sa.Integer, sa.ForeignKey("incident.id"), nullable=True),
    )


def downgrade() -> None:
    raise NotImplementedError("imdesk does not downgrade; restore a backup instead")
