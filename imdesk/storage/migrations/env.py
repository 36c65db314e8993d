"""Alembic environment: runs on the connection imdesk hands over (never reads an ini file)."""

from __future__ import annotations

from alembic import context

import imdesk.storage.contact_models  # the contact book's tables join Base.metadata
import imdesk.storage.doc_models  # documents and their versions join Base.metadata
import imdesk.storage.drill_models
import imdesk.storage.handover_models
import imdesk.storage.lease_models  # the team's leases join Base.metadata
import imdesk.storage.link_models  # links and service dependencies join Base.metadata
import imdesk.storage.metrics_models  # the milestones table joins Base.metadata
import imdesk.storage.outbox_models  # the outbox's table joins Base.metadata
import imdesk.storage.spool_models
import imdesk.storage.team_models  # noqa: F401  (the change feed joins Base.metadata)
from imdesk.storage.models import Base

config = context.config
connection = config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=connection.dialect.name == "sqlite",
    transaction_per_migration=True,
)
with context.begin_transaction():
    context.run_migrations()
