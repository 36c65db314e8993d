"""The contact book's shapes beyond one contact: teams, ladders, rosters, lists, services' contacts,
freshness and "who do I call". Plain values and pure rules, no I/O."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from functools import lru_cache

from imdesk.domain.contact import ContactRecord, Phone

DEFAULT_STALE_DAYS = 90
PRIORITIES: tuple[str, ...] = ("P1", "P2", "P3", "P4", "P5")
ON_DUTY_ROLE = "on duty"   # an escalation step with this role calls whoever is on duty then


class CheckOutcome(StrEnum):
    """The result of trying a contact's number (a drill, or a call from an incident)."""

    REACHED = "reached"
    NOT_REACHED = "not_reached"
    WRONG_NUMBER = "wrong_number"

    @property
    def label(self) -> str:
        return {"reached": "reached", "not_reached": "no answer",
                "wrong_number": "wrong number"}[self.value]


@dataclass(frozen=True)
class ImportOutcome:
    """What ``import_records`` wrote: ids of the new contacts and of the merged ones."""

    added: tuple[int, ...]
    merged: tuple[int, ...]

    @property
    def total(self) -> int:
        return len(self.added) + len(self.merged)


@dataclass(frozen=True)
class ContactSummary:
    """One line of a contact list: enough for a badge and a number to dial."""

    id: int
    name: str
    kind: str
    subtitle: str                   # job title · organisation, or the account number of a vendor
    dial: str                       # the first phone (E.164 or raw), "" when none
    last_verified_at: datetime | None
    review: str                     # why it needs a human look ("" when it does not)
    on_duty: bool = False
    flagged: bool = False           # holds a number or address that did not validate


@dataclass(frozen=True)
class SearchHit:
    """One result of the contact book search: a person/vendor/facility, a team or a service."""

    kind: str                   # "person", "vendor", "facility", "team", "service"
    id: int
    title: str
    subtitle: str
    on_duty: bool = False
    stale: bool = False
    review: str = ""


@dataclass(frozen=True)
class Member:
    contact_id: int
    name: str
    role: str                       # "team lead", "engineer", … ("" when none)


@dataclass(frozen=True)
class LadderStep:
    """One rung: a named person or a role (``ON_DUTY_ROLE`` or a member role), then wait."""

    contact_id: int | None
    role: str
    wait_minutes: int


@dataclass(frozen=True)
class Shift:
    id: int
    team_id: int
    contact_id: int
    name: str
    starts_at: datetime
    ends_at: datetime
    override: bool = False          # replaces whatever regular shift overlaps it
    note: str = ""

    def covers(self, at: datetime) -> bool:
        return self.starts_at <= at < self.ends_at


@dataclass(frozen=True)
class Team:
    id: int
    name: str
    description: str
    members: tuple[Member, ...]
    ladder: tuple[LadderStep, ...]


@dataclass(frozen=True)
class StakeholderRef:
    """One stakeholder entry of a service: exactly one of person, team or list."""

    priority: str
    contact_id: int | None = None
    team_id: int | None = None
    list_id: int | None = None
    label: str = ""


@dataclass(frozen=True)
class ServiceContacts:
    service_id: int
    name: str
    criticality: str
    owner_team_id: int | None
    owner_team: str
    business_owner_id: int | None
    business_owner: str
    runbook: str
    stakeholders: tuple[StakeholderRef, ...]


@dataclass(frozen=True)
class ListMember:
    contact_id: int | None = None
    team_id: int | None = None
    address: str = ""
    label: str = ""


@dataclass(frozen=True)
class DistributionList:
    id: int
    name: str
    description: str
    members: tuple[ListMember, ...]


@dataclass(frozen=True)
class Callee:
    """Someone to call, with the number to dial (first phone) and every way to reach them."""

    contact_id: int
    name: str
    record: ContactRecord
    stale: bool
    review: str

    @property
    def phone(self) -> Phone | None:
        return self.record.phones[0] if self.record.phones else None


@dataclass(frozen=True)
class Rung:
    """A ladder step resolved at a time: who it reaches, and when to move on if nobody answers."""

    position: int
    label: str                       # "on duty", "team lead", or the person's name
    callees: tuple[Callee, ...]      # empty when the role has nobody (shown, never skipped silently)
    wait_minutes: int
    starts_after_minutes: int        # minutes after the first call that this step begins


