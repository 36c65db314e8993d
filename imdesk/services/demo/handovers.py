"""The demo desk's handovers: the two shifts before this one signed and taken over (so the
history is in use and the previous handover is one key away), and this shift's draft with the
outgoing manager's first ratings, an if-then line and a note."""

from __future__ import annotations

from datetime import timedelta

from imdesk.services.clock import ManualClock
from imdesk.services.demo.desk import DemoDesk
from imdesk.services.handover.service import HandoverService, default_extras
from imdesk.services.war_room import WarRoomService

CREW = ("Jonas Berg", "Kim Nguyen", "Mei Tanaka")


def seed_demo_handovers(ctx: DemoDesk) -> None:
    clock = ManualClock(ctx.incidents.now())
    now = clock.now()
    svc = HandoverService(ctx.db, extras=default_extras(WarRoomService(ctx.db, clock=clock),
                                                        ctx.contacts), clock=clock)
    if svc.history(limit=1):
        return
    current = svc.window()
    before = svc.previous(current)
    windows = [svc.previous(before), before]
    for n, window in enumerate(windows):
        outgoing, incoming = CREW[n], CREW[n + 1]
        clock.set(window.end - timedelta(minutes=12))
        view = svc.show(window)
        ratings = {row["ref"]: ("unstable" if row["major"] else "watch" if row["sla"] != "ok"
                                else "stable") for row in view.content["open"][:6]}
        svc.author = outgoing
        svc.sign(window, outgoing, ratings=ratings,
                 notes="Quiet apart from the open major incident; the vendor has the ticket."
                 if n else "Night was calm; two printers and a mailbox left for the day shift.",
                 if_then=["if the mail queue grows again, then call the vendor's hotline and "
                          "send an update"] if n else [])
        clock.set(window.end + timedelta(minutes=6))
        svc.author = incoming
        svc.take(incoming, "I take over the open major incident and its next update; the "
                           "printers and the mailbox cases wait for the vendor and the user.",
                 handover_id=None)
    clock.set(now)
    view = svc.show(current)
    majors = [r["ref"] for r in view.content["open"] if r["major"]]
    svc.save_draft(current, ratings={ref: "unstable" for ref in majors},
                   if_then=["if the certificate does not arrive by 15:00, then escalate to the "
                            "vendor's duty manager"],
                   notes="Mail is flowing again; watch the queue.")
