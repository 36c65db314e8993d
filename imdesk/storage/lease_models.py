"""The team's leases: one row per shared job ("alert-listener", "outbox-sender") naming the desk
that does it and until when (rules: imdesk.domain.lease)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from imdesk.storage.models import Base, UTCDateTime


class LeaseRow(Base):
    __tablename__ = "lease"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    desk: Mapped[str] = mapped_column(String(120))
    host: Mapped[str] = mapped_column(String(255))
    pid: Mapped[int] = mapped_column(Integer)
    token: Mapped[str] = mapped_column(String(36))  # this holding (one per process run)
    since: Mapped[datetime] = mapped_column(UTCDateTime)  # when this holder took it
    renewed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
