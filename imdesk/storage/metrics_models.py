"""The raw milestones of each incident (one row per incident), kept in step with its timeline in
the same transaction as every append; the desk metrics are queries over this table."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Boolean, ForeignKey, Index, Integer, String, text
from sqlalchemy.orm import Mapped, mapped_column

from imdesk.storage.models import Base, UTCDateTime

# the metrics' covering index: per priority, in time order, every column the figures read
REPORT_INDEX = ("exercise", "caller", "priority", "opened_at", "cancelled", "respond_minutes",
                "resolve_minutes", "tta_ms", "tta_net_ms", "ttr_ms", "ttr_net_ms")
# the incident's own values the row carries (kept in step by milestone_repo)
COPIED = ("priority", "respond_minutes", "resolve_minutes")


class MilestoneRow(Base):
    __tablename__ = "incident_milestone"

    incident_id: Mapped[int] = mapped_column(ForeignKey("incident.id"), primary_key=True)
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime)
    reported_at: Mapped[datetime] = mapped_column(UTCDateTime)
    acknowledged_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    major_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    first_communication_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    first_resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    cancelled: Mapped[bool] = mapped_column(Boolean, default=False)
    reopened: Mapped[int] = mapped_column(Integer, default=0)
    hold_seconds: Mapped[int] = mapped_column(Integer, default=0)
    hold_before_ack_seconds: Mapped[int] = mapped_column(Integer, default=0)
    hold_before_resolve_seconds: Mapped[int] = mapped_column(Integer, default=0)
    exercise: Mapped[bool] = mapped_column(Boolean, default=False)
    # where the fold stands: the status, and a hold that is running
    status: Mapped[str] = mapped_column(String(20))
    hold_started_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    # derived, whole milliseconds (milestone_steps.durations): what the metrics aggregate
    tta_ms: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    tta_net_ms: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    ttr_ms: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    ttr_net_ms: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    # copied from the incident and its links on every append (milestone_repo.on_append), so the
    # metrics read one table: the priority and SLA targets, and whether it is a caller of a master
    priority: Mapped[str] = mapped_column(String(2), default="P5")
    respond_minutes: Mapped[int] = mapped_column(Integer, default=0)
    resolve_minutes: Mapped[int] = mapped_column(Integer, default=0)
    caller: Mapped[bool] = mapped_column(Boolean, default=False)

    __table_args__ = (Index("ix_incident_milestone_opened", "opened_at"),
                      Index("ix_incident_milestone_report", *REPORT_INDEX),
                      # the declared majors (few) without reading every row of the range
                      Index("ix_incident_milestone_major", "major_at",
                            sqlite_where=text("major_at IS NOT NULL"),
                            postgresql_where=text("major_at IS NOT NULL")))
