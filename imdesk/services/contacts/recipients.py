"""The contact book as the outbox's recipient directory: stakeholders of a service per
priority, and people, teams or distribution lists by name, expanded to people."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy.orm import Session

from imdesk.domain.contact import PhoneKind
from imdesk.domain.contact_book import Callee
from imdesk.domain.errors import NotFoundError
from imdesk.services.clock import Clock, SystemClock
from imdesk.services.comms.recipients import Recipient
from imdesk.services.contacts import directory
from imdesk.storage import contact_repo, org_repo
from imdesk.storage.database import Database

STALE_DAYS = 90


def from_callee(c: Callee, source: str) -> Recipient:
    rec = c.record
    mobiles = [p.e164 for p in rec.phones if p.e164 and p.kind == PhoneKind.MOBILE]
    others = [p.e164 for p in rec.phones if p.e164 and p.kind != PhoneKind.MOBILE]
    flagged = [f"phone {p.raw!r} could not be read as a number" for p in rec.phones if p.e164 is None]
    flagged += [f"email {e.address!r} is not a valid address" for e in rec.emails if not e.valid]
    return Recipient(name=c.name, phones=tuple(dict.fromkeys(mobiles + others)),
                     emails=tuple(e.address for e in rec.emails if e.valid),
                     preferred=rec.preferred_channel.value, source=source, flagged=tuple(flagged))


class ContactBookDirectory:
    def __init__(self, db: Database, clock: Clock | None = None) -> None:
        self._db = db
        self._clock = clock or SystemClock()

    def stakeholders(self, service: str | None, priority: str) -> list[Recipient]:
        if not service:
            return []
        now = self._clock.now()
        with self._db.read() as s:
            try:
                row = org_repo.service_row(s, service)
            except NotFoundError:
                return []
            found = directory.recipients(s, row, priority, now, STALE_DAYS)
        source = f"{found.service} stakeholder ({found.priority})"
        people = [from_callee(c, source) for c in found.people]
        people += [Recipient(name=a, emails=(a,), preferred="email", source=source)
                   for a in found.addresses]
        return people

    def resolve(self, names: Sequence[str]) -> tuple[list[Recipient], list[str]]:
        now = self._clock.now()
        people: list[Recipient] = []
        unknown: list[str] = []
        with self._db.read() as s:
            for name in names:
                found = self._one(s, name.strip(), now)
                if found is None:
                    unknown.append(name)
                else:
                    people.extend(found)
        return people, unknown

    def _one(self, s: Session, name: str, now: datetime) -> list[Recipient] | None:
        ids = contact_repo.ids_named(s, name)
        if ids:
            return [from_callee(c, "named") for c in directory.callees(s, ids, now, STALE_DAYS).values()]
        try:
            team = org_repo.team_row(s, name)
        except NotFoundError:
            team = None
        if team is not None:
            ids = directory.team_member_ids(s, team.id)
            return self._people(s, ids, now, f"team {team.name}")
        try:
            lst = org_repo.list_row(s, name)
        except NotFoundError:
            return None
        ids, addresses = [], []
        for m in org_repo.list_members(s, [lst.id]):
            if m.contact_id is not None:
                ids.append(m.contact_id)
            elif m.team_id is not None:
                ids.extend(directory.team_member_ids(s, m.team_id))
            elif m.address:
                addresses.append(m.address)
        source = f"list {lst.name}"
        return self._people(s, ids, now, source) + [
            Recipient(name=a, emails=(a,), preferred="email", source=source) for a in addresses]

    def _people(self, s: Session, ids: list[int], now: datetime, source: str) -> list[Recipient]:
        found = directory.callees(s, list(dict.fromkeys(ids)), now, STALE_DAYS)
        ordered = sorted(found.values(), key=lambda c: (c.name.casefold(), c.contact_id))
        return [from_callee(c, source) for c in ordered]
