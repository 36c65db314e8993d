"""SMS through the Twilio-compatible server: 429 with Retry-After, 500 before and after the
message exists, a reply that never comes, delivery polled until final, failover A → B →
email → call list, and recovery of messages left "sending" by a crash."""

from __future__ import annotations

import random
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import update

from imdesk.context import AppContext
from imdesk.domain.message import MessageState
from imdesk.services.clock import ManualClock
from imdesk.services.comms.recipients import Recipient
from imdesk.services.comms.sender import OutboxSender
from imdesk.storage.outbox_models import OutboxMessageRow
from tests.comms.conftest import TWILIO_TOKEN, configure, open_incident, use_people
from tests.helpers.smtp_server import SmtpServer
from tests.helpers.twilio_server import TwilioServer

SAM = Recipient("Sam Okafor", phones=("+447911123456",), emails=("sam@example.org",))


@pytest.fixture
def sms_setup(ctx: AppContext, twilio: TwilioServer, session_secrets: Any) -> tuple[str, OutboxSender]:
    configure(ctx, twilio=twilio, timeout=0.5)
    use_people(ctx, [SAM])
    ctx.comms.secrets = session_secrets
    ref = open_incident(ctx)
    ctx.comms.notify.queue(ctx.comms.notify.plan(ref, "update", audience="technical"))
    return ref, ctx.comms.sender(rng=random.Random(3))


def only(ctx: AppContext) -> Any:
    items = ctx.comms.outbox.list()
    assert len(items) == 1
    return items[0]


def test_sms_is_sent_and_polled_until_delivered(ctx: AppContext, sms_setup: tuple[str, OutboxSender],
                                                twilio: TwilioServer, clock: ManualClock) -> None:
    ref, snd = sms_setup
    assert snd.run_once().sent == 1
    item = only(ctx)
    assert item.state == MessageState.SENT and item.channel == "sms"
    sms = next(iter(twilio.messages.values()))
    assert sms.to == "+447911123456" and sms.body.startswith("UPD P1 " + ref)
    polls = 0
    while only(ctx).state == MessageState.SENT and polls < 10:
        clock.advance(timedelta(minutes=1))
        snd.run_once()
        polls += 1
    assert only(ctx).state == MessageState.DELIVERED
    assert polls == 2  # queued → sent → delivered, one fetch each
    assert len(twilio.messages) == 1


def test_429_retry_after_is_honoured(ctx: AppContext, sms_setup: tuple[str, OutboxSender],
                                     twilio: TwilioServer, clock: ManualClock) -> None:
    _ref, snd = sms_setup
    twilio.script.creates = ["429"]
    twilio.script.retry_after = 120
    snd.run_once()
    item = only(ctx)
    assert item.state == MessageState.QUEUED and "429" in item.last_error
    assert item.next_attempt_at - clock.now() >= timedelta(seconds=120)
    clock.advance(timedelta(seconds=100))
    assert snd.run_once().picked == 0
    clock.advance(timedelta(seconds=21))
    assert snd.run_once().sent == 1


def test_500_before_creating_is_retried(ctx: AppContext, sms_setup: tuple[str, OutboxSender],
                                        twilio: TwilioServer, clock: ManualClock) -> None:
    _ref, snd = sms_setup
    twilio.script.creates = ["500-before"]
    snd.run_once()
    assert only(ctx).state == MessageState.QUEUED
    clock.advance(timedelta(minutes=1))
    snd.run_once()
    assert only(ctx).state == MessageState.SENT
    assert len(twilio.messages) == 1 and not only(ctx).possible_duplicate


@pytest.mark.parametrize("fault", ["500-after", "hang-after"])
def test_created_but_no_good_answer_is_reconciled_not_resent(
        ctx: AppContext, sms_setup: tuple[str, OutboxSender], twilio: TwilioServer,
        fault: str) -> None:
    _ref, snd = sms_setup
    twilio.script.creates = [fault]
    snd.run_once()
    item = only(ctx)
    assert item.state == MessageState.SENT and not item.possible_duplicate
    assert len(twilio.messages) == 1  # listed, found, not sent twice
    assert any("found at the provider" in e.text for e in ctx.incidents.detail(item.ref).timeline)


def test_undelivered_fails_over_to_the_next_provider_then_email_then_the_call_list(
        ctx: AppContext, twilio: TwilioServer, smtp_server: SmtpServer, test_ca: tuple[Any, Path],
        session_secrets: Any, clock: ManualClock) -> None:
    second = TwilioServer(TWILIO_TOKEN)
    second.start()
    try:
        configure(ctx, twilio=twilio, twilio_b=second, smtp=smtp_server, ca_file=test_ca[1])
        use_people(ctx, [SAM])
        ctx.comms.secrets = session_secrets
        ref = open_incident(ctx)
        twilio.script.undeliverable.add(SAM.phone)
        second.script.invalid.add(SAM.phone)
        smtp_server.script.reject_rcpt["sam@example.org"] = "550 5.1.1 no such user"
        ctx.comms.notify.queue(ctx.comms.notify.plan(ref, "update", audience="technical"))
        snd = ctx.comms.sender(rng=random.Random(1))
        for _ in range(6):
            snd.run_once()
            clock.advance(timedelta(minutes=1))
        item = only(ctx)
        assert item.state == MessageState.CALL and item.address == SAM.phone
        assert [s.channel.value for s in item.route] == ["sms", "sms", "email", "manual"]
        lines = [e.text for e in ctx.incidents.detail(ref).timeline if e.kind == "message"]
        assert any("undelivered" in t and "next: sms via twilio-b" in t for t in lines)
        assert any("21211" in t and "next: email via mail" in t for t in lines)
        assert any("550" in t and "call list" in t for t in lines)
    finally:
        second.stop()


def test_after_a_crash_sms_is_checked_at_the_provider_and_email_resent_marked(
        ctx: AppContext, twilio: TwilioServer, smtp_server: SmtpServer, test_ca: tuple[Any, Path],
        session_secrets: Any) -> None:
    configure(ctx, twilio=twilio, smtp=smtp_server, ca_file=test_ca[1])
    use_people(ctx, [SAM])
    ctx.comms.secrets = session_secrets
    ref = open_incident(ctx)
    ctx.comms.notify.queue(ctx.comms.notify.plan(ref, "update", audience="technical"))
    ctx.comms.notify.queue(ctx.comms.notify.plan(ref, "update", audience="business"))
    snd = ctx.comms.sender(rng=random.Random(1))
    snd.run_once()  # the SMS goes out (the email waits behind it: same person, same incident)
    # What a crash leaves: both marked "sending", one of them already at the provider.
    with ctx.db.write() as s:
        s.execute(update(OutboxMessageRow).values(state="sending", provider_id="",
                                                  sending_since=ctx.comms.clock.now()))
    assert snd.recover() == 2
    for _ in range(3):
        snd.run_once()
    items = {i.channel: i for i in ctx.comms.outbox.list()}
    assert items["sms"].state == MessageState.SENT and not items["sms"].possible_duplicate
    assert len(twilio.messages) == 1  # found by listing: not sent again
    assert items["email"].state == MessageState.SENT and items["email"].possible_duplicate
    lines = [e.text for e in ctx.incidents.detail(ref).timeline if e.kind == "message"]
    assert any("checking with the provider before any resend" in t for t in lines)
    assert any("found at the provider after an interruption" in t for t in lines)
