"""The organisation around the contacts in the database: teams and their members, escalation
ladders, on-call shifts, distribution lists, and what the book adds to each service (profile,
stakeholders). Lookups by name, rows turned into domain values, and the replace-all writes the
editors do. Functions over a session; the services own the transactions."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, insert, select
from sqlalchemy.orm import Session

from imdesk.domain.contact_book import (
    ON_DUTY_ROLE,
    DistributionList,
    LadderStep,
    ListMember,
    Member,
    ServiceContacts,
    Shift,
    StakeholderRef,
    Team,
)
from imdesk.domain.errors import NotFoundError
from imdesk.storage.contact_models import (
    ContactRow,
    DistributionListRow,
    EscalationStepRow,
    ListMemberRow,
    ServiceProfileRow,
    ServiceStakeholderRow,
    ShiftRow,
    TeamMemberRow,
    TeamRow,
)
from imdesk.storage.models import ServiceRow


# -- lookups by name ----------------------------------------------------------------------------
def service_row(s: Session, name: str) -> ServiceRow:
    row = s.scalars(select(ServiceRow).where(func.lower(ServiceRow.name) == name.strip().lower())).first()
    if row is None:
        raise NotFoundError(f"no service named {name!r}")
    return row


def team_row(s: Session, name: str) -> TeamRow:
    row = s.scalars(select(TeamRow).where(func.lower(TeamRow.name) == name.strip().lower())).first()
    if row is None:
        raise NotFoundError(f"no team named {name!r}")
    return row


def team_id_named(s: Session, name: str) -> int | None:
    """The id of the team with this (already cleaned) name, any case."""
    found: int | None = s.scalars(select(TeamRow.id).where(func.lower(TeamRow.name) == name.lower())).first()
    return found


def list_row(s: Session, name: str | None) -> DistributionListRow:
    row = s.scalars(select(DistributionListRow)
                    .where(func.lower(DistributionListRow.name) == (name or "").strip().lower())).first()
    if row is None:
        raise NotFoundError(f"no distribution list named {name!r}")
    return row


def list_id_named(s: Session, name: str) -> int | None:
    """The id of the distribution list with this (already cleaned) name, any case."""
    found: int | None = s.scalars(select(DistributionListRow.id)
                                  .where(func.lower(DistributionListRow.name) == name.lower())).first()
    return found


def require_contacts(s: Session, ids: Iterable[int]) -> None:
    """NotFoundError naming the lowest of these contact ids that does not exist."""
    wanted = set(ids)
    if not wanted:
        return
    found = set(s.scalars(select(ContactRow.id).where(ContactRow.id.in_(wanted))))
    missing = sorted(wanted - found)
    if missing:
        raise NotFoundError(f"no contact with id {missing[0]}")


# -- reading ------------------------------------------------------------------------------------
def teams(s: Session) -> Sequence[TeamRow]:
    return s.scalars(select(TeamRow).order_by(func.lower(TeamRow.name))).all()


def team_names(s: Session) -> list[str]:
    return list(s.scalars(select(TeamRow.name).order_by(func.lower(TeamRow.name))))


def services(s: Session) -> Sequence[ServiceRow]:
    return s.scalars(select(ServiceRow).order_by(func.lower(ServiceRow.name))).all()


def service_names(s: Session) -> list[str]:
    return list(s.scalars(select(ServiceRow.name).order_by(func.lower(ServiceRow.name))))


def team_names_by_id(s: Session) -> dict[int, str]:
    return {t.id: t.name for t in s.scalars(select(TeamRow))}


def all_members(s: Session) -> list[tuple[int, int, str, str]]:
    """(team id, contact id, name, role) of every team member."""
    return [(tid, cid, name, role) for tid, cid, name, role in s.execute(
        select(TeamMemberRow.team_id, TeamMemberRow.contact_id, ContactRow.name, TeamMemberRow.role)
        .join(ContactRow, ContactRow.id == TeamMemberRow.contact_id))]


def all_steps(s: Session) -> list[tuple[int, LadderStep]]:
    """(team id, step) of every escalation ladder, in ladder order."""
    return [(st.team_id, LadderStep(st.contact_id, st.role, st.wait_minutes))
            for st in s.scalars(select(EscalationStepRow).order_by(EscalationStepRow.team_id,
                                                                   EscalationStepRow.position))]


def profiles(s: Session) -> dict[int, ServiceProfileRow]:
    """Service id → its contact-book profile."""
    return {p.service_id: p for p in s.scalars(select(ServiceProfileRow))}


def lists(s: Session) -> list[DistributionListRow]:
    return list(s.scalars(select(DistributionListRow).order_by(func.lower(DistributionListRow.name))))


def shifts_of(s: Session, team_ids: Iterable[int] | None, start: datetime, end: datetime) -> list[Shift]:
    """Shifts overlapping [start, end) of some teams (all teams when None), with names."""
    stmt = (select(ShiftRow, ContactRow.name).join(ContactRow, ContactRow.id == ShiftRow.contact_id)
            .where(ShiftRow.ends_at > start, ShiftRow.starts_at < end)
            .order_by(ShiftRow.starts_at, ShiftRow.id))
    if team_ids is not None:
        stmt = stmt.where(ShiftRow.team_id.in_(list(team_ids)))
    return [Shift(r.id, r.team_id, r.contact_id, name, r.starts_at, r.ends_at, r.override, r.note)
            for r, name in s.execute(stmt)]


def members(s: Session, team_id: int) -> list[tuple[int, str, str]]:
    """(contact id, name, role) of a team, in name order."""
    rows = s.execute(select(TeamMemberRow.contact_id, ContactRow.name, TeamMemberRow.role)
                     .join(ContactRow, ContactRow.id == TeamMemberRow.contact_id)
                     .where(TeamMemberRow.team_id == team_id)
                     .order_by(func.lower(ContactRow.name)))
    return [(cid, name, role) for cid, name, role in rows]


def member_ids_of_teams(s: Session, team_ids: Sequence[int]) -> list[int]:
    return list(s.scalars(select(TeamMemberRow.contact_id).where(TeamMemberRow.team_id.in_(team_ids))))


def team_names_of(s: Session, contact_id: int) -> list[str]:
    return list(s.scalars(select(TeamRow.name).join(TeamMemberRow, TeamMemberRow.team_id == TeamRow.id)
                          .where(TeamMemberRow.contact_id == contact_id).order_by(TeamRow.name)))


def steps_of(s: Session, team_id: int) -> list[LadderStep]:
    return [LadderStep(st.contact_id, st.role, st.wait_minutes)
            for st in s.scalars(select(EscalationStepRow).where(EscalationStepRow.team_id == team_id)
                                .order_by(EscalationStepRow.position, EscalationStepRow.id))]


def stakeholders(s: Session, service_id: int, priority: str) -> list[ServiceStakeholderRow]:
    return list(s.scalars(select(ServiceStakeholderRow).where(
        ServiceStakeholderRow.service_id == service_id, ServiceStakeholderRow.priority == priority)
        .order_by(ServiceStakeholderRow.id)))


def list_members(s: Session, list_ids: Sequence[int]) -> list[ListMemberRow]:
    return list(s.scalars(select(ListMemberRow).where(ListMemberRow.list_id.in_(list_ids))
                          .order_by(ListMemberRow.id)))


def owner_team_names(s: Session) -> dict[int, str]:
    """Service id → the name of its owner team (services with one)."""
    return dict(s.execute(select(ServiceProfileRow.service_id, TeamRow.name)  # type: ignore[arg-type]
                          .join(TeamRow, TeamRow.id == ServiceProfileRow.owner_team_id)).all())


def services_and_teams_named(s: Session, words: Sequence[str], limit: int) -> tuple[list[Any], list[Any]]:
    """(id, name, criticality) of services and (id, name, description) of teams whose name
    contains every word, each in name order."""
    svc = select(ServiceRow.id, ServiceRow.name, ServiceRow.criticality)
    team = select(TeamRow.id, TeamRow.name, TeamRow.description)
    for word in words:
        pattern = f"%{word}%"
        svc = svc.where(func.lower(ServiceRow.name).like(pattern))
        team = team.where(func.lower(TeamRow.name).like(pattern))
    return (list(s.execute(svc.order_by(func.lower(ServiceRow.name)).limit(limit))),
            list(s.execute(team.order_by(func.lower(TeamRow.name)).limit(limit))))


# -- rows as domain values ------------------------------------------------------------------------
def team(s: Session, row: TeamRow) -> Team:
    steps = s.scalars(select(EscalationStepRow).where(EscalationStepRow.team_id == row.id)
                      .order_by(EscalationStepRow.position))
    return Team(row.id, row.name, row.description,
                tuple(Member(c, n, r) for c, n, r in members(s, row.id)),
                tuple(LadderStep(st.contact_id, st.role or ("" if st.contact_id else ON_DUTY_ROLE),
                                 st.wait_minutes) for st in steps))


def distribution_list(s: Session, row: DistributionListRow) -> DistributionList:
    out = []
    for m, cname, tname in s.execute(
            select(ListMemberRow, ContactRow.name, TeamRow.name)
            .outerjoin(ContactRow, ContactRow.id == ListMemberRow.contact_id)
            .outerjoin(TeamRow, TeamRow.id == ListMemberRow.team_id)
            .where(ListMemberRow.list_id == row.id).order_by(ListMemberRow.id)):
        out.append(ListMember(m.contact_id, m.team_id, m.address, cname or tname or m.address))
    return DistributionList(row.id, row.name, row.description, tuple(out))


def service_contacts(s: Session, svc: ServiceRow) -> ServiceContacts:
    prof = s.get(ServiceProfileRow, svc.id)
    owner_team = s.get(TeamRow, prof.owner_team_id) if prof and prof.owner_team_id else None
    owner = s.get(ContactRow, prof.business_owner_id) if prof and prof.business_owner_id else None
    refs = []
    for r, cname, tname, lname in s.execute(
            select(ServiceStakeholderRow, ContactRow.name, TeamRow.name, DistributionListRow.name)
            .outerjoin(ContactRow, ContactRow.id == ServiceStakeholderRow.contact_id)
            .outerjoin(TeamRow, TeamRow.id == ServiceStakeholderRow.team_id)
            .outerjoin(DistributionListRow, DistributionListRow.id == ServiceStakeholderRow.list_id)
            .where(ServiceStakeholderRow.service_id == svc.id)
            .order_by(ServiceStakeholderRow.priority, ServiceStakeholderRow.id)):
        refs.append(StakeholderRef(r.priority, r.contact_id, r.team_id, r.list_id,
                                   cname or tname or lname or ""))
    return ServiceContacts(svc.id, svc.name, svc.criticality,
                           owner_team.id if owner_team else None, owner_team.name if owner_team else "",
                           owner.id if owner else None, owner.name if owner else "",
                           prof.runbook if prof else "", tuple(refs))


# -- replace-all writes -----------------------------------------------------------------------------
def replace_members(s: Session, team_id: int, roles: dict[int, str]) -> None:
    """The team's members become these (contact id → role)."""
    s.execute(delete(TeamMemberRow).where(TeamMemberRow.team_id == team_id))
    if roles:
        s.execute(insert(TeamMemberRow), [{"team_id": team_id, "contact_id": c, "role": r}
                                          for c, r in roles.items()])


