"""Contact book tables: contacts with phones/emails/tags/search terms, teams with members and
escalation ladders, on-call shifts, distribution lists, and each service's owners and stakeholders.
The schema is created by migration 0003; the name parts by 0011."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    func,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from imdesk.storage.models import Base, UTCDateTime

NAME_MAX = 200
NAME_PART_MAX = 100
FIELD_MAX = 200
NOTES_MAX = 20_000


class ContactRow(Base):
    __tablename__ = "contact"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(NAME_MAX))
    kind: Mapped[str] = mapped_column(String(20), default="person")
    job_title: Mapped[str] = mapped_column(String(FIELD_MAX), default="")
    organisation: Mapped[str] = mapped_column(String(FIELD_MAX), default="")
    department: Mapped[str] = mapped_column(String(FIELD_MAX), default="")
    preferred_channel: Mapped[str] = mapped_column(String(10), default="call")
    time_zone: Mapped[str] = mapped_column(String(64), default="")
    notes: Mapped[str] = mapped_column(Text, default="")
    account_number: Mapped[str] = mapped_column(String(FIELD_MAX), default="")
    last_verified_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    verified_by: Mapped[str] = mapped_column(String(120), default="")
    review: Mapped[str] = mapped_column(String(500), default="")  # why a human must look ("" = fine)
    # The name's parts (migration 0011); ``name`` is the display name.
    given_name: Mapped[str] = mapped_column(String(NAME_PART_MAX), default="")
    family_name: Mapped[str] = mapped_column(String(NAME_PART_MAX), default="")
    middle_name: Mapped[str] = mapped_column(String(NAME_PART_MAX), default="")
    name_prefix: Mapped[str] = mapped_column(String(NAME_PART_MAX), default="")
    name_suffix: Mapped[str] = mapped_column(String(NAME_PART_MAX), default="")
    nickname: Mapped[str] = mapped_column(String(NAME_PART_MAX), default="")
    phonetic_name: Mapped[str] = mapped_column(String(NAME_MAX), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)

    __table_args__ = (
        Index("ix_contact_name", func.lower(text("name"))),
        Index("ix_contact_verified", "last_verified_at"),
        Index("ix_contact_kind", "kind"),
        CheckConstraint(f"length(notes) <= {NOTES_MAX}", name="ck_contact_notes_len"),
    )


class ContactPhoneRow(Base):
    __tablename__ = "contact_phone"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    contact_id: Mapped[int] = mapped_column(ForeignKey("contact.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(10))
    raw: Mapped[str] = mapped_column(String(100))
    e164: Mapped[str | None] = mapped_column(String(20), nullable=True)

    __table_args__ = (
        Index("ix_contact_phone_contact", "contact_id"),
        Index("ix_contact_phone_e164", "e164"),
    )


class ContactEmailRow(Base):
    __tablename__ = "contact_email"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    contact_id: Mapped[int] = mapped_column(ForeignKey("contact.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(10))
    address: Mapped[str] = mapped_column(String(320))
    valid: Mapped[bool] = mapped_column(Boolean)

    __table_args__ = (
        Index("ix_contact_email_contact", "contact_id"),
        Index("ix_contact_email_address", func.lower(text("address"))),
    )


class ContactTagRow(Base):
    __tablename__ = "contact_tag"

    contact_id: Mapped[int] = mapped_column(ForeignKey("contact.id", ondelete="CASCADE"),
                                            primary_key=True)
    tag: Mapped[str] = mapped_column(String(60), primary_key=True)


class ContactTermRow(Base):
    """Folded words of a contact's name, organisation, department, title and tags: the prefix
    search reads this index only."""

    __tablename__ = "contact_term"

    term: Mapped[str] = mapped_column(String(60), primary_key=True)
    contact_id: Mapped[int] = mapped_column(ForeignKey("contact.id", ondelete="CASCADE"),
                                            primary_key=True)

    __table_args__ = (Index("ix_contact_term_contact", "contact_id"),)


class ContactCheckRow(Base):
    """Each try of a contact's number: from a drill, or a call made from an incident."""

    __tablename__ = "contact_check"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    contact_id: Mapped[int] = mapped_column(ForeignKey("contact.id", ondelete="CASCADE"))
    outcome: Mapped[str] = mapped_column(String(20))
    checked_at: Mapped[datetime] = mapped_column(UTCDateTime)
    checked_by: Mapped[str] = mapped_column(String(120))
    incident_ref: Mapped[str | None] = mapped_column(String(40), nullable=True)

    __table_args__ = (Index("ix_contact_check_contact", "contact_id"),)


