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
down_revision = "0006"
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


def downgrade() -> None:
    raise NotImplementedError("imdesk does not downgrade; restore a backup instead")
