"""Stakeholder mail threads: every email about one incident to one person joins one thread
(In-Reply-To the previous one, References from the first one's Message-ID), and every subject
carries the incident's ref as [INC-…] — received at the local SMTP test server."""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

from imdesk.context import AppContext
from imdesk.services.comms.recipients import Recipient
from tests.comms.conftest import configure, open_incident, use_people
from tests.helpers.smtp_server import SmtpServer

KIM = Recipient("Kim Larsen", phones=("+4915112345678",), emails=("kim@example.org",))
ANA = Recipient("Ana Souza", phones=("+5511912345678",), emails=("ana@example.org",))


def test_messages_about_one_incident_to_one_person_form_one_thread(
        ctx: AppContext, smtp_server: SmtpServer, test_ca: tuple[Any, Path], session_secrets: Any) -> None:
    configure(ctx, smtp=smtp_server, ca_file=test_ca[1])
    use_people(ctx, [KIM, ANA])
    ctx.comms.secrets = session_secrets
    snd = ctx.comms.sender(rng=random.Random(7))
    ref = open_incident(ctx)
    other = open_incident(ctx, title="VPN drops sessions", service="VPN")
    for template, audience in (("initial", "business"), ("update", "technical"), ("resolved", "business")):
        ctx.comms.notify.queue(ctx.comms.notify.plan(ref, template, audience=audience))
        ctx.comms.notify.queue(ctx.comms.notify.plan(other, template, audience=audience))
        while snd.run_once().sent:
            pass

    def mails(to: str, about: str) -> list[Any]:
        return [r for r in smtp_server.received if r.rcpt == [to] and f"[{about}]" in r.subject]

    for to in ("kim@example.org", "ana@example.org"):
        for about in (ref, other):
            first, update, resolved = mails(to, about)
            assert "Update" in update.subject and "Resolved" in resolved.subject
            assert "In-Reply-To" not in first.headers and "References" not in first.headers
            assert update.headers["In-Reply-To"] == first.message_id
            assert update.headers["References"] == first.message_id
            assert resolved.headers["In-Reply-To"] == update.message_id
            assert resolved.headers["References"].split() == [first.message_id, update.message_id]
    # threads are per person and per incident: nobody's mail refers to another thread's
    roots = {(r.rcpt[0], r.subject.split("]")[0]): r.message_id for r in smtp_server.received
             if "In-Reply-To" not in r.headers}
    assert len(roots) == 4 and len(set(roots.values())) == 4
    assert all(r.subject.startswith("[INC-") for r in smtp_server.received)
