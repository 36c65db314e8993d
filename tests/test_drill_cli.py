"""Drills from the command line and their files: broken scenario files refused with line, field
and problem and nothing written; a short scenario played by `drill run` printing each inject;
alerts posted to a running listener with its token; a closed incident replayed with role names
instead of real people; `incident exercise` both ways with who and why; exercises kept out of
the status-bar SLA counts and present when asked for."""

from __future__ import annotations

import json
import threading
from datetime import timedelta
from pathlib import Path

import pytest

from imdesk.channels.alert_listener import AlertListener
from imdesk.context import AppContext
from imdesk.domain.incident_query import IncidentQuery
from imdesk.services.clock import ManualClock
from imdesk.services.drills.player import DrillPlayer
from imdesk.services.drills.scenario_file import ScenarioRefused, find, parse_text
from imdesk.services.incidents import NewIncident
from imdesk.storage import incident_repo
from tests.helpers.cli_runner import Cli

SHORT = """\
version: 1
name: Short drill
injects:
  - at: T+0
    kind: alert
    format: alertmanager
    payload:
      version: "4"
      groupKey: short
      status: firing
      receiver: imdesk
      alerts:
        - status: firing
          labels: {alertname: ShortAlarm, severity: critical}
          annotations: {summary: the short alarm}
          startsAt: "2026-11-02T08:55:00Z"
  - {at: T+30s, kind: call, who: Plant manager, says: Line 2 stopped}
  - {at: T+1m, kind: expectation, id: ack, expect: acknowledged, objective: acknowledged}
"""

BROKEN = [
    ("version: 1\nname: x\ninjects:\n  - at: T+0\n    kind: alarm\n",
     "line 5: injects[0].kind: 'alarm' is not one of"),
    ("version: 1\nname: x\ninjects:\n  - {at: T+5m, kind: call, who: a, says: b}\n"
     "  - {at: T+1m, kind: call, who: a, says: b}\n",
     "line 5: injects[1].at: T+1m is before the inject above it (T+5m)"),
    ("version: 1\nname: 12\ninjects:\n  - {at: T+0, kind: call, who: a, says: b}\n",
     "line 2: name: must be text, not a number"),
    ("version: 1\nname: x\ninjects:\n  - at: T+0\n    kind: alert\n    format: pagerduty\n"
     "    payload: {routing_key: k, event_action: trigger}\n",
     "line 7: injects[0].payload: the alert intake would refuse it: payload must be an object"),
    ("version: 1\nname: x\ninjects:\n  - {at: T+0, kind: call, who: a, says: b}\n"
     "  - {at: T+1m, kind: contingency, if_missed: nope, says: c}\n",
     "line 5: injects[1].if_missed: no expectation with id 'nope'"),
    ('{"version": 1, "name": "json",\n "injects": [{"at": "soon", "kind": "call", '
     '"who": "a", "says": "b"}]}', "line 2: injects[0].at: 'soon' is not a scenario time"),
    ("version: 1\nname: [unclosed\n", "line 3: scenario: not YAML or JSON"),
]


@pytest.mark.parametrize(("text", "reason"), BROKEN, ids=range(len(BROKEN)))
def test_a_broken_scenario_is_refused_precisely(text: str, reason: str) -> None:
    with pytest.raises(ScenarioRefused) as err:
        parse_text(text, "s.yaml")
    assert any(reason in str(p) for p in err.value.problems), [str(p) for p in err.value.problems]


def test_validate_prints_one_line_per_problem_and_writes_nothing(
        capsys: pytest.CaptureFixture[str], sqlite_url: str, tmp_path: Path) -> None:
    cli = Cli(capsys, sqlite_url)
    bad = tmp_path / "bad.yaml"
    bad.write_text("version: 2\nname: 5\ninjects:\n  - {at: T+0, kind: call, who: a, says: b,"
                   " colour: red}\n  - {at: T+1m, kind: expectation, id: e, expect: major,"
                   " objective: o, contact: Nobody Known}\n", encoding="utf-8")
    code, out, err = cli("drill", "validate", str(bad))
    assert code == 2 and out == ""
    lines = err.strip().splitlines()
    assert lines == [f"imdesk: {bad}:1: version: 2 is not a version this imdesk reads (1)",
                     f"imdesk: {bad}:2: name: must be text, not a number",
                     f"imdesk: {bad}:4: injects[0].colour: is not a field of a call inject "
                     "(asks, at, id, kind, says, who)"]
    bad.write_text(SHORT.replace("objective: acknowledged}", "objective: a, contact: Nobody}"),
                   encoding="utf-8")
    code, _, err = cli("drill", "validate", str(bad))
    assert code == 2 and "injects[2].contact: no contact named 'Nobody'" in err
    assert cli.json("drill", "list")["drills"] == []
    assert cli.json("incident", "list", "--all") == []
    good = tmp_path / "good.yaml"
    good.write_text(SHORT, encoding="utf-8")
    assert cli.json("drill", "validate", str(good))["injects"] == 3


