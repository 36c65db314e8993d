"""Shifts from a pattern of local start times ("06:00/14:00/22:00"): the window a moment falls
in, the window before it, and when the handover reminder is due — right across a change to or
from daylight-saving time (a night shift is then 7 or 9 hours long, never shifted by one)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from itertools import pairwise
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from imdesk.domain.errors import ValidationError

DEFAULT_TIMES = (time(6, 0), time(14, 0), time(22, 0))
DEFAULT_REMINDER_MINUTES = 30


@dataclass(frozen=True)
class ShiftWindow:
    """One shift: [start, end) in UTC."""

    start: datetime
    end: datetime

    def __contains__(self, at: datetime) -> bool:
        return self.start <= at < self.end

    @property
    def hours(self) -> float:
        return (self.end - self.start).total_seconds() / 3600


@dataclass(frozen=True)
class ShiftPattern:
    """Shift start times in local time (sorted, distinct) and the zone they are read in ("" =
    the machine's own zone)."""

    times: tuple[time, ...] = DEFAULT_TIMES
    timezone: str = ""
    reminder_minutes: int = DEFAULT_REMINDER_MINUTES

    @classmethod
    def parse(cls, text: str, timezone: str = "",
              reminder_minutes: int = DEFAULT_REMINDER_MINUTES) -> ShiftPattern:
        """"06:00/14:00/22:00" (also commas or blanks between the times)."""
        parts = [p for p in text.replace(",", " ").replace("/", " ").split() if p]
        if not parts:
            raise ValidationError("shifts", "name at least one shift start, like 06:00/18:00")
        times: set[time] = set()
        for part in parts:
            try:
                hh, mm = part.split(":")
                if not (hh.isdigit() and mm.isdigit() and len(mm) == 2 and len(hh) <= 2):
                    raise ValueError(part)
                times.add(time(int(hh), int(mm)))
            except ValueError:
                raise ValidationError("shifts", f"{part!r} is not a time like 06:00") from None
        if timezone:
            zone_of(timezone)
        if not 0 <= reminder_minutes <= 720:
            raise ValidationError("reminder", "the reminder comes 0 to 720 minutes before the end")
        return cls(tuple(sorted(times)), timezone.strip(), reminder_minutes)

    @property
    def text(self) -> str:
        return "/".join(t.strftime("%H:%M") for t in self.times)

    def to_json(self) -> dict[str, object]:
        return {"times": self.text, "timezone": self.timezone,
                "reminder_minutes": self.reminder_minutes}

    @classmethod
    def from_json(cls, raw: dict[str, object]) -> ShiftPattern:
        return cls.parse(str(raw.get("times") or "06:00/14:00/22:00"), str(raw.get("timezone") or ""),
                         int(str(raw.get("reminder_minutes", DEFAULT_REMINDER_MINUTES))))

    # -- windows ----------------------------------------------------------------------------
    def starts_on(self, day: date) -> list[datetime]:
        """The shift starts of one local calendar day, in UTC."""
        return [_to_utc(datetime.combine(day, t), self.timezone) for t in self.times]

    def _starts_around(self, at: datetime) -> list[datetime]:
        local_day = _local(at, self.timezone).date()
        starts: set[datetime] = set()
        for d in range(-2, 3):
            starts.update(self.starts_on(local_day + timedelta(days=d)))
        return sorted(starts)

    def window_at(self, at: datetime) -> ShiftWindow:
        """The shift that `at` falls in."""
        starts = self._starts_around(at)
        for a, b in pairwise(starts):
            if a <= at < b:
                return ShiftWindow(a, b)
        raise ValidationError("at", "no shift found around that time")  # pragma: no cover

    def window_starting(self, start: datetime) -> ShiftWindow:
        """The shift that starts exactly at `start` (a shift start of the pattern)."""
        window = self.window_at(start)
        if window.start != start:
            raise ValidationError("shift start", f"no shift starts at {start.isoformat()}; "
                                  f"shifts start at {self.text}")
        return window

    def previous(self, window: ShiftWindow) -> ShiftWindow:
        return self.window_at(window.start - timedelta(microseconds=1))

    def reminder_at(self, window: ShiftWindow) -> datetime:
        return max(window.start, window.end - timedelta(minutes=self.reminder_minutes))

    def reminder_due(self, now: datetime) -> bool:
        """The handover of the shift running at `now` is due (inside the reminder time)."""
        window = self.window_at(now)
        return self.reminder_minutes > 0 and now >= self.reminder_at(window)


def zone_of(name: str) -> tzinfo:
    try:
        return ZoneInfo(name.strip())
    except (ZoneInfoNotFoundError, ValueError):
        raise ValidationError("timezone", f"{name!r} is not a time zone like Europe/Berlin") from None


def _local(at: datetime, timezone: str) -> datetime:
    return at.astimezone(zone_of(timezone)) if timezone else at.astimezone()


def _to_utc(naive_local: datetime, timezone: str) -> datetime:
    """A local wall time to UTC. A time that does not exist (inside the spring-forward gap)
    is read with the offset before the gap; a time that comes twice, as its first time."""
    if timezone:
        return naive_local.replace(tzinfo=zone_of(timezone), fold=0).astimezone(UTC)
    return naive_local.astimezone(UTC)  # the machine's rules (mktime)
