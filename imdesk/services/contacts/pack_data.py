"""What the emergency pack prints, read in one go (a handful of queries whatever the size of the
book), and the hash of the data it was made from."""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, Protocol

from imdesk.domain.contact_book import (
    Callee,
    LadderStep,
    Member,
    Rung,
    Shift,
    ladder_contact_ids,
    on_duty,
    resolve_ladder,
)
from imdesk.gc_pause import collector_paused
from imdesk.services.contacts import directory
from imdesk.services.settings import load_stale_days
from imdesk.storage import contact_repo, link_repo, org_repo

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
    depends_on: tuple[str, ...] = ()  # the services it depends on


@dataclass(frozen=True)
class PackTeam:
    name: str
    shifts: tuple[Shift, ...]        # now and the next 7 days, in start order


@dataclass(frozen=True)
class PackRunbook:
    """A service's document, printed whole: the pack is enough when every screen is dark."""

    service: str
    title: str
    text: str
    owner: str
    version: int
    reviewed_at: datetime | None


@dataclass(frozen=True)
class PackData:
    made_at: datetime
    desk: str
    services: tuple[PackService, ...]
    teams: tuple[PackTeam, ...]
    vendors: tuple[Callee, ...]
    facilities: tuple[Callee, ...]
    digest: str                      # sha256 of what the pack shows, made_at excluded
    runbooks: tuple[PackRunbook, ...] = ()  # by service, then title


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
    """The pack's data, read with the cyclic collector paused: the rows and records it builds
    have no cycles, and a full collection in this worker would hold the interpreter lock (and
    so the window) for tens of milliseconds."""
    with collector_paused():
        return collect(ctx.db, ctx.contacts.now(), ctx.settings.desk_name())


def collect(db: Database, now: datetime, desk: str) -> PackData:
    """Read everything the pack prints in one read transaction."""
    end = now + timedelta(days=ROSTER_DAYS)
    with db.read() as s:
        days = load_stale_days(s)
        teams = org_repo.team_names_by_id(s)
        members: dict[int, list[Member]] = defaultdict(list)
        for team_id, cid, name, role in org_repo.all_members(s):
            members[team_id].append(Member(cid, name, role))
        steps: dict[int, list[LadderStep]] = defaultdict(list)
        for team_id, step in org_repo.all_steps(s):
            steps[team_id].append(step)
        shifts: dict[int, list[Shift]] = defaultdict(list)
        for sh in org_repo.shifts_of(s, None, now, end):
            shifts[sh.team_id].append(sh)
        duty_now = {tid: [sh.contact_id for sh in on_duty(shifts[tid], now)] for tid in teams}
        profiles = org_repo.profiles(s)
        services = org_repo.services(s)
        edges = link_repo.dependency_edges(s)
        wanted: list[int] = []
        for tid in teams:
            wanted += ladder_contact_ids(steps[tid], members[tid], duty_now[tid])
        wanted += [p.business_owner_id for p in profiles.values() if p.business_owner_id]
        external = contact_repo.ids_of_kinds(s, ("vendor", "facility"))
        people = directory.callees(s, list(dict.fromkeys(wanted + external)), now, days)
        runbooks = _runbooks(s)
    ladders = {tid: resolve_ladder(steps[tid], members[tid], duty_now[tid], people) for tid in teams}
    out = []
    for svc in services:
        prof = profiles.get(svc.id)
        owner_tid = prof.owner_team_id if prof else None
        owner = people.get(prof.business_owner_id) if prof and prof.business_owner_id else None
        out.append(PackService(
            svc.name, svc.criticality, teams.get(owner_tid, "") if owner_tid else "", owner,
            tuple(people[c] for c in duty_now.get(owner_tid, []) if c in people) if owner_tid else (),
            ladders.get(owner_tid, ()) if owner_tid else (), prof.runbook if prof else "",
            tuple(edges.get(svc.name, ()))))
    pack_teams = tuple(PackTeam(name, tuple(shifts[tid]))
                       for tid, name in sorted(teams.items(), key=lambda kv: kv[1].casefold()))
    by_name = sorted(people.values(), key=lambda c: (c.name.casefold(), c.contact_id))
    vendors = tuple(c for c in by_name if c.record.kind.value == "vendor")
    facilities = tuple(c for c in by_name if c.record.kind.value == "facility")
    digest = _digest(out, pack_teams, vendors, facilities)
    if runbooks:  # a pack without documents keeps the digest it always had
        digest = hashlib.sha256((digest + json.dumps(
            [[r.service, r.title, r.text, r.owner, r.version] for r in runbooks])).encode()).hexdigest()
    return PackData(now, desk, tuple(out), pack_teams, vendors, facilities, digest, runbooks)


def _runbooks(s: Any) -> tuple[PackRunbook, ...]:
    from imdesk.storage import doc_repo

    docs = [d for d in doc_repo.summaries(s) if d.service]
    texts = doc_repo.current_texts(s, [d.id for d in docs])
    return tuple(PackRunbook(d.service, d.title, texts.get(d.id, ""), d.owner, d.version,
                             d.last_reviewed_at) for d in docs)


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
                      list(s.depends_on),
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


