"""Desk metrics over the known dataset (tests/metrics/dataset.py) equal figures worked out by
hand; milestones equal a rebuild from the timelines; filters and exercises."""

from __future__ import annotations

from imdesk.app import AppContext
from imdesk.domain.milestone_steps import fold
from imdesk.domain.milestones import milestones_of
from imdesk.services.clock import ManualClock
from imdesk.services.integrity import check_database
from imdesk.services.metrics import MetricsFilter
from imdesk.storage import incident_repo, milestone_repo
from tests.metrics.dataset import BERLIN, END, START, build, t


def test_figures_equal_the_hand_computation(ctx: AppContext, clock: ManualClock) -> None:
    build(ctx, clock)
    r = ctx.metrics.report(MetricsFilter(START, END), "week", BERLIN)
    s = r.summary
    # In range, no exercise: A, B, C, D, E, H (F is a drill, G opened after the end).
    assert (s.count, s.cancelled, s.not_acknowledged, s.not_resolved) == (6, 1, 1, 2)
    # TTA: A 600, B 2400 (from the backdated 22:40), C 1800, H 1200 -> sorted 600 1200 1800 2400
    assert (s.tta.median, s.tta.p90, s.tta.mean, s.tta.n, s.tta.missing) == (1500, 2400, 1500, 4, 1)
    # TTR: A 3 h = 10800, B 22:40 -> 04:40 = 21600 (after the reopen), H 11.5 h = 41400
    assert (s.ttr.median, s.ttr.p90, s.ttr.mean) == (21600, 41400, 24600)
    # without hold: A 10800 - 3600 = 7200; B, H had no hold -> mean (7200+21600+41400)/3
    assert (s.ttr_excl_hold.median, s.ttr_excl_hold.p90, s.ttr_excl_hold.mean) == (21600, 41400, 23400)
    # respond: A 600<=1800, B 2400>900, C 1800<=7200, H 1200<=1800 -> 3 of 4
    # resolve: A 7200<=28800, B 21600>14400, H 41400>28800 -> 1 of 3
    # without hold: only A was held, after its acknowledgement -> the same figures
    assert (s.tta_excl_hold.median, s.tta_excl_hold.missing) == (1500, 1)
    assert (s.sla.respond_met, s.sla.respond_total, s.sla.respond_pct) == (3, 4, 75.0)
    assert (s.sla.resolve_met, s.sla.resolve_total, s.sla.resolve_pct) == (1, 3, 33.3)
    p = r.priorities
    assert (p["P1"].count, p["P1"].sla.respond_pct, p["P1"].sla.resolve_pct) == (1, 0.0, 0.0)
    assert (p["P2"].count, p["P2"].sla.respond_pct, p["P2"].sla.resolve_pct) == (2, 100.0, 50.0)
    assert (p["P3"].count, p["P3"].not_acknowledged, p["P3"].not_resolved) == (2, 1, 2)
    assert (p["P3"].sla.respond_pct, p["P3"].sla.resolve_pct) == (100.0, None)
    assert (p["P4"].count, p["P5"].count, p["P5"].cancelled) == (0, 1, 1)
    # B declared 23:30Z Sat 28 Mar = 00:30 CET Sun 29 Mar; first update 15 min later
    assert r.majors == 1 and r.majors_per_month == [("2026-03", 1), ("2026-04", 0)]
    assert (r.declare_to_update.median, r.declare_to_update.missing) == (900, 0)
    # Weeks in Berlin time: W13 is 167 hours long (the DST change); C at 22:30Z Sunday is
    # already Monday 00:30 CEST, so it belongs to W14 (a 7 x 24 h bucket would put it in W13).
    weeks = [(w.label, w.count, w.tta_median, w.ttr_median, w.respond_pct, w.resolve_pct)
             for w in r.trend]
    assert weeks == [("2026-W13", 3, 1200, 21600, 66.7, 33.3),
                     ("2026-W14", 3, 1800, None, 100.0, None)]


def test_exercises_on_their_own_and_filters(ctx: AppContext, clock: ManualClock) -> None:
    build(ctx, clock)
    drills = ctx.metrics.report(MetricsFilter(START, END, exercises=True)).summary
    assert (drills.count, drills.tta.median, drills.ttr.median) == (1, 60, 1860)
    p2 = ctx.metrics.report(MetricsFilter(START, END, priorities=("P2",))).summary
    assert (p2.count, p2.tta.median) == (2, 900)  # A 600, H 1200
    mail = ctx.metrics.report(MetricsFilter(START, END, origin="mail")).summary
    assert (mail.count, mail.ttr.median) == (1, 41400)
    # the range is [from, to): C opened 22:30Z on the 29th
    first_week = ctx.metrics.report(MetricsFilter(START, t(29, 22, 30))).summary
    assert first_week.count == 3


