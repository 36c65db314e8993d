"""Domain errors: a refusal of bad input, naming the field it is about."""

from __future__ import annotations


class ValidationError(ValueError):
    """Bad input from a user: names the field and says what is wrong in plain words."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


class TransitionError(ValidationError):
    """A status change the lifecycle does not allow."""

    def __init__(self, message: str) -> None:
        super().__init__("status", message)


class NotFoundError(LookupError):
    """A referenced record (incident, service) does not exist."""


class StaleStateError(ValidationError):
    """A change made against a state of the incident that another desk (or person) has changed
    since: refused with what changed and by whom, nothing written (team mode)."""

    def __init__(self, ref: str, by: str, what: str, seq: int, latest: int) -> None:
        super().__init__("expected_seq", f"{ref} was changed meanwhile by {by}: {what}")
        self.ref = ref
        self.by = by  # "DESK/USER", or the author alone for entries written before desks
        self.what = what
        self.seq = seq  # the entry that changed it
        self.latest = latest  # the incident's last seq now: what a second try is made against
