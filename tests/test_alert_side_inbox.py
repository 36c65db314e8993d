"""The listener's side inbox on a SQLite file: posts are answered while the processor (or anyone)
holds the database's write lock, payloads waiting there count as pending and show in the inbox,
and a serve killed with payloads only there leaves them to the next start, each processed once."""

from __future__ import annotations

import signal
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from imdesk.app import build_context
from imdesk.channels.alert_listener import AlertListener
from imdesk.context import AppContext
from imdesk.domain.alert_accept import accept
from imdesk.services.alerts.apply import NoticeApplier
from imdesk.storage import alert_side
from tests.conftest import START
from tests.helpers.alert_payloads import alertmanager, am_alert, encode, post
from tests.test_alert_kill import _free_port, _serve

TOKEN = "side-token-7d2e"


def _path(url: str) -> Path:
    return Path(url.removeprefix("sqlite:///"))


def _body(n: int) -> bytes:
    return encode(alertmanager(f"group-{n}", am_alert("Down", instance=f"h{n}")))


@contextmanager
def _write_lock(db: Path) -> Iterator[None]:
    """Another writer holds the database's write lock (a long processing transaction)."""
    conn = sqlite3.connect(str(db), isolation_level=None)
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield
    finally:
        conn.execute("ROLLBACK")
        conn.close()


def _side_rows(db: Path) -> int:
    with sqlite3.connect(str(alert_side.side_path(db))) as conn:
        return int(conn.execute("SELECT count(*) FROM side_inbox").fetchone()[0])


def test_side_rows_count_as_pending_show_in_the_inbox_and_are_moved_once(
        sqlite_ctx: AppContext, monkeypatch: pytest.MonkeyPatch) -> None:
    intake = sqlite_ctx.alerts.intake
    writer = intake.open_inbox_writer()
    try:
        writer.store([accept(_body(n), "alertmanager") for n in range(3)])
        assert intake.pending() == 3
        shown = intake.inbox()
        assert len(shown) == 3 and all(row[3] is None for row in shown)  # waiting
        assert {row[1] for row in shown} == {START}
        assert len(intake.process_pending().opened) == 3
        assert intake.pending() == 0 and intake.process_pending().processed == 0
        assert [row[3] for row in intake.inbox()] == ["processed"] * 3
        assert {row[1] for row in intake.inbox()} == {START}  # moved as received
        monkeypatch.setattr(alert_side, "PRUNE_S", 0.0)
        writer.tidy()  # the listener deletes what was moved
        writer.store([accept(_body(3), "alertmanager")])
        assert intake.pending() == 1
    finally:
        writer.close()
    db = _path(str(sqlite_ctx.db.engine.url))
    assert _side_rows(db) == 1
    assert len(intake.process_pending().opened) == 1
    assert len(intake.alerts()) == 4 and len(intake.inbox()) == 4


def test_a_failing_payload_from_the_side_inbox_is_set_aside_alone(
        sqlite_ctx: AppContext, monkeypatch: pytest.MonkeyPatch) -> None:
    real = NoticeApplier._apply_event

    def apply_event(self: NoticeApplier, s: Any, group: Any, notice: Any, event: Any,
                    *rest: Any) -> Any:
        if "boom" in event.key:
            raise RuntimeError("a bug in applying this one")
        return real(self, s, group, notice, event, *rest)

    monkeypatch.setattr(NoticeApplier, "_apply_event", apply_event)
    bad = encode(alertmanager("g-bad", am_alert("Latency", instance="x", fingerprint="boom")))
    intake = sqlite_ctx.alerts.intake
    writer = intake.open_inbox_writer()
    try:
        writer.store([accept(b, "alertmanager") for b in (bad, _body(1), _body(2))])
    finally:
        writer.close()
    outcome = intake.process_pending(batch=500)
    assert outcome.processed == 3 and outcome.failed == 1 and len(outcome.opened) == 2
    notes = [row[3] for row in sorted(intake.inbox())]
    assert notes == ["failed: could not be processed (kept in the inbox)", "processed", "processed"]
    assert intake.pending() == 0


