"""Editing the organisation around the contacts: teams and their members, escalation ladders,
on-call shifts, distribution lists, and what the book adds to each service (owner team, business
owner, runbook, stakeholders per priority). Each public method is one transaction."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from imdesk.contacts_io.values import email_problem
from imdesk.domain.contact_book import (
    PRIORITIES,
    DistributionList,
    LadderStep,
    ListMember,
    ServiceContacts,
    Shift,
    StakeholderRef,
    Team,
)
from imdesk.domain.errors import NotFoundError, ValidationError
from imdesk.domain.text import clean_text
from imdesk.services.clock import Clock
from imdesk.storage import org_repo
from imdesk.storage.contact_models import (
    DistributionListRow,
    ServiceProfileRow,
    ShiftRow,
    TeamRow,
)
from imdesk.storage.database import Database

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
            return org_repo.team(s, org_repo.team_row(s, name))

    def all_teams(self) -> list[Team]:
        with self._db.read() as s:
            return [org_repo.team(s, r) for r in org_repo.teams(s)]

    def save_team(self, name: str, *, description: str = "", old_name: str | None = None) -> int:
        """Create a team, or rename/re-describe the team called ``old_name``."""
        clean = _name(name, "team name")
        desc = clean_text(description, "description", max_len=2000)
        with self._db.write() as s:
            row = org_repo.team_row(s, old_name) if old_name else TeamRow()
            clash = org_repo.team_id_named(s, clean)
            if clash is not None and clash != row.id:
                raise ValidationError("team name", f"a team named {clean!r} already exists")
            row.name, row.description = clean, desc
            s.add(row)
            s.flush()
            return row.id

    def delete_team(self, name: str) -> None:
        with self._db.write() as s:
            s.delete(org_repo.team_row(s, name))

    def set_members(self, team: str, members: Sequence[tuple[int, str]]) -> None:
        """The team's members as (contact id, role), replacing the previous ones."""
        rows = {cid: clean_text(role, "role", max_len=60, single_line=True) for cid, role in members}
        with self._db.write() as s:
            tid = org_repo.team_row(s, team).id
            org_repo.require_contacts(s, rows)
            org_repo.replace_members(s, tid, rows)

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
            tid = org_repo.team_row(s, team).id
            org_repo.require_contacts(s, {st.contact_id for st in steps if st.contact_id is not None})
            org_repo.replace_ladder(s, tid, clean)

    # -- roster ------------------------------------------------------------------------------
    def shifts(self, team: str, start: datetime, end: datetime) -> list[Shift]:
        with self._db.read() as s:
            return org_repo.shifts_of(s, [org_repo.team_row(s, team).id], start, end)

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
            tid = org_repo.team_row(s, team).id
            org_repo.require_contacts(s, {contact_id})
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
            tid = org_repo.team_row(s, team).id
            org_repo.require_contacts(s, {cid for cid, *_rest in shifts})
            org_repo.replace_shifts(s, tid, start, end, checked)

    def remove_shift(self, shift_id: int) -> None:
        with self._db.write() as s:
            row = s.get(ShiftRow, shift_id)
            if row is None:
                raise NotFoundError(f"no shift with id {shift_id}")
            s.delete(row)

    # -- distribution lists ------------------------------------------------------------------
    def lists(self) -> list[DistributionList]:
        with self._db.read() as s:
            return [org_repo.distribution_list(s, r) for r in org_repo.lists(s)]

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
            row = org_repo.list_row(s, old_name) if old_name else DistributionListRow()
            clash = org_repo.list_id_named(s, clean)
            if clash is not None and clash != row.id:
                raise ValidationError("list name", f"a list named {clean!r} already exists")
            row.name, row.description = clean, desc
            s.add(row)
            s.flush()
            org_repo.require_contacts(s, {m.contact_id for m in members if m.contact_id is not None})
            org_repo.replace_list_members(s, row.id, rows)
            return row.id

    def delete_list(self, name: str) -> None:
        with self._db.write() as s:
            s.delete(org_repo.list_row(s, name))

    # -- services ----------------------------------------------------------------------------
    def service(self, name: str) -> ServiceContacts:
        with self._db.read() as s:
            return org_repo.service_contacts(s, org_repo.service_row(s, name))

    def all_services(self) -> list[ServiceContacts]:
        with self._db.read() as s:
            return [org_repo.service_contacts(s, r) for r in org_repo.services(s)]

    def set_profile(self, service: str, edit: ProfileEdit) -> None:
        runbook = clean_text(edit.runbook, "runbook", max_len=20_000)
        with self._db.write() as s:
            svc = org_repo.service_row(s, service)
            team_id = org_repo.team_row(s, edit.owner_team).id if edit.owner_team.strip() else None
            if edit.business_owner_id is not None:
                org_repo.require_contacts(s, {edit.business_owner_id})
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
            svc = org_repo.service_row(s, service)
            org_repo.require_contacts(s, {r.contact_id for r in refs if r.contact_id is not None})
            org_repo.replace_stakeholders(s, svc.id, refs)
