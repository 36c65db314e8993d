"""Leases: who does the team's shared work (the alert listener, the outbox sender) and who is
sending one message right now.

A lease has a holder (a desk, on a host, in a process, with a token unique to that holding) and
an expiry; the holder renews it, and when it stops renewing anyone may take it after expiry. A
holder on this very host whose process is gone has let go at once (it crashed or was killed):
no need to wait for the expiry there. Pure rules; the table is storage/lease_models.py.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from imdesk.domain.timefmt import to_local

LISTENER = "alert-listener"
SENDER = "outbox-sender"
KNOWN = (LISTENER, SENDER)
SHORT_NAMES = {LISTENER: "listener", SENDER: "sender"}

TTL = timedelta(seconds=15)  # a team lease not renewed for this long may be taken over
RENEW_S = 5.0  # how often its holder renews it
CLAIM_TTL = timedelta(seconds=60)  # a message "sending" under a claim not renewed for this long
CLAIM_RENEW_S = 15.0  # how often a sender renews the claims of what it has in flight


@dataclass(frozen=True)
class Holder:
    """One holding: this desk, in this process, for this run (the token)."""

    desk: str
    host: str
    pid: int
    token: str

    @property
    def tag(self) -> str:
        """How a message's claim names its holder (one string, parsed back by `from_tag`)."""
        return f"{self.token}|{self.pid}|{self.host}|{self.desk}"[:200]

    @classmethod
    def from_tag(cls, tag: str) -> Holder | None:
        parts = tag.split("|", 3)
        if len(parts) != 4 or not parts[1].isdigit():
            return None
        return cls(desk=parts[3], host=parts[2], pid=int(parts[1]), token=parts[0])

    def gone(self, here: str, alive: Alive) -> bool:
        """Its process has ended, as far as this host can tell (only a holder on this host)."""
        return self.host == here and not alive(self.pid)


Alive = Callable[[int], bool]  # does a process with this id run on this host?


def claim_is_stale(tag: str, expires: datetime | None, mine: str, here: str,
                   now: datetime, alive: Alive) -> bool:
    """May a sender take over a message "sending" under this claim? Its own claims (it has
    nothing in flight when it asks), an expired one, or one whose process is gone."""
    if not tag:
        return True  # a claim from before leases: the caller's age rule decides
    if tag == mine or expires is None or expires <= now:
        return True
    holder = Holder.from_tag(tag)
    return holder is not None and holder.gone(here, alive)


@dataclass(frozen=True)
class LeaseInfo:
    """Who holds a lease, as any desk sees it."""

    name: str
    desk: str
    host: str
    pid: int
    since: datetime
    renewed_at: datetime
    expires_at: datetime

    def live(self, now: datetime) -> bool:
        return self.expires_at > now

    def line(self, now: datetime) -> str:
        """ "listener: on SPOC desk since 10:42", or that nobody holds it now."""
        what = SHORT_NAMES.get(self.name, self.name)
        if not self.live(now):
            return f"{what}: nobody (last on {self.desk}, until {to_local(self.expires_at):%H:%M})"
        return f"{what}: on {self.desk} since {to_local(self.since):%H:%M}"

    def as_json(self) -> dict[str, object]:
        return {"name": self.name, "desk": self.desk, "host": self.host, "pid": self.pid,
                "since": self.since.isoformat(), "renewed_at": self.renewed_at.isoformat(),
                "expires_at": self.expires_at.isoformat()}

    @classmethod
    def from_json(cls, raw: dict[str, object]) -> LeaseInfo:
        return cls(str(raw["name"]), str(raw["desk"]), str(raw["host"]), int(str(raw["pid"])),
                   datetime.fromisoformat(str(raw["since"])),
                   datetime.fromisoformat(str(raw["renewed_at"])),
                   datetime.fromisoformat(str(raw["expires_at"])))


def may_take(current: LeaseInfo | None, token: str, current_token: str, here: str,
             now: datetime, alive: Alive) -> bool:
    """May the holding `token` take (or keep) a lease currently held as `current`?"""
    if current is None or current_token == token or not current.live(now):
        return True
    return Holder(current.desk, current.host, current.pid, current_token).gone(here, alive)


def lease_line(leases: list[LeaseInfo], name: str, now: datetime) -> str:
    """The header line for one lease ("sender: on SPOC desk since 10:42"); empty when no desk
    ever held it (one desk on a SQLite file lists none)."""
    for info in leases:
        if info.name == name:
            return info.line(now)
    return ""