class TeamRow(Base):
    __tablename__ = "team"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    description: Mapped[str] = mapped_column(Text, default="")


class TeamMemberRow(Base):
    __tablename__ = "team_member"

    team_id: Mapped[int] = mapped_column(ForeignKey("team.id", ondelete="CASCADE"), primary_key=True)
    contact_id: Mapped[int] = mapped_column(ForeignKey("contact.id", ondelete="CASCADE"),
                                            primary_key=True)
    role: Mapped[str] = mapped_column(String(60), default="")

    __table_args__ = (Index("ix_team_member_contact", "contact_id"),)


class EscalationStepRow(Base):
    __tablename__ = "escalation_step"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("team.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)
    contact_id: Mapped[int | None] = mapped_column(ForeignKey("contact.id", ondelete="CASCADE"),
                                                   nullable=True)
    role: Mapped[str] = mapped_column(String(60), default="")
    wait_minutes: Mapped[int] = mapped_column(Integer)

    __table_args__ = (
        Index("ix_escalation_team", "team_id", "position"),
        CheckConstraint("wait_minutes >= 0", name="ck_escalation_wait"),
    )


class ShiftRow(Base):
    __tablename__ = "roster_shift"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("team.id", ondelete="CASCADE"))
    contact_id: Mapped[int] = mapped_column(ForeignKey("contact.id", ondelete="CASCADE"))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    override: Mapped[bool] = mapped_column(Boolean, default=False)
    note: Mapped[str] = mapped_column(String(200), default="")

    __table_args__ = (
        Index("ix_roster_team_start", "team_id", "starts_at"),
        Index("ix_roster_end", "ends_at"),
        CheckConstraint("ends_at > starts_at", name="ck_roster_order"),
    )


class ServiceProfileRow(Base):
    """What the contact book adds to a service of the catalogue (one row per service)."""

    __tablename__ = "service_profile"

    service_id: Mapped[int] = mapped_column(ForeignKey("service.id", ondelete="CASCADE"),
                                            primary_key=True)
    owner_team_id: Mapped[int | None] = mapped_column(ForeignKey("team.id", ondelete="SET NULL"),
                                                      nullable=True)
    business_owner_id: Mapped[int | None] = mapped_column(
        ForeignKey("contact.id", ondelete="SET NULL"), nullable=True)
    runbook: Mapped[str] = mapped_column(Text, default="")


class ServiceStakeholderRow(Base):
    __tablename__ = "service_stakeholder"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    service_id: Mapped[int] = mapped_column(ForeignKey("service.id", ondelete="CASCADE"))
    priority: Mapped[str] = mapped_column(String(2))
    contact_id: Mapped[int | None] = mapped_column(ForeignKey("contact.id", ondelete="CASCADE"),
                                                   nullable=True)
    team_id: Mapped[int | None] = mapped_column(ForeignKey("team.id", ondelete="CASCADE"),
                                                nullable=True)
    list_id: Mapped[int | None] = mapped_column(
        ForeignKey("distribution_list.id", ondelete="CASCADE"), nullable=True)

    __table_args__ = (
        Index("ix_stakeholder_service", "service_id", "priority"),
        CheckConstraint(
            "(CASE WHEN contact_id IS NULL THEN 0 ELSE 1 END) + "
            "(CASE WHEN team_id IS NULL THEN 0 ELSE 1 END) + "
            "(CASE WHEN list_id IS NULL THEN 0 ELSE 1 END) = 1",
            name="ck_stakeholder_one_target"),
    )


class DistributionListRow(Base):
    __tablename__ = "distribution_list"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    description: Mapped[str] = mapped_column(Text, default="")


class ListMemberRow(Base):
    __tablename__ = "list_member"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    list_id: Mapped[int] = mapped_column(ForeignKey("distribution_list.id", ondelete="CASCADE"))
    contact_id: Mapped[int | None] = mapped_column(ForeignKey("contact.id", ondelete="CASCADE"),
                                                   nullable=True)
    team_id: Mapped[int | None] = mapped_column(ForeignKey("team.id", ondelete="CASCADE"),
                                                nullable=True)
    address: Mapped[str] = mapped_column(String(320), default="")

    __table_args__ = (Index("ix_list_member_list", "list_id"),)
