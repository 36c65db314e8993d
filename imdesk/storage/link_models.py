"""Tables of linked incidents and service dependencies.

`incident_link` is a projection of the `link` timeline entries written on both incidents: a
caller link (the same outage reported by another person) points from the caller's incident to
its master; a related link (different, connected) is stored once, from the newer incident.
`service_dependency` is the directed graph "service depends on service".
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from imdesk.storage.models import Base, UTCDateTime


class IncidentLinkRow(Base):
    """One link: `incident_id` → `other_id` (the master for a caller link)."""

    __tablename__ = "incident_link"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incident.id"))
    other_id: Mapped[int] = mapped_column(ForeignKey("incident.id"))
    kind: Mapped[str] = mapped_column(String(10))  # caller | related
    caller_name: Mapped[str] = mapped_column(String(200), default="")
    caller_contact: Mapped[str] = mapped_column(String(200), default="")
    reached_via: Mapped[str] = mapped_column(String(20), default="")  # the caller's origin
    author: Mapped[str] = mapped_column(String(120))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)

    __table_args__ = (
        UniqueConstraint("incident_id", "other_id", name="uq_incident_link_pair"),
        Index("ix_incident_link_other", "other_id", "kind"),
    )


class ServiceDependencyRow(Base):
    """`service_id` depends on `depends_on_id` (VPN depends on Network)."""

    __tablename__ = "service_dependency"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    service_id: Mapped[int] = mapped_column(ForeignKey("service.id"))
    depends_on_id: Mapped[int] = mapped_column(ForeignKey("service.id"))

    __table_args__ = (
        UniqueConstraint("service_id", "depends_on_id", name="uq_service_dependency"),
        Index("ix_service_dependency_on", "depends_on_id"),
    )
