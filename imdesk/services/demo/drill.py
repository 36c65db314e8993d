"""The demo's past drill: "Mail relay down" played three days ago on its own clock, worked by a
trainee (acknowledged, a first update written, the on-call reached, resolved — the major
declaration and a playbook step or two left out), with its scorecard and a signed after-action
report, so the Drills pane shows a finished exercise."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta

from imdesk.services.alerts.intake import AlertService
from imdesk.services.clock import ManualClock
from imdesk.services.contacts.checks import ContactChecks
from imdesk.services.drills.delivery import Deliverer
from imdesk.services.drills.player import DrillPlayer
from imdesk.services.drills.reports import CorrectiveAction, DrillReports
from imdesk.services.drills.scenario_file import find
from imdesk.services.drills.scoring import DrillScoring
from imdesk.services.drills.service import DrillService
from imdesk.services.incidents import IncidentService
from imdesk.storage.database import Database

TRAINEE = "Priya Raman"
LEAD = "Dana Weiss"


def seed_demo_drill(db: Database, now: datetime, contact_id: int | None) -> int:
    """Write the past drill; returns its id."""
    clock = ManualClock((now - timedelta(days=3)).replace(hour=9, minute=0, second=0,
                                                          microsecond=0))
    incidents = IncidentService(db, clock=clock, author=TRAINEE)
    intake = AlertService(db, incidents, clock=incidents)
    service = DrillService(db, clock=clock, author=LEAD)
    drill = service.start(find("mail-relay-down"), speed=1,
                          participants=[TRAINEE, "Tom Becker (observer)"],
                          allow_list=["drill-inbox@example.com"])
    player = DrillPlayer(service, drill, Deliverer(lambda body, fmt: intake.ingest(body, fmt)))
    player.tick()
    actions: dict[int, Callable[[str], object]] = {
        3 * 60: lambda ref: incidents.change_status(ref, "in_progress", "looking at relay-01"),
        11 * 60: lambda ref: incidents.add_entry(
            ref, "Mail to customers is delayed; invoices are queued, not lost. Next update 10:00.",
            "communication"),
        14 * 60: lambda ref: ContactChecks(db, clock, TRAINEE).log_call(
            ref, contact_id, "reached") if contact_id else None,
        33 * 60: lambda ref: incidents.change_status(ref, "resolved",
                                                     "relay-01 restarted, queue drained"),
    }
    second = 0
    while not player.finished:
        second += 30
        clock.advance(timedelta(seconds=30))
        refs = service.incident_refs(drill.id)
        if refs and second in actions:
            actions[second](refs[0])
        if second == 33 * 60:  # the relay's second alert opened an incident of its own
            for ref in refs[1:]:
                incidents.change_status(ref, "resolved", "same relay-01 outage, restarted")
        player.tick()
    reports = DrillReports(db, service, DrillScoring(db))
    reports.edit(drill.id,
                 strengths="Acknowledged within three minutes; the first update was clear and "
                           "said what users could expect; the messaging on-call was reached "
                           "fast.",
                 improvements="The relay outage was not declared a major incident although "
                              "invoicing stopped; no bridge was opened and no roles named.",
                 actions=[CorrectiveAction("Add 'customer mail stopped' to the major incident "
                                           "criteria", LEAD, date.fromordinal(now.toordinal() + 14)),
                          CorrectiveAction("Practise the declaration checklist in the next drill",
                                           TRAINEE, date.fromordinal(now.toordinal() + 30))])
    reports.sign(drill.id, LEAD)
    return drill.id
