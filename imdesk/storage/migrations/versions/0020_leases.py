"""Leases: the team's shared jobs (listener, sender) and the claim on a message being sent.

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-05
"""

import sqlalchemy as sa
from alembic import op

from imdesk.storage import lease_models  # noqa: F401  (the table joins Base.metadata)
from imdesk.storage.models import UTCDateTime

revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "lease",
        sa.Column("name", sa.String(40), primary_key=True),
        sa.Column("desk", sa.String(120), nullable=False),
        sa.Column("host", sa.String(255), nullable=False),
        sa.Column("pid", sa.Integer, nullable=False),
        sa.Column("token", sa.String(36), nullable=False),
        sa.Column("since", UTCDateTime, nullable=False),
        sa.Column("renewed_at", UTCDateTime, nullable=False),
        sa.Column("expires_at", UTCDateTime, nullable=False),
    )
    with op.batch_alter_table("outbox_message") as batch:
        batch.add_column(sa.Column("lease_holder", sa.String(200), nullable=False,
                                   server_default=""))
        batch.add_column(sa.Column("lease_expires", UTCDateTime, nullable=True))


def downgrade() -> None:
    raise NotImplementedError("imdesk does not downgrade; restore a backup instead")
