"""Starting the console: the Qt application, the instance lock, opening errors, the window."""

from __future__ import annotations

import signal
import sys
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from PySide6.QtCore import QCoreApplication, QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication, QMessageBox

from imdesk import APP_NAME, __version__
from imdesk.context import AppContext
from imdesk.errors import DatabaseCorrupt, DatabaseLocked, KnownError
from imdesk.messages import clause, sentence
from imdesk.qt import theme
from imdesk.qt.main_window import MainWindow
from imdesk.qt.tasks import TaskRunner
from imdesk.qt.window_state import window_settings

if TYPE_CHECKING:
    from imdesk.domain.incident_query import IncidentQuery



class InstanceLock(Protocol):
    """One console per database file (storage/instance_lock.py, made by the composition root)."""

    def acquire(self, *, take_over_stale: bool = False) -> None: ...

    def release(self) -> None: ...

Build = Callable[..., AppContext]
RememberPlan = Callable[[AppContext, "IncidentQuery", int], None]
Late = Callable[[Path], "AppContext | None"]
UPKEEP_DELAY_MS = 20_000  # integrity check and backup wait until the desk is usable
# Workers (queries, the pack, exports) hand the interpreter lock over every millisecond
# instead of every 5: the GUI thread takes it for each call into Python while it paints (every
# cell asks the model), and waiting 5 ms at each of those was the window's worst stutter.
GUI_SWITCH_S = 0.001


def make_app(argv: list[str] | None = None) -> QApplication:
    existing = QApplication.instance()
    if isinstance(existing, QApplication):
        return existing
    sys.setswitchinterval(GUI_SWITCH_S)
    QCoreApplication.setOrganizationName(APP_NAME)
    QCoreApplication.setApplicationName(APP_NAME)
    QCoreApplication.setApplicationVersion(__version__)
    app = QApplication(argv or [sys.argv[0]])
    app.setDesktopFileName("imdesk")
    theme.apply_theme(app)
    app.setWindowIcon(theme.app_icon())
    return app


def take_lock(lock: InstanceLock, *, take_over: bool) -> InstanceLock | None:
    """The lock taken, or None after telling the user why not (another console, or they
    declined to take over a lock left by a crash)."""
    try:
        lock.acquire(take_over_stale=take_over)
        return lock
    except DatabaseLocked as exc:
        if not exc.stale:
            QMessageBox.critical(None, "imdesk is already open",
                                 sentence(exc.message) + "\n\nSwitch to that window, or close it first.")
            return None
        answer = QMessageBox.question(
            None, "Take over the database?",
            sentence(exc.message) + "\n\nTake over if that console is really gone.",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            QMessageBox.StandardButton.No)
        if answer != QMessageBox.StandardButton.Yes:
            return None
        lock.acquire(take_over_stale=True)
        return lock


def offer_restore(path: Path, exc: DatabaseCorrupt) -> bool:
    """Tell the user the file is damaged; on their word, put the newest backup in its place."""
    from imdesk.services.backups import newest_backup, quarantine, restore

    backup = newest_backup(path)
    if backup is None:
        QMessageBox.critical(None, "The database is damaged",
                             f"{path}\nis damaged ({clause(exc.message)}) and no backup was found next to "
                             "it.\n\nimdesk will not change the file. Open another database with "
                             "--db, or ask for a copy from a colleague's desk.")
        return False
    when = datetime.fromtimestamp(backup.stat().st_mtime).astimezone().strftime("%a %d %b %H:%M")
    answer = QMessageBox.question(
        None, "The database is damaged",
        f"{path}\n{sentence('is damaged', exc.message)}\n\nRestore the newest backup?\n{backup.name} "
        f"(from {when})\n\nThe damaged file is kept beside it for inspection.",
        QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
        QMessageBox.StandardButton.Yes)
    if answer != QMessageBox.StandardButton.Yes:
        return False
    quarantine(path)
    restore(backup, path)
    return True