def test_ingest_after_the_listener_keeps_the_order_of_arrival(sqlite_ctx: AppContext) -> None:
    intake = sqlite_ctx.alerts.intake
    writer = intake.open_inbox_writer()
    try:
        writer.store([accept(_body(1), "alertmanager")])
    finally:
        writer.close()
    intake.ingest(_body(2))  # moves the listener's payload first
    assert intake.pending() == 0
    ids = {a.group_key: a.id for a in intake.alerts()}
    assert ids["group-1"] < ids["group-2"]


def test_posts_are_answered_while_another_writer_holds_the_database(sqlite_url: str) -> None:
    ctx = build_context(sqlite_url)
    stored = threading.Event()
    listener = AlertListener(ctx.alerts.intake, TOKEN, port=0, on_stored=stored.set)
    listener.start()
    try:
        with _write_lock(_path(sqlite_url)):  # held through every post and its reply
            assert [post(listener.port, TOKEN, _body(n)) for n in range(20)] == [200] * 20
            assert ctx.alerts.intake.pending() == 20  # a reader does not wait either
        outcome = ctx.alerts.intake.process_pending()
        assert outcome.processed == 20 and len(outcome.opened) == 20
        assert ctx.alerts.intake.pending() == 0
    finally:
        listener.stop()
        ctx.close()


@pytest.mark.slow
def test_a_serve_killed_with_payloads_only_in_the_side_inbox(sqlite_url: str) -> None:
    db = _path(sqlite_url)
    port = _free_port()
    proc, token, _ = _serve(sqlite_url, port)
    try:
        with _write_lock(db):  # its processor cannot move them: they stay in the side inbox
            assert [post(port, token, _body(n)) for n in range(30)] == [200] * 30
            proc.send_signal(signal.SIGKILL)
            proc.wait(10)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(10)
        assert proc.stdout is not None and proc.stderr is not None
        proc.stdout.close()
        proc.stderr.close()
    assert _side_rows(db) == 30
    ctx = build_context(sqlite_url)
    try:
        assert ctx.alerts.intake.pending() == 30 and len(ctx.alerts.intake.alerts()) == 0
    finally:
        ctx.close()

    proc2, _token, _lines = _serve(sqlite_url, port)  # the next start processes them
    proc2.send_signal(signal.SIGTERM)
    proc2.communicate(timeout=30)
    ctx = build_context(sqlite_url)
    try:
        assert ctx.alerts.intake.pending() == 0
        groups = sorted(a.group_key for a in ctx.alerts.intake.alerts(limit=1000))
        assert groups == sorted(f"group-{n}" for n in range(30))  # each once
        assert len(ctx.alerts.intake.inbox(1000)) == 30
        assert ctx.alerts.intake.process_pending().processed == 0
        assert ctx.timeline.verify(None).ok
    finally:
        ctx.close()


def test_moved_rows_are_deleted_a_few_after_each_commit_and_only_once_moved(
        sqlite_ctx: AppContext, monkeypatch: pytest.MonkeyPatch) -> None:
    """The listener never stalls its replies behind one large delete: after each commit it
    deletes at most PRUNE_CHUNK moved rows, until the side file holds only what waits."""
    monkeypatch.setattr(alert_side, "PRUNE_S", 0.0)
    monkeypatch.setattr(alert_side, "PRUNE_CHUNK", 2)
    intake = sqlite_ctx.alerts.intake
    db = _path(str(sqlite_ctx.db.engine.url))
    writer = intake.open_inbox_writer()
    try:
        writer.store([accept(_body(n), "alertmanager") for n in range(5)])
        writer.tidy()
        assert _side_rows(db) == 5  # nothing moved yet: nothing deleted
        assert intake.process_pending().processed == 5
        writer.store([accept(_body(5), "alertmanager")])  # waits: never deleted
        left = []
        for _ in range(4):
            writer.tidy()
            left.append(_side_rows(db))
        assert left == [4, 2, 1, 1]
    finally:
        writer.close()
    assert intake.pending() == 1 and len(intake.process_pending().opened) == 1
