"""The drill scorecard: the trainee's times read from the drill incidents' timelines (through
domain/milestones.py, the same reading as the desk metrics) as scenario times (T+…), each beside
what the scenario expected, met or missed; and the playbook's checklist steps never done.

Figures are scenario seconds from T+0 — the clock the expectations use — to the earliest
moment any drill incident reached the milestone: acknowledged, declared major, the first
stakeholder update that went out, a contact of the service's escalation ladder reached by phone
(a logged call with outcome "reached"), resolved.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from imdesk.domain.milestones import Milestones
from imdesk.domain.timeline import EntryKind, TimelineEntry

FIGURES = (  # key, label, the scenario's expectation
    ("tta", "Time to acknowledge", "acknowledged"),
    ("declare", "Time to declare the major incident", "major"),
    ("first_update", "Time to the first stakeholder update", "first_update"),
    ("contact_reached", "Time to reach the service's ladder", "contact_reached"),
    ("resolve", "Time to resolve", "resolved"),
)


@dataclass(frozen=True)
class Figure:
    key: str
    label: str
    actual_s: float | None
    expected_s: int | None

    @property
    def met(self) -> bool | None:
        if self.expected_s is None:
            return None if self.actual_s is None else True
        return self.actual_s is not None and self.actual_s <= self.expected_s

    def to_json(self) -> dict[str, Any]:
        return {"value": None if self.actual_s is None else round(self.actual_s, 1),
                "expected_s": self.expected_s, "met": self.met}


@dataclass(frozen=True)
class Scorecard:
    figures: tuple[Figure, ...]
    missed_steps: tuple[str, ...]
    incidents: tuple[str, ...]

    def figure(self, key: str) -> Figure:
        return next(f for f in self.figures if f.key == key)

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {f"{f.key}_s": f.to_json() for f in self.figures}
        data["missed_playbook_steps"] = list(self.missed_steps)
        data["incidents"] = list(self.incidents)
        return data


def contact_reached_at(entries: Iterable[TimelineEntry],
                       on_ladder: Callable[[int, str], bool]) -> datetime | None:
    for e in entries:
        call = e.data.get("call") if e.kind == EntryKind.COMMUNICATION else None
        if (isinstance(call, dict) and call.get("outcome") == "reached"
                and on_ladder(int(call.get("contact_id") or 0), str(call.get("name", "")))):
            return e.effective_at
    return None


def steps_done(entries: Iterable[TimelineEntry]) -> set[str]:
    """The declaration checklist's steps (ids of the shipped playbook) a timeline shows done."""
    done: set[str] = set()
    for e in entries:
        if e.kind == EntryKind.ROLE:
            done.add("roles")
        elif e.kind == EntryKind.BRIDGE:
            done.add("bridge")
        elif e.kind == EntryKind.SITUATION and str(e.data.get("impact", "")).strip():
            done.add("impact")
        elif e.data.get("first_update_due") or (
                e.kind == EntryKind.COMMUNICATION and e.data.get("update")):
            done.add("first_update")
    return done


def missed_steps(timelines: Sequence[Sequence[TimelineEntry]],
                 steps: Sequence[tuple[str, str]]) -> list[str]:
    done: set[str] = set()
    for entries in timelines:
        done |= steps_done(entries)
    return [text for ident, text in steps if ident not in done]


def score(milestones: Sequence[Milestones], reached: Sequence[datetime | None],
          expected: Callable[[str], int | None], to_scenario: Callable[[datetime], float],
          missed: Sequence[str], refs: Sequence[str]) -> Scorecard:
    def first(values: Iterable[datetime | None]) -> float | None:
        found = [to_scenario(v) for v in values if v is not None]
        return min(found) if found else None

    actual = {
        "tta": first(m.acknowledged_at for m in milestones),
        "declare": first(m.major_at for m in milestones),
        "first_update": first(m.first_communication_at for m in milestones),
        "contact_reached": first(reached),
        "resolve": first(m.resolved_at for m in milestones),
    }
    figures = tuple(Figure(key, label, actual[key], expected(what)) for key, label, what in FIGURES)
    return Scorecard(figures, tuple(missed), tuple(refs))


def duration(seconds: float | None) -> str:
    if seconds is None:
        return "—"
    s = round(seconds)
    return f"{s // 60} min {s % 60:02d} s" if s >= 60 else f"{s} s"
