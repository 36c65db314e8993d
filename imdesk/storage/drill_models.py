"""Drill records: one row per drill (its scenario kept whole, how it was played), each played
inject, the incidents the drill produced, and its after-action report."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Float, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from imdesk.storage.models import Base, UTCDateTime


class DrillRow(Base):
    __tablename__ = "drill"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    source: Mapped[str] = mapped_column(String(500))       # built-in file, a path, or replay:REF
    scenario: Mapped[dict[str, Any]] = mapped_column(JSON)  # the scenario's values, as played
    status: Mapped[str] = mapped_column(String(12))        # running, paused, finished, stopped
    speed: Mapped[float] = mapped_column(Float, default=1.0)
    scenario_s: Mapped[float] = mapped_column(Float, default=0.0)  # position at the last anchor
    anchored_at: Mapped[datetime] = mapped_column(UTCDateTime)     # wall time of that anchor
    anchors: Mapped[list[Any]] = mapped_column(JSON, default=list)  # [[wall iso, T s, speed]]
    allow_list: Mapped[list[str]] = mapped_column(JSON, default=list)
    participants: Mapped[list[str]] = mapped_column(JSON, default=list)
    started_by: Mapped[str] = mapped_column(String(120))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class DrillEventRow(Base):
    __tablename__ = "drill_event"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    drill_id: Mapped[int] = mapped_column(ForeignKey("drill.id", ondelete="CASCADE"))
    inject_index: Mapped[int] = mapped_column(Integer)
    inject_id: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(20))
    due_s: Mapped[int] = mapped_column(Integer)
    played_at: Mapped[datetime] = mapped_column(UTCDateTime)
    late_ms: Mapped[float] = mapped_column(Float, default=0.0)
    result: Mapped[str] = mapped_column(String(12))  # played, met, missed, skipped, failed
    text: Mapped[str] = mapped_column(Text)

    __table_args__ = (Index("ix_drill_event_drill", "drill_id", "id"),)


class DrillIncidentRow(Base):
    __tablename__ = "drill_incident"

    drill_id: Mapped[int] = mapped_column(ForeignKey("drill.id", ondelete="CASCADE"),
                                          primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incident.id"), primary_key=True)


class DrillReportRow(Base):
    """The after-action report: editable until signed off, then frozen with its hash."""

    __tablename__ = "drill_report"

    drill_id: Mapped[int] = mapped_column(ForeignKey("drill.id", ondelete="CASCADE"),
                                          primary_key=True)
    strengths: Mapped[str] = mapped_column(Text, default="")
    improvements: Mapped[str] = mapped_column(Text, default="")
    actions: Mapped[list[Any]] = mapped_column(JSON, default=list)  # {action, owner, due}
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    signed_by: Mapped[str] = mapped_column(String(120), default="")
    signed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    digest: Mapped[str] = mapped_column(String(64), default="")
