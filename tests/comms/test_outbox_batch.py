"""The sender's batched recording: a batch's timeline entries are chained as the messages move
and stored at commit (one INSERT per incident), the rows written as plain records — what the
timeline shows per message, and what a crash leaves, are as before."""

from __future__ import annotations

import random
import socket
from dataclasses import replace
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import inspect

from imdesk.context import AppContext
from imdesk.domain.message import MessageState
from imdesk.services.clock import ManualClock
from imdesk.services.comms import sender_pick
from imdesk.services.comms.journal import MessageJournal
from imdesk.services.comms.recipients import Recipient
from imdesk.services.comms.sender import OutboxSender
from imdesk.services.integrity import check_database
from imdesk.storage import outbox_records
from imdesk.storage.outbox_models import OutboxMessageRow
from tests.comms.conftest import configure, open_incident, use_people
from tests.helpers.smtp_server import SmtpServer

PEOPLE = [Recipient(f"Person {i}", emails=(f"p{i}@example.org",)) for i in range(6)]


def message_lines(ctx: AppContext, ref: str) -> list[str]:
    return [e.text for e in ctx.incidents.detail(ref).timeline if e.kind == "message"]


@pytest.fixture
def queued(ctx: AppContext, smtp_server: SmtpServer, test_ca: Any,
           session_secrets: Any) -> tuple[str, OutboxSender]:
    configure(ctx, smtp=smtp_server, ca_file=test_ca[1])
    use_people(ctx, PEOPLE)
    ref = open_incident(ctx)
    ctx.comms.notify.queue(ctx.comms.notify.plan(ref, "update", channel="email"))
    ctx.comms.secrets = session_secrets
    return ref, ctx.comms.sender(rng=random.Random(7))


def test_a_batch_where_the_third_is_refused_records_each_message_as_it_went(
        ctx: AppContext, queued: tuple[str, OutboxSender], smtp_server: SmtpServer) -> None:
    ref, snd = queued
    smtp_server.script.reject_rcpt["p2@example.org"] = "550 5.1.1 mailbox unavailable"
    report = snd.run_once()
    assert report.picked == 6 and report.sent == 5
    items = {m.recipient: m for m in ctx.comms.outbox.list()}
    assert {n: m.state for n, m in items.items() if n != "Person 2"} == \
        {f"Person {i}": MessageState.SENT for i in (0, 1, 3, 4, 5)}
    third = items["Person 2"]
    assert third.state != MessageState.SENT and "550" in third.last_error
    lines = message_lines(ctx, ref)
    for i in range(6):  # every message: its send, then what came of it, in order
        mine = [t for t in lines if t.startswith(f"message to Person {i} ")]
        assert "sending via mail (attempt 1)" in mine[0]
        if i == 2:
            assert "accepted" not in " ".join(mine) and "550" in mine[1]
        else:
            assert mine[1].endswith("accepted by the provider")
    assert sorted(r.rcpt[0] for r in smtp_server.received) == \
        [f"p{i}@example.org" for i in (0, 1, 3, 4, 5)]
    check = check_database(ctx.db, ref=ref)  # hash chain, projection and milestones as a fold
    assert check.ok, check.problem


def test_a_crash_between_claim_and_send_leaves_no_message_shown_as_sent(
        ctx: AppContext, queued: tuple[str, OutboxSender], smtp_server: SmtpServer,
        clock: ManualClock) -> None:
    ref, snd = queued
    settings = ctx.comms.settings.load()
    gone = replace(snd.holder, pid=2**22 + 7, token="crashed")  # beyond pid_max: not running
    jobs, _ = sender_pick.pick(ctx.db, clock, ctx.comms.secrets, settings, clock.now(),
                               3, gone.tag)  # claimed and committed; then the process died
    assert len(jobs) == 3 and smtp_server.received == []
    items = {m.recipient: m.state for m in ctx.comms.outbox.list()}
    assert list(items.values()).count(MessageState.SENDING) == 3
    assert MessageState.SENT not in items.values()
    assert sum("sending via mail" in t for t in message_lines(ctx, ref)) == 3
    assert not any("accepted" in t for t in message_lines(ctx, ref))
    snd.run_once()  # another sender: the dead one's claims are in doubt, sent again, marked
    items = {m.recipient: m for m in ctx.comms.outbox.list()}
    assert {m.state for m in items.values()} == {MessageState.SENT}
    assert sorted(n for n, m in items.items() if m.possible_duplicate) == \
        sorted(job.recipient for job in jobs)
    assert sum("in doubt after an interruption" in t for t in message_lines(ctx, ref)) == 3
    assert check_database(ctx.db, ref=ref).ok


