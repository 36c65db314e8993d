"""The demo's links: services know what they depend on (Network ← VPN, E-mail, ERP …), and the
open major incident has callers — people who phoned or wrote about the same outage, each
call its own incident linked to the master, a few minutes apart."""

from __future__ import annotations

from datetime import datetime, timedelta

from imdesk.domain.incident import IncidentState
from imdesk.services.clock import ManualClock
from imdesk.services.incidents import IncidentService, NewIncident
from imdesk.services.links.dependencies import DependencyService
from imdesk.services.links.service import LinkService
from imdesk.storage.database import Database

DEPENDENCIES = {
    "VPN": ["Network", "Active Directory"], "E-mail": ["Network", "Active Directory"],
    "ERP": ["Network", "Active Directory"], "Payroll": ["ERP", "E-mail"], "Website": ["Network"],
    "Wi-Fi": ["Network"], "Telephony": ["Network"], "File shares": ["Network", "Active Directory"],
    "Printing": ["Network"], "Backup": ["File shares"], "Service Desk portal": ["Website", "E-mail"],
    "Network": ["Data-centre power"], "Active Directory": ["Data-centre power"],
}
# (minute of the last half hour, title as the caller said it, caller, contact, origin)
CALLS = [
    (4, "customers say our replies never arrive", "Marco Rossi", "marco.rossi@example.com",
     "phone"),
    (7, "no external e-mail since this morning", "Erik Lindqvist", "+49 40 5550 1207", "phone"),
    (9, "sales@ shared mailbox silent", "Chloé Martin", "chloe.martin@example.com", "mail"),
    (12, "supplier invoices by mail not received", "Raj Patel", "raj.patel@example.com", "chat"),
    (16, "Outlook shows no new mail from outside", "Anna Kowalska", "+49 40 5550 2231", "phone"),
    (21, "newsletter bounces reported by partners", "Diego Álvarez", "diego.alvarez@example.com",
     "walk_in"),
]


def seed_demo_links(db: Database, incidents: IncidentService, now: datetime) -> int:
    """Dependencies between the demo services and callers of the open major; returns calls."""
    deps = DependencyService(db)
    names = {n.casefold(): n for n in deps.edges()}
    with db.write() as s:
        deps.set_in(s, {names[k.casefold()]: [names[d.casefold()] for d in v
                                               if d.casefold() in names]
                        for k, v in DEPENDENCIES.items() if k.casefold() in names})
    master = _open_major(incidents)
    if master is None:
        return 0
    clock = ManualClock(now)
    calls = IncidentService(db, clock=clock, author="Service Desk")
    links = LinkService(db, calls)
    made = 0
    start = max(master.updated_at, now - timedelta(minutes=30))  # after the master's last entry
    for minutes, title, caller, contact, origin in CALLS:
        at = min(now, start + timedelta(minutes=minutes))
        clock.set(at)
        links.open_as_caller(NewIncident(title=title, impact="medium", urgency="high",
                                         origin=origin), master.ref,
                             caller_name=caller, caller_contact=contact)
        made += 1
    return made


def _open_major(incidents: IncidentService) -> IncidentState | None:
    from imdesk.domain.incident_query import IncidentQuery
    from imdesk.domain.lifecycle import OPEN_STATUSES

    rows = incidents.page(IncidentQuery(statuses=tuple(OPEN_STATUSES), major_only=True), 0, 5)
    real = [r for r in rows if not r.exercise]
    return real[0] if real else None
