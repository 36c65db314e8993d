"""Team mode's shared table: the change feed, one row per commit that changed something several
desks show (an incident, the contact book, the outbox, …). Desks read it from their last counter;
on PostgreSQL each row is announced with NOTIFY (the counter and the desk, never the data)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from imdesk.storage.models import Base, UTCDateTime

COUNTER = BigInteger().with_variant(Integer(), "sqlite")  # BIGSERIAL; SQLite's rowid


class ChangeFeedRow(Base):
    __tablename__ = "change_feed"

    counter: Mapped[int] = mapped_column(COUNTER, primary_key=True, autoincrement=True)
    desk: Mapped[str] = mapped_column(String(60))  # the desk's name ("" before a desk is known)
    what: Mapped[str] = mapped_column(Text)  # what changed, comma-separated: "INC-1042,contacts"
    at: Mapped[datetime] = mapped_column(UTCDateTime)
