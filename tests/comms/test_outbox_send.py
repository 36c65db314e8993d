"""The outbox end to end against real servers on 127.0.0.1: queued with its timeline entry,
sent, retried, failed over, paused for credentials, in doubt, expired — each visible."""

from __future__ import annotations

import random
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from imdesk.context import AppContext
from imdesk.credentials.store import CredentialState
from imdesk.domain.message import MessageState
from imdesk.services.clock import ManualClock
from imdesk.services.comms.recipients import Recipient
from imdesk.services.comms.sender import OutboxSender
from imdesk.services.comms.status import Connectivity
from tests.comms.conftest import SMTP_PASSWORD, configure, open_incident, use_people
from tests.helpers.smtp_server import SmtpServer

KIM = Recipient("Kim Larsen", phones=("+4915112345678",), emails=("kim@example.org",))
ANA = Recipient("Ana Souza", phones=("+5511912345678",), emails=("ana@example.org",))


def sender(ctx: AppContext, secrets: Any) -> OutboxSender:
    ctx.comms.secrets = secrets
    return ctx.comms.sender(rng=random.Random(7))


def states(ctx: AppContext) -> dict[str, str]:
    return {m.recipient: m.state.value for m in ctx.comms.outbox.list()}


def message_lines(ctx: AppContext, ref: str) -> list[str]:
    return [e.text for e in ctx.incidents.detail(ref).timeline if e.kind == "message"]


@pytest.fixture
def email_setup(ctx: AppContext, smtp_server: SmtpServer, test_ca: tuple[Any, Path],
                session_secrets: Any) -> tuple[str, OutboxSender]:
    configure(ctx, smtp=smtp_server, ca_file=test_ca[1])
    use_people(ctx, [KIM, ANA])
    return open_incident(ctx), sender(ctx, session_secrets)


def test_queue_writes_the_entry_and_one_row_per_recipient_together(
        ctx: AppContext, email_setup: tuple[str, OutboxSender]) -> None:
    ref, _ = email_setup
    plan = ctx.comms.notify.plan(ref, "initial", audience="business")
    assert [m.recipient.name for m in plan.messages] == ["Kim Larsen", "Ana Souza"]
    ids = ctx.comms.notify.queue(plan)
    timeline = ctx.incidents.detail(ref).timeline
    comm = [e for e in timeline if e.kind == "communication"]
    assert len(comm) == 1 and "Kim Larsen (email)" in comm[0].text
    items = ctx.comms.outbox.list()
    assert sorted(i.id for i in items) == sorted(ids)
    assert {i.state for i in items} == {MessageState.QUEUED}
    assert all(i.channel == "email" for i in items)


def test_emails_go_out_and_each_step_is_in_the_timeline(
        ctx: AppContext, email_setup: tuple[str, OutboxSender], smtp_server: SmtpServer) -> None:
    ref, snd = email_setup
    ctx.comms.notify.queue(ctx.comms.notify.plan(ref, "update"))
    report = snd.run_once()
    assert report.sent == 2 and report.connectivity == Connectivity.ONLINE
    assert states(ctx) == {"Kim Larsen": "sent", "Ana Souza": "sent"}
    assert sorted(r.rcpt[0] for r in smtp_server.received) == ["ana@example.org", "kim@example.org"]
    lines = message_lines(ctx, ref)
    assert any("Kim Larsen" in t and "sending via mail" in t for t in lines)
    assert any("Kim Larsen" in t and "accepted by the provider" in t for t in lines)


def test_550_fails_over_for_that_recipient_only_after_one_attempt(
        ctx: AppContext, email_setup: tuple[str, OutboxSender], smtp_server: SmtpServer) -> None:
    ref, snd = email_setup
    smtp_server.script.reject_rcpt["ana@example.org"] = "550 5.1.1 mailbox unavailable"
    ctx.comms.notify.queue(ctx.comms.notify.plan(ref, "update"))
    snd.run_once()
    ana = next(m for m in ctx.comms.outbox.list() if m.recipient == "Ana Souza")
    # email → (no SMS provider configured) → the manual lane: call her
    assert ana.state == MessageState.CALL and ana.attempts == 1
    assert "550" in ana.last_error
    assert states(ctx)["Kim Larsen"] == "sent"
    assert smtp_server.script.seen_rcpt.count("ana@example.org") == 1
    done = ctx.comms.outbox.called(ana.id, "reached her on the mobile")
    assert done.state == MessageState.CALLED
    assert any("called by tester: reached her on the mobile" in t for t in message_lines(ctx, ref))


def test_transient_replies_then_success(ctx: AppContext, email_setup: tuple[str, OutboxSender],
                                        smtp_server: SmtpServer, clock: ManualClock) -> None:
    ref, snd = email_setup
    use_people(ctx, [KIM])
    smtp_server.script.data_replies = ["451 4.3.0 try again later", "421 4.3.2 closing"]
    ctx.comms.notify.queue(ctx.comms.notify.plan(ref, "update"))
    first = snd.run_once()
    assert first.retried == 1
    item = ctx.comms.outbox.list()[0]
    assert item.state == MessageState.QUEUED and "451" in item.last_error
    assert item.next_attempt_at is not None
    wait = item.next_attempt_at - clock.now()
    assert timedelta(seconds=15) <= wait <= timedelta(seconds=30)  # jittered, base 30 s
    assert snd.run_once().picked == 0  # not before its time
    for _ in range(2):
        clock.advance(timedelta(minutes=2))
        snd.run_once()
    item = ctx.comms.outbox.list()[0]
    assert item.state == MessageState.SENT and item.attempts == 3


