"""Alerts into incidents (SQLite and PostgreSQL): dedup, replays, clearing, PagerDuty's rules,
mapping rules, maintenance windows and heartbeats — all through IncidentService's timeline."""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

import pytest

from imdesk.context import AppContext
from imdesk.domain.alert_outcome import Outcome
from imdesk.domain.lifecycle import Status
from imdesk.services.clock import ManualClock
from tests.helpers.alert_payloads import alertmanager, am_alert, encode, grafana, pagerduty


def post(ctx: AppContext, body: dict[str, Any], fmt: str = "auto") -> Outcome:
    return ctx.alerts.intake.ingest(encode(body), fmt)[1]


def alert_kinds(ctx: AppContext, ref: str) -> list[str]:
    return [e.text for e in ctx.incidents.detail(ref).timeline if e.kind == "alert"]


def test_a_storm_of_repeats_becomes_one_incident_with_counts(ctx: AppContext, clock: ManualClock) -> None:
    body = alertmanager("g1", am_alert("DiskFull", instance="db1"), am_alert("DiskFull", instance="db2"))
    opened = post(ctx, body).opened
    assert len(opened) == 1 and opened[0].priority.value == "P1"
    ref = opened[0].ref
    state = ctx.incidents.get(ref)
    assert state.origin.value == "monitoring" and state.title == "DiskFull on db1"
    entries = len(ctx.incidents.detail(ref).timeline)
    for _ in range(5):
        clock.advance(timedelta(minutes=5))
        assert post(ctx, body).opened == []
    alerts = ctx.alerts.intake.alerts()
    assert [(a.count, a.status, a.ref) for a in alerts] == [(6, "firing", ref)] * 2
    assert alerts[0].last_seen == clock.now() and alerts[0].first_seen < alerts[0].last_seen
    assert len(ctx.incidents.detail(ref).timeline) == entries  # repeats write no entry


def test_an_exact_replay_changes_nothing(ctx: AppContext) -> None:
    body = alertmanager("g1", am_alert("DiskFull"))
    post(ctx, body)
    before = ctx.alerts.intake.alerts()
    outcome = post(ctx, body)  # a clustered Alertmanager delivering twice
    assert outcome.notes == ["an exact replay: nothing changed"]
    assert ctx.alerts.intake.alerts() == before


def test_clearing_writes_entries_and_all_clear_offers_to_resolve(ctx: AppContext, clock: ManualClock) -> None:
    a, b = am_alert("Latency", instance="a"), am_alert("Latency", instance="b")
    ref = post(ctx, alertmanager("g", a, b)).opened[0].ref
    clock.advance(timedelta(minutes=1))
    out = post(ctx, alertmanager("g", {**a, "status": "resolved"}, b))
    assert out.cleared == [] and ref in out.changed
    clock.advance(timedelta(minutes=1))
    out = post(ctx, alertmanager("g", {**a, "status": "resolved"}, {**b, "status": "resolved"}))
    assert out.cleared == [ref] and out.resolved == []
    assert alert_kinds(ctx, ref)[-2:] == ["alert resolved: Latency on b", "all alerts cleared"]
    assert ctx.incidents.get(ref).status == Status.NEW  # only offered: the user decides
    assert ctx.timeline.verify(ref).ok


def test_auto_resolve_when_the_user_enabled_it(ctx: AppContext, clock: ManualClock) -> None:
    ctx.alerts.settings.set_auto_resolve(True)
    a = am_alert("Latency")
    ref = post(ctx, alertmanager("g", a)).opened[0].ref
    clock.advance(timedelta(minutes=3))
    out = post(ctx, alertmanager("g", {**a, "status": "resolved"}))
    assert out.resolved == [ref]
    state = ctx.incidents.get(ref)
    assert state.status == Status.RESOLVED and state.resolved_at == clock.now()
    # It fires again after the incident was resolved: a new incident, the alert moves to it.
    clock.advance(timedelta(minutes=3))
    again = post(ctx, alertmanager("g", a)).opened
    assert len(again) == 1 and again[0].ref != ref
    assert ctx.alerts.intake.alerts()[0].ref == again[0].ref
    assert ctx.timeline.verify(None).ok


def test_a_resolved_group_without_an_incident_opens_nothing(ctx: AppContext) -> None:
    out = post(ctx, alertmanager("g", am_alert("Gone", "resolved")))
    assert out.opened == [] and ctx.incidents.count(_all()) == 0
    assert [(a.status, a.ref) for a in ctx.alerts.intake.alerts()] == [("resolved", None)]


def _all() -> Any:
    from imdesk.storage.incident_repo import IncidentQuery

    return IncidentQuery()


