"""The outbox: one row per message to one recipient, written with the timeline entry that
asked for it; the sender moves it along its route (states in imdesk.domain.message)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from imdesk.storage.models import Base, UTCDateTime


class OutboxMessageRow(Base):
    __tablename__ = "outbox_message"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    uuid: Mapped[str] = mapped_column(String(36), unique=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incident.id"))
    request_seq: Mapped[int] = mapped_column(Integer)      # the timeline entry that asked for it
    template: Mapped[str] = mapped_column(String(20))
    audience: Mapped[str] = mapped_column(String(20))
    recipient: Mapped[str] = mapped_column(String(120))
    route: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    step: Mapped[int] = mapped_column(Integer, default=0)
    channel: Mapped[str] = mapped_column(String(10))       # of the current step
    address: Mapped[str] = mapped_column(String(254))      # of the current step
    subject: Mapped[str] = mapped_column(String(250))
    body: Mapped[str] = mapped_column(Text)
    sms_text: Mapped[str] = mapped_column(Text)
    state: Mapped[str] = mapped_column(String(12))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    step_attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    not_after: Mapped[datetime] = mapped_column(UTCDateTime)
    last_error: Mapped[str] = mapped_column(Text, default="")
    provider_id: Mapped[str] = mapped_column(String(200), default="")
    message_id: Mapped[str] = mapped_column(String(200))   # email Message-ID, kept on resends
    possible_duplicate: Mapped[bool] = mapped_column(Boolean, default=False)
    sending_since: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    polls: Mapped[int] = mapped_column(Integer, default=0)
    # While "sending": which sender claimed it (imdesk.domain.lease.Holder.tag) and until when
    # the claim holds unless renewed; another sender takes it over, in doubt, only after that.
    lease_holder: Mapped[str] = mapped_column(String(200), default="")
    lease_expires: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)

    __table_args__ = (
        Index("ix_outbox_state_due", "state", "next_attempt_at"),
        Index("ix_outbox_incident", "incident_id", "id"),
    )
