"""Incident lifecycle: new -> in_progress <-> on_hold -> resolved -> closed, with its rules."""

from __future__ import annotations

from enum import StrEnum

from imdesk.domain.errors import TransitionError, ValidationError


class Status(StrEnum):
    NEW = "new"
    IN_PROGRESS = "in_progress"
    ON_HOLD = "on_hold"
    RESOLVED = "resolved"
    CLOSED = "closed"
    CANCELLED = "cancelled"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ")

    @property
    def is_open(self) -> bool:
        return self in OPEN_STATUSES

    @classmethod
    def parse(cls, value: str) -> Status:
        try:
            return cls(value.strip().lower().replace(" ", "_").replace("-", "_"))
        except ValueError:
            allowed = ", ".join(m.value for m in cls)
            raise ValidationError("status", f"status must be one of {allowed}, not {value!r}") from None


OPEN_STATUSES = frozenset({Status.NEW, Status.IN_PROGRESS, Status.ON_HOLD})
FINAL_STATUSES = frozenset({Status.CLOSED, Status.CANCELLED})

ALLOWED: dict[Status, frozenset[Status]] = {
    Status.NEW: frozenset({Status.IN_PROGRESS, Status.ON_HOLD, Status.RESOLVED, Status.CANCELLED}),
    Status.IN_PROGRESS: frozenset({Status.ON_HOLD, Status.RESOLVED, Status.CANCELLED}),
    Status.ON_HOLD: frozenset({Status.IN_PROGRESS, Status.RESOLVED, Status.CANCELLED}),
    Status.RESOLVED: frozenset({Status.CLOSED, Status.IN_PROGRESS}),
    Status.CLOSED: frozenset(),
    Status.CANCELLED: frozenset(),
}

# Statuses whose entry needs a text from the user, and what that text is called.
NOTE_REQUIRED: dict[Status, str] = {
    Status.ON_HOLD: "a reason for putting it on hold",
    Status.RESOLVED: "a resolution note",
    Status.CANCELLED: "a reason for cancelling",
}


def allowed_targets(current: Status) -> frozenset[Status]:
    return ALLOWED[current]


def check_transition(current: Status, target: Status, note: str) -> None:
    """Raise TransitionError/ValidationError unless current -> target is allowed with this note."""
    if current == target:
        raise TransitionError(f"the incident is already {target.label}")
    if current in FINAL_STATUSES:
        raise TransitionError(f"a {current.label} incident is final and cannot become {target.label}")
    if target not in ALLOWED[current]:
        allowed = ", ".join(sorted(s.value for s in ALLOWED[current]))
        raise TransitionError(f"cannot go from {current.value} to {target.value} (allowed: {allowed})")
    what = NOTE_REQUIRED.get(target)
    if what and not note.strip():
        raise ValidationError("note", f"{target.label} needs {what}")
