"""What the war-room composer line means: '!' makes a decision, '@10:42 ' backdates it."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from imdesk.domain.errors import ValidationError

_AT = re.compile(r"^@(\d{1,2}):(\d{2})\s+")


@dataclass(frozen=True)
class ComposedLine:
    kind: str
    text: str
    occurred_at: datetime | None  # aware, in the zone of `now`


def _time_of_day(match: re.Match[str], field: str, now: datetime, *, past: bool) -> datetime:
    """HH:MM from the match on now's day; moved a day back (past) or on (future) when it
    falls on the wrong side of now."""
    hour, minute = int(match.group(1)), int(match.group(2))
    if hour > 23 or minute > 59:
        raise ValidationError(field, f"{match.group(0).strip()} is not a time of day")
    when = now.replace(hour=hour, minute=minute, second=0, microsecond=0)
    if past and when > now:
        when -= timedelta(days=1)
    if not past and when <= now:
        when += timedelta(days=1)
    return when


def parse_line(raw: str, kind: str, now: datetime) -> ComposedLine:
    """'!text' → a decision; '@HH:MM text' → it happened at HH:MM local time (today, or
    yesterday when that time has not come yet today). `now` must be aware local time."""
    text = raw.strip()
    occurred = None
    match = _AT.match(text)
    if match:
        occurred = _time_of_day(match, "time", now, past=True)
        text = text[match.end():].strip()
    if text.startswith("!"):
        kind, text = "decision", text[1:].strip()
    return ComposedLine(kind, text, occurred)


_DUE = re.compile(r"\s+~(\d{1,2}):(\d{2})\s*$")


@dataclass(frozen=True)
class ComposedAction:
    text: str
    owner: str
    due: datetime | None


def parse_action(raw: str, now: datetime) -> ComposedAction:
    """'check uplinks @Sam ~11:30': text, owner after '@', due after '~' (local time, today
    or tomorrow when that time has passed). `now` must be aware local time."""
    text = raw.strip()
    due = None
    match = _DUE.search(text)
    if match:
        due = _time_of_day(match, "due", now, past=False)
        text = text[:match.start()].strip()
    body, _, owner = text.partition("@")
    return ComposedAction(body.strip(), owner.strip(), due)