def test_grafana_uses_the_same_rules(ctx: AppContext) -> None:
    out = post(ctx, grafana("grafana:g", am_alert("CPU", severity="warning")), "grafana")
    assert out.opened[0].priority.value == "P3"
    assert ctx.alerts.intake.alerts()[0].source == "grafana"


def test_pagerduty_trigger_ack_resolve_and_a_new_trigger_after_resolve(
        ctx: AppContext, clock: ManualClock) -> None:
    ref = post(ctx, pagerduty("trigger")).opened[0].ref
    clock.advance(timedelta(minutes=1))
    assert post(ctx, pagerduty("trigger")).opened == []  # same dedup_key: the same alert
    clock.advance(timedelta(minutes=1))
    post(ctx, pagerduty("acknowledge"))
    assert ctx.alerts.intake.alerts()[0].status == "acknowledged"
    clock.advance(timedelta(minutes=1))
    out = post(ctx, pagerduty("resolve"))
    assert out.cleared == [ref]
    clock.advance(timedelta(minutes=1))
    dropped = post(ctx, pagerduty("acknowledge"))
    assert "dropped" in dropped.notes[0]
    clock.advance(timedelta(minutes=1))
    assert "dropped" in post(ctx, pagerduty("resolve")).notes[0]
    clock.advance(timedelta(minutes=1))
    post(ctx, pagerduty("trigger"))  # after resolve: a new alert, on the still-open incident
    rows = ctx.alerts.intake.alerts()
    assert [(a.status, a.count) for a in rows] == [("firing", 1), ("resolved", 2)]
    assert {a.ref for a in rows} == {ref}
    assert alert_kinds(ctx, ref) == ["alert firing: disk full on db-1",
                                     "alert acknowledged: disk full on db-1",
                                     "alert resolved: disk full on db-1", "all alerts cleared",
                                     "alert firing: disk full on db-1"]


def test_keyless_pagerduty_triggers_are_separate_alerts(ctx: AppContext) -> None:
    first = ctx.alerts.intake.ingest(encode(pagerduty("trigger", None)))
    second = ctx.alerts.intake.ingest(encode(pagerduty("trigger", None)))
    assert first[0].assigned_key != second[0].assigned_key
    assert len(first[1].opened) == len(second[1].opened) == 1


def test_service_from_rules_and_impact_from_the_severity_mapping(ctx: AppContext) -> None:
    ctx.catalog.add("VPN")
    ctx.alerts.settings.set_rules([('job=~"vpn.*"', "vpn")])
    ctx.alerts.settings.set_severity({"critical": ("medium", "high"), "warning": ("low", "low")})
    out = post(ctx, alertmanager("g", am_alert("TunnelDown", job="vpn-gw")))
    state = ctx.incidents.get(out.opened[0].ref)
    assert (state.service, state.impact.value, state.urgency.value, state.priority.value) == (
        "VPN", "medium", "high", "P2")
    other = ctx.incidents.get(post(ctx, alertmanager("h", am_alert("X", severity="warning",
                                                                   job="mail"))).opened[0].ref)
    assert (other.service, other.priority.value) == (None, "P5")


def test_maintenance_records_and_marks_but_opens_nothing_until_it_expires(
        ctx: AppContext, clock: ManualClock) -> None:
    window = ctx.alerts.watch.add_window("db patching", clock.now(), clock.now() + timedelta(hours=1),
                                         matchers='instance=~"db.*"')
    body = alertmanager("g", am_alert("Down", instance="db1"))
    out = post(ctx, body)
    assert out.opened == []
    alert = ctx.alerts.intake.alerts()[0]
    assert (alert.suppressed, alert.maintenance_id, alert.ref) == (True, window.id, None)
    assert post(ctx, alertmanager("w", am_alert("Down", instance="web1"))).opened  # not covered
    assert [w.state(clock.now()) for w in ctx.alerts.watch.windows()] == ["active"]
    clock.advance(timedelta(hours=1, minutes=1))
    assert [w.state(clock.now()) for w in ctx.alerts.watch.windows()] == ["expired"]
    out = post(ctx, body)  # still firing after the window: now it opens an incident
    assert len(out.opened) == 1
    db_alert = next(a for a in ctx.alerts.intake.alerts() if a.labels["instance"] == "db1")
    assert (db_alert.suppressed, db_alert.ref) == (False, out.opened[0].ref)


def test_ending_a_window_early(ctx: AppContext, clock: ManualClock) -> None:
    w = ctx.alerts.watch.add_window("switch swap", clock.now(), clock.now() + timedelta(hours=2),
                                    matchers="site=dc2")
    clock.advance(timedelta(minutes=10))
    ended = ctx.alerts.watch.end_window(w.id)
    assert ended.state(clock.now()) == "ended"
    assert post(ctx, alertmanager("g", am_alert("Down", site="dc2"))).opened