def replace_ladder(s: Session, team_id: int, steps: Sequence[dict[str, object]]) -> None:
    """The team's escalation steps become these (position, contact_id, role, wait_minutes)."""
    s.execute(delete(EscalationStepRow).where(EscalationStepRow.team_id == team_id))
    if steps:
        s.execute(insert(EscalationStepRow), [{**c, "team_id": team_id} for c in steps])


def replace_shifts(s: Session, team_id: int, start: datetime, end: datetime,
                   shifts: Sequence[dict[str, object]]) -> None:
    """The team's shifts overlapping [start, end) become these."""
    s.execute(delete(ShiftRow).where(ShiftRow.team_id == team_id, ShiftRow.ends_at > start,
                                     ShiftRow.starts_at < end))
    if shifts:
        s.execute(insert(ShiftRow), [{**c, "team_id": team_id} for c in shifts])


def replace_list_members(s: Session, list_id: int, rows: Sequence[dict[str, object]]) -> None:
    s.execute(delete(ListMemberRow).where(ListMemberRow.list_id == list_id))
    if rows:
        s.execute(insert(ListMemberRow), [{**r, "list_id": list_id} for r in rows])


def replace_stakeholders(s: Session, service_id: int, refs: Sequence[StakeholderRef]) -> None:
    s.execute(delete(ServiceStakeholderRow).where(ServiceStakeholderRow.service_id == service_id))
    if refs:
        s.execute(insert(ServiceStakeholderRow), [
            {"service_id": service_id, "priority": r.priority, "contact_id": r.contact_id,
             "team_id": r.team_id, "list_id": r.list_id} for r in refs])
