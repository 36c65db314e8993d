"""`imdesk contacts list/who/pack` as a user runs them, on the demo contact book."""

from __future__ import annotations

from pathlib import Path

import pytest

from imdesk.app import build_context
from imdesk.services.demo.contacts import seed_demo_contacts
from imdesk.services.demo.story import _ensure_services, load_story
from tests.helpers.cli_runner import Cli


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str], db_url: str) -> Cli:
    ctx = build_context(db_url)  # the system clock, as the command line uses: rosters cover now
    try:
        _ensure_services(ctx, load_story())
        seed_demo_contacts(ctx)
    finally:
        ctx.close()
    return Cli(capsys, db_url)


def test_who_gives_owner_on_duty_and_ladder(cli: Cli) -> None:
    data = cli.json("contacts", "who", "vpn")
    assert data["service"] == "VPN" and data["owner_team"] == "Network"
    assert len(data["on_duty"]) == 1 and data["on_duty"][0]["phones"][0]["e164"].startswith("+")
    steps = data["ladder"]
    assert [s["starts_after_minutes"] for s in steps] == [0, 10, 25, 55]
    assert steps[1]["who"] == "team lead" and steps[1]["callees"][0]["name"] == "Lucía Fernández"
    code, out, _err = cli("contacts", "who", "VPN")
    assert code == 0 and "owner team Network" in out and "+10 min  team lead" in out


def test_who_for_an_unknown_service_exits_2(cli: Cli) -> None:
    code, out, err = cli("contacts", "who", "Coffee machine")
    assert (code, out) == (2, "") and "no service named 'Coffee machine'" in err


def test_list_and_the_stale_queue(cli: Cli) -> None:
    everyone = cli.json("contacts", "list")
    stale = cli.json("contacts", "list", "--stale")
    assert len(everyone) == 31
    names = {c["name"] for c in stale}
    assert {"Pizzeria Bella Napoli", "Yusuf Demir", "Grace Mensah", "Erik Johansson"} <= names
    assert "Kim Nguyen" not in names
    erik = next(c for c in stale if c["name"] == "Erik Johansson")
    assert erik["review"].startswith("wrong number")


def test_pack_writes_a_pdf(cli: Cli, tmp_path: Path) -> None:
    out = tmp_path / "pack.pdf"
    code, text, err = cli("contacts", "pack", "-o", str(out))
    assert code == 0, err
    assert out.read_bytes().startswith(b"%PDF") and "15 services" in text
    code, _t, err = cli("contacts", "pack", "-o", str(tmp_path / "pack.txt"))
    assert code == 2 and "PDF" in err