def test_milestones_equal_a_rebuild_and_db_check_finds_a_stale_one(
        ctx: AppContext, clock: ManualClock) -> None:
    refs = build(ctx, clock)
    with ctx.db.read() as s:
        for ref in refs.values():
            row = incident_repo.get_row(s, ref)
            stored = milestone_repo.get(s, row.id)
            timeline = ctx.incidents.detail(ref).timeline
            assert stored == fold(timeline)
            assert stored is not None and stored.milestones == milestones_of(timeline)
        b = incident_repo.get_row(s, refs["B"])
        b_ms = milestone_repo.get(s, b.id)
        assert b_ms is not None
        assert (b_ms.milestones.opened_at, b_ms.milestones.reopened,
                b_ms.milestones.first_resolved_at) == (
            t(28, 22, 40), 1, t(29, 2, 40))
        b_id = b.id
    assert check_database(ctx.db).ok
    with ctx.db.write() as s:
        ms = milestone_repo.get(s, b_id)
        assert ms is not None
        from dataclasses import replace

        milestone_repo.put(s, b_id, replace(ms, milestones=replace(ms.milestones, reopened=0)))
    report = check_database(ctx.db)
    assert report.problem is not None and "milestone reopened" in report.problem


def test_migration_0008_fills_the_milestones_of_an_existing_database(
        ctx: AppContext, clock: ManualClock) -> None:
    """A database at 0006 with incidents: the upgrade makes the table and folds every timeline."""
    from sqlalchemy import text

    from imdesk.storage import migrate
    from imdesk.storage.schema import HEAD_REVISION, KNOWN_REVISIONS

    refs = build(ctx, clock)
    before = KNOWN_REVISIONS[KNOWN_REVISIONS.index("0008") - 1]
    with ctx.db.write() as s:  # back to the revision before: no milestones table
        s.execute(text("DROP TABLE incident_milestone"))
        s.execute(text(f"UPDATE alembic_version SET version_num = '{before}'"))
    migrate.run_alembic_upgrade(ctx.db, "0008")
    assert migrate.current_revision(ctx.db) == "0008"
    with ctx.db.write() as s:  # the later revisions' changes are there already, but 0018's
        s.execute(text(f"UPDATE alembic_version SET version_num = "
                       f"'{KNOWN_REVISIONS[KNOWN_REVISIONS.index('0018') - 1]}'"))
    migrate.run_alembic_upgrade(ctx.db, "0018")  # the row's copies of the incident, and callers
    with ctx.db.write() as s:
        s.execute(text(f"UPDATE alembic_version SET version_num = '{HEAD_REVISION}'"))
    with ctx.db.read() as s:
        for ref in refs.values():
            row = incident_repo.get_row(s, ref)
            assert milestone_repo.get(s, row.id) == fold(ctx.incidents.detail(ref).timeline)
    assert check_database(ctx.db).ok
    r = ctx.metrics.report(MetricsFilter(START, END), "week", BERLIN)
    assert (r.summary.count, r.summary.tta.median) == (6, 1500)


def test_stored_milestones_follow_random_walks(sqlite_ctx: AppContext, clock: ManualClock) -> None:
    """Seeded random lifecycles (holds, reopens, majors, updates, backdated lines, drills):
    the row kept per append equals the whole-timeline reading every time."""
    import random
    from datetime import timedelta

    from imdesk.domain.lifecycle import Status, allowed_targets
    from imdesk.services.incidents import IncidentEdit, NewIncident

    rng = random.Random(12)
    inc = sqlite_ctx.incidents
    for n in range(12):
        ref = inc.create(NewIncident(f"walk {n}", rng.choice(["high", "low"]), "medium",
                                     exercise=rng.random() < 0.2)).ref
        for _step in range(rng.randrange(3, 12)):
            clock.advance(timedelta(minutes=rng.randrange(1, 90)))
            state = inc.get(ref)
            roll = rng.random()
            if roll < 0.15 and state.status.is_open:
                inc.edit(ref, IncidentEdit(major=not state.major))
            elif roll < 0.3:
                back = clock.now() - timedelta(minutes=rng.randrange(0, 600))
                inc.add_entry(ref, "an update", rng.choice(["communication", "note"]),
                              occurred_at=back)
            else:
                targets = sorted(allowed_targets(state.status) - {Status.CANCELLED})
                if not targets:
                    break
                inc.change_status(ref, rng.choice(targets), "because")
        timeline = inc.detail(ref).timeline
        with sqlite_ctx.db.read() as s:
            stored = milestone_repo.get(s, incident_repo.get_row(s, ref).id)
        assert stored is not None and stored.milestones == milestones_of(timeline), ref
        assert stored == fold(timeline)
