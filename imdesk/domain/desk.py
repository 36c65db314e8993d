"""Which console wrote something: a desk's identity (name, host, user).

In team mode several consoles share one PostgreSQL database; every entry a desk writes carries
its desk, and the status bar names the desk the console is. A single desk on its own SQLite file
has an identity too (it is simply never ambiguous).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

MAX_NAME = 60


@dataclass(frozen=True)
class Desk:
    name: str  # what people call the console: "SPOC desk", "MIM laptop"
    host: str  # the machine's host name
    user: str  # the person logged in (the entries' author)

    @property
    def label(self) -> str:
        """As shown to people: "SPOC desk (ana@ops-pc-3)"."""
        return f"{self.name} ({self.user}@{self.host})"

    def as_data(self) -> dict[str, Any]:
        """What an entry's data carries about the desk that wrote it (key "desk")."""
        return {"name": self.name, "host": self.host, "user": self.user}

    @classmethod
    def from_data(cls, data: Any) -> Desk | None:
        """The desk recorded in an entry's data["desk"], or None for entries written before desks."""
        if not isinstance(data, dict) or not data.get("name"):
            return None
        return cls(str(data["name"]), str(data.get("host", "")), str(data.get("user", "")))


def clean_name(value: str) -> str:
    """A desk name as typed, trimmed; ValueError names what is wrong."""
    name = " ".join(value.split())
    if not name:
        raise ValueError("a desk name cannot be empty")
    if len(name) > MAX_NAME:
        raise ValueError(f"a desk name has at most {MAX_NAME} characters (this one has {len(name)})")
    return name


def written_by(author: str, data: Any) -> str:
    """An entry's author as the timelines show it: "ana · SPOC desk" when it has a desk."""
    desk = Desk.from_data(data.get("desk") if isinstance(data, dict) else None)
    return f"{author} · {desk.name}" if desk is not None else author


@dataclass(frozen=True)
class Change:
    """One row of the team's change feed: a commit of a desk, and what it changed."""

    counter: int
    desk: str
    what: tuple[str, ...]  # incident refs, "contacts", "outbox", …; ("*",) = anything


def parse_change(counter: int, desk: str, what: str) -> Change:
    return Change(counter, desk, tuple(w for w in what.split(",") if w))
def offline_mark(data: Any) -> str:
    """How a timeline shows an entry written offline and merged later: " ⇄ written offline
    (SPOC desk)"; "" for any other entry."""
    offline = data.get("offline") if hasattr(data, "get") else None
    if not isinstance(offline, dict):
        return ""
    desk = Desk.from_data(offline.get("desk"))
    return f" ⇄ written offline{f' ({desk.name})' if desk else ''}"
