"""The alert commands as a user runs them: ingest (same checks as the listener), list, maintenance,
heartbeats, rules, and the token (keyring only, never in the database)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.helpers.alert_payloads import alertmanager, am_alert, pagerduty
from tests.helpers.cli_runner import Cli


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str], db_url: str) -> Cli:
    return Cli(capsys, db_url)


def _file(tmp_path: Path, name: str, body: object) -> str:
    path = tmp_path / name
    path.write_text(json.dumps(body))
    return str(path)


def test_ingest_then_list_shows_each_alert_with_its_incident(cli: Cli, tmp_path: Path) -> None:
    firing = _file(tmp_path, "am.json", alertmanager("g1", am_alert("DiskFull", instance="db1"),
                                                     am_alert("DiskFull", instance="db2")))
    result = cli.json("alerts", "ingest", firing)
    assert result["format"] == "alertmanager" and result["opened"][0]["ref"] == "INC-1001"
    assert cli.json("alerts", "ingest", firing)["notes"] == ["an exact replay: nothing changed"]
    rows = cli.json("alerts", "list")
    assert {tuple(sorted(r)) for r in rows} == {tuple(sorted([
        "source", "group_key", "alert_key", "status", "summary", "severity", "first_seen",
        "last_seen", "count", "ref", "suppressed", "labels", "annotations", "links"]))}
    assert [(r["source"], r["group_key"], r["status"], r["count"], r["ref"], r["suppressed"])
            for r in rows] == [("alertmanager", "g1", "firing", 1, "INC-1001", False)] * 2
    shown = cli.json("incident", "show", "INC-1001")
    assert shown["origin"] == "monitoring"
    code, out, _ = cli("alerts", "list")
    assert code == 0 and "INC-1001" in out and "DiskFull on db1" in out


def test_pagerduty_through_the_command_line(cli: Cli, tmp_path: Path) -> None:
    result = cli.json("alerts", "ingest", _file(tmp_path, "pd.json", pagerduty("trigger", None)),
                      "--format", "pagerduty")
    assert len(result["dedup_key"]) == 32 and result["opened"][0]["priority"] == "P1"


@pytest.mark.parametrize(("body", "fmt", "reason"), [
    ({"ruleId": 3, "ruleName": "CPU", "state": "alerting", "evalMatches": []}, "auto",
     "legacy Grafana webhook"),
    (alertmanager("g", am_alert("X")), "pagerduty", "expected a pagerduty payload"),
    ({"version": "4", "groupKey": "g", "status": "firing", "alerts": [{"status": 1}]}, "auto",
     "alerts[0].status must be a string"),
])
def test_ingest_refuses_what_the_listener_refuses_and_stores_nothing(
        cli: Cli, tmp_path: Path, body: object, fmt: str, reason: str) -> None:
    code, out, err = cli("alerts", "ingest", _file(tmp_path, "bad.json", body), "--format", fmt)
    assert (code, out) == (2, "") and reason in err and err.count("\n") == 1
    assert cli.json("alerts", "list") == []


def test_ingest_refuses_a_file_over_the_limit(cli: Cli, tmp_path: Path) -> None:
    big = tmp_path / "big.json"
    big.write_bytes(b"{" + b" " * (1024 * 1024 + 1) + b"}")
    code, _out, err = cli("alerts", "ingest", str(big))
    assert code == 2 and "at most" in err


def test_maintenance_add_list_end(cli: Cli, tmp_path: Path) -> None:
    made = cli.json("maintenance", "add", "db patching", "--minutes", "60", "--matchers",
                    'instance=~"db.*"')
    assert made["state"] == "active" and made["matchers"] == "instance=~db.*"
    body = alertmanager("g", am_alert("Down", instance="db1"))
    cli.json("alerts", "ingest", _file(tmp_path, "am.json", body))
    assert [(r["suppressed"], r["ref"]) for r in cli.json("alerts", "list")] == [(True, None)]
    code, out, _ = cli("maintenance", "end", str(made["id"]))
    assert code == 0 and "ended" in out
    assert [w["state"] for w in cli.json("maintenance", "list")] == ["ended"]
    code, _out, err = cli("maintenance", "add", "everything", "--minutes", "60")
    assert code == 2 and "silence everything" in err
    code, _out, err = cli("maintenance", "add", "x", "--minutes", "5", "--end", "2030-01-01T00:00:00Z")
    assert code == 2 and "either --end or --minutes" in err


def test_heartbeats_and_rules(cli: Cli) -> None:
    code, out, _ = cli("heartbeat", "add", "prometheus-dc1", "--every", "5")
    assert code == 0 and "/heartbeat/prometheus-dc1" in out
    assert [h["state"] for h in cli.json("heartbeat", "list")] == ["waiting"]
    code, _out, err = cli("heartbeat", "add", "bad name", "--every", "5")
    assert code == 2 and "no spaces" in err
    code, _out, err = cli("alerts", "rule", "add", "job=vpn", "Nowhere")
    assert code == 2 and "no service named 'Nowhere'" in err
    cli("incident", "list")  # a fresh database has no services: add one the usual way
    from imdesk.app import build_context

    ctx = build_context(cli.db)
    try:
        ctx.catalog.add("VPN")
    finally:
        ctx.close()
    code, out, _ = cli("alerts", "rule", "add", 'job=~"vpn.*"', "vpn")
    assert code == 0 and "→ VPN" in out
    assert cli.json("alerts", "rule", "list") == [{"matchers": "job=~vpn.*", "service": "VPN"}]
    assert cli("alerts", "rule", "remove", "1")[0] == 0
    assert cli.json("alerts", "rule", "list") == []


def test_the_token_lives_in_the_keyring_and_never_in_the_database(
        sqlite_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    local = Cli(capsys, sqlite_url)
    code, out, err = local("alerts", "token")
    if code != 0:
        assert "keyring" in err  # no Secret Service here: refused, nothing printed or stored
        return
    token = out.strip()
    assert len(token) >= 40 and local("alerts", "token")[1].strip() == token
    rotated = local("alerts", "token", "--rotate")[1].strip()
    assert rotated != token and local("alerts", "token")[1].strip() == rotated
    db_file = Path(sqlite_url.removeprefix("sqlite:///"))
    for path in db_file.parent.glob(db_file.name + "*"):
        assert rotated.encode() not in path.read_bytes()
