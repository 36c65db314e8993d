"""The outbox of messages to people (one row per recipient).

Revision ID: 0005
Revises: 0003
Create Date: 2026-11-27
"""

import sqlalchemy as sa
from alembic import op

from imdesk.storage.models import UTCDateTime

revision = "0005"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "outbox_message",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("uuid", sa.String(36), nullable=False, unique=True),
        sa.Column("incident_id", sa.Integer, sa.ForeignKey("incident.id"), nullable=False),
        sa.Column("request_seq", sa.Integer, nullable=False),
        sa.Column("template", sa.String(20), nullable=False),
        sa.Column("audience", sa.String(20), nullable=False),
        sa.Column("recipient", sa.String(120), nullable=False),
        sa.Column("route", sa.JSON, nullable=False),
        sa.Column("step", sa.Integer, nullable=False),
        sa.Column("channel", sa.String(10), nullable=False),
        sa.Column("address", sa.String(254), nullable=False),
        sa.Column("subject", sa.String(250), nullable=False),
        sa.Column("body", sa.Text, nullable=False),
        sa.Column("sms_text", sa.Text, nullable=False),
        sa.Column("state", sa.String(12), nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("step_attempts", sa.Integer, nullable=False),
        sa.Column("next_attempt_at", UTCDateTime, nullable=True),
        sa.Column("not_after", UTCDateTime, nullable=False),
        sa.Column("last_error", sa.Text, nullable=False),
        sa.Column("provider_id", sa.String(200), nullable=False),
        sa.Column("message_id", sa.String(200), nullable=False),
        sa.Column("possible_duplicate", sa.Boolean, nullable=False),
        sa.Column("sending_since", UTCDateTime, nullable=True),
        sa.Column("polls", sa.Integer, nullable=False),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.Column("updated_at", UTCDateTime, nullable=False),
        sa.CheckConstraint(
            "state IN ('queued','sending','sent','delivered','call','called','failed','expired')",
            name="ck_outbox_state"),
    )
    op.create_index("ix_outbox_state_due", "outbox_message", ["state", "next_attempt_at"])
    op.create_index("ix_outbox_incident", "outbox_message", ["incident_id", "id"])


def downgrade() -> None:
    raise NotImplementedError("imdesk does not downgrade; restore a backup instead")
