"""Milestones read from a real timeline, written through the services on a manual clock: the
times every report (metrics, handover, review pack, drill scorecard) starts from."""

from __future__ import annotations

from datetime import timedelta

from imdesk.context import AppContext
from imdesk.domain.milestones import milestones_of
from imdesk.services.clock import ManualClock
from imdesk.services.incidents import IncidentEdit, NewIncident


def _minutes(clock: ManualClock, n: int) -> None:
    clock.advance(timedelta(minutes=n))


def test_backdated_start_hold_reopen_and_updates(sqlite_ctx: AppContext, clock: ManualClock) -> None:
    svc = sqlite_ctx.incidents
    t0 = clock.now()
    ref = svc.create(NewIncident("Mail relay refuses connections", "high", "high", service=None)).ref
    svc.add_note(ref, "users say it started at 09:50", occurred_at=t0 - timedelta(minutes=10))
    _minutes(clock, 4)
    svc.change_status(ref, "in_progress")
    _minutes(clock, 6)
    svc.edit(ref, IncidentEdit(major=True))
    _minutes(clock, 2)
    svc.add_entry(ref, "called the CFO's office", "communication")
    _minutes(clock, 3)
    svc.change_status(ref, "on_hold", "waiting for the vendor")
    _minutes(clock, 20)
    svc.change_status(ref, "in_progress")
    _minutes(clock, 5)
    svc.change_status(ref, "resolved", "relay restarted")
    _minutes(clock, 30)
    svc.change_status(ref, "in_progress", "queue stuck again")
    _minutes(clock, 10)
    svc.change_status(ref, "resolved", "queue flushed")
    _minutes(clock, 60)
    svc.change_status(ref, "closed")

    m = milestones_of(svc.detail(ref).timeline)
    assert m.opened_at == t0 - timedelta(minutes=10)  # the backdated start counts
    assert m.reported_at == t0
    assert m.acknowledged_at == t0 + timedelta(minutes=4)
    assert m.major_at == t0 + timedelta(minutes=10)
    assert m.first_communication_at == t0 + timedelta(minutes=12)
    assert m.first_resolved_at == t0 + timedelta(minutes=40)
    assert m.resolved_at == t0 + timedelta(minutes=80)  # the resolution that stands
    assert m.closed_at == t0 + timedelta(minutes=140) and not m.cancelled
    assert m.reopened == 1
    assert m.hold_seconds == m.hold_before_resolve_seconds == 20 * 60
    assert m.hold_before_ack_seconds == 0
    assert m.seconds(m.acknowledged_at) == 14 * 60  # from the outage's start
    assert m.seconds(m.resolved_at) == 90 * 60
    assert m.seconds(m.resolved_at, excluding_hold=True) == 70 * 60
    assert not m.exercise


def test_a_running_hold_counts_up_to_now_and_calls_are_not_updates(
        sqlite_ctx: AppContext, clock: ManualClock) -> None:
    svc = sqlite_ctx.incidents
    t0 = clock.now()
    ref = svc.create(NewIncident("Badge readers offline", "medium", "low", exercise=True,
                                 major=True)).ref
    _minutes(clock, 1)
    svc.change_status(ref, "on_hold", "waiting for facilities")
    _minutes(clock, 15)
    entries = svc.detail(ref).timeline
    m = milestones_of(entries, now=clock.now())
    assert m.major_at == t0 and m.exercise
    assert m.acknowledged_at is None and m.resolved_at is None
    assert m.hold_seconds == m.hold_before_ack_seconds == 15 * 60
    assert milestones_of(entries).hold_seconds == 0  # without "now" only finished holds count
    assert m.seconds(m.resolved_at) is None
