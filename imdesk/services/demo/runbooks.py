"""The demo's runbooks: every demo service has one to three documents a person at 3 a.m. reaches
for (restart, dashboards, the vendor contract, fail-over), written by the service's people; one
has a second version (so the diff shows something) and one has not been reviewed for over half a
year (stale, in the review queue). The awareness board is written into the demo data folder."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from imdesk.services.clock import ManualClock
from imdesk.services.docs.service import DocService
from imdesk.services.docs.settings import DeskContact, DocSettings

WIKI = "https://wiki.northwind.example"
GRAFANA = "https://grafana.northwind.example/d"

# (service, owner, title, text); the texts are short but real enough to act on.
RUNBOOKS: list[tuple[str, str, str, str]] = [
    ("E-mail", "Marco Rossi", "Restart the Exchange transport",
     "# Restart the Exchange transport\n\nWhen mail queues grow (> 500 in *Queue Viewer*) or users "
     "report mails stuck in the outbox.\n\n1. Log on to `EXCH01` with your admin account.\n"
     "2. `Get-Queue | Sort MessageCount -Desc | Select -First 5` — note the biggest queue.\n"
     "3. `Restart-Service MSExchangeTransport` on **one** node; wait until its queue drains.\n"
     "4. Repeat on `EXCH02`.\n\nIf the queue does not drain within 15 minutes, escalate to the "
     f"Server team's step 2.\n\nFull procedure: [Exchange runbook]({WIKI}/runbooks/exchange)\n"),
    ("E-mail", "Marco Rossi", "Mail dashboards",
     f"# Mail dashboards\n\n- [Mail flow]({GRAFANA}/mailflow) — messages per minute in and out\n"
     f"- [Queues]({GRAFANA}/exchange-queues) — the transport queues per node\n"
     "- Microsoft 365 service health: admin centre → *Health*\n\nNormal: 300–900 messages/min "
     "in office hours; anything under 50 in office hours means mail is not flowing.\n"),
    ("ERP", "Hannah Schulz", "ERP fail-over to the standby database",
     "# ERP fail-over to the standby database\n\nOnly with the ERP owner's go (Hannah Schulz or "
     "her deputy).\n\n1. Stop the application servers `ERP-APP1..3` (*Services → ERP AS*).\n"
     "2. On `ERPDB-STBY`: `ALTER DATABASE … FAILOVER` — the DB team's checklist step 4.\n"
     "3. Point the DNS alias `erp-db` at `ERPDB-STBY` (TTL is 60 s).\n"
     "4. Start the application servers; log in as `ERPCHECK` and open one sales order.\n\n"
     "Expected downtime: 20–30 minutes. Tell the business before step 1.\n"),
    ("ERP", "Hannah Schulz", "ERP vendor support contract",
     "# ERP vendor support contract\n\n- Contract **NW-ERP-2291**, *Premium* level, valid until "
     "31 Mar 2027\n- P1: call back within 30 minutes, 24/7 — hotline +49 69 2222 0100\n"
     "- P2: 4 hours, office hours\n- Open a ticket in the vendor portal too and quote the contract "
     "number; the hotline asks for it.\n"),
    ("VPN", "Ingrid Larsen", "Restart the VPN concentrators",
     "# Restart the VPN concentrators\n\nThe pair `VPN-A` / `VPN-B` runs active/active. "
     "**Never restart both at once.**\n\n1. Check the certificate expiry first: *System → "
     "Certificates*; an expired certificate looks exactly like an outage.\n2. Drain `VPN-A` "
     "(*Maintenance mode*), wait until sessions < 20, restart.\n3. Check a test login, then the "
     f"same for `VPN-B`.\n\n[VPN sessions dashboard]({GRAFANA}/vpn-sessions)\n"),
    ("Payroll", "Yusuf Demir", "Payroll run: what to do when it fails",
     "# Payroll run: what to do when it fails\n\n1. Call the **PayServ hotline** first — they "
     "run the payroll engine.\n2. The payroll file is exported from ERP at 12:00; check it "
     "arrived on `\\\\files\\payroll\\out` (size > 0).\n3. If the ERP export failed, ERP's "
     "on-duty person re-runs job `PR-EXPORT`.\n\nCut-off for a same-day run: 15:00.\n"),
    ("Website", "Chloé Martin", "Website: purge the CDN and roll back",
     "# Website: purge the CDN and roll back\n\n- Purge: CDN console → *Purge all* (takes 2 min).\n"
     "- Roll back: in the deploy tool pick the previous release and *Promote*.\n\n"
     f"[Uptime]({GRAFANA}/website-uptime) · [Error rate]({GRAFANA}/website-errors)\n"),
    ("Telephony", "Ingrid Larsen", "Telephony: SBC restart and the Telekom contract",
     "# Telephony: SBC restart and the Telekom contract\n\nThe session border controller is in "
     "DC1 rack 4 (label *SBC-01*).\n\n1. Check the SIP trunk state on the SBC web UI.\n"
     "2. If the trunk is down but the SBC is fine: call **Telekom Business Service** "
     "(contract 4711-0815, 24/7, 4 h fix time).\n3. A hard restart of the SBC takes 6 minutes; "
     "all calls drop.\n"),
    ("Data-centre power", "Ingrid Larsen", "Power failure in DC1",
     "# Power failure in DC1\n\nThe generator starts by itself within 30 s. If it does not:\n\n"
     "1. Call **Building security (gate)** — they open the generator room.\n2. Call "
     "**PowerSafe UPS service** (24/7); the UPS holds about 25 minutes at today's load.\n3. "
     "After 15 minutes without the generator: shut down test and development systems first "
     "(list in the DC folder, page 3).\n"),
    ("Wi-Fi", "Marco Rossi", "Wi-Fi controller fail-over",
     "# Wi-Fi controller fail-over\n\nAccess points fall back to `WLC-2` by themselves within 2 "
     "minutes. If they do not, set `WLC-2` primary in *Controller → HA* and reboot one access "
     "point to test.\n"),
    ("Printing", "Ben Fischer", "Restart the print spooler",
     "# Restart the print spooler\n\nOn `PRINT01`: `Restart-Service Spooler`. Stuck jobs are in "
     "`C:\\Windows\\System32\\spool\\PRINTERS` — delete them only with the spooler stopped.\n"),
    ("Active Directory", "Ingrid Larsen", "Active Directory: replication check",
     "# Active Directory: replication check\n\n`repadmin /replsummary` on any DC. Largest delta "
     "above 60 minutes: check the site links. Never restore a DC from a snapshot.\n\n"
     f"[AD runbook]({WIKI}/runbooks/ad)\n"),
    ("File shares", "Marco Rossi", "File shares: restore a folder",
     "# File shares: restore a folder\n\nPrevious versions are kept every 2 hours for 7 days: "
     "right-click the folder → *Restore previous versions*. Older: ask the Backup service.\n"),
    ("Service Desk portal", "Ben Fischer", "Portal down: the fallback",
     "# Portal down: the fallback\n\nSwitch the phone menu to announcement 3 (\"portal down, "
     "please call\") and log calls straight into imdesk.\n"),
    ("Backup", "Ingrid Larsen", "Backup: a failed night",
     "# Backup: a failed night\n\nRe-run the failed jobs from the backup console before 07:00; "
     "after that they slow the file shares. Two failed nights in a row: tell the Server team "
     "lead.\n"),
    ("Network", "Ingrid Larsen", "Core switch fail-over",
     "# Core switch fail-over\n\nThe core pair `CORE-1` / `CORE-2` in DC1 and DC2.\n\n1. Check "
     "the uplinks on the surviving switch (`show interface status`).\n2. Call **Hanse Fibre NOC** "
     "if a carrier line is down.\n3. Move the default gateway (VRRP priority) only after the "
     f"Network team lead agrees.\n\n[Core network runbook]({WIKI}/runbooks/core-network)\n"),
    ("Workplace devices", "Ben Fischer", "Laptop will not boot: the loan pool",
     "# Laptop will not boot: the loan pool\n\nThe service desk keeps 12 loan laptops in room "
     "0.14; hand one out and log the asset number on the incident.\n"),
]
STALE_TITLE = "Wi-Fi controller fail-over"


def seed_demo_docs(ctx: Any, now: datetime) -> int:
    """The demo's documents (once) and the board's folder and desk contact; returns how many."""
    settings = DocSettings(ctx.db)
    if not settings.desk_contact().phone:  # what a user changed in the demo stays
        settings.set_desk_contact(DeskContact("+49 30 4000 100", "servicedesk@northwind.example",
                                              "24/7 for outages; questions Mon–Fri 07:00–19:00"))
    if not settings.board_folder():
        from imdesk.paths import demo_db_path

        settings.set_board_folder(str(demo_db_path().parent / "board"))
    if ctx.docs.documents(include_retired=True):
        return 0
    known = {s.lower() for s in ctx.contacts.services()}
    made = 0
    for n, (service, owner, title, text) in enumerate(RUNBOOKS):
        if service.lower() not in known:
            continue
        age = timedelta(days=200) if title == STALE_TITLE else timedelta(days=20 + 3 * n)
        clock = ManualClock(now - age)
        docs = DocService(ctx.db, clock=clock, author=owner)
        d = docs.add(service, title, text, owner=owner)
        if n == 0:  # a second version, so the diff has something to show
            clock.advance(timedelta(days=9))
            docs.save(d.id, title, text.replace("(> 500 in *Queue Viewer*)",
                                                "(> 300 in *Queue Viewer*, or older than 10 min)"))
        made += 1
    from imdesk.services.board.writer import write_board

    write_board(ctx)  # the business's page, in the demo data folder
    return made
