"""The alert processor in batches (SQLite and PostgreSQL): many payloads per transaction, looked
up set-wise, give exactly what one payload per transaction gives — the same entries in the same
order per incident, chains that verify, dedup across batch boundaries — a payload that cannot be
processed is set aside alone, and a crash mid-batch loses nothing and processes nothing twice."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from imdesk.app import build_context
from imdesk.context import AppContext
from imdesk.domain.alert_accept import Accepted, accept
from imdesk.services.alerts.apply import NoticeApplier
from imdesk.services.clock import ManualClock
from tests.conftest import twin_url
from tests.helpers.alert_payloads import alertmanager, am_alert, encode, pagerduty


@pytest.fixture
def twin(db_url: str, request: pytest.FixtureRequest, tmp_path: Path, sqlite_template: Path,
         clock: ManualClock) -> Iterator[AppContext]:
    """A second empty database of the same kind: the reference, one payload per transaction."""
    context = build_context(twin_url(db_url, request, tmp_path, sqlite_template), clock=clock,
                            author="tester")
    yield context
    context.close()


def storm(groups: int = 4, rounds: int = 12) -> list[Accepted]:
    """Interleaved groups whose alerts fire, repeat, clear and fire again, exact replays, and
    a PagerDuty incident triggered, acknowledged, resolved and triggered again."""
    out: list[Accepted] = []
    for r in range(rounds):
        for g in range(groups):
            if r % 5 == 4:
                out.append(out[-groups])  # the group's previous post again
                continue
            # alert 1 of every group clears and fires again; group 0 clears both: an all-clear
            alerts = [am_alert("Latency", "resolved" if clears else "firing",
                               severity="warning", instance=f"h{g}-{a}") for a in range(2)
                      for clears in [(a == 1 or g == 0) and r % 3 == 2]]
            for a in alerts:
                a["annotations"]["value"] = str(r)
            out.append(accept(encode(alertmanager(f"group-{g}", *alerts)), "alertmanager"))
        action = ("trigger", "acknowledge", "resolve")[r % 3]
        out.append(accept(encode(pagerduty(action)), "pagerduty"))
    return out


def picture(ctx: AppContext) -> dict[str, Any]:
    """What a user sees: every incident's entries (kind, text, data) in order, and the alerts."""
    refs = sorted({a.ref for a in ctx.alerts.intake.alerts() if a.ref})
    timelines = {ref: [(e.seq, e.kind, e.text, e.data) for e in ctx.incidents.detail(ref).timeline]
                 for ref in refs}
    alerts = sorted((a.source, a.group_key, a.alert_key, a.status, a.count, a.ref)
                    for a in ctx.alerts.intake.alerts())
    return {"timelines": timelines, "alerts": alerts}


@pytest.mark.parametrize(("batch", "budget"), [(7, None), (500, 0.0), (10_000, None)])
def test_batches_write_what_one_payload_at_a_time_writes(ctx: AppContext, twin: AppContext,
                                                         batch: int, budget: float | None) -> None:
    payloads = storm()
    for c in (ctx, twin):
        c.alerts.intake.store(payloads)
    one_by_one = twin.alerts.intake.process_pending(batch=1)
    batched = ctx.alerts.intake.process_pending(batch=batch, budget_s=budget)
    assert batched.processed == one_by_one.processed == len(payloads)
    assert [o.ref for o in batched.opened] == [o.ref for o in one_by_one.opened]
    assert picture(ctx) == picture(twin)
    assert len(picture(ctx)["timelines"]) == 5  # four groups and the PagerDuty key
    report = ctx.timeline.verify()
    assert report.ok and report.entries > 40
    assert any("all alerts cleared" in e[2] for t in picture(ctx)["timelines"].values() for e in t)
    assert ctx.alerts.intake.pending() == 0


def test_dedup_holds_across_a_batch_boundary(ctx: AppContext) -> None:
    body = encode(alertmanager("g1", am_alert("DiskFull", instance="db1")))
    ctx.alerts.intake.store([accept(body.replace(b'"version"', f'"n{i}": 0, "version"'.encode()))
                             for i in range(5)])
    outcome = ctx.alerts.intake.process_pending(batch=2)  # payloads 1-2, 3-4, 5
    assert outcome.processed == 5 and len(outcome.opened) == 1
    [alert] = ctx.alerts.intake.alerts()
    assert alert.count == 5 and alert.ref == outcome.opened[0].ref


