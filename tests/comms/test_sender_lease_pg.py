"""Two outbox senders on one PostgreSQL database, each killed (SIGKILL) at random moments and
restarted, until every one of 200 emails is out: none is lost, and none reaches the SMTP server
twice unless the in-doubt rules marked it a possible duplicate. Also: a claim of a sender on
another host is left alone until it expires, and taken over (in doubt) after."""

from __future__ import annotations

import json
import random
import signal
import subprocess
import sys
import time
from collections import Counter
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select, update

from imdesk.app import build_context
from imdesk.domain.lease import Holder
from imdesk.domain.message import MessageState
from imdesk.services.clock import ManualClock
from imdesk.services.comms.recipients import Recipient
from imdesk.storage.outbox_models import OutboxMessageRow
from tests.comms.conftest import SMTP_PASSWORD, configure, open_incident, use_people
from tests.conftest import START, fresh_pg_url
from tests.helpers.smtp_server import SmtpServer

ROOT = Path(__file__).resolve().parents[2]
HELPER = ROOT / "tests" / "helpers" / "lease_sender.py"
PEOPLE = [Recipient(f"Person {i}", emails=(f"p{i}@example.org",)) for i in range(50)]
MESSAGES = 200
KILLS_AT_LEAST = 8


def _start(url: str, name: str) -> subprocess.Popen[str]:
    proc = subprocess.Popen([sys.executable, str(HELPER), url, name], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT)
    assert proc.stdin is not None
    proc.stdin.write(json.dumps({"mail": SMTP_PASSWORD}) + "\n")
    proc.stdin.flush()
    return proc


def _wait(proc: subprocess.Popen[str], seconds: float) -> None:
    """Give it this long; it must not end by itself (a sender runs until killed)."""
    try:
        proc.wait(timeout=seconds)
    except subprocess.TimeoutExpired:
        return
    pytest.fail(_stopped(proc))


def _stopped(proc: subprocess.Popen[str]) -> str:
    proc.wait()
    return f"a sender ended by itself: {proc.stderr.read() if proc.stderr else ''}"


def _kill(proc: subprocess.Popen[str]) -> None:
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    for pipe in (proc.stdin, proc.stdout, proc.stderr):
        if pipe is not None:
            pipe.close()


def _left(url: str) -> int:
    ctx = build_context(url)
    try:
        counts = ctx.comms.outbox.counts()
        return sum(v for k, v in counts.items() if k.value in ("queued", "sending"))
    finally:
        ctx.close()


@pytest.mark.postgres
@pytest.mark.slow
@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL is POSIX")
def test_two_senders_killed_at_random_never_send_one_message_twice(
        pg_template: str, smtp_server: SmtpServer, test_ca: tuple[Any, Path]) -> None:
    url = fresh_pg_url(pg_template)
    ctx = build_context(url, author="tester")
    configure(ctx, smtp=smtp_server, ca_file=test_ca[1], timeout=5.0)
    use_people(ctx, PEOPLE)
    refs = [open_incident(ctx, f"Outage {n}") for n in range(4)]
    for ref in refs:  # 4 incidents × 50 people: in order per incident and person
        ctx.comms.notify.queue(ctx.comms.notify.plan(ref, "update", audience="technical",
                                                     channel="email"))
    ctx.close()
    smtp_server.script.data_delay = 0.08  # a slow server: kills land between kept and answered

    rng = random.Random(20261205)
    senders = {name: _start(url, name) for name in ("desk-a", "desk-b")}
    kills = 0
    deadline = time.monotonic() + 300
    try:
        while _left(url) and time.monotonic() < deadline:
            name = rng.choice(sorted(senders))
            proc = senders[name]
            if kills >= KILLS_AT_LEAST * 3:  # enough faults: let them finish
                proc.wait(timeout=1.0) if proc.poll() is not None else _wait(proc, 1.0)
                continue
            assert proc.stdout is not None
            assert proc.stdout.readline().strip() == "ready", _stopped(proc)
            _wait(proc, rng.uniform(0.0, 0.5))  # a random moment of its work
            _kill(proc)
            kills += 1
            senders[name] = _start(url, name)
    finally:
        for proc in senders.values():
            _kill(proc)
    assert kills >= KILLS_AT_LEAST

    ctx = build_context(url, author="tester")
    try:
        items = ctx.comms.outbox.list(limit=10_000)
        assert len(items) == MESSAGES
        assert all(i.state in (MessageState.SENT, MessageState.DELIVERED) for i in items), \
            [(i.id, i.state, i.last_error) for i in items if i.state != MessageState.SENT][:5]
        assert ctx.timeline.verify().ok
        with ctx.db.read() as s:
            ids = dict(s.execute(select(OutboxMessageRow.id, OutboxMessageRow.message_id)).all())
    finally:
        ctx.close()
    received = Counter(smtp_server.ids())
    for item in items:
        got = received[ids[item.id]]
        assert got >= 1, item  # none lost
        if got > 1:
            assert item.possible_duplicate, item  # twice only where the rules marked it
    twice = sum(1 for item in items if received[ids[item.id]] > 1)
    marked = sum(1 for item in items if item.possible_duplicate)
    print(f"\ntwo senders, {kills} kills: {MESSAGES} emails, {twice} arrived twice "
          f"(all {marked} marked possible duplicates)")


