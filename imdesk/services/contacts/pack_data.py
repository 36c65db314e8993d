"""What the emergency pack prints, read in one go (a handful of queries whatever the size of the
book), and the hash of the data it was made from."""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, Protocol

from sqlalchemy import func, select

from imdesk.domain.contact_book import (
    DEFAULT_STALE_DAYS,
    Callee,
    LadderStep,
    Member,
    Rung,
    Shift,
    ladder_contact_ids,
    on_duty,
    resolve_ladder,
)
from imdesk.services.contacts import directory
from imdesk.storage.contact_models import (
    ContactRow,
    EscalationStepRow,
    ServiceProfileRow,
    TeamMemberRow,
    TeamRow,
)
from imdesk.storage.models import ServiceRow, SettingRow

if TYPE_CHECKING:
    from imdesk.storage.database import Database

ROSTER_DAYS = 7


@dataclass(frozen=True)
class PackService:
    name: str
    criticality: str
    owner_team: str
    business_owner: Callee | None
    on_duty: tuple[Callee, ...]
    ladder: tuple[Rung, ...]
    runbook: str


@dataclass(frozen=True)
class PackTeam:
    name: str
    shifts: tuple[Shift, ...]        # now and the next 7 days, in start order


@dataclass(frozen=True)
class PackData:
    made_at: datetime
    desk: str
    services: tuple[PackService, ...]
    teams: tuple[PackTeam, ...]
    vendors: tuple[Callee, ...]
    facilities: tuple[Callee, ...]
    digest: str                      # sha256 of what the pack shows, made_at excluded


class _Now(Protocol):
    def now(self) -> datetime: ...


class _DeskName(Protocol):
    def desk_name(self) -> str: ...


class PackSource(Protocol):
    """What collect_pack reads through (an AppContext has it): the database, the contact
    book's clock and the desk's name."""

    @property
    def db(self) -> Database: ...

    @property
    def contacts(self) -> _Now: ...

    @property
    def settings(self) -> _DeskName: ...


def collect_pack(ctx: PackSource) -> PackData:
    return collect(ctx.db, ctx.contacts.now(), ctx.settings.desk_name())


def collect(db: Any, now: datetime, desk: str) -> PackData:
    """Read everything the pack prints in one read transaction."""
    end = now + timedelta(days=ROSTER_DAYS)
    with db.read() as s:
        setting = s.get(SettingRow, "contacts.stale_days")
        days = int(setting.value) if setting is not None else DEFAULT_STALE_DAYS
        teams = {t.id: t.name for t in s.scalars(select(TeamRow))}
        members: dict[int, list[Member]] = defaultdict(list)
        for tid, cid, name, role in s.execute(
                select(TeamMemberRow.team_id, TeamMemberRow.contact_id, ContactRow.name, TeamMemberRow.role)
                .join(ContactRow, ContactRow.id == TeamMemberRow.contact_id)):
            members[tid].append(Member(cid, name, role))
        steps: dict[int, list[LadderStep]] = defaultdict(list)
        for st in s.scalars(select(EscalationStepRow).order_by(EscalationStepRow.team_id,
                                                               EscalationStepRow.position)):
            steps[st.team_id].append(LadderStep(st.contact_id, st.role, st.wait_minutes))
        shifts: dict[int, list[Shift]] = defaultdict(list)
        for sh in directory.shifts_of(s, None, now, end):
            shifts[sh.team_id].append(sh)
        duty_now = {tid: [sh.contact_id for sh in on_duty(shifts[tid], now)] for tid in teams}
        profiles = {p.service_id: p for p in s.scalars(select(ServiceProfileRow))}
        services = list(s.scalars(select(ServiceRow).order_by(func.lower(ServiceRow.name))))
        wanted: list[int] = []
        for tid in teams:
            wanted += ladder_contact_ids(steps[tid], members[tid], duty_now[tid])
        wanted += [p.business_owner_id for p in profiles.values() if p.business_owner_id]
        external = list(s.scalars(select(ContactRow.id).where(ContactRow.kind.in_(("vendor", "facility")))))
        people = directory.callees(s, list(dict.fromkeys(wanted + external)), now, days)
    ladders = {tid: resolve_ladder(steps[tid], members[tid], duty_now[tid], people) for tid in teams}
    out = []
    for svc in services:
        prof = profiles.get(svc.id)
        tid = prof.owner_team_id if prof else None
        owner = people.get(prof.business_owner_id) if prof and prof.business_owner_id else None
        out.append(PackService(
            svc.name, svc.criticality, teams.get(tid, "") if tid else "", owner,
            tuple(people[c] for c in duty_now.get(tid, []) if c in people) if tid else (),
            ladders.get(tid, ()) if tid else (), prof.runbook if prof else ""))
    pack_teams = tuple(PackTeam(name, tuple(shifts[tid]))
                       for tid, name in sorted(teams.items(), key=lambda kv: kv[1].casefold()))
    by_name = sorted(people.values(), key=lambda c: (c.name.casefold(), c.contact_id))
    vendors = tuple(c for c in by_name if c.record.kind.value == "vendor")
    facilities = tuple(c for c in by_name if c.record.kind.value == "facility")
    digest = _digest(out, pack_teams, vendors, facilities)
    return PackData(now, desk, tuple(out), pack_teams, vendors, facilities, digest)


def _callee(c: Callee | None) -> Any:
    if c is None:
        return None
    r = c.record
    return [c.contact_id, r.name, r.organisation, r.account_number, r.notes,
            [[p.kind.value, p.raw, p.e164] for p in r.phones], [e.address for e in r.emails],
            r.last_verified_at.isoformat() if r.last_verified_at else None, c.review]


def _digest(services: list[PackService], teams: tuple[PackTeam, ...], vendors: tuple[Callee, ...],
            facilities: tuple[Callee, ...]) -> str:
    doc = {
        "services": [[s.name, s.criticality, s.owner_team, _callee(s.business_owner), s.runbook,
                      [_callee(c) for c in s.on_duty],
                      [[r.label, r.wait_minutes, [_callee(c) for c in r.callees]] for r in s.ladder]]
                     for s in services],
        "teams": [[t.name, [[sh.name, sh.starts_at.isoformat(), sh.ends_at.isoformat(), sh.override]
                            for sh in t.shifts]] for t in teams],
        "vendors": [_callee(c) for c in vendors],
        "facilities": [_callee(c) for c in facilities],
    }
    blob = json.dumps(doc, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(blob.encode()).hexdigest()


