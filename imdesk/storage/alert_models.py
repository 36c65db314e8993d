"""Tables of the alert intake: the inbox (raw payloads, stored before the reply), alert groups
(one incident each), alerts, maintenance windows and heartbeats."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from imdesk.storage.models import Base, UTCDateTime


class AlertInboxRow(Base):
    """A payload exactly as it arrived, committed before the sender got its 2xx."""

    __tablename__ = "alert_inbox"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime)
    endpoint: Mapped[str] = mapped_column(String(20))  # alertmanager, grafana, pagerduty, heartbeat
    body: Mapped[str] = mapped_column(Text)
    assigned_key: Mapped[str | None] = mapped_column(String(255), nullable=True)
    processed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    outcome: Mapped[str | None] = mapped_column(Text, nullable=True)

    __table_args__ = (Index("ix_alert_inbox_pending", "processed_at", "id"),)


class AlertGroupRow(Base):
    """An aggregation group (Alertmanager groupKey, a PagerDuty routing+dedup key): one incident."""

    __tablename__ = "alert_group"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    source: Mapped[str] = mapped_column(String(20))
    key_hash: Mapped[str] = mapped_column(String(64))
    group_key: Mapped[str] = mapped_column(Text)
    title: Mapped[str] = mapped_column(String(200))
    incident_id: Mapped[int | None] = mapped_column(ForeignKey("incident.id"), nullable=True)
    last_digest: Mapped[str] = mapped_column(String(64), default="")
    last_digest_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)

    __table_args__ = (
        UniqueConstraint("source", "key_hash", name="uq_alert_group_key"),
        Index("ix_alert_group_incident", "incident_id"),
    )


class AlertRow(Base):
    __tablename__ = "alert"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("alert_group.id"))
    incident_id: Mapped[int | None] = mapped_column(ForeignKey("incident.id"), nullable=True)
    source: Mapped[str] = mapped_column(String(20))
    alert_key: Mapped[str] = mapped_column(String(255))
    status: Mapped[str] = mapped_column(String(20))  # firing, acknowledged, resolved
    summary: Mapped[str] = mapped_column(String(200))
    severity: Mapped[str] = mapped_column(String(20), default="")
    labels: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    annotations: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    links: Mapped[list[Any]] = mapped_column(JSON, default=list)
    starts_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    first_seen: Mapped[datetime] = mapped_column(UTCDateTime)
    last_seen: Mapped[datetime] = mapped_column(UTCDateTime)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    count: Mapped[int] = mapped_column(Integer, default=1)
    suppressed: Mapped[bool] = mapped_column(Boolean, default=False)
    maintenance_id: Mapped[int | None] = mapped_column(ForeignKey("maintenance_window.id"),
                                                       nullable=True)

    __table_args__ = (
        Index("ix_alert_group_key", "group_id", "alert_key", "id"),
        Index("ix_alert_incident", "incident_id"),
        Index("ix_alert_last_seen", "last_seen"),
    )


class MaintenanceWindowRow(Base):
    __tablename__ = "maintenance_window"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    matchers: Mapped[str] = mapped_column(Text, default="")
    service: Mapped[str | None] = mapped_column(String(120), nullable=True)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    author: Mapped[str] = mapped_column(String(120))

    __table_args__ = (Index("ix_maintenance_ends", "ends_at"),)


class HeartbeatRow(Base):
    """A sender expected to check in every interval; silence opens an incident."""

    __tablename__ = "heartbeat"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    interval_minutes: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_seen: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    state: Mapped[str] = mapped_column(String(10))  # waiting, ok, missed
    missed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    incident_id: Mapped[int | None] = mapped_column(ForeignKey("incident.id"), nullable=True)
