"""How times read on the desk: 'today 10:42', 'yesterday 22:10', 'Mon 24 Nov 09:00' (local)."""

from __future__ import annotations

from datetime import datetime, timedelta, tzinfo

_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def to_local(value: datetime, tz: tzinfo | None = None) -> datetime:
    return value.astimezone(tz) if tz is not None else value.astimezone()


def friendly(value: datetime | None, now: datetime, tz: tzinfo | None = None) -> str:
    """A local date and time that reads at a glance, always with the day."""
    if value is None:
        return "—"
    local = to_local(value, tz)
    today = to_local(now, tz).date()
    clock = local.strftime("%H:%M")
    if local.date() == today:
        return f"today {clock}"
    if local.date() == today - timedelta(days=1):
        return f"yesterday {clock}"
    text = f"{_DAYS[local.weekday()]} {local.day} {_MONTHS[local.month - 1]}"
    if local.year != today.year:
        text += f" {local.year}"
    return f"{text} {clock}"


def exact(value: datetime | None, tz: tzinfo | None = None) -> str:
    """Full local time with its UTC offset (for tooltips)."""
    if value is None:
        return ""
    return to_local(value, tz).isoformat(sep=" ", timespec="seconds")


def readable(value: datetime, tz: tzinfo | None = None) -> str:
    """An absolute local time for a message or a line that is read later: the day, the date,
    the time to the minute and the UTC offset ("Mon 24 Nov 2026 10:42 +01:00")."""
    local = to_local(value, tz)
    offset = local.strftime("%z")
    zone = f"{offset[:3]}:{offset[3:]}" if offset else ""
    return (f"{_DAYS[local.weekday()]} {local.day} {_MONTHS[local.month - 1]} {local.year} "
            f"{local:%H:%M} {zone}").rstrip()
