"""Where 'now' comes from: the system clock, or a fixed/advancing clock in tests."""

from __future__ import annotations

import getpass
import os
from datetime import UTC, datetime, timedelta
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime: ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


class ManualClock:
    """A clock that only moves when told to (tests, simulations)."""

    def __init__(self, start: datetime) -> None:
        self._now = start

    def now(self) -> datetime:
        return self._now

    def advance(self, delta: timedelta) -> None:
        self._now += delta

    def set(self, value: datetime) -> None:
        self._now = value


def default_author() -> str:
    """The person at the desk: IMDESK_USER, else the OS login name."""
    name = os.environ.get("IMDESK_USER", "").strip()
    if name:
        return name[:120]
    try:
        return getpass.getuser()[:120]
    except (KeyError, OSError):
        return "desk"