def test_a_payload_that_fails_is_set_aside_alone(ctx: AppContext,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    real = NoticeApplier._apply_event

    def apply_event(self: NoticeApplier, s: Any, group: Any, notice: Any, event: Any, *rest: Any) -> Any:
        if "boom" in event.key:
            raise RuntimeError("a bug in applying this one")
        return real(self, s, group, notice, event, *rest)

    monkeypatch.setattr(NoticeApplier, "_apply_event", apply_event)
    good = [alertmanager(f"g{i}", am_alert("Latency", instance=f"h{i}")) for i in range(6)]
    bad = alertmanager("g-bad", am_alert("Latency", instance="x", fingerprint="boom"))
    stored = [accept(encode(b)) for b in good[:3]] + [accept(encode(bad))]
    stored += [Accepted("alertmanager", '{"alerts": "not a list"}')]  # refused at processing
    stored += [accept(encode(b)) for b in good[3:]]
    ctx.alerts.intake.store(stored)
    outcome = ctx.alerts.intake.process_pending(batch=500)
    assert outcome.processed == 8 and outcome.failed == 1 and len(outcome.opened) == 6
    notes = [row[3] for row in sorted(ctx.alerts.intake.inbox())]
    assert notes[3] == "failed: could not be processed (kept in the inbox)"
    assert notes[4] is not None and notes[4].startswith("refused:")
    assert [n for i, n in enumerate(notes) if i not in (3, 4)] == ["processed"] * 6
    assert ctx.alerts.intake.pending() == 0 and ctx.timeline.verify().ok


class _Killed(BaseException):
    """Stands for the process dying: nothing after it runs, the transaction never commits."""


def test_a_crash_mid_batch_then_a_restart_processes_each_payload_once(
        ctx: AppContext, twin: AppContext, db_url: str, clock: ManualClock,
        monkeypatch: pytest.MonkeyPatch) -> None:
    payloads = storm()
    for c in (ctx, twin):
        c.alerts.intake.store(payloads)
    twin.alerts.intake.process_pending(batch=1)
    real, calls = NoticeApplier.apply, [0]

    def apply(self: NoticeApplier, *args: Any) -> Any:
        calls[0] += 1
        if calls[0] == 30:  # in the middle of the second transaction
            raise _Killed
        return real(self, *args)

    monkeypatch.setattr(NoticeApplier, "apply", apply)
    with pytest.raises(_Killed):
        ctx.alerts.intake.process_pending(batch=20)
    monkeypatch.setattr(NoticeApplier, "apply", real)
    assert ctx.alerts.intake.pending() == len(payloads) - 20  # the first transaction committed
    ctx.close()
    restarted = build_context(db_url, clock=clock, author="tester")
    try:
        assert restarted.alerts.intake.process_pending(batch=500).processed == len(payloads) - 20
        assert picture(restarted) == picture(twin)
        assert restarted.timeline.verify().ok
    finally:
        restarted.close()


def test_a_window_or_mapping_changed_elsewhere_applies_to_the_next_payload(
        ctx: AppContext, db_url: str, clock: ManualClock) -> None:
    """The processor keeps the mapping and windows it parsed, but a change committed by another
    process (here: a second context on the same database) applies to the very next payload."""
    other = build_context(db_url, clock=clock, author="other desk")
    intake = ctx.alerts.intake

    def post(group: str, **labels: str) -> Any:
        intake.store([accept(encode(alertmanager(group, am_alert("Down", **labels))))])
        return intake.process_pending()

    other.catalog.add("VPN")
    try:
        assert post("warm", site="dc1").opened  # settings read and kept
        window = other.alerts.watch.add_window("dc2 work", clock.now(),
                                               clock.now() + timedelta(hours=2), matchers="site=dc2")
        assert post("g1", site="dc2").opened == []  # the new window applies at once
        assert post("g2", site="dc3").opened
        other.alerts.watch.end_window(window.id)
        assert post("g3", site="dc2").opened  # ... and so does its early end
        other.alerts.settings.set_rules([('site="dc4"', "VPN")])
        [opened] = post("g4", site="dc4").opened
        assert ctx.incidents.get(opened.ref).service == "VPN"  # the new mapping rule too
    finally:
        other.close()
