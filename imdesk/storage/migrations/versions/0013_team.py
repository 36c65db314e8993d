"""Team mode: the change feed (one row per commit that changed something shared).

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-05
"""

import sqlalchemy as sa
from alembic import op

from imdesk.storage import team_models  # noqa: F401  (the table joins Base.metadata)
from imdesk.storage.models import UTCDateTime
from imdesk.storage.team_models import COUNTER

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "change_feed",
        sa.Column("counter", COUNTER, primary_key=True, autoincrement=True),
        sa.Column("desk", sa.String(60), nullable=False),
        sa.Column("what", sa.Text, nullable=False),
        sa.Column("at", UTCDateTime, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("change_feed")
