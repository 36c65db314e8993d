"""Runbooks and other documents per service (or team): the document row (owner, review
interval, last review, retirement) and its versions, append-only — a save adds a version and
never overwrites one (a trigger refuses UPDATE/DELETE). The schema is created by migration 0010."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from imdesk.storage.models import Base, UTCDateTime

TITLE_MAX = 200
NAME_MAX = 120


class DocumentRow(Base):
    __tablename__ = "document"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    title: Mapped[str] = mapped_column(String(TITLE_MAX))
    service_id: Mapped[int | None] = mapped_column(ForeignKey("service.id"), nullable=True)
    team_id: Mapped[int | None] = mapped_column(ForeignKey("team.id"), nullable=True)
    owner: Mapped[str] = mapped_column(String(NAME_MAX), default="")
    review_days: Mapped[int] = mapped_column(Integer)
    last_reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    reviewed_by: Mapped[str] = mapped_column(String(NAME_MAX), default="")
    current_version: Mapped[int] = mapped_column(Integer, default=0)
    retired_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    retired_by: Mapped[str] = mapped_column(String(NAME_MAX), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)

    __table_args__ = (
        Index("ix_document_service", "service_id"),
        Index("ix_document_team", "team_id"),
    )


class DocumentVersionRow(Base):
    __tablename__ = "document_version"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("document.id"))
    number: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(TITLE_MAX))
    text: Mapped[str] = mapped_column(Text)
    author: Mapped[str] = mapped_column(String(NAME_MAX))
    saved_at: Mapped[datetime] = mapped_column(UTCDateTime)

    __table_args__ = (UniqueConstraint("document_id", "number", name="uq_document_version"),)
