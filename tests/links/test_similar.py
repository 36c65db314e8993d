"""Similar open incidents: on a seeded desk, the master of the e-mail outage is the first hint
for its callers' typical wordings, typos included; closed incidents and callers never show."""

from __future__ import annotations

import pytest

from imdesk.context import AppContext
from imdesk.services.incidents import NewIncident

SERVICES = ("E-mail", "VPN", "ERP", "Printing", "Wi-Fi", "Telephony", "Website", "Payroll")
DISTRACTORS = [
    ("VPN drops sessions every few minutes", "VPN"),
    ("VPN client cannot connect from home office", "VPN"),
    ("ERP invoice run stuck at step 4", "ERP"),
    ("ERP login slow for finance", "ERP"),
    ("Printer on 3rd floor jams", "Printing"),
    ("Cannot print to the plotter", "Printing"),
    ("Wi-Fi in meeting room Berlin weak", "Wi-Fi"),
    ("Guest Wi-Fi portal does not load", "Wi-Fi"),
    ("Desk phone shows no dial tone", "Telephony"),
    ("Call centre queue music missing", "Telephony"),
    ("Website contact form returns 500", "Website"),
    ("Payroll export file has wrong dates", "Payroll"),
    ("Shared calendar not syncing on phone", "E-mail"),
    ("Mailbox quota warning for the sales team", "E-mail"),
    ("New starter needs a laptop", None),
    ("Password reset for Jörg Müller", None),
    ("Send the monthly ERP report to finance", "ERP"),
]
MASTER = ("E-mail outage: outgoing mail stuck in the gateway queue", "E-mail",
          "Outlook and phones cannot send e-mail; messages stay in the outbox. SMTP gateway "
          "mx-out-1 refuses connections.")
CALLERS = ["can't send mail from Outlook", "emails stuck in outbox", "mail not going out"]

PHRASINGS = [
    "can't send mail",
    "cant sned emails",
    "e-mail is down",
    "e-mial outage",
    "outlook not sending",
    "outlook wont send",
    "my mails are stuck",
    "messages stay in the outbox",
    "email gateway",
    "mail stuck in queue",
    "outgoing mial",
    "sending e-mail fails",
    "Emails not sent",
]


def _seed(ctx: AppContext) -> str:
    for name in SERVICES:
        ctx.catalog.add(name)
    for title, service in DISTRACTORS:
        ctx.incidents.create(NewIncident(title=title, impact="low", urgency="medium",
                                         service=service))
    old = ctx.incidents.create(NewIncident(title="Cannot send mail (last month)", impact="high",
                                           urgency="high", service="E-mail")).ref
    ctx.incidents.change_status(old, "resolved", note="fixed")
    ctx.incidents.change_status(old, "closed")
    title, service, description = MASTER
    master = ctx.incidents.create(NewIncident(title=title, impact="high", urgency="high",
                                              service=service, description=description,
                                              major=True)).ref
    ctx.incidents.add_note(master, "failover to mx-out-2 started")
    for c in CALLERS:
        ref = ctx.incidents.create(NewIncident(title=c, impact="low", urgency="low")).ref
        ctx.links.link(ref, master, caller_name="someone")
    return master


@pytest.mark.parametrize("service", [None, "E-mail"])
def test_the_master_is_the_first_hint_for_every_wording(ctx: AppContext,
                                                        service: str | None) -> None:
    master = _seed(ctx)
    misses = []
    for typed in PHRASINGS:
        hints = ctx.links.similar(typed, service)
        if not hints or hints[0].ref != master:
            misses.append((typed, [h.ref for h in hints]))
    assert misses == []
    hint = ctx.links.similar("cant send mail")[0]
    assert hint.callers == 3 and hint.major and hint.priority == "P1"
    assert "(P1, major, 3 callers)" in hint.label


def test_no_hint_for_unrelated_words_and_never_a_caller_or_closed(ctx: AppContext) -> None:
    master = _seed(ctx)
    assert ctx.links.similar("") == []
    assert ctx.links.similar("the and is") == []
    assert [h.ref for h in ctx.links.similar("printer jams")][:1] != [master]
    refs = {h.ref for typed in PHRASINGS for h in ctx.links.similar(typed)}
    titles = {ctx.incidents.get(r).title for r in refs}
    assert not titles & set(CALLERS) and "Cannot send mail (last month)" not in titles


def test_the_recent_timeline_text_finds_an_incident(ctx: AppContext) -> None:
    master = _seed(ctx)
    assert ctx.links.similar("mx-out-2 failover")[0].ref == master