def test_entries_of_a_transaction_that_fails_are_not_written(
        ctx: AppContext, queued: tuple[str, OutboxSender], clock: ManualClock) -> None:
    ref, _ = queued
    before = message_lines(ctx, ref)
    with pytest.raises(RuntimeError), ctx.db.write() as s:
        journal = MessageJournal(s, author="outbox", now=clock.now())
        ids = [m.id for m in ctx.comms.outbox.list()]
        records = outbox_records.claimable(s, ids, clock.now())
        for rec in records.values():
            journal.move(rec, MessageState.SENDING, "sending via mail (attempt 1)", error="")
        outbox_records.save(s, records.values())
        raise RuntimeError("the disk went away before the commit")
    assert message_lines(ctx, ref) == before
    assert {m.state for m in ctx.comms.outbox.list()} == {MessageState.QUEUED}
    assert check_database(ctx.db, ref=ref).ok


def test_back_to_back_runs_go_on_over_one_connection_and_a_drained_queue_closes_it(
        ctx: AppContext, queued: tuple[str, OutboxSender], smtp_server: SmtpServer) -> None:
    snd = ctx.comms.sender(rng=random.Random(7), batch=2)  # 6 queued: three full runs, one empty
    picked = [snd.run_once().picked for _ in range(4)]
    assert picked == [2, 2, 2, 0]
    assert len(smtp_server.received) == 6 and smtp_server.logins == 1
    assert snd._sessions == {}  # the queue drained: nothing left open


def test_a_kept_connection_the_server_dropped_is_replaced_without_a_retry(
        ctx: AppContext, queued: tuple[str, OutboxSender], smtp_server: SmtpServer) -> None:
    snd = ctx.comms.sender(rng=random.Random(7), batch=3)
    assert snd.run_once().sent == 3
    kept = snd._sessions["mail"]
    assert kept._conn is not None
    kept._conn.sock.shutdown(socket.SHUT_RDWR)  # the connection broke between runs
    report = snd.run_once()
    assert report.sent == 3 and report.retried == 0
    assert len(smtp_server.received) == 6 and smtp_server.logins == 2
    snd.close()
    assert snd._sessions == {}


def test_the_records_columns_are_the_tables() -> None:
    names = {c.name for c in inspect(OutboxMessageRow).columns}
    assert set(outbox_records.COLUMNS) <= names


def test_the_next_email_is_built_while_the_server_answers_and_each_goes_to_its_own_person(
        ctx: AppContext, queued: tuple[str, OutboxSender], smtp_server: SmtpServer) -> None:
    ref, snd = queued
    smtp_server.script.data_replies = ["", "451 4.3.0 try again later"]  # the 2nd, after DATA
    report = snd.run_once()
    assert report.sent == 5 and report.retried == 1
    got = {r.rcpt[0]: r for r in smtp_server.received}
    assert sorted(got) == [f"p{i}@example.org" for i in (0, 2, 3, 4, 5)]
    for i in (0, 2, 3, 4, 5):  # the message built ahead is the one of its own recipient
        assert got[f"p{i}@example.org"].headers["To"] == f"Person {i} <p{i}@example.org>"
    items = {m.recipient: m for m in ctx.comms.outbox.list()}
    assert items["Person 1"].state == MessageState.QUEUED and "451" in items["Person 1"].last_error
    assert check_database(ctx.db, ref=ref).ok


def test_no_answer_after_data_leaves_the_message_built_ahead_queued_and_unmarked(
        ctx: AppContext, queued: tuple[str, OutboxSender], smtp_server: SmtpServer,
        test_ca: Any, clock: ManualClock) -> None:
    ref, snd = queued
    configure(ctx, smtp=smtp_server, ca_file=test_ca[1], timeout=0.3)
    smtp_server.script.silent_after_data = 1  # the first is kept and never answered
    report = snd.run_once()
    assert report.sent == 0
    items = {m.recipient: m for m in ctx.comms.outbox.list()}
    assert {n for n, m in items.items() if m.possible_duplicate} == {"Person 0"}
    assert all(m.state == MessageState.QUEUED for m in items.values())
    assert all(m.attempts == 0 for n, m in items.items() if n != "Person 0")  # never tried
    clock.advance(timedelta(minutes=2))
    while snd.run_once().picked:
        clock.advance(timedelta(minutes=2))
    assert {m.state for m in ctx.comms.outbox.list()} == {MessageState.SENT}
    ids = smtp_server.ids()
    assert len(ids) == 7 and len(set(ids)) == 6  # only the one in doubt went twice
    assert check_database(ctx.db, ref=ref).ok
