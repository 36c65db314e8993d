"""Shift handover: handovers (window, draft) and their signed steps, append-only; an index on
timeline_entry.recorded_at for compiling a shift's window.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-05
"""

import sqlalchemy as sa
from alembic import op

from imdesk.storage import handover_models  # noqa: F401  (the tables join Base.metadata)
from imdesk.storage.models import UTCDateTime

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "handover",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("window_start", UTCDateTime, nullable=False, unique=True),
        sa.Column("window_end", UTCDateTime, nullable=False),
        sa.Column("draft", sa.JSON, nullable=False),
        sa.Column("author", sa.String(120), nullable=False),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.Column("updated_at", UTCDateTime, nullable=False),
    )
    op.create_table(
        "handover_step",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("handover_id", sa.Integer, sa.ForeignKey("handover.id"), nullable=False),
        sa.Column("seq", sa.Integer, nullable=False, unique=True),
        sa.Column("step", sa.String(10), nullable=False),
        sa.Column("name", sa.String(120), nullable=False),
        sa.Column("at", UTCDateTime, nullable=False),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("body", sa.JSON, nullable=False),
        sa.Column("prev_hash", sa.String(64), nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
        sa.UniqueConstraint("handover_id", "step", name="uq_handover_step"),
    )
    op.create_index("ix_timeline_recorded", "timeline_entry", ["recorded_at"])
    if op.get_bind().dialect.name == "sqlite":
        for action in ("UPDATE", "DELETE"):
            op.execute(f"CREATE TRIGGER handover_step_no_{action.lower()} BEFORE {action} "
                       "ON handover_step BEGIN "
                       "SELECT RAISE(ABORT, 'handover steps are append-only'); END")
            op.execute(f"CREATE TRIGGER handover_signed_no_{action.lower()} BEFORE {action} "
                       "ON handover WHEN EXISTS (SELECT 1 FROM handover_step "
                       "WHERE handover_id = OLD.id) BEGIN "
                       "SELECT RAISE(ABORT, 'a signed handover does not change'); END")
        return
    op.execute("CREATE FUNCTION handover_step_append_only() RETURNS trigger AS $$ BEGIN "
               "RAISE EXCEPTION 'handover steps are append-only'; END $$ LANGUAGE plpgsql")
    op.execute("CREATE TRIGGER handover_step_append_only BEFORE UPDATE OR DELETE ON handover_step "
               "FOR EACH ROW EXECUTE FUNCTION handover_step_append_only()")
    op.execute("CREATE FUNCTION handover_signed_frozen() RETURNS trigger AS $$ BEGIN "
               "IF EXISTS (SELECT 1 FROM handover_step WHERE handover_id = OLD.id) THEN "
               "RAISE EXCEPTION 'a signed handover does not change'; END IF; "
               "IF TG_OP = 'DELETE' THEN RETURN OLD; END IF; RETURN NEW; END $$ LANGUAGE plpgsql")
    op.execute("CREATE TRIGGER handover_signed_frozen BEFORE UPDATE OR DELETE ON handover "
               "FOR EACH ROW EXECUTE FUNCTION handover_signed_frozen()")


def downgrade() -> None:
    raise NotImplementedError("imdesk does not downgrade; restore a backup instead")
