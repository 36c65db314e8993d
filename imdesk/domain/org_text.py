"""The organisation as lines of text, for keyboard-first editing: team members ("Name — role"),
ladder steps ("on duty, 10"), roster shifts ("2026-11-27 07:00 → 2026-11-27 19:00  Name"),
list members (a name, "team NAME" or an address) and stakeholders ("P1: NAME"). Parsing names
each refused line by its number; nothing is half-applied."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo

from imdesk.domain.contact_book import (
    ON_DUTY_ROLE,
    PRIORITIES,
    LadderStep,
    ListMember,
    Member,
    Shift,
    StakeholderRef,
)
from imdesk.domain.errors import ValidationError

_DASH = re.compile(r"\s+(?:—|–|-)\s+")
_SHIFT = re.compile(
    r"^(\d{4}-\d{2}-\d{2})\s+(\d{1,2}:\d{2})\s*(?:→|->|–|-)\s*(?:(\d{4}-\d{2}-\d{2})\s+)?(\d{1,2}:\d{2})"
    r"\s+(.+?)(\s+\[override\])?(?:\s+#\s*(.*))?$")


@dataclass(frozen=True)
class Names:
    """Look-ups by case-insensitive name: contacts, teams, lists (id -1 = more than one)."""

    contacts: Mapping[str, int]
    teams: Mapping[str, int]
    lists: Mapping[str, int]

    @staticmethod
    def index(pairs: Iterable[tuple[int, str]]) -> dict[str, int]:
        out: dict[str, int] = {}
        for ident, name in pairs:
            key = name.casefold()
            out[key] = -1 if key in out else ident
        return out


def _lines(text: str) -> Iterable[tuple[int, str]]:
    for n, line in enumerate(text.splitlines(), start=1):
        line = line.strip()
        if line and not line.startswith("#"):
            yield n, line


def _contact(names: Names, name: str, field: str, n: int) -> int:
    ident = names.contacts.get(name.strip().casefold())
    if ident is None:
        raise ValidationError(field, f"line {n}: no contact named {name.strip()!r}")
    if ident == -1:
        raise ValidationError(field, f"line {n}: more than one contact is named {name.strip()!r}")
    return ident


def parse_members(text: str, names: Names) -> list[tuple[int, str]]:
    out: dict[int, str] = {}
    for n, line in _lines(text):
        who, what = ([*_DASH.split(line, maxsplit=1), ""])[:2]
        out[_contact(names, who, "members", n)] = what.strip()
    return list(out.items())


def format_members(members: Iterable[Member]) -> str:
    return "\n".join(f"{m.name} — {m.role}" if m.role else m.name for m in members)


def parse_ladder(text: str, names: Names) -> list[LadderStep]:
    steps = []
    for n, line in _lines(text):
        who, sep, wait = line.rpartition(",")
        if not sep:
            raise ValidationError("ladder", f"line {n}: write 'who, minutes' (e.g. 'on duty, 10')")
        try:
            minutes = int(wait.strip())
        except ValueError:
            raise ValidationError("ladder",
                                  f"line {n}: {wait.strip()!r} is not a number of minutes") from None
        who = who.strip()
        if not who:
            raise ValidationError("ladder", f"line {n}: say who (a person, 'on duty' or a team role)")
        ident = names.contacts.get(who.casefold())
        if ident == -1:
            raise ValidationError("ladder", f"line {n}: more than one contact is named {who!r}")
        steps.append(LadderStep(ident, "", minutes) if ident is not None else LadderStep(None, who, minutes))
    return steps


def format_ladder(steps: Iterable[LadderStep], names_by_id: Mapping[int, str]) -> str:
    return "\n".join(f"{names_by_id.get(s.contact_id, '?') if s.contact_id else (s.role or ON_DUTY_ROLE)}, "
                     f"{s.wait_minutes}" for s in steps)


@dataclass(frozen=True)
class ShiftLine:
    contact_id: int
    starts_at: datetime
    ends_at: datetime
    override: bool
    note: str


def parse_roster(text: str, names: Names, tz: tzinfo) -> list[ShiftLine]:
    out = []
    for n, line in _lines(text):
        m = _SHIFT.match(line)
        if m is None:
            raise ValidationError("roster", f"line {n}: write 'YYYY-MM-DD HH:MM → YYYY-MM-DD HH:MM Name' "
                                            "(add [override] or # note)")
        day, start, end_day, end, who, override, note = m.groups()
        try:
            starts = datetime.fromisoformat(f"{day} {start:0>5}").replace(tzinfo=tz)
            ends = datetime.fromisoformat(f"{end_day or day} {end:0>5}").replace(tzinfo=tz)
        except ValueError as exc:
            raise ValidationError("roster", f"line {n}: {exc}") from None
        if ends <= starts and end_day is None:
            ends += timedelta(days=1)   # "22:00 → 06:00" ends the next morning
        if ends <= starts:
            raise ValidationError("roster", f"line {n}: the shift ends before it starts")
        out.append(ShiftLine(_contact(names, who, "roster", n), starts, ends, bool(override),
                             (note or "").strip()))
    return out


def format_roster(shifts: Iterable[Shift], tz: tzinfo) -> str:
    lines = []
    for s in shifts:
        a, b = s.starts_at.astimezone(tz), s.ends_at.astimezone(tz)
        text = f"{a:%Y-%m-%d %H:%M} → {b:%Y-%m-%d %H:%M}  {s.name}"
        if s.override:
            text += "  [override]"
        if s.note:
            text += f"  # {s.note}"
        lines.append(text)
    return "\n".join(lines)


def parse_list_members(text: str, names: Names) -> list[ListMember]:
    out = []
    for n, line in _lines(text):
        if line.casefold().startswith("team "):
            team = names.teams.get(line[5:].strip().casefold())
            if team is None:
                raise ValidationError("members", f"line {n}: no team named {line[5:].strip()!r}")
            out.append(ListMember(team_id=team))
        elif "@" in line and " " not in line:
            out.append(ListMember(address=line))
        else:
            out.append(ListMember(contact_id=_contact(names, line, "members", n)))
    return out


def format_list_members(members: Iterable[ListMember]) -> str:
    return "\n".join(f"team {m.label}" if m.team_id else m.label if m.contact_id else m.address
                     for m in members)


def parse_stakeholders(text: str, names: Names) -> list[StakeholderRef]:
    out = []
    for n, line in _lines(text):
        prio, sep, who = line.partition(":")
        prio = prio.strip().upper()
        if not sep or prio not in PRIORITIES:
            raise ValidationError("stakeholders", f"line {n}: write 'P1: a person, team NAME or a list'")
        who = who.strip()
        if who.casefold().startswith("team "):
            team = names.teams.get(who[5:].strip().casefold())
            if team is None:
                raise ValidationError("stakeholders", f"line {n}: no team named {who[5:].strip()!r}")
            out.append(StakeholderRef(prio, team_id=team))
        elif who.casefold() in names.lists:
            out.append(StakeholderRef(prio, list_id=names.lists[who.casefold()]))
        else:
            out.append(StakeholderRef(prio, contact_id=_contact(names, who, "stakeholders", n)))
    return out


def format_stakeholders(refs: Iterable[StakeholderRef]) -> str:
    return "\n".join(f"{r.priority}: team {r.label}" if r.team_id else f"{r.priority}: {r.label}"
                     for r in refs)