@pytest.mark.postgres
def test_a_live_claim_is_left_alone_and_an_expired_one_taken_over_in_doubt(
        pg_template: str, smtp_server: SmtpServer, test_ca: tuple[Any, Path]) -> None:
    url = fresh_pg_url(pg_template)
    clock = ManualClock(START)
    ctx = build_context(url, clock=clock, author="tester")
    try:
        configure(ctx, smtp=smtp_server, ca_file=test_ca[1])
        ctx.comms.secrets.set_for_session("mail", SMTP_PASSWORD)
        use_people(ctx, PEOPLE[:1])
        ref = open_incident(ctx)
        ctx.comms.notify.queue(ctx.comms.notify.plan(ref, "update", audience="technical",
                                                     channel="email"))
        far = Holder("Night desk", "another-host", 4242, "f" * 36)  # its process: not ours to see
        with ctx.db.write() as s:
            s.execute(update(OutboxMessageRow).values(
                state="sending", lease_holder=far.tag, sending_since=clock.now(),
                lease_expires=clock.now() + timedelta(seconds=60)))
        sender = ctx.comms.sender()
        assert sender.recover() == 0  # another desk is sending it right now
        assert sender.run_once().picked == 0
        assert smtp_server.ids() == []
        clock.advance(timedelta(seconds=61))  # it stopped renewing: crashed, or cut off
        report = sender.run_once()  # takes the stale claim over, in doubt, and sends
        item = ctx.comms.outbox.list()[0]
        if item.state != MessageState.SENT:
            report = sender.run_once()
        item = ctx.comms.outbox.list()[0]
        assert item.state == MessageState.SENT and item.possible_duplicate
        assert len(smtp_server.ids()) == 1
        lines = [e.text for e in ctx.incidents.detail(ref).timeline if e.kind == "message"]
        assert any("in doubt after an interruption" in t for t in lines)
        assert report is not None
    finally:
        ctx.close()


@pytest.mark.postgres
def test_the_team_sender_sends_what_another_desk_queued_without_being_woken(
        pg_template: str, smtp_server: SmtpServer, test_ca: tuple[Any, Path]) -> None:
    import threading

    from imdesk.services.comms.sender_loop import SenderLoop

    url = fresh_pg_url(pg_template)
    server = build_context(url, author="server")
    desk = build_context(url, author="ana")
    try:
        configure(server, smtp=smtp_server, ca_file=test_ca[1])
        server.comms.secrets.set_for_session("mail", SMTP_PASSWORD)
        loop = SenderLoop(server.comms.sender(), server.comms.clock.now, lambda _r: None,
                          lambda e: None, may_run=lambda: True)  # it holds the lease
        runner = threading.Thread(target=loop.run, daemon=True)
        runner.start()
        use_people(desk, PEOPLE[:1])
        ref = open_incident(desk)
        desk.comms.notify.queue(desk.comms.notify.plan(ref, "update", audience="technical",
                                                       channel="email"))  # on the other desk
        deadline = time.monotonic() + 30
        while desk.comms.outbox.list()[0].state != MessageState.SENT:
            assert time.monotonic() < deadline, desk.comms.outbox.list()[0]
            runner.join(timeout=0.1)  # (waits on the loop's thread: no sleep)
        assert len(smtp_server.ids()) == 1
        loop.stop()
        runner.join(timeout=30)
    finally:
        desk.close()
        server.close()