def open_context(build: Build, db_url: object, path: Path | None) -> AppContext | None:
    for _attempt in range(2):
        try:
            return build(db_url)
        except DatabaseCorrupt as exc:
            if path is None or not offer_restore(path, exc):
                return None
        except KnownError as exc:
            QMessageBox.critical(None, "imdesk cannot open the database", sentence("", exc))
            return None
    return None


def background_upkeep(window: MainWindow, ctx: AppContext) -> None:
    """After the window shows: a quick integrity check and the automatic backup, off-thread."""
    from imdesk.services.backups import auto_backup, auto_backup_due
    from imdesk.services.integrity import quick_check

    def check_done(result: str) -> None:
        if result != "ok":
            window.show_banner(sentence("The database failed its integrity check", result,
                                        "Back up what you can and restore the newest backup"))
    window.runner.run(lambda: quick_check(ctx.db), check_done,
                      lambda exc: window.show_banner(sentence("Integrity check failed", exc)))
    path = ctx.info.path
    if path is not None and not ctx.read_only and auto_backup_due(path):
        window.runner.run(lambda: auto_backup(ctx.db), None,
                          lambda exc: window.show_banner(sentence("Automatic backup failed", exc)))


def peak_rss_kib() -> int:
    """This process's peak resident memory (Linux VmHWM; elsewhere ru_maxrss)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:
        pass
    import resource

    return int(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)


class _ExitAfterPaint(QObject):
    """For the start-up benchmark: quit once the incident list has painted its rows."""

    def __init__(self, window: Any) -> None:
        super().__init__(window)
        self._model = window.incidents.model

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if self._done or event.type() != QEvent.Type.Paint:
            return False
        if self._model.rowCount() > 0:
            self._done = True
            watched.removeEventFilter(self)
            # Printed after this paint has been handled: the wall-clock time the rows showed.
            QTimer.singleShot(0, lambda: print(f"painted-at {time.time():.6f}", flush=True))
            QTimer.singleShot(0, lambda: print(f"peak-rss-kib {peak_rss_kib()}", flush=True))
            QTimer.singleShot(0, QApplication.quit)
        return False

    _done = False


def quit_on_termination(app: QApplication) -> None:
    """SIGTERM/SIGINT (logout, shutdown, Ctrl+C in a terminal) close the console cleanly, so the
    lock is released and the window layout saved. Python only runs signal handlers when it has
    control, hence the idle timer."""
    def close_all(*_args: object) -> None:
        for widget in app.topLevelWidgets():
            widget.close()
        app.quit()

    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, close_all)
    timer = QTimer(app)
    timer.setInterval(250)
    timer.timeout.connect(lambda: None)
    timer.start()


def run(*, db_url: object, path: Path | None, lock: InstanceLock | None, demo: bool, take_over: bool,
        build: Build, exit_after_paint: bool = False, late: Late | None = None,
        remember_plan: RememberPlan | None = None) -> int:
    """`path` is the database file (None for a server), `lock` its one-console lock, not yet
    taken (both from the composition root). `late` may give a context whose database opens
    behind the first page (see AppContext); when it gives None, or is not given, the database
    is opened first, with the dialogs for a damaged or newer file."""
    app = make_app()
    quit_on_termination(app)
    if lock is not None and take_lock(lock, take_over=take_over) is None:
        return 1
    try:
        ctx = late(path) if late is not None and path is not None else None
        if ctx is None:
            ctx = open_context(build, db_url, path)
        if ctx is None:
            return 1
        try:
            if demo and ctx.opened and not ctx.read_only:
                from imdesk.services.demo.story import ensure_demo_data

                ensure_demo_data(ctx)
            runner = TaskRunner(app)
            window = MainWindow(ctx, runner, demo=demo)
            window.remember_plan = remember_plan
            window.restore_layout(window_settings())
            if exit_after_paint:
                window.incidents.table.viewport().installEventFilter(_ExitAfterPaint(window))
            window.show()
            window.start()
            QTimer.singleShot(UPKEEP_DELAY_MS, lambda: background_upkeep(window, ctx))
            return app.exec()
        finally:
            ctx.close()
    finally:
        if lock is not None:
            lock.release()