def test_535_pauses_the_channel_and_keeps_the_queue(
        ctx: AppContext, email_setup: tuple[str, OutboxSender], smtp_server: SmtpServer,
        session_secrets: Any) -> None:
    ref, snd = email_setup
    session_secrets.set_for_session("mail", "wrong-password")
    ctx.comms.notify.queue(ctx.comms.notify.plan(ref, "update"))
    snd.run_once()
    items = ctx.comms.outbox.list()
    assert {i.state for i in items} == {MessageState.QUEUED}
    assert all(i.attempts == 0 for i in items)  # no attempt used up
    assert session_secrets.get("mail").state == CredentialState.REJECTED
    again = snd.run_once()
    assert again.picked == 0 and again.waiting == {"mail": CredentialState.REJECTED}
    assert all("waiting for credentials of mail" in i.last_error for i in ctx.comms.outbox.list())
    session_secrets.set_for_session("mail", SMTP_PASSWORD)
    assert snd.run_once().sent == 2


def test_no_secret_pauses_instead_of_failing(ctx: AppContext, smtp_server: SmtpServer,
                                             test_ca: tuple[Any, Path]) -> None:
    from imdesk.credentials.store import SecretStore

    configure(ctx, smtp=smtp_server, ca_file=test_ca[1])
    use_people(ctx, [KIM])
    ref = open_incident(ctx)
    import keyring.backends.fail

    snd = sender(ctx, SecretStore(backend=keyring.backends.fail.Keyring()))
    ctx.comms.notify.queue(ctx.comms.notify.plan(ref, "update"))
    report = snd.run_once()
    assert report.picked == 0 and report.waiting == {"mail": CredentialState.NO_KEYRING}
    item = ctx.comms.outbox.list()[0]
    assert item.state == MessageState.QUEUED and item.attempts == 0
    assert "no keyring" in item.last_error
    assert smtp_server.received == []


def test_timeout_after_data_resends_with_the_same_message_id_marked(
        ctx: AppContext, email_setup: tuple[str, OutboxSender], smtp_server: SmtpServer,
        clock: ManualClock) -> None:
    ref, snd = email_setup
    use_people(ctx, [KIM])
    configure(ctx, smtp=smtp_server, ca_file=Path(smtp_server_ca(ctx)), timeout=0.3)
    smtp_server.script.silent_after_data = 1
    ctx.comms.notify.queue(ctx.comms.notify.plan(ref, "update"))
    snd.run_once()
    item = ctx.comms.outbox.list()[0]
    assert item.state == MessageState.QUEUED and item.possible_duplicate
    clock.advance(timedelta(minutes=2))
    snd.run_once()
    item = ctx.comms.outbox.list()[0]
    assert item.state == MessageState.SENT and item.possible_duplicate
    ids = smtp_server.ids()
    assert len(ids) == 2 and ids[0] == ids[1]  # the same Message-ID twice: the reader's client
    assert smtp_server.received[1].headers.get("X-Possible-Duplicate", "").startswith("yes")
    assert any("possible duplicate" in t for t in message_lines(ctx, ref))


def smtp_server_ca(ctx: AppContext) -> str:
    provider = ctx.comms.settings.load().providers["mail"]
    return str(provider.settings.ca_file)  # type: ignore[union-attr]


def test_server_down_then_back_delivers_everything_in_order(
        ctx: AppContext, email_setup: tuple[str, OutboxSender], smtp_server: SmtpServer,
        clock: ManualClock) -> None:
    ref, snd = email_setup
    other = open_incident(ctx, "VPN flaps", service="VPN")
    smtp_server.stop()
    for n, which in enumerate((ref, other, ref, other)):
        ctx.comms.notify.queue(ctx.comms.notify.plan(which, "update" if n > 1 else "initial"))
    report = snd.run_once()
    assert report.connectivity == Connectivity.OFFLINE
    # per recipient and incident one at a time: the first of each waits, the rest behind it
    assert report.picked == 4 and report.retried == 4
    assert {i.state for i in ctx.comms.outbox.list()} == {MessageState.QUEUED}
    smtp_server.start()
    assert snd.probe() is True  # the provider answers again: held messages are due now
    for _ in range(4):
        snd.run_once()
        clock.advance(timedelta(seconds=1))
    assert {i.state for i in ctx.comms.outbox.list()} == {MessageState.SENT}
    assert snd.connectivity == Connectivity.ONLINE
    got = [(r.rcpt[0], r.subject) for r in smtp_server.received]
    for who in ("kim@example.org", "ana@example.org"):
        for which in (ref, other):
            subjects = [s for r, s in got if r == who and which in s]
            assert len(subjects) == 2 and "Update" not in subjects[0], subjects
            assert "Update" in subjects[1]


def test_not_after_passes_and_the_message_expires_visibly(
        ctx: AppContext, email_setup: tuple[str, OutboxSender], smtp_server: SmtpServer,
        clock: ManualClock) -> None:
    ref, snd = email_setup
    smtp_server.stop()
    ctx.comms.notify.queue(ctx.comms.notify.plan(ref, "update"))
    snd.run_once()
    clock.advance(timedelta(hours=2))  # P1: one hour
    report = snd.run_once()
    assert report.expired == 2
    assert {i.state for i in ctx.comms.outbox.list()} == {MessageState.EXPIRED}
    assert sum("expired" in t for t in message_lines(ctx, ref)) == 2
    again = ctx.comms.outbox.retry(ctx.comms.outbox.list()[0].id)  # by hand: a new chance
    assert again.state == MessageState.QUEUED and again.not_after > clock.now()
