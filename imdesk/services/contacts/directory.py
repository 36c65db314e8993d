"""The contact book's read side inside a session: who is on duty, a service's ladder resolved to
people, stakeholders expanded to recipients, search over services and teams, list summaries.
The queries are in storage/org_repo.py and storage/contact_repo.py; this puts their rows together
with the book's rules (domain/contact_book.py)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from imdesk.domain.contact_book import (
    PRIORITIES,
    Callee,
    ContactSummary,
    Member,
    Recipients,
    Rung,
    SearchHit,
    Shift,
    WhoToCall,
    is_stale,
    ladder_contact_ids,
    next_shift,
    on_duty,
    resolve_ladder,
)
from imdesk.domain.errors import ValidationError
from imdesk.storage import contact_repo, org_repo
from imdesk.storage.contact_models import (
    ContactRow,
    ServiceProfileRow,
    TeamRow,
)
from imdesk.storage.models import ServiceRow

LOOKAHEAD = timedelta(days=8)


@dataclass(frozen=True)
class Duty:
    team: str
    now: tuple[Callee, ...]
    shifts_now: tuple[Shift, ...]
    next: Shift | None


def on_duty_ids(s: Session, now: datetime) -> set[int]:
    """Everyone on duty now in some team (overrides replace the regular shifts of their team)."""
    by_team: dict[int, list[Shift]] = {}
    for shift in org_repo.shifts_of(s, None, now, now + timedelta(microseconds=1)):
        by_team.setdefault(shift.team_id, []).append(shift)
    return {sh.contact_id for shifts in by_team.values() for sh in on_duty(shifts, now)}


def callees(s: Session, ids: Sequence[int], now: datetime, days: int) -> dict[int, Callee]:
    if not ids:
        return {}
    records = contact_repo.load_records(s, list(dict.fromkeys(ids)))
    reviews = contact_repo.reviews(s, ids)
    return {cid: Callee(cid, rec.name, rec, is_stale(rec.last_verified_at, now, days), reviews.get(cid, ""))
            for cid, rec in records.items()}


def duty(s: Session, team_id: int, now: datetime, days: int = 90) -> Duty:
    team = s.get(TeamRow, team_id)
    assert team is not None
    shifts = org_repo.shifts_of(s, [team_id], now, now + LOOKAHEAD)
    current = on_duty(shifts, now)
    people = callees(s, [sh.contact_id for sh in current], now, days)
    return Duty(team.name, tuple(people[sh.contact_id] for sh in current if sh.contact_id in people),
                tuple(current), next_shift(shifts, now))


def team_member_ids(s: Session, team_id: int) -> list[int]:
    return [cid for cid, _n, _r in org_repo.members(s, team_id)]


def ladder(s: Session, team_id: int, now: datetime, days: int) -> tuple[Rung, ...]:
    steps = org_repo.steps_of(s, team_id)
    team_members = [Member(c, n, r) for c, n, r in org_repo.members(s, team_id)]
    current = [sh.contact_id for sh in on_duty(
        org_repo.shifts_of(s, [team_id], now, now + timedelta(seconds=1)), now)]
    people = callees(s, ladder_contact_ids(steps, team_members, current), now, days)
    return resolve_ladder(steps, team_members, current, people)


def profile(s: Session, service: ServiceRow) -> ServiceProfileRow | None:
    return s.get(ServiceProfileRow, service.id)


def who_to_call(s: Session, service: ServiceRow, now: datetime, days: int) -> WhoToCall:
    prof = profile(s, service)
    owner = s.get(TeamRow, prof.owner_team_id) if prof and prof.owner_team_id else None
    business = None
    if prof and prof.business_owner_id:
        business = callees(s, [prof.business_owner_id], now, days).get(prof.business_owner_id)
    if owner is None:
        return WhoToCall(service.name, "", business, (), None, (), prof.runbook if prof else "")
    team_duty = duty(s, owner.id, now, days)
    return WhoToCall(service.name, owner.name, business, team_duty.now, team_duty.next,
                     ladder(s, owner.id, now, days), prof.runbook if prof else "")


def ladder_ids(s: Session, service: ServiceRow, now: datetime) -> list[int]:
    who = who_to_call(s, service, now, 90)
    ids = [c.contact_id for c in who.on_duty]
    ids += [c.contact_id for rung in who.ladder for c in rung.callees]
    return list(dict.fromkeys(ids))


def recipients(s: Session, service: ServiceRow, priority: str, now: datetime, days: int) -> Recipients:
    if priority not in PRIORITIES:
        raise ValidationError("priority", f"priority must be one of {', '.join(PRIORITIES)}")
    refs = org_repo.stakeholders(s, service.id, priority)
    people: list[int] = []
    addresses: list[str] = []
    teams = [r.team_id for r in refs if r.team_id is not None]
    people += [r.contact_id for r in refs if r.contact_id is not None]
    list_ids = [r.list_id for r in refs if r.list_id is not None]
    if list_ids:
        for m in org_repo.list_members(s, list_ids):
            if m.contact_id is not None:
                people.append(m.contact_id)
            elif m.team_id is not None:
                teams.append(m.team_id)
            elif m.address:
                addresses.append(m.address)
    if teams:
        people += org_repo.member_ids_of_teams(s, teams)
    found = callees(s, list(dict.fromkeys(people)), now, days)
    ordered = sorted(found.values(), key=lambda c: (c.name.casefold(), c.contact_id))
    known = {e.address.casefold() for c in ordered for e in c.record.emails}
    plain = list(dict.fromkeys(a for a in addresses if a.casefold() not in known))
    return Recipients(service.name, priority, tuple(ordered), tuple(plain))


def search_services_and_teams(s: Session, words: Sequence[str], limit: int) -> list[SearchHit]:
    """Services and teams whose name contains every word (they are few: a scan is fine)."""
    hits: list[SearchHit] = []
    owners = org_repo.owner_team_names(s)
    services, teams = org_repo.services_and_teams_named(s, words, limit)
    for sid, name, crit in services:
        owner = owners.get(sid)
        hits.append(SearchHit("service", sid, name,
                              f"{crit} criticality" + (f" · owner {owner}" if owner else "")))
    for tid, name, desc in teams:
        hits.append(SearchHit("team", tid, name, (desc or "team").splitlines()[0][:80]))
    return hits


def subtitle(row: Any) -> str:
    """Title · organisation of a person; organisation · contract number of a vendor or facility."""
    if row.kind != "person" and row.account_number:
        return " · ".join(x for x in (row.organisation or row.job_title, f"no. {row.account_number}") if x)
    return " · ".join(x for x in (row.job_title, row.organisation or row.department) if x)


def summaries(s: Session, rows: Sequence[ContactRow], now: datetime) -> list[ContactSummary]:
    first, flagged = contact_repo.first_phones_and_flags(s, [r.id for r in rows])
    duty_ids = on_duty_ids(s, now)
    return [ContactSummary(r.id, r.name, r.kind, subtitle(r), first.get(r.id, ""), r.last_verified_at,
                           r.review, r.id in duty_ids, r.id in flagged) for r in rows]
