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
