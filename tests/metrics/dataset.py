"""A known month around the daylight-saving change in Europe/Berlin (Sun 29 Mar 2026, 02:00
CET -> 03:00 CEST): incidents opened, held, reopened, backdated, cancelled, one exercise and one
outside the range. The tests compare the figures with numbers worked out by hand."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from imdesk.app import AppContext
from imdesk.services.clock import ManualClock
from imdesk.services.incidents import IncidentEdit, NewIncident

BERLIN = ZoneInfo("Europe/Berlin")
# Mon 23 Mar 2026 00:00 CET .. Mon 6 Apr 2026 00:00 CEST
START = datetime(2026, 3, 22, 23, 0, tzinfo=UTC)
END = datetime(2026, 4, 5, 22, 0, tzinfo=UTC)


def t(day: int, hour: int, minute: int = 0, month: int = 3) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=UTC)


def build(ctx: AppContext, clock: ManualClock) -> dict[str, str]:
    inc = ctx.incidents
    refs: dict[str, str] = {}

    def at(when: datetime) -> None:
        clock.set(when)

    def open_(name: str, when: datetime, impact: str, urgency: str, **kw: object) -> str:
        at(when)
        refs[name] = inc.create(NewIncident(f"incident {name}", impact, urgency, **kw)).ref  # type: ignore[arg-type]
        return refs[name]

    def move(ref: str, when: datetime, to: str, note: str = "") -> None:
        at(when)
        inc.change_status(ref, to, note)

    # A: P2, acknowledged after 10 min, one hour on hold, resolved 3 h after opening.
    a = open_("A", t(24, 9), "high", "medium")
    move(a, t(24, 9, 10), "in_progress")
    move(a, t(24, 9, 30), "on_hold", "waiting for the vendor")
    move(a, t(24, 10, 30), "in_progress")
    move(a, t(24, 12), "resolved", "vendor patch")
    # B: P1 opened Sat 28 Mar 23:00Z, backdated to 22:40Z by a note; acknowledged 23:20Z,
    # declared major 23:30Z, first update 23:45Z, resolved 02:40Z, reopened 03:00Z, resolved
    # again 04:40Z (across the DST change).
    b = open_("B", t(28, 23), "high", "high")
    at(t(28, 23, 5))
    inc.add_note(b, "it started at 22:40", occurred_at=t(28, 22, 40))
    move(b, t(28, 23, 20), "in_progress")
    at(t(28, 23, 30))
    inc.edit(b, IncidentEdit(major=True))
    at(t(28, 23, 45))
    inc.add_entry(b, "first update to the business", "communication")
    move(b, t(29, 2, 40), "resolved", "failover")
    move(b, t(29, 3), "in_progress", "it broke again")
    move(b, t(29, 4, 40), "resolved", "fixed for good")
    # H: P2 by mail on Sunday after the change, acknowledged after 20 min, resolved 11.5 h later.
    h = open_("H", t(29, 10), "medium", "high", origin="mail")
    move(h, t(29, 10, 20), "in_progress")
    move(h, t(29, 21, 30), "resolved", "done")
    # C: P3 opened Sun 29 Mar 22:30Z = Mon 30 Mar 00:30 CEST: the second week. Acknowledged
    # after 30 min, still open.
    c = open_("C", t(29, 22, 30), "medium", "medium")
    move(c, t(29, 23), "in_progress")
    # D: P3, never acknowledged.
    open_("D", t(1, 10, month=4), "medium", "medium")
    # E: P5, cancelled from new.
    e = open_("E", t(2, 10, month=4), "low", "low")
    move(e, t(2, 10, 5, month=4), "cancelled", "duplicate")
    # F: an exercise, P1: acknowledged after 1 min, resolved after 31 min.
    f = open_("F", t(25, 10), "high", "high", exercise=True)
    move(f, t(25, 10, 1), "in_progress")
    move(f, t(25, 10, 31), "resolved", "drill over")
    # G: opened Mon 6 Apr 00:30 CEST: after the range.
    open_("G", t(5, 22, 30, month=4), "high", "high")
    clock.set(t(6, 12, month=4))
    return refs


HOUR = 3600.0
_ = timedelta
