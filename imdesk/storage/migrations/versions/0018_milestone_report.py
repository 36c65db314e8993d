"""The metrics read one table: each incident's milestone row carries its priority, SLA targets
and whether it is a caller of a master (kept in step on every append), under a covering index in
priority and time order (a year of 100k incidents aggregated without a join or a sort).

Revision ID: 0018
Revises: 0013
Create Date: 2026-12-05
"""

import warnings

import sqlalchemy as sa
from alembic import op

from imdesk.storage.metrics_models import REPORT_INDEX

revision = "0018"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    for column in (sa.Column("priority", sa.String(2), nullable=False, server_default="P5"),
                   sa.Column("respond_minutes", sa.Integer, nullable=False, server_default="0"),
                   sa.Column("resolve_minutes", sa.Integer, nullable=False, server_default="0"),
                   sa.Column("caller", sa.Boolean, nullable=False, server_default=sa.false())):
        op.add_column("incident_milestone", column)  # a plain ADD COLUMN, also on SQLite
    op.execute("UPDATE incident_milestone SET (priority, respond_minutes, resolve_minutes) = "
               "(SELECT i.priority, i.respond_minutes, i.resolve_minutes FROM incident i "
               "WHERE i.id = incident_milestone.incident_id)")
    op.execute("UPDATE incident_milestone SET caller = true WHERE incident_id IN "
               "(SELECT l.incident_id FROM incident_link l WHERE l.kind = 'caller')")
    op.create_index("ix_incident_milestone_report", "incident_milestone", list(REPORT_INDEX))
    op.create_index("ix_incident_milestone_major", "incident_milestone", ["major_at"],
                    sqlite_where=sa.text("major_at IS NOT NULL"),
                    postgresql_where=sa.text("major_at IS NOT NULL"))


def downgrade() -> None:
    op.drop_index("ix_incident_milestone_major", table_name="incident_milestone")
    op.drop_index("ix_incident_milestone_report", table_name="incident_milestone")
    with warnings.catch_warnings():  # SQLite rebuilds the table; reflection warns of an index
        warnings.simplefilter("ignore", sa.exc.SAWarning)
        with op.batch_alter_table("incident_milestone") as batch:
            for name in ("caller", "resolve_minutes", "respond_minutes", "priority"):
                batch.drop_column(name)
