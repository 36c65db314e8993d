"""The console in team mode offline: the banner over every pane says since when and how much
waits, the merge runs by itself when the server answers, and the conflicts it found are settled
from the keyboard."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from imdesk.app import build_context
from imdesk.context import AppContext
from imdesk.qt.main_window import MainWindow
from imdesk.qt.tasks import SyncTaskRunner
from imdesk.services.incidents import IncidentService, NewIncident
from imdesk.storage.database import Database
from tests.conftest import fresh_pg_url

pytestmark = [pytest.mark.postgres,
              pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")]


@pytest.fixture
def team_ctx(pg_template: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[AppContext]:
    monkeypatch.setenv("IMDESK_DESK", "SPOC")
    monkeypatch.setenv("IMDESK_DATA_DIR", str(tmp_path / "spoc"))
    ctx = build_context(fresh_pg_url(pg_template))
    yield ctx
    ctx.close()


def test_offline_banner_merge_and_conflicts_by_keyboard(qtbot: QtBot, team_ctx: AppContext) -> None:
    ref = team_ctx.incidents.create(NewIncident("VPN down", "high", "high")).ref
    win = MainWindow(team_ctx, SyncTaskRunner())
    win.persist_layout = False
    qtbot.addWidget(win)
    win.show()
    win.start()
    qtbot.waitUntil(lambda: getattr(win, "spool_wiring", None) is not None)
    wiring = win.spool_wiring  # type: ignore[attr-defined]
    spool = team_ctx.spool
    assert spool is not None and spool.status().synced_at is not None  # the replica is made

    spool.go_offline()
    team_ctx.incidents.change_status(ref, "on_hold", "waiting for the vendor")
    team_ctx.incidents.add_note(ref, "vendor ticket 44812")
    wiring.timer.stop()  # the test drives it
    server = Database(team_ctx.db.engine.url.render_as_string(hide_password=False))
    other = IncidentService(server, author="kim")
    other.change_status(ref, "cancelled", "raised twice")  # meanwhile, another desk
    server.dispose()
    team_ctx.db.go_offline()  # type: ignore[attr-defined]
    # still offline as far as the console knows: the banner says so with what waits
    wiring._was_offline = None
    wiring._running = False
    real_tick = spool.tick
    spool.tick = lambda: None  # type: ignore[method-assign]
    wiring.poke()
    fixed = win.banner._fixed["offline"][1].text()
    assert fixed.startswith("Offline since") and "2 entries waiting" in fixed
    spool.tick = real_tick  # type: ignore[method-assign]
    wiring.poke()  # the server answers: merged
    assert "offline" not in win.banner._fixed
    assert any("Back online: merged 1 entry" in text and "1 conflict" in text
               for _row, text in win.banner._rows)

    qtbot.keyClick(win, Qt.Key.Key_K, Qt.KeyboardModifier.ControlModifier
                   | Qt.KeyboardModifier.ShiftModifier)
    dialog = wiring.dialog
    assert dialog is not None and not dialog.isHidden() and dialog.list.count() == 1
    assert "status → on_hold" in dialog.list.item(0).text()
    dialog.activateWindow()
    qtbot.waitUntil(dialog.isActiveWindow)
    qtbot.keyClick(dialog.list, Qt.Key.Key_A, Qt.KeyboardModifier.AltModifier)
    assert dialog.list.count() == 0, dialog.status.text()
    timeline = team_ctx.incidents.detail(ref).timeline
    assert "waiting for the vendor" in timeline[-1].text
    assert any("offline" in e.data for e in timeline)
    dialog.close()
    win.close()
