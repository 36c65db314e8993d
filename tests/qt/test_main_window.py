"""The window as a whole: rail, status bar, remembered layout, themes, read-only, start-up."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QApplication, QMessageBox
from pytestqt.qtbot import QtBot

from imdesk.app import build_context
from imdesk.context import AppContext
from imdesk.qt import console, theme
from imdesk.qt.main_window import MainWindow
from imdesk.qt.tasks import SyncTaskRunner
from imdesk.services.backups import backup_to
from imdesk.storage.instance_lock import InstanceLock
from tests.qt.conftest import add

ROOT = Path(__file__).resolve().parents[2]


def test_status_bar_names_the_database_and_counts(window: MainWindow,
                                                  sqlite_ctx: AppContext) -> None:
    add(sqlite_ctx, "Core switch down", "high", "high", major=True)
    window.refresh_counts()
    assert str(sqlite_ctx.db.info.path) in window.status.db_label.text()
    assert "1 major open" in window.status.counts_label.text()


def test_layout_is_remembered(qtbot: QtBot, sqlite_ctx: AppContext, tmp_path: Path) -> None:
    settings = QSettings(str(tmp_path / "window.ini"), QSettings.Format.IniFormat)
    first = MainWindow(sqlite_ctx, SyncTaskRunner())
    qtbot.addWidget(first)
    first.persist_layout = False
    first.restore_layout(settings)
    first.show()
    first.resize(1111, 700)
    first.incidents.table.setColumnWidth(3, 333)
    first.save_layout(settings)
    second = MainWindow(sqlite_ctx, SyncTaskRunner())
    qtbot.addWidget(second)
    second.persist_layout = False
    second.restore_layout(QSettings(str(tmp_path / "window.ini"), QSettings.Format.IniFormat))
    second.show()
    assert QSettings(str(tmp_path / "window.ini"), QSettings.Format.IniFormat).contains(
        "window/geometry")
    assert second.incidents.table.columnWidth(3) == 333


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_follows_light_and_dark_scheme(qtbot: QtBot, window: MainWindow, sqlite_ctx: AppContext,
                                       monkeypatch: pytest.MonkeyPatch, scheme: str,
                                       tmp_path: Path) -> None:
    add(sqlite_ctx, "Website down", "high", "high")
    monkeypatch.setenv("IMDESK_THEME", scheme)
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    original = app.palette()
    try:
        theme.apply_theme(app)
        window.incidents.reload()
        image = window.grab().toImage()
        assert not image.isNull()
        lightness = app.palette().color(QPalette.ColorRole.Window).lightness()
        assert (lightness < 128) == (scheme == "dark")
        assert theme.is_dark() == (scheme == "dark")
        image.save(str(tmp_path / f"{scheme}.png"))
        assert (tmp_path / f"{scheme}.png").stat().st_size > 10_000
    finally:
        app.setPalette(original)
        theme.forget_scheme()


def test_read_only_database_opens_with_a_banner(qtbot: QtBot, sqlite_url: str) -> None:
    ctx = build_context(sqlite_url)
    add(ctx, "Before it became read-only")
    ctx.close()
    path = Path(sqlite_url.removeprefix("sqlite:///"))
    path.chmod(0o444)
    ro = build_context(sqlite_url)
    try:
        win = MainWindow(ro, SyncTaskRunner())
        win.persist_layout = False
        qtbot.addWidget(win)
        win.start()
        assert win.banner.isVisibleTo(win) and "Read-only" in win.banner.text()
        assert win.incidents.model.rowCount() == 1
        assert not win.incidents.incident_actions.new.isEnabled()
        assert not win.incidents.detail.note.isEnabled()
    finally:
        ro.close()
        path.chmod(0o644)


def test_second_console_is_refused_naming_the_holder(qtbot: QtBot, sqlite_url: str,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    path = Path(sqlite_url.removeprefix("sqlite:///"))
    held = InstanceLock(path)
    held.acquire()
    shown: list[str] = []
    monkeypatch.setattr(QMessageBox, "critical", lambda _p, _t, text: shown.append(text))
    try:
        assert console.take_lock(InstanceLock(path), take_over=False) is None
    finally:
        held.release()
    assert shown and f"pid {os.getpid()}" in shown[0]


def test_stale_lock_is_taken_over_when_the_user_agrees(qtbot: QtBot, sqlite_url: str,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    path = Path(sqlite_url.removeprefix("sqlite:///"))
    (path.with_name(path.name + ".lock")).write_text(
        '{"host": "desk-7", "pid": 4242, "since": "2026-11-26T03:00:00+00:00"}')
    asked: list[str] = []

    def answer(_p: object, _t: str, text: str, *_a: object) -> QMessageBox.StandardButton:
        asked.append(text)
        return QMessageBox.StandardButton.Yes

    monkeypatch.setattr(QMessageBox, "question", answer)
    lock = console.take_lock(InstanceLock(path), take_over=False)
    assert lock is not None and lock.held
    assert "desk-7" in asked[0] and "4242" in asked[0]
    lock.release()


def test_damaged_database_offers_the_newest_backup(qtbot: QtBot, sqlite_url: str,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    path = Path(sqlite_url.removeprefix("sqlite:///"))
    ctx = build_context(sqlite_url)
    ref = add(ctx, "Saved before the damage")
    backup_to(ctx.db, path.with_name(path.name + ".manual.bak"))
    ctx.close()
    for side in ("-wal", "-shm"):
        path.with_name(path.name + side).unlink(missing_ok=True)
    with open(path, "r+b") as fh:
        fh.write(b"this is not a database at all!!" * 4)
    asked: list[str] = []

    def answer(_p: object, _t: str, text: str, *_a: object) -> QMessageBox.StandardButton:
        asked.append(text)
        return QMessageBox.StandardButton.Yes

    monkeypatch.setattr(QMessageBox, "question", answer)
    restored = console.open_context(build_context, sqlite_url, path)
    assert restored is not None
    try:
        assert "damaged" in asked[0] and ".manual.bak" in asked[0]
        assert restored.incidents.get(ref).title == "Saved before the damage"
        assert list(path.parent.glob(path.name + ".corrupt-*")), "damaged file kept"
    finally:
        restored.close()


def test_self_test_runs_from_the_command_line(tmp_path: Path) -> None:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", IMDESK_DATA_DIR=str(tmp_path))
    result = subprocess.run([sys.executable, "-m", "imdesk", "--self-test"], env=env,
                            capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert result.returncode == 0, result.stderr
    assert "self-test ok" in result.stdout


def test_generated_form_matches_the_designer_file(tmp_path: Path) -> None:
    uic = shutil.which("pyside6-uic", path=str(Path(sys.executable).parent))
    assert uic, "pyside6-uic comes with PySide6"
    out = tmp_path / "ui_incident_dialog.py"
    subprocess.run([uic, str(ROOT / "ui" / "incident_dialog.ui"), "-o", str(out)], check=True)
    committed = ROOT / "imdesk" / "qt" / "forms" / "ui_incident_dialog.py"

    def body(text: str) -> list[str]:
        return [line for line in text.splitlines() if "User Interface Compiler version" not in line]

    assert body(out.read_text()) == body(committed.read_text()), (
        "the form is stale: run pyside6-uic ui/incident_dialog.ui -o "
        "imdesk/qt/forms/ui_incident_dialog.py")


def test_start_shows_the_first_page_before_the_database_is_opened(
        qtbot: QtBot, sqlite_url: str, tmp_path: Path) -> None:
    """With a plan from an earlier start, the list's first page shows before SQLAlchemy opens
    the database; the database opens behind it and everything works as usual after that."""
    from imdesk.app import late_context, remember_first_page
    from imdesk.domain.incident_query import IncidentQuery
    from imdesk.domain.lifecycle import OPEN_STATUSES, Status
    from imdesk.qt.incidents.table_model import PAGE

    path = Path(sqlite_url.removeprefix("sqlite:///"))
    plans = tmp_path / "plans.json"
    earlier = build_context(path, author="tester")
    refs = [add(earlier, f"Printer {i} jammed") for i in range(3)]
    first = MainWindow(earlier, SyncTaskRunner())
    qtbot.addWidget(first)
    first.persist_layout = False
    first.remember_plan = lambda c, q, n: remember_first_page(c, plans, q, n)
    first.start()
    default = first.incidents.current_query()
    first.close()  # leaves the plan of the list's query behind
    earlier.close()
    assert set(default.statuses) == set(OPEN_STATUSES) | {Status.RESOLVED} and plans.is_file()

    ctx = late_context(path, plans)
    assert ctx is not None
    win = MainWindow(ctx, SyncTaskRunner())
    qtbot.addWidget(win)
    win.persist_layout = False
    opened_when_shown: list[bool] = []
    win.incidents.model.modelReset.connect(lambda: opened_when_shown.append(ctx.opened))
    win.show()
    win.start()
    assert opened_when_shown[0] is False  # painted from the start-up reader
    assert {win.incidents.model.state_at(r).ref for r in range(3)} == set(refs)  # type: ignore[union-attr]
    assert not ctx.opened  # the selected incident's detail waits until the rows have painted
    qtbot.waitUntil(lambda: ctx.opened and win.war_rooms is not None, timeout=5000)
    assert win.incidents.detail.isEnabled()
    selected = win.incidents.current_ref()
    qtbot.waitUntil(lambda: win.incidents.detail._state is not None  # then it shows
                    and win.incidents.detail._state.ref == selected, timeout=5000)
    new_ref = add(ctx, "Badge readers offline")  # writing works through the same context
    win.incidents.reload()
    assert win.incidents.model.row_of(new_ref) >= 0
    assert ctx.incidents.first_page_plan(IncidentQuery(statuses=default.statuses), PAGE) is not None
    win.close()
    ctx.close()


def test_a_long_status_message_is_elided_never_under_the_permanent_widgets(window: MainWindow) -> None:
    window.resize(1400, 800)
    window.status.show_counts(window.ctx.incidents.desk_counts())
    path = "/home/desk/.local/share/imdesk/emergency-pack/" + "very-long-folder-name/" * 12 + "pack.pdf"
    window.status.showMessage(f"Emergency pack written: {path}", 6000)
    label = window.status.message_label
    assert window.status.currentMessage().endswith("pack.pdf")
    assert "…" in label.text() and label.toolTip().endswith("pack.pdf")
    right_edge = label.geometry().right()
    first_permanent = window.status.log_button.geometry().left()
    assert right_edge < first_permanent  # no overlap with the permanent widgets
    assert window.status.log[-1][1] == f"Emergency pack written: {path}"  # kept in the log


def test_a_banner_can_be_dismissed_and_a_recurring_one_hidden_for_good(window: MainWindow) -> None:
    window.show_banner("The automatic backup failed: disk full")
    window.show_banner("No keyring for the alert webhook token: kept for this session", key="no-keyring")
    assert window.banner.isVisible() and "disk full" in window.banner.text()
    dismiss, *_ = window.banner.buttons()
    dismiss.click()  # the backup one: gone now
    assert "disk full" not in window.banner.text() and window.banner.isVisible()
    never = next(b for b in window.banner.buttons() if b.text() == "Don't show again")
    never.click()
    assert not window.banner.isVisible()
    window.show_banner("No keyring for the alert webhook token: kept for this session", key="no-keyring")
    assert not window.banner.isVisible()  # hidden for good (the next start reads the same key)
