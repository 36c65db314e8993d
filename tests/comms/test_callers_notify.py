"""The master's callers as an audience: forty callers linked, the master resolved, the resolved
message reaches each caller once through the outbox (a real SMTP server on 127.0.0.1)."""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

from imdesk.context import AppContext
from imdesk.services.comms.recipients import Recipient
from imdesk.services.incidents import NewIncident
from tests.comms.conftest import configure, open_incident, use_people
from tests.helpers.smtp_server import SmtpServer


def test_resolved_message_reaches_each_caller_once(
        ctx: AppContext, smtp_server: SmtpServer, test_ca: tuple[Any, Path],
        session_secrets: Any) -> None:
    configure(ctx, smtp=smtp_server, ca_file=test_ca[1])
    use_people(ctx, [Recipient("Anna Weber", emails=("anna.weber@example.org",))])
    master = open_incident(ctx, "E-mail outage", "E-mail")
    for i in range(40):
        ref = ctx.incidents.create(NewIncident(title=f"cannot send mail {i}", impact="low",
                                               urgency="low")).ref
        # caller 0 is in the contact book by name; "Caller 1" called twice (i = 1 and 39)
        name, contact = (("Anna Weber", "") if i == 0 else
                         (f"Caller {i % 38}", f"caller{i % 38}@example.org"))
        ctx.links.link(ref, master, caller_name=name, caller_contact=contact)
    nobody = ctx.incidents.create(NewIncident(title="walk-in", impact="low", urgency="low")).ref
    ctx.links.link(nobody, master)
    ctx.incidents.change_status(master, "resolved", note="gateway restarted")
    plan = ctx.comms.notify.plan(master, "resolved", audience="callers")
    addresses = [m.address for m in plan.messages]
    assert len(addresses) == len(set(addresses)) == 39
    assert "anna.weber@example.org" in addresses
    assert [u.name for u in plan.unreachable] == [nobody]
    ctx.comms.notify.queue(plan)
    ctx.comms.secrets = session_secrets
    snd = ctx.comms.sender(rng=random.Random(7))
    while snd.run_once().sent:
        pass
    got = sorted(r.rcpt[0] for r in smtp_server.received)
    assert got == sorted(addresses)
    comm = [e for e in ctx.incidents.detail(master).timeline if e.kind == "communication"]
    assert comm[-1].data["audience"] == "callers"
    assert ctx.timeline.verify().ok
