"""Inputs at the edges: odd file names, joiners in names, edits of final records, messages."""

from __future__ import annotations

from pathlib import Path

import pytest

from imdesk.app import build_context
from imdesk.cli import main
from imdesk.context import AppContext
from imdesk.domain.errors import TransitionError
from imdesk.errors import DatabaseCorrupt
from imdesk.services.incidents import IncidentEdit, NewIncident


@pytest.mark.parametrize("name", ["odd?name.sqlite", "desk #2.sqlite", "100%.sqlite", "ü ß.sqlite"])
def test_database_paths_with_url_characters_open_the_named_file(
        tmp_path: Path, name: str, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / name
    assert main(["--db", str(path), "incident", "add", "--title", "Printer jam", "--impact", "low",
                 "--urgency", "low"]) == 0
    assert capsys.readouterr().out.strip() == "INC-1001"
    assert path.exists() and path.stat().st_size > 0
    assert sorted(p.name for p in tmp_path.iterdir() if p.suffix == ".sqlite") == [name]


def test_joiners_in_names_and_emoji_survive(sqlite_ctx: AppContext) -> None:
    persian = "می\u200cخواهم"  # ZWNJ is part of the word
    emoji = "👩\u200d💻 on call"
    state = sqlite_ctx.incidents.create(NewIncident(
        title=f"{persian} {emoji}", impact="low", urgency="low"))
    assert state.title == f"{persian} {emoji}"


def test_bidi_override_is_removed(sqlite_ctx: AppContext) -> None:
    state = sqlite_ctx.incidents.create(NewIncident(
        title="invoice\u202egnp.exe", impact="low", urgency="low"))
    assert state.title == "invoicegnp.exe"


def test_a_closed_incident_is_final_but_takes_notes(sqlite_ctx: AppContext) -> None:
    svc = sqlite_ctx.incidents
    ref = svc.create(NewIncident(title="Wi-Fi down", impact="medium", urgency="medium")).ref
    svc.change_status(ref, "resolved", "AP rebooted")
    svc.change_status(ref, "closed")
    before = svc.detail(ref)
    with pytest.raises(TransitionError, match="final"):
        svc.edit(ref, IncidentEdit(title="renamed", impact="high"))
    assert svc.detail(ref) == before
    svc.add_note(ref, "post-incident review booked for Monday")
    assert svc.detail(ref).timeline[-1].text == "post-incident review booked for Monday"


def test_error_messages_read_as_sentences() -> None:
    err = DatabaseCorrupt("the database file is damaged", hint="Restore the newest backup.")
    assert str(err) == "the database file is damaged. Restore the newest backup."
    assert str(DatabaseCorrupt("already a sentence.", hint="Next.")) == "already a sentence. Next."


def test_sqlite_url_keeps_the_path_whole(tmp_path: Path) -> None:
    from imdesk.storage.database import sqlite_url

    path = tmp_path / "a?b#c.sqlite"
    ctx = build_context(sqlite_url(path))
    try:
        assert ctx.db.info.path == path
    finally:
        ctx.close()
    assert path.exists()
