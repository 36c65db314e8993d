"""`incident link | unlink | promote | similar`, `incident show --json` with links and callers,
`service depends | impact`: happy paths and one-line refusals (exit 2, nothing changed)."""

from __future__ import annotations

import pytest

from imdesk.context import AppContext
from tests.helpers.cli_runner import Cli


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str], sqlite_url: str) -> Cli:
    return Cli(capsys, sqlite_url.removeprefix("sqlite:///"))


def _add(cli: Cli, title: str) -> str:
    code, out, _ = cli("incident", "add", "--title", title, "--impact", "high", "--urgency", "high")
    assert code == 0
    return out.strip()


def test_link_show_similar_unlink(cli: Cli) -> None:
    master = _add(cli, "E-mail outage: outgoing mail stuck")
    call = _add(cli, "cannot send mail")
    code, out, _ = cli("incident", "link", call, "--to", master, "--caller", "Anna Weber",
                       "--contact", "anna@example.com")
    assert (code, out) == (0, f"{call} is now a caller of {master}\n")
    shown = cli.json("incident", "show", master)
    assert [c["name"] for c in shown["callers"]] == ["Anna Weber"]
    assert shown["links"][0]["role"] == "caller" and shown["links"][0]["ref"] == call
    assert cli.json("incident", "show", call)["links"][0]["role"] == "master"
    hints = cli.json("incident", "similar", "cant sned mail")
    assert hints[0]["ref"] == master and hints[0]["callers"] == 1
    code, out, _ = cli("incident", "similar", "cant sned mail")
    assert out.startswith(f"{master} E-mail outage") and "1 caller)" in out
    code, _out, err = cli("incident", "link", call, "--to", master)
    assert code == 2 and err.count("\n") == 1 and "already linked" in err
    code, out, _ = cli("incident", "unlink", call)
    assert (code, out) == (0, f"{call} unlinked from {master}\n")
    assert cli.json("incident", "show", master)["callers"] == []


def test_promote_and_resolve_propagates(cli: Cli) -> None:
    master, a, b = _add(cli, "outage"), _add(cli, "call a"), _add(cli, "call b")
    for c in (a, b):
        assert cli("incident", "link", c, "--to", master)[0] == 0
    assert cli.json("incident", "promote", a) == {"master": a, "was": master}
    assert cli("incident", "status", a, "resolved", "--note", "fixed")[0] == 0
    assert cli.json("incident", "show", b)["status"] == "resolved"
    assert cli.json("incident", "show", master)["status"] == "resolved"


def test_service_depends_and_impact(cli: Cli, sqlite_ctx: AppContext) -> None:
    for name in ("Network", "VPN", "ERP", "Payroll"):
        sqlite_ctx.catalog.add(name)
    assert cli("service", "depends", "VPN", "--on", "Network")[0] == 0
    assert cli("service", "depends", "ERP", "--on", "Network")[0] == 0
    assert cli("service", "depends", "Payroll", "--on", "ERP")[0] == 0
    assert cli.json("service", "depends", "VPN") == {"service": "VPN", "depends_on": ["Network"]}
    code, _out, err = cli("service", "depends", "Network", "--on", "Payroll")
    assert code == 2 and "a dependency cycle: " in err and err.count("\n") == 1
    impact = cli.json("service", "impact", "Network")["dependants"]
    assert [(d["name"], d["level"]) for d in impact] == [("ERP", 1), ("VPN", 1), ("Payroll", 2)]
    code, out, _ = cli("service", "impact", "Network")
    assert "  Payroll (level 2, via ERP" in out
