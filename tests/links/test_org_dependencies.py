"""Service dependencies in the organisation file: exported as `depends on:` lines, imported
back (export → import → export is the same file), a cycle refused with its line, nothing written."""

from __future__ import annotations

from pathlib import Path

import pytest

from imdesk.app import build_context
from imdesk.services.demo.contacts import seed_demo_contacts
from imdesk.services.demo.story import _ensure_services, load_story
from tests.helpers.cli_runner import Cli


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str], sqlite_url: str) -> Cli:
    ctx = build_context(sqlite_url)
    try:
        _ensure_services(ctx, load_story())
        seed_demo_contacts(ctx)
        ctx.dependencies.set_depends_on("VPN", ["Network"])
        ctx.dependencies.set_depends_on("Payroll", ["ERP", "E-mail"])
        ctx.dependencies.set_depends_on("ERP", ["Network"])
    finally:
        ctx.close()
    return Cli(capsys, sqlite_url)


def test_dependencies_round_trip_and_a_cycle_is_refused_by_line(
        cli: Cli, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    first = tmp_path / "org.txt"
    assert cli("org", "export", "-o", str(first))[0] == 0
    text = first.read_text(encoding="utf-8")
    assert "[service Payroll]" in text and "depends on:\n  ERP\n  E-mail\n" in text
    book = tmp_path / "book.vcf"
    assert cli("contacts", "export", "--format", "vcard", "-o", str(book))[0] == 0
    other = Cli(capsys, f"sqlite:///{tmp_path / 'empty.sqlite'}")
    assert other("contacts", "import", str(book))[0] == 0
    report = other.json("org", "import", str(first))
    assert report["counts"]["dependencies"] == 4
    assert other("org", "export", "-o", "-")[1] == text
    assert other.json("service", "depends", "payroll")["depends_on"] == ["ERP", "E-mail"]

    lines = text.split("\n")
    at = lines.index("[service Network]")
    lines.insert(at + 2, "depends on:\n  Payroll")
    cyclic = tmp_path / "cyclic.txt"
    cyclic.write_text("\n".join(lines), encoding="utf-8")
    code, _out, err = other("org", "import", str(cyclic))
    assert code == 2 and err.count("\n") == 1
    assert "a dependency cycle: " in err and "Payroll" in err and "line " in err
    assert other.json("service", "depends", "Network")["depends_on"] == []

