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


def test_every_search_plan_finds_the_same_rows_as_a_scan(sqlite_ctx: AppContext) -> None:
    """Common prefixes (most rows match), frequent words (many hits) and rare ones each take
    their own SQL plan; each must return what a plain scan of all rows returns, in order."""
    from imdesk.domain.lifecycle import OPEN_STATUSES
    from imdesk.services.demo.bulk_seed import bulk_seed
    from imdesk.storage.incident_repo import IncidentQuery

    bulk_seed(sqlite_ctx.db, incidents=1500, entries=3000)
    svc = sqlite_ctx.incidents
    everything = svc.page(IncidentQuery(sort="ref"), 0, 10_000)
    assert len(everything) == 1500
    open_statuses = tuple(OPEN_STATUSES)
    for word, statuses in (("pro", ()), ("pro", open_statuses), ("vpn", ()),
                           ("INC-2042", ()), ("zzz-nothing", ())):
        query = IncidentQuery(text=word, statuses=statuses, sort="sla")
        got = [s.ref for s in svc.page(query, 0, 10_000)]
        tokens = word.lower().replace("-", " ").split()
        expected = [s for s in everything
                    if all(any(w.startswith(t) for w in f"{s.ref} {s.title}".lower().replace(
                        "-", " ").replace("#", " ").split()) for t in tokens)
                    and (not statuses or s.status in statuses)]
        expected.sort(key=lambda s: (s.sla_due is None, s.hold_started_at is not None,
                                     s.sla_due or s.opened_at, int(s.ref.split("-")[1])))
        assert got == [s.ref for s in expected], word
        assert svc.count(query) == len(expected)