@dataclass(frozen=True)
class WhoToCall:
    """Owner team → on duty now → escalation ladder with times, for one service."""

    service: str
    owner_team: str
    business_owner: Callee | None
    on_duty: tuple[Callee, ...]
    next_shift: Shift | None
    ladder: tuple[Rung, ...]
    runbook: str


@dataclass(frozen=True)
class Recipients:
    """Stakeholders of a service at a priority, expanded: people (with their records) and plain
    addresses that belong to no contact. Each person appears once."""

    service: str
    priority: str
    people: tuple[Callee, ...]
    addresses: tuple[str, ...]


def is_stale(last_verified_at: datetime | None, now: datetime, days: int = DEFAULT_STALE_DAYS) -> bool:
    """Never verified, or verified more than ``days`` days ago."""
    return last_verified_at is None or now - last_verified_at > timedelta(days=days)


def on_duty(shifts: Iterable[Shift], at: datetime) -> list[Shift]:
    """Who covers ``at``: the overrides covering it, else the regular shifts covering it."""
    covering = [s for s in shifts if s.covers(at)]
    overrides = [s for s in covering if s.override]
    return sorted(overrides or covering, key=lambda s: (s.starts_at, s.name))


def next_shift(shifts: Iterable[Shift], at: datetime) -> Shift | None:
    """The first shift that starts after ``at`` (overrides win when starting at the same time)."""
    later = [s for s in shifts if s.starts_at > at]
    return min(later, key=lambda s: (s.starts_at, not s.override, s.name), default=None)


def ladder_offsets(waits: Sequence[int]) -> list[int]:
    """Minutes after the first call at which each step begins."""
    out, total = [], 0
    for wait in waits:
        out.append(total)
        total += wait
    return out


def search_terms(*texts: str) -> set[str]:
    """Lower-case words without accents ("Müller-Lüdenscheidt" → "muller", "ludenscheidt"):
    what a prefix search matches against."""
    terms: set[str] = set()
    for text in texts:
        if text:
            terms.update(_terms_of(text))
    return terms


@lru_cache(maxsize=4096)
def _terms_of(text: str) -> frozenset[str]:
    """The terms of one text. Cached: an import of 10,000 contacts has a few dozen distinct
    organisations, departments, titles and tags, and folding is most of the cost of the terms."""
    words = (w.strip("()[]{},;:'\"/\\")
             for w in fold(text).replace("-", " ").replace("@", " ").replace(".", " ").split())
    return frozenset(w[:60] for w in words if w)


def fold(text: str) -> str:
    """Case- and accent-insensitive form used for search keys and queries."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def resolve_ladder(steps: Sequence[LadderStep], members: Sequence[Member], on_duty_ids: Sequence[int],
                   people: Mapping[int, Callee]) -> tuple[Rung, ...]:
    """Each step to the people it reaches: a named person, whoever is on duty (``ON_DUTY_ROLE``),
    or the members holding that role. A step nobody fills stays, with no callees."""
    offsets = ladder_offsets([st.wait_minutes for st in steps])
    rungs = []
    for i, step in enumerate(steps):
        role = step.role.strip().lower()
        if step.contact_id is not None:
            ids: Sequence[int] = [step.contact_id]
        elif role == ON_DUTY_ROLE:
            ids = on_duty_ids
        else:
            ids = [m.contact_id for m in members if m.role.strip().lower() == role]
        found = tuple(people[c] for c in ids if c in people)
        label = found[0].name if step.contact_id is not None and found else (step.role or "?")
        rungs.append(Rung(i + 1, label, found, step.wait_minutes, offsets[i]))
    return tuple(rungs)


def ladder_contact_ids(steps: Sequence[LadderStep], members: Sequence[Member],
                       on_duty_ids: Sequence[int]) -> list[int]:
    """Every contact a ladder may reach (to load their records in one go)."""
    ids = list(on_duty_ids) + [m.contact_id for m in members]
    ids += [st.contact_id for st in steps if st.contact_id is not None]
    return list(dict.fromkeys(ids))
