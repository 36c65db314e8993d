"""Incident milestones (opened, acknowledged, major, first update, resolved, closed, reopened,
on hold) for the desk metrics: the table, filled by folding every existing timeline.

Revision ID: 0008
Revises: 0006
Create Date: 2026-12-05
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.orm import Session

from imdesk.domain.milestone_steps import STEP_FIELDS, flat, fold
from imdesk.storage import (
    metrics_models,  # noqa: F401  (the table joins Base.metadata)
    timeline_repo,
)
from imdesk.storage.models import UTCDateTime

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "incident_milestone",
        sa.Column("incident_id", sa.Integer, sa.ForeignKey("incident.id"), primary_key=True),
        sa.Column("opened_at", UTCDateTime, nullable=False),
        sa.Column("reported_at", UTCDateTime, nullable=False),
        sa.Column("acknowledged_at", UTCDateTime, nullable=True),
        sa.Column("major_at", UTCDateTime, nullable=True),
        sa.Column("first_communication_at", UTCDateTime, nullable=True),
        sa.Column("first_resolved_at", UTCDateTime, nullable=True),
        sa.Column("resolved_at", UTCDateTime, nullable=True),
        sa.Column("closed_at", UTCDateTime, nullable=True),
        sa.Column("cancelled", sa.Boolean, nullable=False),
        sa.Column("reopened", sa.Integer, nullable=False),
        sa.Column("hold_seconds", sa.Integer, nullable=False),
        sa.Column("hold_before_ack_seconds", sa.Integer, nullable=False),
        sa.Column("hold_before_resolve_seconds", sa.Integer, nullable=False),
        sa.Column("exercise", sa.Boolean, nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("hold_started_at", UTCDateTime, nullable=True),
        sa.Column("tta_ms", sa.BigInteger, nullable=True),
        sa.Column("tta_net_ms", sa.BigInteger, nullable=True),
        sa.Column("ttr_ms", sa.BigInteger, nullable=True),
        sa.Column("ttr_net_ms", sa.BigInteger, nullable=True),
    )
    op.create_index("ix_incident_milestone_opened", "incident_milestone", ["opened_at"])
    table = sa.table("incident_milestone", sa.column("incident_id"),
                     *(sa.column(name, UTCDateTime if name.endswith("_at") else None)
                       for name in STEP_FIELDS))
    session = Session(bind=op.get_bind())
    batch: list[dict[str, object]] = []
    for row, timeline in timeline_repo.iter_all(session):
        batch.append({"incident_id": row.id, **flat(fold(timeline))})
        if len(batch) >= 2000:
            op.get_bind().execute(table.insert(), batch)
            batch = []
    if batch:
        op.get_bind().execute(table.insert(), batch)


def downgrade() -> None:
    op.drop_index("ix_incident_milestone_opened", table_name="incident_milestone")
    op.drop_table("incident_milestone")
