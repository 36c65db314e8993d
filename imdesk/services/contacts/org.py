"""Editing the organisation around the contacts: teams and their members, escalation ladders,
on-call shifts, distribution lists, and what the book adds to each service (owner team, business
owner, runbook, stakeholders per priority). Each public method is one transaction."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, func, insert, select
from sqlalchemy.orm import Session

from imdesk.contacts_io.values import email_problem
from imdesk.domain.contact_book import (
    ON_DUTY_ROLE,
    PRIORITIES,
    DistributionList,
    LadderStep,
    ListMember,
    Member,
    ServiceContacts,
    Shift,
    StakeholderRef,
    Team,
)
from imdesk.domain.errors import NotFoundError, ValidationError
from imdesk.domain.text import clean_text
from imdesk.services.clock import Clock
from imdesk.services.contacts import directory
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
from imdesk.storage.database import Database
from imdesk.storage.models import ServiceRow

MAX_WAIT = 24 * 60


@dataclass(frozen=True)
class ProfileEdit:
    """A service's contact-book fields; names are looked up ("" clears)."""

    owner_team: str = ""
    business_owner_id: int | None = None
    runbook: str = ""


def _name(value: str, field: str) -> str:
    return clean_text(value, field, max_len=120, required=True, single_line=True)


class OrgService:
    def __init__(self, db: Database, clock: Clock) -> None:
        self._db = db
        self._clock = clock

    # -- teams -------------------------------------------------------------------------------
    def team(self, name: str) -> Team:
        with self._db.read() as s:
            return _team(s, directory.team_row(s, name))

    def all_teams(self) -> list[Team]:
        with self._db.read() as s:
            return [_team(s, r) for r in s.scalars(select(TeamRow).order_by(func.lower(TeamRow.name)))]

    def save_team(self, name: str, *, description: str = "", old_name: str | None = None) -> int:
        """Create a team, or rename/re-describe the team called ``old_name``."""
        clean = _name(name, "team name")
        desc = clean_text(description, "description", max_len=2000)
        with self._db.write() as s:
            row = directory.team_row(s, old_name) if old_name else TeamRow()
            clash = s.scalars(select(TeamRow.id).where(func.lower(TeamRow.name) == clean.lower())).first()
            if clash is not None and clash != row.id:
                raise ValidationError("team name", f"a team named {clean!r} already exists")
            row.name, row.description = clean, desc
            s.add(row)
            s.flush()
            return row.id

    def delete_team(self, name: str) -> None:
        with self._db.write() as s:
            s.delete(directory.team_row(s, name))

    def set_members(self, team: str, members: Sequence[tuple[int, str]]) -> None:
        """The team's members as (contact id, role), replacing the previous ones."""
        rows = {cid: clean_text(role, "role", max_len=60, single_line=True) for cid, role in members}
        with self._db.write() as s:
            tid = directory.team_row(s, team).id
            _require_contacts(s, rows)
            s.execute(delete(TeamMemberRow).where(TeamMemberRow.team_id == tid))
            if rows:
                s.execute(insert(TeamMemberRow), [{"team_id": tid, "contact_id": c, "role": r}
                                                  for c, r in rows.items()])

    def set_ladder(self, team: str, steps: Sequence[LadderStep]) -> None:
        """The team's escalation ladder, in order: each step a person or a role, then a wait."""
        clean: list[dict[str, object]] = []
        for i, step in enumerate(steps, start=1):
            role = clean_text(step.role, "role", max_len=60, single_line=True)
            if step.contact_id is None and not role:
                raise ValidationError("ladder", f"step {i} needs a person or a role")
            if not 0 <= step.wait_minutes <= MAX_WAIT:
                raise ValidationError("ladder", f"step {i}: wait 0 to {MAX_WAIT} minutes")
            clean.append({"position": i, "contact_id": step.contact_id,
                          "role": "" if step.contact_id is not None else role,
                          "wait_minutes": step.wait_minutes})
        with self._db.write() as s:
            tid = directory.team_row(s, team).id
            _require_contacts(s, {c["contact_id"] for c in clean if c["contact_id"] is not None})  # type: ignore[misc]
            s.execute(delete(EscalationStepRow).where(EscalationStepRow.team_id == tid))
            if clean:
                s.execute(insert(EscalationStepRow), [{**c, "team_id": tid} for c in clean])

    # -- roster ------------------------------------------------------------------------------
    def shifts(self, team: str, start: datetime, end: datetime) -> list[Shift]:
        with self._db.read() as s:
            return directory.shifts_of(s, [directory.team_row(s, team).id], start, end)

    def add_shift(self, team: str, contact_id: int, starts_at: datetime, ends_at: datetime, *,
                  override: bool = False, note: str = "") -> int:
        for value, field in ((starts_at, "start"), (ends_at, "end")):
            if value.tzinfo is None:
                raise ValidationError(field, f"the shift {field} needs its UTC offset")
        if ends_at <= starts_at:
            raise ValidationError("end", "a shift ends after it starts")
        if ends_at - starts_at > timedelta(days=14):
            raise ValidationError("end", "a shift lasts at most 14 days")
        text = clean_text(note, "note", max_len=200, single_line=True)
        with self._db.write() as s:
            tid = directory.team_row(s, team).id
            _require_contacts(s, {contact_id})
            row = ShiftRow(team_id=tid, contact_id=contact_id, starts_at=starts_at.astimezone(UTC),
                           ends_at=ends_at.astimezone(UTC), override=override, note=text)
            s.add(row)
            s.flush()
            return row.id

    def replace_shifts(self, team: str, start: datetime, end: datetime,
                       shifts: Sequence[tuple[int, datetime, datetime, bool, str]]) -> None:
        """The team's shifts overlapping [start, end) become ``shifts`` (contact id, start, end,
        override, note) — in one transaction, all or nothing."""
        checked = []
        for i, (cid, a, b, override, note) in enumerate(shifts, start=1):
            if a.tzinfo is None or b.tzinfo is None:
                raise ValidationError("roster", f"shift {i}: times need their UTC offset")
            if b <= a or b - a > timedelta(days=14):
                raise ValidationError("roster", f"shift {i}: a shift ends after it starts, within 14 days")
            checked.append({"contact_id": cid, "starts_at": a.astimezone(UTC), "ends_at": b.astimezone(UTC),
                            "override": override,
                            "note": clean_text(note, "note", max_len=200, single_line=True)})
        with self._db.write() as s:
            tid = directory.team_row(s, team).id
            _require_contacts(s, {c["contact_id"] for c in checked})
            s.execute(delete(ShiftRow).where(ShiftRow.team_id == tid, ShiftRow.ends_at > start,
                                             ShiftRow.starts_at < end))
            if checked:
                s.execute(insert(ShiftRow), [{**c, "team_id": tid} for c in checked])

    def remove_shift(self, shift_id: int) -> None:
        with self._db.write() as s:
            row = s.get(ShiftRow, shift_id)
            if row is None:
                raise NotFoundError(f"no shift with id {shift_id}")
            s.delete(row)

    # -- distribution lists ------------------------------------------------------------------
    def lists(self) -> list[DistributionList]:
        with self._db.read() as s:
            return [_list(s, r) for r in directory.lists(s)]

    def save_list(self, name: str, members: Sequence[ListMember], *, description: str = "",
                  old_name: str | None = None) -> int:
        clean = _name(name, "list name")
        desc = clean_text(description, "description", max_len=2000)
        rows: list[dict[str, object]] = []
        for m in members:
            if m.contact_id is None and m.team_id is None:
                address = clean_text(m.address, "address", max_len=320, required=True, single_line=True)
                problem = email_problem(address)
                if problem:
                    raise ValidationError("address", problem)
                rows.append({"address": address, "contact_id": None, "team_id": None})
            else:
                rows.append({"address": "", "contact_id": m.contact_id, "team_id": m.team_id})
        with self._db.write() as s:
            row = _list_row(s, old_name) if old_name else DistributionListRow()
            clash = s.scalars(select(DistributionListRow.id)
                              .where(func.lower(DistributionListRow.name) == clean.lower())).first()
            if clash is not None and clash != row.id:
                raise ValidationError("list name", f"a list named {clean!r} already exists")
            row.name, row.description = clean, desc
            s.add(row)
            s.flush()
            _require_contacts(s, {r["contact_id"] for r in rows if r["contact_id"] is not None})  # type: ignore[misc]
            s.execute(delete(ListMemberRow).where(ListMemberRow.list_id == row.id))
            if rows:
                s.execute(insert(ListMemberRow), [{**r, "list_id": row.id} for r in rows])
            return row.id

    def delete_list(self, name: str) -> None:
        with self._db.write() as s:
            s.delete(_list_row(s, name))

    # -- services ----------------------------------------------------------------------------
    def service(self, name: str) -> ServiceContacts:
        with self._db.read() as s:
            return _service(s, directory.service_row(s, name))

    def all_services(self) -> list[ServiceContacts]:
        with self._db.read() as s:
            rows = s.scalars(select(ServiceRow).order_by(func.lower(ServiceRow.name)))
            return [_service(s, r) for r in rows]

    def set_profile(self, service: str, edit: ProfileEdit) -> None:
        runbook = clean_text(edit.runbook, "runbook", max_len=20_000)
        with self._db.write() as s:
            svc = directory.service_row(s, service)
            team_id = directory.team_row(s, edit.owner_team).id if edit.owner_team.strip() else None
            if edit.business_owner_id is not None:
                _require_contacts(s, {edit.business_owner_id})
            row = s.get(ServiceProfileRow, svc.id) or ServiceProfileRow(service_id=svc.id)
            row.owner_team_id, row.business_owner_id, row.runbook = team_id, edit.business_owner_id, runbook
            s.add(row)

    def set_stakeholders(self, service: str, refs: Sequence[StakeholderRef]) -> None:
        """Who to inform per priority, replacing the service's previous stakeholders."""
        for ref in refs:
            if ref.priority not in PRIORITIES:
                raise ValidationError("priority", f"priority must be one of {', '.join(PRIORITIES)}")
            if sum(x is not None for x in (ref.contact_id, ref.team_id, ref.list_id)) != 1:
                raise ValidationError("stakeholder", "a stakeholder is one person, team or list")
        with self._db.write() as s:
            svc = directory.service_row(s, service)
            _require_contacts(s, {r.contact_id for r in refs if r.contact_id is not None})
            s.execute(delete(ServiceStakeholderRow).where(ServiceStakeholderRow.service_id == svc.id))
            if refs:
                s.execute(insert(ServiceStakeholderRow), [
                    {"service_id": svc.id, "priority": r.priority, "contact_id": r.contact_id,
                     "team_id": r.team_id, "list_id": r.list_id} for r in refs])


