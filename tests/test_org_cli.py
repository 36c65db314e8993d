"""`imdesk org export / import / show`: the organisation as a text file, round trip into an
empty database, all or nothing with line numbers."""

from __future__ import annotations

from pathlib import Path

import pytest

from imdesk.app import build_context
from imdesk.services.demo.contacts import seed_demo_contacts
from imdesk.services.demo.story import _ensure_services, load_story
from tests.helpers.cli_runner import Cli


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str], db_url: str) -> Cli:
    ctx = build_context(db_url)
    try:
        _ensure_services(ctx, load_story())
        seed_demo_contacts(ctx)
    finally:
        ctx.close()
    return Cli(capsys, db_url)


def _empty_with_contacts(cli: Cli, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Cli:
    """A second, empty database holding only the same contacts (as a vCard export carries them)."""
    book = tmp_path / "book.vcf"
    assert cli("contacts", "export", "--format", "vcard", "-o", str(book))[0] == 0
    other = Cli(capsys, f"sqlite:///{tmp_path / 'empty.sqlite'}")
    assert other("contacts", "import", str(book))[0] == 0
    return other


def test_export_import_into_an_empty_database_export_is_identical(
        cli: Cli, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    first = tmp_path / "org.txt"
    code, out, err = cli("org", "export", "-o", str(first))
    assert code == 0, err
    text = first.read_text(encoding="utf-8")
    assert text.startswith("# imdesk organisation 1\ntimezone: UTC\n")
    assert "[team Network]" in text and "[service VPN]" in text and "ladder:\n  on duty, 10" in text
    assert "roster:\n" in text and "stakeholders:\n  P1: " in text

    other = _empty_with_contacts(cli, tmp_path, capsys)
    code, out, err = other("org", "import", str(first), "--dry-run")
    assert code == 0 and "dry run: nothing written" in out and "created: team " in out, err
    code, out, err = other("org", "export", "-o", "-")
    assert "[team" not in out and "[service" not in out  # the dry run wrote nothing

    report = other.json("org", "import", str(first))
    assert report["written"] and "service VPN" in report["created"] and report["counts"]["shifts"] >= 1
    second = tmp_path / "org-again.txt"
    assert other("org", "export", "-o", str(second))[0] == 0
    assert second.read_text(encoding="utf-8") == text
    again = other.json("org", "import", str(second))  # the same file again: replaced, unchanged
    assert again["created"] == [] and "team Network" in again["replaced"]
    assert other("org", "export", "-o", "-")[1] == text

    vpn = other.json("org", "show", "VPN")
    assert vpn["owner_team"] == "Network" and vpn["ladder"][0] == "on duty, 10"
    assert any(s["priority"] == "P1" for s in vpn["stakeholders"])
    code, out, _ = other("org", "show", "vpn")
    assert code == 0 and out.startswith("[service VPN]") and "[team Network]" in out


def test_a_bad_line_refuses_the_whole_file_naming_the_line(
        cli: Cli, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    other = _empty_with_contacts(cli, tmp_path, capsys)
    bad = tmp_path / "bad.txt"
    bad.write_text("# imdesk organisation 1\ntimezone: Europe/Berlin\n\n[team Night shift]\nmembers:\n"
                   "  Mei Tanaka — engineer\nladder:\n  on duty, 10\nroster:\n"
                   "  2026-12-24 22:00 → 06:00  Mei Tanaka  # Christmas\n\n"
                   "[service Coffee]\ncriticality: low\nowner team: Night shift\nstakeholders:\n"
                   "  P1: team Night shift\n  P2: Nobody Known\n", encoding="utf-8")
    code, out, err = other("org", "import", str(bad))
    assert (code, out) == (2, "") and "line 17: no contact named 'Nobody Known'" in err, err
    assert "[team Night shift]" not in other("org", "export", "-o", "-")[1]  # nothing half-applied
    for text, reason in (("[room X]\n", "line 1: a section is"),
                         ("[team A]\nmembers: Mei Tanaka\n", "line 2: 'members' in a team: its lines go"),
                         ("[team A]\nladder:\n  on duty, soon\n", "line 3: 'soon' is not a number"),
                         ("  stray\n", "line 1: an indented line"),
                         ("[team A]\n[team a]\n", "line 2: team 'a' appears twice"),
                         ("timezone: Mars/Olympus\n", "unknown time zone 'Mars/Olympus'")):
        bad.write_text(text, encoding="utf-8")
        code, out, err = other("org", "import", str(bad))
        assert code == 2 and reason in err, (text, err)
    bad.write_text("timezone: Europe/Berlin\n[team Night shift]\nroster:\n"
                   "  2026-12-24 22:00 → 06:00  Mei Tanaka\n", encoding="utf-8")
    assert other.json("org", "import", str(bad))["counts"]["shifts"] == 1
    assert "2026-12-24 21:00 → 2026-12-25 05:00  Mei Tanaka" in other("org", "export", "-o", "-")[1]
