"""Two desks on one PostgreSQL server: the outgoing manager signs on one, the incoming manager
reads the same frozen handover on the other and takes it over; the triggers refuse edits there
too, and a second take-over from the first desk is refused."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from imdesk.app import build_context
from imdesk.domain.errors import TransitionError
from imdesk.domain.handover import HandoverState
from imdesk.services.clock import ManualClock
from imdesk.services.incidents import NewIncident
from tests.conftest import fresh_pg_url

pytestmark = pytest.mark.postgres


def test_one_desk_signs_the_other_takes_over(pg_template: str) -> None:
    url = fresh_pg_url(pg_template)
    clock = ManualClock(datetime(2026, 10, 24, 21, 0, tzinfo=UTC))
    night, morning = (build_context(url, clock=clock, author="desk-1"),
                      build_context(url, clock=clock, author="desk-2"))
    try:
        night.handover.set_pattern("06:00/14:00/22:00", "Europe/Berlin")
        ref = night.incidents.create(NewIncident("Mail outage", "high", "high", major=True)).ref
        done = night.incidents.create(NewIncident("Printer jams", "low", "low")).ref
        clock.advance(timedelta(hours=1))
        night.incidents.change_status(done, "resolved", "paper tray replaced")
        clock.advance(timedelta(hours=6, minutes=40))  # 05:40 CET, 20 min before the end
        window = night.handover.window()
        assert window.hours == 9
        signed = night.handover.sign(window, "Kim Nguyen", ratings={ref: "unstable"},
                                     notes="Mail is the one to watch.")
        assert [r["ref"] for r in signed.content["resolved"]] == [done]
        assert [r["ref"] for r in signed.content["opened"]] == [ref, done]
        seen = morning.handover.show(morning.handover.window())
        assert seen.state == HandoverState.SIGNED and seen.content == signed.content
        assert morning.handover.open_count() == 1  # visibly open on the other desk
        taken = morning.handover.take("Sam Okafor", "I own the mail outage and its next update.")
        assert taken.taken and taken.taken.name == "Sam Okafor"
        assert night.handover.show(window).state == HandoverState.TAKEN
        with pytest.raises(TransitionError, match="already taken over"):
            night.handover.take("Kim", "Taking over once more is refused.", handover_id=signed.id)
        with pytest.raises(DBAPIError, match="append-only"), night.db.write() as s:
            s.execute(text("UPDATE handover_step SET name = 'x'"))
        with pytest.raises(DBAPIError, match="does not change"), night.db.write() as s:
            s.execute(text("DELETE FROM handover"))
        assert night.handover.verify().ok and morning.handover.verify().ok
    finally:
        night.close()
        morning.close()
