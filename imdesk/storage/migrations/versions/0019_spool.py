"""Team mode offline: the spool of what a desk wrote offline, the replica's cursors, provisional
refs mapped at the merge, and conflicts for a person to settle.

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-05
"""

import sqlalchemy as sa
from alembic import op

from imdesk.storage import spool_models  # noqa: F401  (the tables join Base.metadata)
from imdesk.storage.models import UTCDateTime

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "spool_item",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("kind", sa.String(10), nullable=False),
        sa.Column("uuid", sa.String(36), nullable=False, unique=True),
        sa.Column("incident_id", sa.Integer, nullable=False),
        sa.Column("recorded_at", UTCDateTime, nullable=False),
        sa.Column("desk", sa.JSON, nullable=False),
        sa.Column("state", sa.String(10), nullable=False),
        sa.Column("merged_at", UTCDateTime, nullable=True),
    )
    op.create_index("ix_spool_item_state", "spool_item", ["state", "incident_id", "recorded_at"])
    op.create_table(
        "replica_state",
        sa.Column("key", sa.String(40), primary_key=True),
        sa.Column("value", sa.JSON, nullable=False),
    )
    op.create_table(
        "spool_ref",
        sa.Column("provisional_ref", sa.String(40), primary_key=True),
        sa.Column("server_ref", sa.String(40), nullable=False),
        sa.Column("desk", sa.String(200), nullable=False),
        sa.Column("mapped_at", UTCDateTime, nullable=False),
    )
    op.create_table(
        "spool_conflict",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("entry_uuid", sa.String(36), nullable=False, unique=True),
        sa.Column("incident_ref", sa.String(40), nullable=False),
        sa.Column("kind", sa.String(30), nullable=False),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("data", sa.JSON, nullable=False),
        sa.Column("author", sa.String(120), nullable=False),
        sa.Column("desk", sa.String(200), nullable=False),
        sa.Column("recorded_at", UTCDateTime, nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("found_at", UTCDateTime, nullable=False),
        sa.Column("state", sa.String(10), nullable=False),
        sa.Column("settled_by", sa.String(120), nullable=True),
        sa.Column("settled_at", UTCDateTime, nullable=True),
    )
    op.create_index("ix_spool_conflict_state", "spool_conflict", ["state", "id"])


def downgrade() -> None:
    raise NotImplementedError("imdesk does not downgrade; restore a backup instead")