def test_heartbeat_missed_opens_monitoring_silent_and_its_return_adds_an_entry(
        ctx: AppContext, clock: ManualClock) -> None:
    watch = ctx.alerts.watch
    watch.add_heartbeat("prometheus-dc1", 5)
    clock.advance(timedelta(minutes=4))
    ctx.alerts.intake.store([_beat("prometheus-dc1")])
    ctx.alerts.intake.process_pending()
    clock.advance(timedelta(minutes=4))
    assert watch.check_heartbeats().opened == []
    clock.advance(timedelta(minutes=2))
    opened = watch.check_heartbeats().opened
    assert [o.title for o in opened] == ["monitoring silent: prometheus-dc1"]
    assert watch.check_heartbeats().opened == []  # once per silence
    assert watch.heartbeats()[0].state == "missed" and watch.heartbeats()[0].ref == opened[0].ref
    clock.advance(timedelta(minutes=7))
    ctx.alerts.intake.store([_beat("prometheus-dc1")])
    out = ctx.alerts.intake.process_pending()
    assert out.cleared == [opened[0].ref]
    assert alert_kinds(ctx, opened[0].ref) == ["heartbeat prometheus-dc1 is back (missed for 7m)"]
    assert watch.heartbeats()[0].state == "ok"


def _beat(name: str) -> Any:
    from imdesk.domain.alert_accept import Accepted

    return Accepted("heartbeat", name)


def test_unprocessed_inbox_rows_are_processed_by_the_next_start(ctx: AppContext) -> None:
    from imdesk.domain.alert_accept import accept

    ctx.alerts.intake.store([accept(encode(alertmanager(f"g{i}", am_alert(f"A{i}")))) for i in range(3)])
    assert ctx.alerts.intake.pending() == 3
    assert len(ctx.alerts.intake.process_pending(batch=2).opened) == 3
    assert ctx.alerts.intake.pending() == 0


def test_bad_maintenance_windows_are_refused(ctx: AppContext, clock: ManualClock) -> None:
    from imdesk.domain.errors import ValidationError

    now = clock.now()
    with pytest.raises(ValidationError, match="silence everything"):
        ctx.alerts.watch.add_window("all", now, now + timedelta(hours=1))
    with pytest.raises(ValidationError, match="before it starts"):
        ctx.alerts.watch.add_window("w", now, now - timedelta(hours=1), matchers="a=b")
    with pytest.raises(ValidationError, match="no service named"):
        ctx.alerts.watch.add_window("w", now, now + timedelta(hours=1), service="Nope")


def test_a_master_resolved_by_its_alerts_takes_its_callers_and_the_batch_goes_on(
        ctx: AppContext, clock: ManualClock, caplog: pytest.LogCaptureFixture) -> None:
    """In one processing transaction: the master's alerts clear (resolved automatically, its
    caller with it — written through the ORM), then the caller's group fires again. The caller
    held from before the propagation is read again: it is resolved, so the new alert opens a
    new incident, and every chain stays whole."""
    from imdesk.domain.alert_accept import accept
    from imdesk.services.integrity import check_database

    ctx.alerts.settings.set_auto_resolve(True)
    a, b = am_alert("CoreSwitch", fingerprint="a1"), am_alert("Latency", fingerprint="b1")
    master = post(ctx, alertmanager("core", a)).opened[0].ref
    caller = post(ctx, alertmanager("edge", b)).opened[0].ref
    ctx.links.link(caller, master)
    clock.advance(timedelta(minutes=5))
    intake = ctx.alerts.intake
    bodies = [alertmanager("edge", b, am_alert("Latency", fingerprint="b2", instance="h2")),
              alertmanager("core", {**a, "status": "resolved"}),
              alertmanager("edge", b, am_alert("Latency", fingerprint="b2", instance="h2"),
                           am_alert("Latency", fingerprint="b3", instance="h3"))]
    intake.store([accept(encode(body), "alertmanager") for body in bodies])
    with caplog.at_level(logging.INFO, logger="imdesk.services.alerts.intake"):
        out = intake.process_pending(batch=10, transactions=1)
    assert "batch failed" not in caplog.text  # one transaction, not retried one by one
    assert out.processed == 3 and out.resolved == [master]
    assert ctx.incidents.get(master).status == Status.RESOLVED
    assert ctx.incidents.get(caller).status == Status.RESOLVED  # with its master
    assert len(out.opened) == 1 and out.opened[0].ref not in (master, caller)
    assert "with its master" in ctx.incidents.detail(caller).timeline[-1].text
    assert ctx.timeline.verify(None).ok and check_database(ctx.db).ok
