"""A big contact book for the benchmarks: N people with names from several countries, teams,
rosters and services with ladders (built once per size and kept in the bench cache)."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from pathlib import Path

from common import CACHE, finish_build, start_build, upgrade_older

FIRST = ["Anna", "Ben", "Chen", "Dara", "Emil", "Fatima", "Giulia", "Hiro", "Ines", "Jonas", "Kemal",
         "Lucía", "Mei", "Nadia", "Olga", "Pedro", "Quinn", "Rosa", "Sven", "Tomás", "Uma", "Vikram",
         "Wanjiru", "Xavier", "Yusuf", "Zoë", "Amara", "Björn", "Chloé", "Dmitri", "Erik", "Farah"]
LAST = ["Müller", "Schmidt", "Nguyen", "Okafor", "Raman", "Berg", "Fernández", "Tanaka", "Haddad",
        "Petrova", "Silva", "Kowalska", "Johansson", "Diallo", "Fischer", "Marino", "Cohen", "Mensah",
        "Schulz", "Rossi", "Larsen", "Demir", "Martin", "Novak", "Horvat", "O'Brien", "Papadopoulos",
        "Yılmaz", "Andersen", "Moreau", "Kim", "Singh", "Ivanova", "Costa", "Weber", "Dubois"]
ORGS = ["IT Infrastructure", "IT Operations", "Finance", "Sales", "Facilities", "HR", "Marketing",
        "Logistics", "Production", "Legal"]
TITLES = ["engineer", "analyst", "team lead", "coordinator", "manager", "administrator", "specialist"]


def book_database(people: int, services: int) -> Path:
    from imdesk.app import build_context
    from imdesk.domain.contact import ContactKind, ContactRecord, Phone, PhoneKind
    from imdesk.domain.contact_book import ON_DUTY_ROLE, LadderStep
    from imdesk.services.contacts.org import ProfileEdit
    from imdesk.storage.schema import HEAD_REVISION

    path = CACHE / f"book-{people}-{services}-schema{HEAD_REVISION}-v1.sqlite"
    if path.exists():
        return path
    tmp = start_build(path)
    if tmp is None:
        return path
    if upgrade_older(path, tmp):
        from imdesk.app import build_context as _open

        return finish_build(_open(f"sqlite:///{tmp}"), tmp, path)
    print(f"  building a contact book of {people:,} people and {services} services (once) …", flush=True)
    rng = random.Random(4)
    now = datetime.now(UTC)
    ctx = build_context(f"sqlite:///{tmp}")
    records = []
    for i in range(people):
        name = f"{rng.choice(FIRST)} {rng.choice(LAST)}"
        kind = (ContactKind.VENDOR if i % 40 == 0 else ContactKind.FACILITY if i % 97 == 0
                else ContactKind.PERSON)
        if kind is not ContactKind.PERSON:
            name = f"{rng.choice(LAST)} {rng.choice(['GmbH', 'Ltd', 'SA'])}"
        records.append(ContactRecord(
            name=name,
            kind=kind, job_title=rng.choice(TITLES), organisation=rng.choice(ORGS),
            phones=(Phone(PhoneKind.MOBILE, f"+49 151 {10_000_000 + i}", f"+49151{10_000_000 + i}"),),
            account_number=f"C-{i:06d}" if kind is not ContactKind.PERSON else "",
            last_verified_at=now - timedelta(days=rng.randint(0, 200)), verified_by="bench"))
    ids = list(ctx.contacts.import_records(records, [], author="bench").added)
    org = ctx.contacts.org
    teams = max(1, services // 5)
    start = now.replace(minute=0, second=0, microsecond=0) - timedelta(hours=12)
    for t in range(teams):
        name = f"Team {t:03d}"
        org.save_team(name, description="resolver group")
        members = ids[t * 8:(t + 1) * 8] or ids[:8]
        org.set_members(name, [(m, "team lead" if k == 0 else "engineer") for k, m in enumerate(members)])
        org.set_ladder(name, [LadderStep(None, ON_DUTY_ROLE, 10), LadderStep(None, "team lead", 15),
                              LadderStep(ids[-1 - t], "", 30)])
        org.replace_shifts(name, start, start + timedelta(days=9), [
            (members[n % len(members)], start + timedelta(hours=12 * n),
             start + timedelta(hours=12 * (n + 1)), False, "") for n in range(18)])
    for s in range(services):
        svc = f"Service {s:03d}"
        ctx.catalog.add(svc, "high" if s % 3 == 0 else "medium")
        org.set_profile(svc, ProfileEdit(owner_team=f"Team {s % teams:03d}", business_owner_id=ids[s],
                                         runbook=f"https://wiki.example.com/{s}"))
    return finish_build(ctx, tmp, path)
