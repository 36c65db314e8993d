"""Linked incidents count once (issue 19, "Metrics"): a master and its callers are one outage
in every figure, and the callers per outage are reported. The known dataset
(tests/metrics/dataset.py) plus four callers, with the figures worked out by hand."""

from __future__ import annotations

import pytest

from imdesk.app import AppContext
from imdesk.services.clock import ManualClock
from imdesk.services.incidents import NewIncident
from imdesk.services.metrics import MetricsFilter
from imdesk.services.metrics.tables import figures
from tests.helpers.cli_runner import Cli
from tests.metrics.dataset import BERLIN, END, START, build, t
from tests.metrics.test_report_cli import RANGE


def add_callers(ctx: AppContext, refs: dict[str, str]) -> dict[str, str]:
    """K1 (P3, acknowledged) and K2 (P4, never acknowledged) call about A; K3 about B, then
    cancelled; K4 calls on 5 Apr at 21:00Z about G, which was opened after the range."""
    inc = ctx.incidents

    def caller(name: str, when: object, impact: str, urgency: str, master: str) -> str:
        ref = inc.create(NewIncident(f"caller {name}", impact, urgency,
                                     opened_at=when)).ref  # type: ignore[arg-type]
        ctx.links.link(ref, refs[master], "caller", caller_name=f"Caller {name}")
        refs[name] = ref
        return ref

    inc.change_status(caller("K1", t(24, 9, 5), "medium", "medium", "A"), "in_progress")
    caller("K2", t(24, 9, 20), "low", "medium", "A")
    inc.change_status(caller("K3", t(28, 23, 10), "high", "high", "B"), "cancelled", "same")
    caller("K4", t(5, 21, month=4), "high", "high", "G")
    return refs


def test_a_master_and_its_callers_count_once(ctx: AppContext, clock: ManualClock) -> None:
    refs = build(ctx, clock)
    before = ctx.metrics.report(MetricsFilter(START, END), "week", BERLIN)
    add_callers(ctx, refs)
    r = ctx.metrics.report(MetricsFilter(START, END), "week", BERLIN)
    s = r.summary
    # the callers are not counted: the same figures as without them (6 outages: A B C D E H)
    assert (s.count, s.cancelled, s.not_acknowledged, s.not_resolved) == (6, 1, 1, 2)
    assert (s.tta.median, s.tta.p90, s.tta.mean) == (1500, 2400, 1500)
    assert (s.ttr.median, s.ttr.p90, s.ttr.mean) == (21600, 41400, 24600)
    assert (s.sla.respond_met, s.sla.respond_total, s.sla.resolve_met) == (3, 4, 1)
    assert (r.priorities["P3"].count, r.priorities["P4"].count) == (2, 0)  # K1, K2 left out
    assert r.majors == 1 and [w.count for w in r.trend] == [3, 3]
    assert s == before.summary and r.trend == before.trend
    # callers per outage: A has K1 and K2, B has K3 (cancelled, still a caller); G is outside
    assert r.callers is not None
    assert (r.callers.outages, r.callers.with_callers, r.callers.callers, r.callers.max,
            r.callers.mean) == (6, 2, 3, 2, 1.5)
    row = figures(r).rows[-1]
    assert row == ("Callers per outage", "—", "—", "1.5 (max 2)", "2", "4 without callers")
    # a filter the master does not pass leaves its callers out too (the outage is the master's)
    p3 = ctx.metrics.report(MetricsFilter(START, END, priorities=("P3",))).summary
    assert (p3.count, p3.tta.median) == (2, 1800)  # C, D; not K1
    # G's outage, with K4, counts in the range that has G's opening, once
    later = ctx.metrics.report(MetricsFilter(START, t(6, 12, month=4)), "week", BERLIN)
    assert later.summary.count == 7 and later.callers is not None
    assert (later.callers.with_callers, later.callers.callers, later.callers.max) == (3, 4, 2)


def test_without_links_every_incident_is_its_own_outage(ctx: AppContext,
                                                        clock: ManualClock) -> None:
    refs = build(ctx, clock)
    inc = ctx.incidents
    for name, when in (("K1", t(24, 9, 5)), ("K2", t(24, 9, 20))):
        refs[name] = inc.create(NewIncident(f"caller {name}", "medium", "medium",
                                            opened_at=when)).ref
    r = ctx.metrics.report(MetricsFilter(START, END), "week", BERLIN)
    assert r.summary.count == 8 and r.summary.not_acknowledged == 3
    assert r.callers is not None and (r.callers.with_callers, r.callers.mean) == (0, None)


