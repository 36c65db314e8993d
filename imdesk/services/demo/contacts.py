"""The demo contact book (imdesk/resources/demo/contacts.json): people of the demo desk, vendors with
contract numbers, the facilities desk, building security and the pizza service; teams with
ladders and 12-hour rosters around now, distribution lists, service owners and stakeholders.
A few contacts are stale, one has a number that does not parse, one is marked as a wrong number."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any

from imdesk.contacts_io.values import normalise_email, normalise_phone
from imdesk.domain.contact import Channel, ContactKind, ContactRecord, PhoneKind
from imdesk.domain.contact_book import ON_DUTY_ROLE, LadderStep, ListMember, StakeholderRef
from imdesk.resources import resource
from imdesk.services.contacts.org import ProfileEdit
from imdesk.services.demo.desk import ContactsDesk

SHIFT_HOURS = 12


def load_book() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(resource("demo", "contacts.json").read_text(encoding="utf-8"))
    return data


def _record(item: dict[str, Any], now: datetime) -> ContactRecord:
    days = item.get("verified_days")
    return ContactRecord(
        name=item["name"], kind=ContactKind(item.get("kind", "person")), job_title=item.get("title", ""),
        organisation=item.get("org", ""), department=item.get("dept", ""),
        phones=tuple(normalise_phone(n, PhoneKind(k)) for k, n in item.get("phones", [])),
        emails=(normalise_email(item["email"]),) if item.get("email") else (),
        preferred_channel=Channel(item.get("channel", "call")), time_zone=item.get("tz", ""),
        notes=item.get("notes", ""), tags=tuple(item.get("tags", [])), account_number=item.get("account", ""),
        last_verified_at=None if days is None else now - timedelta(days=days, hours=3),
        verified_by="" if days is None else "Priya Raman", **_parts(item))


def _parts(item: dict[str, Any]) -> dict[str, Any]:
    """A person's name parts: given and family from the name unless the book says otherwise
    ("parts": a nickname, a prefix, a second family name, how the name is said)."""
    parts: dict[str, Any] = {}
    if item.get("kind", "person") == "person":
        given, _, family = item["name"].partition(" ")
        parts = {"given_name": given, "family_name": family}
    parts.update(item.get("parts", {}))
    return parts


def seed_demo_contacts(ctx: ContactsDesk, now: datetime | None = None) -> int:
    """Write the demo book; returns the number of contacts (0 when the book has contacts)."""
    if ctx.contacts.change_marker()[0] > 0:
        return 0
    now = now or ctx.contacts.now()
    book = load_book()
    items = book["people"] + book["external"]
    outcome = ctx.contacts.import_records([_record(i, now) for i in items], [], author="demo")
    ids = {i["key"]: cid for i, cid in zip(items, outcome.added, strict=True)}
    org = ctx.contacts.org
    team_ids: dict[str, int] = {}
    start = now.replace(hour=7, minute=0, second=0, microsecond=0) - timedelta(days=1)
    for team in book["teams"]:
        team_ids[team["name"]] = org.save_team(team["name"], description=team["description"])
        org.set_members(team["name"], [(ids[k], role) for k, role in team["members"]])
        org.set_ladder(team["name"], [
            LadderStep(ids[who[1:]], "", wait) if who.startswith("@") else
            LadderStep(None, ON_DUTY_ROLE if who == "on duty" else who, wait)
            for who, wait in team["ladder"]])
        rota = team["rota"]
        count = 9 * 24 // SHIFT_HOURS
        begins = [start + timedelta(hours=SHIFT_HOURS * n) for n in range(count)]
        org.replace_shifts(team["name"], start, begins[-1] + timedelta(hours=SHIFT_HOURS), [
            (ids[rota[n % len(rota)]], b, b + timedelta(hours=SHIFT_HOURS), False, "")
            for n, b in enumerate(begins)])
    org.add_shift("Network", ids["mei"], now - timedelta(hours=1), now + timedelta(hours=3), override=True,
                  note="covers for Jonas (on site at DC2)")
    list_ids: dict[str, int] = {}
    for lst in book["lists"]:
        members = [ListMember(address=m) if "@" in m else
                   ListMember(team_id=team_ids[m[1:]]) if m.startswith("#") else
                   ListMember(contact_id=ids[m]) for m in lst["members"]]
        list_ids[lst["name"]] = org.save_list(lst["name"], members, description=lst["description"])
    existing = {s.lower() for s in ctx.contacts.services()}
    for service, prof in book["services"].items():
        if service.lower() not in existing:
            continue
        owner = ids[prof["owner"]] if prof["owner"] else None
        org.set_profile(service, ProfileEdit(owner_team=prof["team"], business_owner_id=owner,
                                             runbook=prof["runbook"]))
        refs: list[StakeholderRef] = []
        team = org.team(prof["team"])
        for priority, whos in book["stakeholders"].items():
            for who in whos:
                if who == "owner" and owner is not None:
                    refs.append(StakeholderRef(priority, contact_id=owner))
                elif who == "owner team lead":
                    refs += [StakeholderRef(priority, contact_id=m.contact_id)
                             for m in team.members if m.role == "team lead"]
                elif who in list_ids:
                    refs.append(StakeholderRef(priority, list_id=list_ids[who]))
        org.set_stakeholders(service, refs)
    wrong = book.get("wrong_number")
    if wrong:
        ctx.contacts.verify(ids[wrong], "wrong_number")
    return len(ids)
