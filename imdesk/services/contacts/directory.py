"""The contact book's read side inside a session: who is on duty, a service's ladder resolved to
people, stakeholders expanded to recipients, search over services and teams, list summaries."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from imdesk.domain.contact_book import (
    PRIORITIES,
    Callee,
    ContactSummary,
    LadderStep,
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
from imdesk.domain.errors import NotFoundError, ValidationError
from imdesk.storage import contact_repo
from imdesk.storage.contact_models import (
    ContactEmailRow,
    ContactPhoneRow,
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

LOOKAHEAD = timedelta(days=8)


@dataclass(frozen=True)
class Duty:
    team: str
    now: tuple[Callee, ...]
    shifts_now: tuple[Shift, ...]
    next: Shift | None


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


def shifts_of(s: Session, team_ids: Iterable[int] | None, start: datetime, end: datetime) -> list[Shift]:
    """Shifts overlapping [start, end) of some teams (all teams when None), with names."""
    stmt = (select(ShiftRow, ContactRow.name).join(ContactRow, ContactRow.id == ShiftRow.contact_id)
            .where(ShiftRow.ends_at > start, ShiftRow.starts_at < end)
            .order_by(ShiftRow.starts_at, ShiftRow.id))
    if team_ids is not None:
        stmt = stmt.where(ShiftRow.team_id.in_(list(team_ids)))
    return [Shift(r.id, r.team_id, r.contact_id, name, r.starts_at, r.ends_at, r.override, r.note)
            for r, name in s.execute(stmt)]


def on_duty_ids(s: Session, now: datetime) -> set[int]:
    """Everyone on duty now in some team (overrides replace the regular shifts of their team)."""
    by_team: dict[int, list[Shift]] = {}
    for shift in shifts_of(s, None, now, now + timedelta(microseconds=1)):
        by_team.setdefault(shift.team_id, []).append(shift)
    return {sh.contact_id for shifts in by_team.values() for sh in on_duty(shifts, now)}


def callees(s: Session, ids: Sequence[int], now: datetime, days: int) -> dict[int, Callee]:
    if not ids:
        return {}
    records = contact_repo.load_records(s, list(dict.fromkeys(ids)))
    reviews = dict(s.execute(select(ContactRow.id, ContactRow.review).where(ContactRow.id.in_(ids))).all())
    return {cid: Callee(cid, rec.name, rec, is_stale(rec.last_verified_at, now, days), reviews.get(cid, ""))
            for cid, rec in records.items()}


def duty(s: Session, team_id: int, now: datetime, days: int = 90) -> Duty:
    team = s.get(TeamRow, team_id)
    assert team is not None
    shifts = shifts_of(s, [team_id], now, now + LOOKAHEAD)
    current = on_duty(shifts, now)
    people = callees(s, [sh.contact_id for sh in current], now, days)
    return Duty(team.name, tuple(people[sh.contact_id] for sh in current if sh.contact_id in people),
                tuple(current), next_shift(shifts, now))


def members(s: Session, team_id: int) -> list[tuple[int, str, str]]:
    """(contact id, name, role) of a team, in name order."""
    rows = s.execute(select(TeamMemberRow.contact_id, ContactRow.name, TeamMemberRow.role)
                     .join(ContactRow, ContactRow.id == TeamMemberRow.contact_id)
                     .where(TeamMemberRow.team_id == team_id)
                     .order_by(func.lower(ContactRow.name)))
    return [(cid, name, role) for cid, name, role in rows]


def team_member_ids(s: Session, team_id: int) -> list[int]:
    return [cid for cid, _n, _r in members(s, team_id)]


def team_names_of(s: Session, contact_id: int) -> list[str]:
    return list(s.scalars(select(TeamRow.name).join(TeamMemberRow, TeamMemberRow.team_id == TeamRow.id)
                          .where(TeamMemberRow.contact_id == contact_id).order_by(TeamRow.name)))


def steps_of(s: Session, team_id: int) -> list[LadderStep]:
    return [LadderStep(st.contact_id, st.role, st.wait_minutes)
            for st in s.scalars(select(EscalationStepRow).where(EscalationStepRow.team_id == team_id)
                                .order_by(EscalationStepRow.position, EscalationStepRow.id))]


def ladder(s: Session, team_id: int, now: datetime, days: int) -> tuple[Rung, ...]:
    steps = steps_of(s, team_id)
    team_members = [Member(c, n, r) for c, n, r in members(s, team_id)]
    current = [sh.contact_id for sh in on_duty(shifts_of(s, [team_id], now, now + timedelta(seconds=1)),
                                                now)]
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
    refs = list(s.scalars(select(ServiceStakeholderRow).where(
        ServiceStakeholderRow.service_id == service.id, ServiceStakeholderRow.priority == priority)
        .order_by(ServiceStakeholderRow.id)))
    people: list[int] = []
    addresses: list[str] = []
    teams = [r.team_id for r in refs if r.team_id is not None]
    people += [r.contact_id for r in refs if r.contact_id is not None]
    list_ids = [r.list_id for r in refs if r.list_id is not None]
    if list_ids:
        for m in s.scalars(select(ListMemberRow).where(ListMemberRow.list_id.in_(list_ids))
                           .order_by(ListMemberRow.id)):
            if m.contact_id is not None:
                people.append(m.contact_id)
            elif m.team_id is not None:
                teams.append(m.team_id)
            elif m.address:
                addresses.append(m.address)
    if teams:
        people += list(s.scalars(select(TeamMemberRow.contact_id).where(TeamMemberRow.team_id.in_(teams))))
    found = callees(s, list(dict.fromkeys(people)), now, days)
    ordered = sorted(found.values(), key=lambda c: (c.name.casefold(), c.contact_id))
    known = {e.address.casefold() for c in ordered for e in c.record.emails}
    plain = list(dict.fromkeys(a for a in addresses if a.casefold() not in known))
    return Recipients(service.name, priority, tuple(ordered), tuple(plain))


def search_services_and_teams(s: Session, words: Sequence[str], limit: int) -> list[SearchHit]:
    """Services and teams whose name contains every word (they are few: a scan is fine)."""
    hits: list[SearchHit] = []
    svc = select(ServiceRow.id, ServiceRow.name, ServiceRow.criticality)
    team = select(TeamRow.id, TeamRow.name, TeamRow.description)
    for word in words:
        pattern = f"%{word}%"
        svc = svc.where(func.lower(ServiceRow.name).like(pattern))
        team = team.where(func.lower(TeamRow.name).like(pattern))
    owners = dict(s.execute(select(ServiceProfileRow.service_id, TeamRow.name)
                            .join(TeamRow, TeamRow.id == ServiceProfileRow.owner_team_id)).all())
    for sid, name, crit in s.execute(svc.order_by(func.lower(ServiceRow.name)).limit(limit)):
        owner = owners.get(sid)
        hits.append(SearchHit("service", sid, name,
                              f"{crit} criticality" + (f" · owner {owner}" if owner else "")))
    for tid, name, desc in s.execute(team.order_by(func.lower(TeamRow.name)).limit(limit)):
        hits.append(SearchHit("team", tid, name, (desc or "team").splitlines()[0][:80]))
    return hits


def subtitle(row: Any) -> str:
    """Title · organisation of a person; organisation · contract number of a vendor or facility."""
    if row.kind != "person" and row.account_number:
        return " · ".join(x for x in (row.organisation or row.job_title, f"no. {row.account_number}") if x)
    return " · ".join(x for x in (row.job_title, row.organisation or row.department) if x)


def summaries(s: Session, rows: Sequence[ContactRow], now: datetime) -> list[ContactSummary]:
    ids = [r.id for r in rows]
    first: dict[int, str] = {}
    flagged: set[int] = set()
    for group in (ids[i:i + 500] for i in range(0, len(ids), 500)):
        for cid, e164, raw in s.execute(select(ContactPhoneRow.contact_id, ContactPhoneRow.e164,
                                               ContactPhoneRow.raw)
                                        .where(ContactPhoneRow.contact_id.in_(group))
                                        .order_by(ContactPhoneRow.contact_id, ContactPhoneRow.position)):
            first.setdefault(cid, e164 or raw)
            if e164 is None:
                flagged.add(cid)
        flagged.update(s.scalars(select(ContactEmailRow.contact_id).where(
            ContactEmailRow.contact_id.in_(group), ContactEmailRow.valid.is_(False))))
    duty_ids = on_duty_ids(s, now)
    return [ContactSummary(r.id, r.name, r.kind, subtitle(r), first.get(r.id, ""), r.last_verified_at,
                           r.review, r.id in duty_ids, r.id in flagged) for r in rows]


def lists(s: Session) -> list[DistributionListRow]:
    return list(s.scalars(select(DistributionListRow).order_by(func.lower(DistributionListRow.name))))

