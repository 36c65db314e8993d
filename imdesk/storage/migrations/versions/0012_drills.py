"""Drills: drill records, their played injects, the incidents they produced, after-action reports.

Revision ID: 0012
Revises: 0006
Create Date: 2026-12-05
"""

import warnings

import sqlalchemy as sa
from alembic import op

from imdesk.storage import drill_models  # noqa: F401  (the tables join Base.metadata)
from imdesk.storage.models import UTCDateTime

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


OLD_STATES = "'queued','sending','sent','delivered','call','called','failed','expired'"


def _states(states: str) -> None:
    """The outbox's state check with these states (SQLite: the table is rebuilt; reflecting
    its foreign key's incident table warns of an expression index it does not need)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", sa.exc.SAWarning)
        with op.batch_alter_table("outbox_message", recreate="always") as batch:
            batch.drop_constraint("ck_outbox_state", type_="check")
            batch.create_check_constraint("ck_outbox_state", f"state IN ({states})")


def upgrade() -> None:
    # an exercise's message off the allow-list is kept in the outbox as "captured", never sent
    _states(f"{OLD_STATES},'captured'")
    op.create_table(
        "drill",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.String(120), nullable=False),
        sa.Column("source", sa.String(500), nullable=False),
        sa.Column("scenario", sa.JSON, nullable=False),
        sa.Column("status", sa.String(12), nullable=False),
        sa.Column("speed", sa.Float, nullable=False),
        sa.Column("scenario_s", sa.Float, nullable=False),
        sa.Column("anchored_at", UTCDateTime, nullable=False),
        sa.Column("anchors", sa.JSON, nullable=False),
        sa.Column("allow_list", sa.JSON, nullable=False),
        sa.Column("participants", sa.JSON, nullable=False),
        sa.Column("started_by", sa.String(120), nullable=False),
        sa.Column("started_at", UTCDateTime, nullable=False),
        sa.Column("ended_at", UTCDateTime, nullable=True),
    )
    op.create_table(
        "drill_event",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("drill_id", sa.Integer, sa.ForeignKey("drill.id", ondelete="CASCADE"),
                  nullable=False),
        sa.Column("inject_index", sa.Integer, nullable=False),
        sa.Column("inject_id", sa.String(64), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("due_s", sa.Integer, nullable=False),
        sa.Column("played_at", UTCDateTime, nullable=False),
        sa.Column("late_ms", sa.Float, nullable=False),
        sa.Column("result", sa.String(12), nullable=False),
        sa.Column("text", sa.Text, nullable=False),
    )
    op.create_index("ix_drill_event_drill", "drill_event", ["drill_id", "id"])
    op.create_table(
        "drill_incident",
        sa.Column("drill_id", sa.Integer, sa.ForeignKey("drill.id", ondelete="CASCADE"),
                  primary_key=True),
        sa.Column("incident_id", sa.Integer, sa.ForeignKey("incident.id"), primary_key=True),
    )
    op.create_table(
        "drill_report",
        sa.Column("drill_id", sa.Integer, sa.ForeignKey("drill.id", ondelete="CASCADE"),
                  primary_key=True),
        sa.Column("strengths", sa.Text, nullable=False),
        sa.Column("improvements", sa.Text, nullable=False),
        sa.Column("actions", sa.JSON, nullable=False),
        sa.Column("updated_at", UTCDateTime, nullable=False),
        sa.Column("signed_by", sa.String(120), nullable=False),
        sa.Column("signed_at", UTCDateTime, nullable=True),
        sa.Column("digest", sa.String(64), nullable=False),
    )


def downgrade() -> None:
    _states(OLD_STATES)
    op.drop_table("drill_report")
    op.drop_table("drill_incident")
    op.drop_index("ix_drill_event_drill", table_name="drill_event")
    op.drop_table("drill_event")
    op.drop_table("drill")
