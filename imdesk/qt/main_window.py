"""The one window: top bar, navigation rail, the panes, menus and the status bar."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QSettings, Qt, QTimer
from PySide6.QtGui import QAction, QCloseEvent, QFont, QKeySequence
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QFrame,
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QMessageBox,
    QStackedWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)
from shiboken6 import isValid

from imdesk import __version__
from imdesk.domain.timefmt import friendly
from imdesk.messages import sentence
from imdesk.qt import theme
from imdesk.qt.incidents.pane import IncidentListPane
from imdesk.qt.rail import Rail
from imdesk.qt.status_bar import DeskStatusBar
from imdesk.qt.tasks import TaskRunner
from imdesk.qt.widgets.banner import BannerStack
from imdesk.qt.widgets.focus_ring import FocusRing
from imdesk.qt.widgets.pane_host import PaneHost
from imdesk.qt.window_state import (
    dismiss_banner_for_good,
    dismissed_banners,
    restore_layout,
    save_layout,
    window_settings,
)

if TYPE_CHECKING:
    from imdesk.context import AppContext
    from imdesk.domain.incident_query import IncidentQuery
    from imdesk.services.incidents import DeskCounts



AFTER_FIRST_PAINT_MS = 150


class MainWindow(QMainWindow):
    """The console. Owns the panes; talks to services through the task runner only."""

    def __init__(self, ctx: AppContext, runner: TaskRunner, *, demo: bool = False) -> None:
        super().__init__()
        self.ctx = ctx
        self.runner = runner
        self.persist_layout = True  # off for the self-test and tests: never touch user settings
        self._dismissed_here: set[str] = set()
        # Keeps the plan of the list's query for the next start (storage/first_page.py); given
        # by the composition root, run in a worker: (ctx, query, page size).
        self.remember_plan: Callable[[AppContext, IncidentQuery, int], None] | None = None
        self.setWindowTitle(f"imdesk{' — DEMO' if demo else ''}")
        self.setWindowIcon(theme.app_icon())
        self.setMinimumSize(960, 600)

        central = QWidget()
        outer = QVBoxLayout(central)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.setSpacing(0)
        self.top_bar = self._build_top_bar(demo)
        outer.addWidget(self.top_bar)
        self.banner = BannerStack(self._dismissed_banners, self._dismiss_banner_for_good)
        outer.addWidget(self.banner)
        body = QHBoxLayout()
        body.setContentsMargins(0, 0, 0, 0)
        body.setSpacing(0)
        self.stack = QStackedWidget()
        self.rail = Rail(self.stack, self)
        body.addWidget(self.rail)
        body.addWidget(self.stack, 1)
        outer.addLayout(body, 1)
        self.setCentralWidget(central)

        self.incidents = IncidentListPane(ctx, runner, read_only=ctx.read_only)
        self.rail.add(self.incidents, "⚑", "Incidents")
        # The War rooms pane is built after the incident list has painted (or when first
        # asked for), the Contacts pane when first used: neither is on the start-up path.
        from imdesk.qt.contacts.wiring import ContactsWiring
        from imdesk.qt.war_room.wiring import WarRoomWiring

        self.rooms = WarRoomWiring(self)
        self.rooms_button = self.rooms.button
        self.contact_book = ContactsWiring(self)
        from imdesk.qt.comms.console import CommsConsole

        self.comms = CommsConsole(self)
        self.alerts: Any = None  # the alert intake, installed after the first paint
        self.handover: Any = None  # the shift handover, likewise
        self.reports: Any = None  # and the others of qt/late_features.py
        self.links: Any = None
        self.documents: Any = None
        self.drills: Any = None

        self.status = DeskStatusBar(ctx.info.label)
        self.setStatusBar(self.status)
        self._build_menus()
        self.comms.install()
        self.incidents.data_changed.connect(self.refresh_counts)
        self.incidents.status_message.connect(lambda m: self.status.showMessage(m, 6000))
        self.rooms.connect_incidents()
        self.focus_ring = FocusRing(self)
        # Keys always go to the pane on screen: a pane coming on screen takes the focus, and a
        # widget of a hidden pane that got it (a room read again behind the list) gives it back.
        self.stack.currentChanged.connect(lambda _i: self.focus_pane())
        app = QApplication.instance()
        if isinstance(app, QApplication):
            app.focusChanged.connect(self._focus_moved)
        self._counts_timer = QTimer(self)
        self._counts_timer.setInterval(30_000)
        self._counts_timer.timeout.connect(self.refresh_counts)
        self._counts_timer.timeout.connect(self.contact_book.refresh_counts)
        self._clock_timer = QTimer(self)
        self._clock_timer.setInterval(1000)
        self._clock_timer.timeout.connect(self._tick_clock)
        for notice in ctx.notices:
            self.show_banner(notice)
        self._tick_clock()

    # -- building ----------------------------------------------------------------------------
    def _build_top_bar(self, demo: bool) -> QWidget:
        bar = QFrame()
        bar.setObjectName("topbar")
        layout = QHBoxLayout(bar)
        layout.setContentsMargins(12, 6, 12, 6)
        layout.setSpacing(8)
        self.desk_label = QLabel("imdesk")
        self.desk_label.setTextFormat(Qt.TextFormat.PlainText)
        font = QFont(self.desk_label.font())
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.1)
        self.desk_label.setFont(font)
        layout.addWidget(self.desk_label)
        if demo:
            tag = QLabel("DEMO DATA")
            tag.setStyleSheet("background:#6a1b9a; color:white; border-radius:6px; padding:1px 8px;"
                              " font-weight:bold;")
            layout.addWidget(tag)
        layout.addStretch(1)
        self.clock_label = QLabel()
        self.clock_label.setTextFormat(Qt.TextFormat.PlainText)
        layout.addWidget(self.clock_label)
        return bar

    def set_rail_badge(self, button: QToolButton, count: int) -> None:
        self.rail.set_badge(button, count)

    def _build_menus(self) -> None:
        actions = self.incidents.incident_actions
        file_menu = self.menuBar().addMenu("&File")
        file_menu.addAction(actions.new)
        self.backup_action = QAction("&Back up now", self)
        self.backup_action.triggered.connect(self.backup_now)
        self.backup_action.setEnabled(self.ctx.info.path is not None)
        file_menu.addAction(self.backup_action)
        playbook = QAction("Edit the major-incident &playbook…", self)
        playbook.setToolTip("Opens your copy of the declaration checklist in your editor")
        playbook.triggered.connect(self.edit_playbook)
        file_menu.addAction(playbook)
        from imdesk.qt.contacts.transfer_menu import add_contact_transfer_actions

        add_contact_transfer_actions(self, file_menu)
        file_menu.addSeparator()
        quit_action = QAction("&Quit", self)
        quit_action.setShortcut(QKeySequence.StandardKey.Quit)
        quit_action.triggered.connect(self.close)
        file_menu.addAction(quit_action)
        inc_menu = self.menuBar().addMenu("&Incident")
        inc_menu.addAction(actions.edit)
        inc_menu.addAction(actions.declare)
        inc_menu.addAction(actions.open_room)
        inc_menu.addSeparator()
        for action in actions.status_actions:
            inc_menu.addAction(action)
        view_menu = self.menuBar().addMenu("&View")
        search = QAction("&Search every timeline…", self)
        search.setShortcut(QKeySequence("Ctrl+K"))
        search.triggered.connect(self.search_timelines)
        view_menu.addAction(search)
        find = QAction("&Filter the list", self)
        find.triggered.connect(self.incidents.focus_filter)
        view_menu.addAction(find)
        refresh = QAction("&Refresh", self)
        refresh.setShortcut(QKeySequence.StandardKey.Refresh)
        refresh.triggered.connect(self.refresh_all)
        view_menu.addAction(refresh)
        self.contact_book.install_menu()
        help_menu = self.menuBar().addMenu("&Help")
        keys = QAction("&Keyboard shortcuts", self)
        keys.setShortcut(QKeySequence("F1"))
        keys.triggered.connect(self.show_shortcuts)
        help_menu.addAction(keys)
        about = QAction("&About imdesk", self)
        about.triggered.connect(lambda: QMessageBox.about(
            self, "About imdesk", f"imdesk {__version__}\nThe incident manager's console.\n"
            f"Database: {self.ctx.info.label}"))
        help_menu.addAction(about)

    # -- features ----------------------------------------------------------------------------
    @property
    def contacts(self) -> Any:
        """The Contacts pane, built on first use."""
        return self.contact_book.pane

    @property
    def war_rooms(self) -> Any:
        """The War rooms pane, built on first use."""
        return self.rooms.pane

    # -- behaviour ---------------------------------------------------------------------------
    def start(self) -> None:
        """Load the list first (off the GUI thread); everything else once it is on screen."""
        self.incidents.model.loaded.connect(self._after_first_load,
                                            Qt.ConnectionType.SingleShotConnection)
        self.incidents.start()
        self._clock_timer.start()

    def _after_first_load(self, _total: int = 0) -> None:
        QTimer.singleShot(AFTER_FIRST_PAINT_MS, self, self._start_secondary)

    def _start_secondary(self) -> None:
        """Once the list is on screen: the database opened (if the first page came without it)
        in a worker, then the War rooms pane, the counts and the desk name."""
        if not self.ctx.opened:
            self.runner.run(lambda: self.ctx.db, lambda _db: self._start_secondary(),
                            lambda exc: self.show_banner(sentence("The database could not be opened", exc)))
            return
        self._remember_first_page()
        _ = self.war_rooms  # built and started now that the list is on screen
        self.contact_book.start()
        self.comms.start()
        if self.alerts is None:
            from imdesk.qt.late_features import install_late_features

            install_late_features(self)
        self.refresh_counts()
        self._counts_timer.start()
        self.runner.run(self.ctx.settings.desk_name,
                        lambda name: self.desk_label.setText(f"imdesk · {name}"),
                        lambda _exc: None)

    def _tick_clock(self) -> None:
        now = datetime.now().astimezone()
        self.clock_label.setText(friendly(now, now).replace("today ", now.strftime("%a %d %b  ")))

    def edit_playbook(self) -> None:
        from PySide6.QtCore import QUrl
        from PySide6.QtGui import QDesktopServices

        from imdesk.services.playbook import user_copy

        path = user_copy()
        if not QDesktopServices.openUrl(QUrl.fromLocalFile(str(path))):
            self.show_banner(f"Edit the playbook in any text editor: {path}")
        else:
            self.status.showMessage(f"Editing {path}; the next declaration uses it", 8000)

    def search_timelines(self) -> None:
        from imdesk.qt.search_dialog import SearchDialog

        dialog = SearchDialog(self, self.ctx.timeline, self.runner, self.ctx.incidents.now(),
                              documents=lambda q: self.ctx.docs.search(q, 10))
        dialog.chosen.connect(self.go_to_hit)
        dialog.document_chosen.connect(
            lambda doc_id: self.documents and self.documents.show_document(doc_id))
        dialog.query.setFocus()
        self.war_rooms.ask(dialog)

    def go_to_hit(self, hit: object) -> None:
        """A major incident's hit opens its room at the entry; any other, the incident."""
        ref, seq = hit.ref, hit.seq  # type: ignore[attr-defined]
        rooms = {r.incident.ref for r in [self.war_rooms.current_room()] if r}
        majors = [r.ref for r in self.war_rooms.room_list_model.rooms]
        if ref in majors or ref in rooms:
            self.rooms.show_room(ref)
            self.war_rooms.show_entry(seq)
        else:
            self.show_pane(self.incidents)
            self.incidents.show_incident(ref)

    def add_lazy_pane(self, host: QWidget, symbol: str, name: str, build: Any) -> QToolButton:
        """A pane added after start-up; `build` makes its content on first use."""
        return self.rail.add(host, symbol, name, build)

    def focus_pane(self) -> None:
        """The keyboard into the pane on screen, where that pane wants it."""
        pane = self.current_pane()
        focus_default = getattr(pane, "focus_default", None)
        if callable(focus_default):
            focus_default()
        elif pane is not None:
            pane.setFocus()

    def _focus_moved(self, _old: QWidget | None, now: QWidget | None) -> None:
        if not isValid(self) or now is None or not isValid(now):
            return
        if not now.isVisible() and self.stack.isAncestorOf(now):
            self.focus_pane()

    def current_pane(self) -> QWidget | None:
        """The pane on screen (a lazily built pane rather than its host)."""
        widget = self.stack.currentWidget()
        return widget.pane if isinstance(widget, PaneHost) else widget

    def show_pane(self, pane: QWidget) -> None:
        """Bring a pane (or its host, for a pane built on first use) on screen."""
        host = pane.parentWidget()
        index = self.stack.indexOf(host if isinstance(host, PaneHost) else pane)
        self.stack.setCurrentIndex(index)
        self.rail.check(index)

    def refresh_counts(self) -> None:
        self.runner.run(self.ctx.incidents.desk_counts, self._show_counts, lambda _e: None)

    def _show_counts(self, counts: DeskCounts) -> None:
        self.status.show_counts(counts)

    def refresh_all(self) -> None:
        self.incidents.reload()
        self.refresh_counts()

    def show_banner(self, text: str, key: str | None = None) -> None:
        """A banner above the panes; with a `key`, the user may hide it for good."""
        self.banner.add(text, key)

    def _dismissed_banners(self) -> set[str]:
        return dismissed_banners(self.persist_layout) | self._dismissed_here

    def _dismiss_banner_for_good(self, key: str) -> None:
        self._dismissed_here.add(key)
        if self.persist_layout:
            dismiss_banner_for_good(key)

    def backup_now(self) -> None:
        from imdesk.services.backups import auto_backup

        self.status.showMessage("Backing up…")
        self.runner.run(lambda: auto_backup(self.ctx.db),
                        lambda path: self.status.showMessage(f"Backup written: {path}", 8000),
                        lambda exc: self.show_banner(sentence("Backup failed", exc)))

    def shortcut_sheet(self) -> QDialog:
        """Every shortcut of the console, read from its actions (the panes built first, so
        that theirs are in it too)."""
        from imdesk.qt.shortcuts_help import ShortcutSheet, shortcut_rows

        _built = (self.war_rooms, self.contacts, self.comms.pane,
                  self.alerts.pane if self.alerts is not None else None,
                  self.handover.pane if self.handover is not None else None)
        return ShortcutSheet(self, shortcut_rows(self))

    def show_shortcuts(self) -> None:
        self.shortcut_sheet().exec()

    # -- window state ------------------------------------------------------------------------
    def restore_layout(self, settings: QSettings) -> None:
        restore_layout(self, settings)

    def save_layout(self, settings: QSettings) -> None:
        save_layout(self, settings)

    def _remember_first_page(self) -> None:
        """Keep the plan of the list's current query for the next start (off the GUI thread)."""
        remember, ctx = self.remember_plan, self.ctx
        if remember is None:
            return
        from imdesk.qt.incidents.table_model import PAGE

        query = self.incidents.current_query()
        self.runner.run(lambda: remember(ctx, query, PAGE), None, lambda _exc: None)

    def closeEvent(self, event: QCloseEvent) -> None:
        if self.persist_layout:
            save_layout(self, window_settings())
        self._remember_first_page()
        self._counts_timer.stop()
        self._clock_timer.stop()
        self.comms.stop()
        if self.alerts is not None:
            self.alerts.stop()
        if self.handover is not None:
            self.handover.stop()
        self.runner.wait_idle(5000)
        super().closeEvent(event)

