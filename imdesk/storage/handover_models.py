"""Tables of the shift handover: the handover (its window and the outgoing manager's draft,
which changes until it is signed) and its steps (signed, taken over), append-only and
hash-chained. Also the index on timeline_entry.recorded_at that compiles a shift's window."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from imdesk.storage.models import Base, TimelineEntryRow, UTCDateTime


class HandoverRow(Base):
    """A shift's handover. A trigger refuses UPDATE and DELETE once it has a step."""

    __tablename__ = "handover"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    window_start: Mapped[datetime] = mapped_column(UTCDateTime, unique=True)
    window_end: Mapped[datetime] = mapped_column(UTCDateTime)
    draft: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    author: Mapped[str] = mapped_column(String(120))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class HandoverStepRow(Base):
    """A signature (outgoing, then incoming): append-only, one chain over all handovers."""

    __tablename__ = "handover_step"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    handover_id: Mapped[int] = mapped_column(ForeignKey("handover.id"))
    seq: Mapped[int] = mapped_column(Integer, unique=True)
    step: Mapped[str] = mapped_column(String(10))
    name: Mapped[str] = mapped_column(String(120))
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    text: Mapped[str] = mapped_column(Text, default="")
    body: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))

    __table_args__ = (UniqueConstraint("handover_id", "step", name="uq_handover_step"),)


# What happened in a window: status changes and lines recorded in it (the timeline's own
# table has only (incident, seq)).
TIMELINE_RECORDED_INDEX = Index("ix_timeline_recorded", TimelineEntryRow.recorded_at)