def _require_contacts(s: Session, ids: object) -> None:
    wanted = set(ids)  # type: ignore[call-overload]
    if not wanted:
        return
    found = set(s.scalars(select(ContactRow.id).where(ContactRow.id.in_(wanted))))
    missing = sorted(wanted - found)
    if missing:
        raise NotFoundError(f"no contact with id {missing[0]}")


def _team(s: Session, row: TeamRow) -> Team:
    steps = s.scalars(select(EscalationStepRow).where(EscalationStepRow.team_id == row.id)
                      .order_by(EscalationStepRow.position))
    return Team(row.id, row.name, row.description,
                tuple(Member(c, n, r) for c, n, r in directory.members(s, row.id)),
                tuple(LadderStep(st.contact_id, st.role or ("" if st.contact_id else ON_DUTY_ROLE),
                                 st.wait_minutes) for st in steps))


def _list_row(s: Session, name: str | None) -> DistributionListRow:
    row = s.scalars(select(DistributionListRow)
                    .where(func.lower(DistributionListRow.name) == (name or "").strip().lower())).first()
    if row is None:
        raise NotFoundError(f"no distribution list named {name!r}")
    return row


def _list(s: Session, row: DistributionListRow) -> DistributionList:
    out = []
    for m, cname, tname in s.execute(
            select(ListMemberRow, ContactRow.name, TeamRow.name)
            .outerjoin(ContactRow, ContactRow.id == ListMemberRow.contact_id)
            .outerjoin(TeamRow, TeamRow.id == ListMemberRow.team_id)
            .where(ListMemberRow.list_id == row.id).order_by(ListMemberRow.id)):
        out.append(ListMember(m.contact_id, m.team_id, m.address, cname or tname or m.address))
    return DistributionList(row.id, row.name, row.description, tuple(out))


def _service(s: Session, svc: ServiceRow) -> ServiceContacts:
    prof = s.get(ServiceProfileRow, svc.id)
    team = s.get(TeamRow, prof.owner_team_id) if prof and prof.owner_team_id else None
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
    return ServiceContacts(svc.id, svc.name, svc.criticality, team.id if team else None,
                           team.name if team else "", owner.id if owner else None,
                           owner.name if owner else "", prof.runbook if prof else "", tuple(refs))
