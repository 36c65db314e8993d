"""Drills headless: the built-in scenarios validate and play to the end on a manual clock (no
sleeps) through the real intake, producing exercise incidents, alerts and prompts; a missed
expectation plays its contingency, a met one does not; the scorecard reads the timelines; the
after-action report freezes when signed off; pause, speed and skip move the scenario clock."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from imdesk.context import AppContext
from imdesk.domain.drill_scenario import Scenario
from imdesk.domain.errors import ValidationError
from imdesk.services.clock import ManualClock
from imdesk.services.drills.player import DrillPlayer
from imdesk.services.drills.reports import CorrectiveAction
from imdesk.services.drills.scenario_file import built_in, find, read_file
from imdesk.services.war_room import WarRoomService


def _player(ctx: AppContext, scenario: Scenario, speed: float = 1.0) -> DrillPlayer:
    desk = ctx.drills
    drill = desk.service.start(scenario, speed=speed, participants=["Trainee One"])
    return DrillPlayer(desk.service, drill, desk.deliverer())


def _play_to_end(player: DrillPlayer, clock: ManualClock, step: timedelta) -> list[str]:
    results = []
    while not player.finished:
        clock.advance(step)
        results += [f"{p.inject.id}:{p.result}" for p in player.tick()]
    return results


@pytest.mark.parametrize("path", built_in(), ids=lambda p: p.stem)
def test_each_built_in_scenario_validates_and_plays_to_the_end(
        ctx: AppContext, clock: ManualClock, path: object) -> None:
    sqlite_ctx = ctx  # and on PostgreSQL when a server runs
    scenario = read_file(path)  # type: ignore[arg-type]
    assert scenario.length_s >= 30 * 60 and len(scenario.injects) >= 6
    assert not sqlite_ctx.drills.service.check_names(scenario)
    player = _player(sqlite_ctx, scenario, speed=60)
    results = _play_to_end(player, clock, timedelta(seconds=1))
    assert len(results) == len(scenario.injects)
    drill = sqlite_ctx.drills.service.get(player.id)
    assert drill.status == "finished"
    refs = sqlite_ctx.drills.service.incident_refs(player.id)
    assert refs, "the drill's alerts opened incidents"
    for ref in refs:
        assert sqlite_ctx.incidents.get(ref).exercise
    alerts = [i for i in scenario.injects if i.kind == "alert"]
    assert all(r.endswith(":played") for r in results if r.split(":")[0] in {a.id for a in alerts})
    prompts = [p for p in player.played if p.inject.kind in ("call", "request")]
    assert prompts and all(p.text for p in prompts)
    # nobody worked the incident: every expectation is missed and every contingency plays
    assert all(p.result == "missed" for p in player.played if p.inject.kind == "expectation")
    assert all(p.result == "played" for p in player.played if p.inject.kind == "contingency")


def test_a_met_expectation_skips_its_contingency(ctx: AppContext, clock: ManualClock) -> None:
    sqlite_ctx = ctx
    player = _player(sqlite_ctx, find("datacentre-power-loss"))
    clock.advance(timedelta(seconds=1))
    player.tick()  # T+0: the UPS alert opens an exercise incident
    [ref] = sqlite_ctx.drills.service.incident_refs(player.id)
    clock.advance(timedelta(minutes=2))
    sqlite_ctx.incidents.change_status(ref, "in_progress")
    WarRoomService(sqlite_ctx.db, clock, "tester").declare(ref, bridge="https://meet.example/x")
    results = _play_to_end(player, clock, timedelta(seconds=30))
    assert "ack:met" in results and "declared:met" in results
    assert not any(r.startswith("contingency") and r.endswith(":played") and "declared" in r
                   for r in results)
    skipped = [p for p in player.played if p.inject.kind == "contingency" and
               p.inject.if_missed == "declared"]
    assert skipped and skipped[0].result == "skipped"
    card = sqlite_ctx.drills.scoring.scorecard(player.id, clock.now())
    tta = card.figure("tta")
    assert tta.expected_s == 300 and tta.met is True and 120 <= (tta.actual_s or 0) <= 151
    assert card.figure("declare").met is True
    assert card.figure("resolve").met is False and card.figure("resolve").actual_s is None
    data = card.to_json()
    for key in ("tta_s", "declare_s", "first_update_s", "contact_reached_s", "resolve_s"):
        assert {"value", "expected_s", "met"} <= set(data[key])
    assert any("role" in s.lower() or "manager" in s.lower() for s in card.missed_steps)


def test_pause_speed_and_skip_move_the_scenario_clock(sqlite_ctx: AppContext,
                                                     clock: ManualClock) -> None:
    player = _player(sqlite_ctx, find("mail-relay-down"))
    clock.advance(timedelta(seconds=1))
    assert [p.inject.id for p in player.tick()] == ["queue-growing"]
    player.pause()
    clock.advance(timedelta(hours=1))
    assert player.tick() == [] and player.position() == pytest.approx(1.0)
    player.resume()
    player.set_speed(60)
    clock.advance(timedelta(seconds=2))  # 120 scenario seconds: the call at T+2m
    assert [p.inject.kind for p in player.tick()] == ["call"]
    played = player.skip()
    assert [p.inject.id for p in played] == ["ack"]
    assert sqlite_ctx.drills.service.get(player.id).speed == 60


def test_the_after_action_report_is_frozen_once_signed(sqlite_ctx: AppContext,
                                                       clock: ManualClock) -> None:
    player = _player(sqlite_ctx, find("suspected-ransomware"), speed=60)
    _play_to_end(player, clock, timedelta(seconds=5))
    reports = sqlite_ctx.drills.reports
    reports.edit(player.id, strengths="Quick triage", improvements="Declare earlier",
                 actions=[CorrectiveAction("Drill the declaration", "Dana", date(2026, 12, 1))])
    signed = reports.sign(player.id, "Lead")
    assert signed.signed and signed.intact and len(signed.digest) == 64
    with pytest.raises(ValidationError, match="frozen"):
        reports.edit(player.id, strengths="changed", improvements="", actions=[])
    from imdesk.domain.report_doc import to_markdown

    text = to_markdown(reports.document(player.id, clock.now()))
    assert "Quick triage" in text and "Drill the declaration" in text and signed.digest in text
    # a change behind the service's back shows
    from imdesk.storage.drill_models import DrillReportRow

    with sqlite_ctx.db.write() as s:
        row = s.get(DrillReportRow, player.id)
        assert row is not None
        row.strengths = "rewritten later"
    assert not reports.after_action(player.id).intact


def test_an_update_captured_by_the_guard_counts_as_sent_on_the_scorecard(
        sqlite_ctx: AppContext, clock: ManualClock) -> None:
    from imdesk.services.comms.recipients import Recipient
    from tests.comms.conftest import configure, use_people

    configure(sqlite_ctx)
    use_people(sqlite_ctx, [Recipient("Real CEO", phones=("+4915112345678",),
                                      emails=("ceo@example.org",))])
    player = _player(sqlite_ctx, find("mail-relay-down"))
    clock.advance(timedelta(seconds=1))
    player.tick()
    [ref] = sqlite_ctx.drills.service.incident_refs(player.id)
    clock.advance(timedelta(minutes=6))
    notify = sqlite_ctx.comms.notify
    notify.queue(notify.plan(ref, "initial", channel="email"))
    _play_to_end(player, clock, timedelta(minutes=1))
    assert "update:met" in [f"{p.inject.id}:{p.result}" for p in player.played]
    figure = sqlite_ctx.drills.scoring.scorecard(player.id, clock.now()).figure("first_update")
    assert figure.met and 360 <= (figure.actual_s or 0) <= 420