def test_drill_run_plays_and_prints_each_inject(capsys: pytest.CaptureFixture[str],
                                                sqlite_url: str, tmp_path: Path) -> None:
    cli = Cli(capsys, sqlite_url)
    path = tmp_path / "short.yaml"
    path.write_text(SHORT, encoding="utf-8")
    code, out, err = cli("drill", "run", str(path), "--speed", "60", "--json")
    assert code == 0, err
    lines = [json.loads(line) for line in out.splitlines()]
    assert [(x["at"], x["kind"], x["result"]) for x in lines] == [
        ("T+0", "alert", "played"), ("T+30s", "call", "played"), ("T+1m", "expectation", "missed")]
    assert all(x["late_ms"] < 500 for x in lines)
    [incident] = cli.json("incident", "list", "--all")
    assert incident["exercise"] is True
    assert cli.json("drill", "score", "1")["tta_s"] == {"value": None, "expected_s": 60,
                                                        "met": False}


def test_alerts_go_through_the_running_listener_with_its_token(
        sqlite_ctx: AppContext, clock: ManualClock) -> None:
    done = threading.Event()
    listener = AlertListener(sqlite_ctx.alerts.intake, "drill-token", port=0,
                             on_outcome=lambda o: done.set())
    listener.start()
    try:
        desk = sqlite_ctx.drills
        drill = desk.service.start(parse_text(SHORT, "short"))
        player = DrillPlayer(desk.service, drill,
                             desk.deliverer(f"http://127.0.0.1:{listener.port}", "drill-token"))
        played = player.tick()
        assert played[0].route == "listener" and played[0].result == "played"
        assert done.wait(10)
    finally:
        listener.stop()
    [ref] = desk.service.incident_refs(drill.id) or [sqlite_ctx.incidents.page(
        IncidentQuery(), 0, 5)[0].ref]
    state = sqlite_ctx.incidents.get(ref)
    assert state.exercise and state.title == "the short alarm"


def test_exercise_both_ways_with_who_and_why_and_out_of_the_sla_counts(
        capsys: pytest.CaptureFixture[str], sqlite_url: str) -> None:
    cli = Cli(capsys, sqlite_url)
    ref = cli.json("incident", "add", "--title", "Drill: ERP", "--impact", "high", "--urgency",
                   "high", "--exercise")["ref"]
    real = cli.json("incident", "add", "--title", "Printer", "--impact", "low", "--urgency",
                    "low")["ref"]
    from imdesk.app import build_context

    ctx = build_context(sqlite_url)
    try:
        with ctx.db.read() as s:
            assert len(incident_repo.open_clocks(s)) == 1  # the exercise is not counted
        shown = ctx.incidents.page(IncidentQuery(), 0, 10)
        assert {i.ref for i in shown} == {ref, real}  # …but listed when asked for
        hidden = ctx.incidents.page(IncidentQuery(include_exercise=False), 0, 10)
        assert [i.ref for i in hidden] == [real]
    finally:
        ctx.close()
    cli.refused(ref, "already is an exercise", "incident", "exercise", ref, "--exercise",
                "--why", "x")
    assert cli.json("incident", "exercise", ref, "--real", "--why",
                    "the drill found a real fault")["exercise"] is False
    entry = cli.timeline(ref)[-1]
    assert entry["kind"] == "exercise" and "the drill found a real fault" in entry["text"]
    assert entry["author"]


