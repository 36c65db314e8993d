"""Impact x urgency -> priority P1..P5 (the ITIL matrix, configurable)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from imdesk.domain.errors import ValidationError


class Level(StrEnum):
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"

    @classmethod
    def parse(cls, value: str, field_name: str) -> Level:
        try:
            return cls(value.strip().lower())
        except ValueError:
            allowed = ", ".join(m.value for m in cls)
            message = f"{field_name} must be one of {allowed}, not {value!r}"
            raise ValidationError(field_name, message) from None


class Priority(StrEnum):
    P1 = "P1"
    P2 = "P2"
    P3 = "P3"
    P4 = "P4"
    P5 = "P5"

    @property
    def rank(self) -> int:
        return int(self.value[1])

    @classmethod
    def parse(cls, value: str) -> Priority:
        try:
            return cls(value.strip().upper())
        except ValueError:
            raise ValidationError("priority", f"priority must be P1..P5, not {value!r}") from None


_DEFAULT: dict[tuple[Level, Level], Priority] = {
    (Level.HIGH, Level.HIGH): Priority.P1,
    (Level.HIGH, Level.MEDIUM): Priority.P2,
    (Level.HIGH, Level.LOW): Priority.P3,
    (Level.MEDIUM, Level.HIGH): Priority.P2,
    (Level.MEDIUM, Level.MEDIUM): Priority.P3,
    (Level.MEDIUM, Level.LOW): Priority.P4,
    (Level.LOW, Level.HIGH): Priority.P3,
    (Level.LOW, Level.MEDIUM): Priority.P4,
    (Level.LOW, Level.LOW): Priority.P5,
}


@dataclass(frozen=True)
class PriorityMatrix:
    """Maps (impact, urgency) to a priority. Defaults to the ITIL matrix."""

    cells: Mapping[tuple[Level, Level], Priority] = field(default_factory=lambda: dict(_DEFAULT))

    def priority(self, impact: Level, urgency: Level) -> Priority:
        return self.cells[(impact, urgency)]

    def to_json(self) -> dict[str, dict[str, str]]:
        out: dict[str, dict[str, str]] = {}
        for (impact, urgency), prio in self.cells.items():
            out.setdefault(impact.value, {})[urgency.value] = prio.value
        return out

    @classmethod
    def from_json(cls, data: Mapping[str, Mapping[str, str]]) -> PriorityMatrix:
        cells: dict[tuple[Level, Level], Priority] = {}
        for impact in Level:
            for urgency in Level:
                try:
                    raw = data[impact.value][urgency.value]
                except (KeyError, TypeError):
                    raise ValidationError(
                        "priority_matrix", f"priority matrix lacks impact={impact}, urgency={urgency}"
                    ) from None
                cells[(impact, urgency)] = Priority.parse(str(raw))
        return cls(cells)
