"""The report aggregated in the database (cells of priority x period, durations in ms) equals
the plain per-incident computation (domain/metrics.build_report over one Sample per incident)
on seeded random lifecycles: holds, reopens, cancels, majors, updates, drills, several weeks."""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import UTC, datetime, timedelta

from imdesk.app import AppContext
from imdesk.domain.lifecycle import allowed_targets
from imdesk.domain.metrics import Figure, Sample, Summary, build_report
from imdesk.domain.milestones import milestones_of
from imdesk.services.clock import ManualClock
from imdesk.services.incidents import IncidentEdit, NewIncident
from imdesk.services.metrics import MetricsFilter
from imdesk.storage import incident_repo
from tests.metrics.dataset import BERLIN


def _walks(ctx: AppContext, clock: ManualClock, rng: random.Random) -> list[str]:
    inc, refs = ctx.incidents, []
    for n in range(40):
        clock.set(datetime(2026, 3, 16, tzinfo=UTC) + timedelta(hours=rng.randrange(0, 24 * 34)))
        impact, urgency = rng.choice(["high", "medium", "low"]), rng.choice(["high", "low"])
        ref = inc.create(NewIncident(f"walk {n}", impact, urgency,
                                     exercise=rng.random() < 0.1)).ref
        refs.append(ref)
        for _step in range(rng.randrange(0, 9)):
            clock.advance(timedelta(minutes=rng.randrange(1, 600), seconds=rng.randrange(60)))
            state = inc.get(ref)
            roll = rng.random()
            if roll < 0.12 and state.status.is_open:
                inc.edit(ref, IncidentEdit(major=not state.major))
            elif roll < 0.22:
                inc.add_entry(ref, "an update", "communication")
            else:
                targets = sorted(allowed_targets(state.status))
                if not targets:
                    break
                inc.change_status(ref, rng.choice(targets), "because")
    return refs


def _sample(ctx: AppContext, ref: str) -> tuple[Sample, bool]:
    m = milestones_of(ctx.incidents.detail(ref).timeline)
    with ctx.db.read() as s:
        row = incident_repo.get_row(s, ref)
        priority, respond, resolve = row.priority, row.respond_minutes, row.resolve_minutes

    def since(at: datetime | None) -> float | None:
        return None if at is None else round((at - m.opened_at).total_seconds(), 3)

    def epoch(at: datetime | None) -> float | None:
        return None if at is None else at.timestamp()

    return Sample(priority, m.opened_at.timestamp(), since(m.acknowledged_at),
                  since(m.resolved_at), float(m.hold_before_ack_seconds),
                  float(m.hold_before_resolve_seconds), respond * 60.0, resolve * 60.0,
                  m.cancelled, epoch(m.major_at), epoch(m.first_communication_at)), m.exercise


def _even(s: Summary) -> Summary:
    """Means to the microsecond: a sum of whole milliseconds and a sum of seconds may differ
    in the last bit of a float."""
    def fig(f: Figure) -> Figure:
        return replace(f, mean=None if f.mean is None else round(f.mean, 6))

    return replace(s, tta=fig(s.tta), tta_excl_hold=fig(s.tta_excl_hold), ttr=fig(s.ttr),
                   ttr_excl_hold=fig(s.ttr_excl_hold))


def test_database_cells_equal_the_per_incident_computation(sqlite_ctx: AppContext,
                                                           clock: ManualClock) -> None:
    refs = _walks(sqlite_ctx, clock, random.Random(19))
    samples = [_sample(sqlite_ctx, ref) for ref in refs]
    # the walks reach what the figures treat specially
    assert any(s.hold_ack > 0 for s, _ in samples) and any(s.hold_resolve > 0 for s, _ in samples)
    assert any(s.cancelled for s, _ in samples) and any(s.major for s, _ in samples)
    start, end = datetime(2026, 3, 15, 23, tzinfo=UTC), datetime(2026, 4, 19, 22, tzinfo=UTC)
    for unit in ("week", "month"):
        for drills in (False, True):
            chosen = [s for s, ex in samples if ex == drills and start.timestamp() <= s.opened
                      < end.timestamp()]
            want = build_report(chosen, start, end, unit, BERLIN)
            got = sqlite_ctx.metrics.report(MetricsFilter(start, end, exercises=drills), unit,
                                            BERLIN)
            assert _even(got.summary) == _even(want.summary)
            assert {p: _even(v) for p, v in got.priorities.items()} == {
                p: _even(v) for p, v in want.priorities.items()}
            assert got.trend == want.trend
            assert (got.majors, got.majors_per_month, got.declare_to_update) == (
                want.majors, want.majors_per_month, want.declare_to_update)
    assert want.summary.count > 0  # the drills were in the range too