@pytest.fixture
def linked(sqlite_ctx: AppContext, clock: ManualClock, sqlite_url: str,
           capsys: pytest.CaptureFixture[str]) -> Cli:
    add_callers(sqlite_ctx, build(sqlite_ctx, clock))
    sqlite_ctx.close()
    return Cli(capsys, sqlite_url.removeprefix("sqlite:///"))


def test_report_metrics_json_counts_callers_once(linked: Cli) -> None:
    data = linked.json("report", "metrics", *RANGE)
    assert (data["count"], data["tta_median_s"], data["ttr_median_s"]) == (6, 1500, 21600)
    assert (data["callers_per_outage_mean"], data["callers_per_outage_max"],
            data["outages_with_callers"]) == (1.5, 2, 2)


def test_db_check_finds_a_stale_stored_duration(sqlite_ctx: AppContext,
                                                clock: ManualClock) -> None:
    """The milliseconds the metrics read are compared with a rebuild like every other field."""
    from sqlalchemy import text

    from imdesk.services.integrity import check_database

    refs = build(sqlite_ctx, clock)
    assert check_database(sqlite_ctx.db).ok
    with sqlite_ctx.db.write() as s:
        s.execute(text("UPDATE incident_milestone SET ttr_net_ms = ttr_net_ms + 1 WHERE "
                       "incident_id = (SELECT id FROM incident WHERE ref = :ref)"),
                  {"ref": refs["A"]})
    problem = check_database(sqlite_ctx.db).problem
    assert problem is not None and "milestone ttr_net_ms is 7200001" in problem


def test_unlink_and_promote_move_who_counts(ctx: AppContext, clock: ManualClock) -> None:
    """The milestone row's caller mark follows the links: an unlinked caller counts again as an
    outage of its own; after a promotion the new master counts and the old one does not."""
    from imdesk.services.integrity import check_database

    refs = add_callers(ctx, build(ctx, clock))
    whole = MetricsFilter(START, END)
    p3 = MetricsFilter(START, END, priorities=("P3",))
    assert ctx.metrics.report(whole).summary.count == 6
    ctx.links.unlink(refs["K1"])  # K1 (P3, opened in range) is its own outage again
    assert ctx.metrics.report(whole).summary.count == 7
    assert ctx.metrics.report(p3).summary.count == 3
    ctx.links.promote(refs["K2"])  # K2 (P4) now stands for A's outage; A becomes its caller
    r = ctx.metrics.report(whole)
    assert r.summary.count == 7 and r.priorities["P4"].count == 1
    assert check_database(ctx.db).ok


def test_a_priority_change_moves_the_outage_to_its_new_row(ctx: AppContext, clock: ManualClock) -> None:
    from imdesk.services.incidents import IncidentEdit

    refs = build(ctx, clock)
    before = ctx.metrics.report(MetricsFilter(START, END)).priorities
    was = ctx.incidents.get(refs["C"]).priority
    ctx.incidents.edit(refs["C"], IncidentEdit(impact="high", urgency="high"))
    after = ctx.metrics.report(MetricsFilter(START, END)).priorities
    assert after[was].count == before[was].count - 1
    assert after["P1"].count == (before["P1"].count if "P1" in before else 0) + 1


def test_db_check_finds_a_stale_copy_of_the_incident(sqlite_ctx: AppContext, clock: ManualClock) -> None:
    from sqlalchemy import text

    from imdesk.services.integrity import check_database

    refs = add_callers(sqlite_ctx, build(sqlite_ctx, clock))
    assert check_database(sqlite_ctx.db).ok
    with sqlite_ctx.db.write() as s:
        s.execute(text("UPDATE incident_milestone SET caller = false WHERE "
                       "incident_id = (SELECT id FROM incident WHERE ref = :ref)"), {"ref": refs["K1"]})
    problem = check_database(sqlite_ctx.db).problem
    assert problem is not None and "milestone caller is False but the incident says True" in problem