def test_a_closed_incident_is_replayed_with_role_names(
        sqlite_ctx: AppContext, clock: ManualClock, tmp_path: Path) -> None:
    from imdesk.domain.contact import ContactRecord, Phone, PhoneKind
    from imdesk.services.drills.replay import replay, to_yaml

    ctx = sqlite_ctx
    from tests.helpers.alert_payloads import alertmanager, am_alert, encode

    ctx.alerts.intake.ingest(encode(alertmanager("g1", am_alert("DiskFull"))))
    ref = ctx.incidents.page(IncidentQuery(), 0, 1)[0].ref
    kim = ctx.contacts.add(ContactRecord(name="Kim Larsen", phones=(
        Phone(PhoneKind.MOBILE, "+4915112345678", "+4915112345678"),)))
    clock.advance(timedelta(minutes=3))
    ctx.incidents.change_status(ref, "in_progress")
    clock.advance(timedelta(minutes=4))
    ctx.contacts.log_call(ref, kim, "reached")
    clock.advance(timedelta(minutes=20))
    ctx.incidents.change_status(ref, "resolved", note="Kim Larsen freed disk space")
    scenario = replay(ctx.incidents, ctx.alerts.intake, ref)
    text = to_yaml(scenario)
    assert "Kim Larsen" not in text and "Contact 1" in text
    kinds = [(i.at_text, i.kind) for i in scenario.injects]
    assert ("T+0", "alert") in kinds and ("T+7m", "call") in kinds
    assert ("T+3m", "expectation") in kinds and ("T+27m", "expectation") in kinds
    assert parse_text(text).name == scenario.name  # the file reads back
    out = tmp_path / "replay.yaml"
    out.write_text(text, encoding="utf-8")
    assert find(str(out)).injects == parse_text(text).injects
    other = ctx.incidents.create(NewIncident(title="open", impact="low", urgency="low")).ref
    with pytest.raises(Exception, match="only a resolved or closed"):
        replay(ctx.incidents, ctx.alerts.intake, other)


def test_the_desk_allow_list_from_the_command_line(capsys: pytest.CaptureFixture[str],
                                                   sqlite_url: str) -> None:
    cli = Cli(capsys, sqlite_url)
    assert cli.json("drill", "allow") == {"allow_list": [], "capture": True}
    shown = cli.json("drill", "allow", "drill@example.org", "+49 151 99999999", "--no-capture")
    assert shown == {"allow_list": ["drill@example.org", "+49 151 99999999"], "capture": False}
    code, _, err = cli("drill", "allow", "nobody")
    assert code == 2 and "neither an email address nor a phone number" in err
    assert cli.json("drill", "allow", "--clear", "--capture") == {"allow_list": [],
                                                                  "capture": True}


def test_the_reports_as_pdf_and_markdown(capsys: pytest.CaptureFixture[str], sqlite_url: str,
                                         tmp_path: Path, qapp: object) -> None:
    # qapp: the PDF writer then uses the test session's QApplication rather than making a
    # QGuiApplication of its own that later widget tests could not use
    from imdesk.app import build_context
    from tests.helpers.pdf_text import pdf_text

    cli = Cli(capsys, sqlite_url)
    path = tmp_path / "short.yaml"
    path.write_text(SHORT, encoding="utf-8")
    assert cli("drill", "run", str(path), "--speed", "60", "--json")[0] == 0
    signed = cli.json("drill", "review", "1", "--strengths", "Calm triage", "--improve",
                      "Acknowledge sooner", "--action", "Page the on-call|Dana Weiss|2026-12-15",
                      "--sign")
    assert signed["signed_by"] and len(signed["digest"]) == 64 and signed["intact"]
    code, _, err = cli("drill", "review", "1", "--strengths", "changed")
    assert code == 2 and "frozen" in err
    assert cli("drill", "report", "1", "--format", "pdf", "-o", str(tmp_path / "r.pdf"))[0] == 0
    text = pdf_text(tmp_path / "r.pdf")
    for needle in ("After-action report: Short drill", "Time to acknowledge", "MISSED",
                   "Calm triage", "Page the on-call", "Dana Weiss", "page 1 of"):
        assert needle in text, needle
    # the digest is one long word: the page may break it anywhere (the font is proportional)
    assert signed["digest"] in "".join(text.split())
    assert cli("drill", "report", "1", "--format", "md", "-o", str(tmp_path / "r.md"))[0] == 0
    assert "| Time to acknowledge | — | 1 min 00 s | MISSED |" in (tmp_path / "r.md").read_text()
    # the contact drill's report: tries outside incidents, stale contacts
    from imdesk.domain.contact import ContactRecord, Phone, PhoneKind

    ctx = build_context(sqlite_url)
    try:
        ids = [ctx.contacts.add(ContactRecord(name=n, phones=(Phone(PhoneKind.MOBILE, p, p),)))
               for n, p in (("Kim Larsen", "+4915112345678"), ("Ana Souza", "+5511912345678"))]
        ctx.contacts.verify(ids[0], "reached")
        ctx.contacts.verify(ids[1], "not_reached")
        ctx.contacts.verify(ids[1], "wrong_number")
    finally:
        ctx.close()
    shown = cli.json("drill", "contacts-report", "--format", "pdf", "-o",
                     str(tmp_path / "c.pdf"))
    assert (shown["tried"], shown["reached"], shown["no_answer"], shown["wrong"]) == (3, 1, 1, 1)
    assert [s["name"] for s in shown["stale"]] == ["Ana Souza"]
    text = pdf_text(tmp_path / "c.pdf")
    assert "Contact drill results" in text and "Numbers tried" in text and "Ana Souza" in text
