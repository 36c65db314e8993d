"""Team mode in the console: a change on desk A appears on desk B's incident list within 500 ms
(PostgreSQL, signal-driven, no sleep), the command line's writes reach a console on a SQLite file,
the desk is named from the keyboard and shown beside the author on every timeline line, and a
status change refused as stale keeps its note and shows the fresh state."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from imdesk.app import build_context
from imdesk.context import AppContext
from imdesk.domain.lifecycle import Status
from imdesk.qt.main_window import MainWindow
from imdesk.qt.tasks import SyncTaskRunner
from imdesk.qt.team.wiring import TeamWiring
from imdesk.services.incidents import NewIncident
from tests.conftest import PG_URL, fresh_pg_url
from tests.qt.test_keyboard import dialog_went_well, on_next_dialog

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")


def console(qtbot: QtBot, ctx: AppContext) -> MainWindow:
    window = MainWindow(ctx, SyncTaskRunner())
    window.persist_layout = False
    qtbot.addWidget(window)
    window.resize(1300, 800)
    window.show()
    window.start()
    qtbot.waitUntil(lambda: window.findChild(TeamWiring) is not None, timeout=20_000)
    return window


def team(window: MainWindow) -> TeamWiring:
    found = window.findChild(TeamWiring)
    assert found is not None
    return found


def new(ctx: AppContext, title: str) -> str:
    return ctx.incidents.create(NewIncident(title=title, impact="high", urgency="high")).ref


@pytest.fixture
def pg_desks(pg_template: str) -> Iterator[tuple[AppContext, AppContext]]:
    if not PG_URL:
        pytest.skip("PostgreSQL not started (IMDESK_TEST_PG_URL)")
    url = fresh_pg_url(pg_template)
    a, b = build_context(url, author="ana"), build_context(url, author="bo")
    a.set_desk_name("SPOC desk")
    b.set_desk_name("MIM laptop")
    yield a, b
    a.close()
    b.close()


def test_a_change_on_desk_a_is_on_desk_b_within_half_a_second(
        qtbot: QtBot, pg_desks: tuple[AppContext, AppContext]) -> None:
    a, b = pg_desks
    window = console(qtbot, b)
    listener = team(window).feed.listener
    assert listener is not None and listener.connected.wait(20)
    model = window.incidents.model
    first = new(a, "Console warming up")  # the console's own start-up (the alert listener's
    qtbot.waitUntil(lambda: model.row_of(first) >= 0, timeout=10_000)  # process) is done by now
    for n in range(3):
        ref = new(a, f"Printer {n} jammed")  # committed on desk A
        qtbot.waitUntil(lambda ref=ref: model.row_of(ref) >= 0, timeout=500)
    window.incidents.show_incident(ref)
    qtbot.waitUntil(lambda: window.incidents.detail.state is not None
                    and window.incidents.detail.state.ref == ref)
    a.incidents.add_note(ref, "vendor is on site")
    timeline = window.incidents.detail.timeline_model
    newest = timeline.index(0)  # newest first
    qtbot.waitUntil(lambda: "vendor is on site" in str(
        timeline.data(newest, Qt.ItemDataRole.DisplayRole)), timeout=500)
    assert "ana · SPOC desk" in str(timeline.data(newest, Qt.ItemDataRole.DisplayRole))
    window.close()


def test_the_command_line_writing_reaches_a_console_on_a_sqlite_file(
        qtbot: QtBot, sqlite_ctx: AppContext, tmp_path: Path) -> None:
    window = console(qtbot, sqlite_ctx)
    assert sqlite_ctx.info.path is not None
    env = {**os.environ, "PYTHONPATH": str(ROOT), "IMDESK_DATA_DIR": str(tmp_path)}
    done = subprocess.run([sys.executable, "-m", "imdesk", "--db", str(sqlite_ctx.info.path),
                           "incident", "add", "--title", "Badge readers down", "--impact", "high",
                           "--urgency", "high"], capture_output=True, text=True, env=env,
                          timeout=120, check=True)
    ref = done.stdout.strip()
    qtbot.waitUntil(lambda: window.incidents.model.row_of(ref) >= 0, timeout=5000)
    window.close()


def test_the_desk_is_named_from_the_keyboard_and_shown_on_every_line(
        qtbot: QtBot, sqlite_ctx: AppContext) -> None:
    window = console(qtbot, sqlite_ctx)
    wiring = team(window)
    assert wiring.desk_button.text() == f"Desk: {sqlite_ctx.desk.name}"

    def rename(dialog: object) -> None:
        edit = dialog.edit  # type: ignore[attr-defined]
        edit.selectAll()
        qtbot.keyClicks(edit, "x" * 70)
        qtbot.keyClick(edit, Qt.Key.Key_Return)  # refused: the dialog stays, the text too
        assert dialog.isVisible() and "at most 60" in dialog.error.text()  # type: ignore[attr-defined]
        edit.selectAll()
        qtbot.keyClicks(edit, "SPOC desk")
        qtbot.keyClick(edit, Qt.Key.Key_Return)

    on_next_dialog(rename)
    ctrl_alt = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.AltModifier
    qtbot.keyClick(window, Qt.Key.Key_D, ctrl_alt)
    dialog_went_well()
    assert wiring.desk_button.text() == "Desk: SPOC desk"
    ref = new(sqlite_ctx, "Wi-Fi drops on floor 3")
    window.incidents.reload()
    window.incidents.show_incident(ref)
    timeline = window.incidents.detail.timeline_model
    qtbot.waitUntil(lambda: timeline.rowCount() > 0)
    assert "tester · SPOC desk" in str(timeline.data(timeline.index(0), Qt.ItemDataRole.DisplayRole))
    window.close()


def test_a_stale_status_change_keeps_its_note_and_shows_the_fresh_state(
        qtbot: QtBot, sqlite_ctx: AppContext, clock: object) -> None:
    window = console(qtbot, sqlite_ctx)
    ref = new(sqlite_ctx, "Payroll export fails")
    window.incidents.reload()
    window.incidents.show_incident(ref)
    qtbot.waitUntil(lambda: window.incidents.detail.state is not None
                    and window.incidents.detail.state.ref == ref)
    assert sqlite_ctx.info.path is not None
    other = build_context(sqlite_ctx.info.path, author="bo")  # another desk, meanwhile
    other.set_desk_name("Shift lead")
    other.incidents.change_status(ref, "in_progress")
    other.close()
    window.incidents.change_status(Status.ON_HOLD, "waiting for the vendor")  # against seq 1
    error = window.incidents.detail.error
    qtbot.waitUntil(lambda: not error.isHidden())
    assert "changed meanwhile by Shift lead/bo: status new → in_progress" in error.text()
    assert "waiting for the vendor" in error.text()  # the note is kept
    state = window.incidents.detail.state
    assert state is not None and state.status == Status.IN_PROGRESS  # the fresh state
    window.close()
