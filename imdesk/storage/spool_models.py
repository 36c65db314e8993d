"""Team mode offline: what a desk wrote while the server was unreachable, and what the merge made
of it.

In a desk's replica (its local SQLite copy of the server): `spool_item` is one row per entry or
message written offline (pending until merged), `replica_state` holds the sync cursors. On the
server (and, unused, in every schema): `spool_ref` maps a provisional INC-OFF-… ref to the server
ref it became, `spool_conflict` holds what the lifecycle refused at the merge, for a person to
settle. Both server tables are written in the same transaction as the merged entries, so an
interrupted merge simply continues.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from imdesk.storage.models import Base, UTCDateTime


class SpoolItemRow(Base):
    """One thing written offline: an entry (kind 'entry') or a queued message ('message')."""

    __tablename__ = "spool_item"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(10))
    uuid: Mapped[str] = mapped_column(String(36), unique=True)  # the entry's or message's uuid
    incident_id: Mapped[int] = mapped_column(Integer)  # the replica's incident id
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime)
    desk: Mapped[dict[str, Any]] = mapped_column(JSON)
    state: Mapped[str] = mapped_column(String(10), default="pending")  # pending, merged, conflict
    merged_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)

    __table_args__ = (Index("ix_spool_item_state", "state", "incident_id", "recorded_at"),)


class ReplicaStateRow(Base):
    """The replica's cursors and facts (key → JSON value): server URL, last sync, offline since."""

    __tablename__ = "replica_state"

    key: Mapped[str] = mapped_column(String(40), primary_key=True)
    value: Mapped[Any] = mapped_column(JSON)


class SpoolRefRow(Base):
    """A provisional ref written offline and the server ref it became at the merge."""

    __tablename__ = "spool_ref"

    provisional_ref: Mapped[str] = mapped_column(String(40), primary_key=True)
    server_ref: Mapped[str] = mapped_column(String(40))
    desk: Mapped[str] = mapped_column(String(200))
    mapped_at: Mapped[datetime] = mapped_column(UTCDateTime)


class SpoolConflictRow(Base):
    """An offline change the lifecycle refused at the merge: the whole entry, kept for a person."""

    __tablename__ = "spool_conflict"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    entry_uuid: Mapped[str] = mapped_column(String(36), unique=True)
    incident_ref: Mapped[str] = mapped_column(String(40))
    kind: Mapped[str] = mapped_column(String(30))
    text: Mapped[str] = mapped_column(Text, default="")
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    author: Mapped[str] = mapped_column(String(120))
    desk: Mapped[str] = mapped_column(String(200))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime)
    reason: Mapped[str] = mapped_column(Text)
    found_at: Mapped[datetime] = mapped_column(UTCDateTime)
    state: Mapped[str] = mapped_column(String(10), default="open")  # open, applied, dismissed
    settled_by: Mapped[str | None] = mapped_column(String(120), nullable=True)
    settled_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)

    __table_args__ = (Index("ix_spool_conflict_state", "state", "id"),)
