"""The one window: top bar, navigation rail, the panes, menus and the status bar."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QSettings, Qt, QTimer
from PySide6.QtGui import QAction, QCloseEvent, QFont, QKeySequence
from PySide6.QtWidgets import (
    QButtonGroup,
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

from imdesk import __version__
from imdesk.domain.errors import ValidationError
from imdesk.domain.timefmt import friendly
from imdesk.errors import KnownError
from imdesk.qt import theme
from imdesk.qt.incidents.pane import IncidentListPane
from imdesk.qt.status_bar import DeskStatusBar
from imdesk.qt.tasks import TaskRunner

if TYPE_CHECKING:
    from imdesk.context import AppContext
    from imdesk.services.incidents import DeskCounts

SHORTCUTS_HELP = """\
Ctrl+N\tNew incident
Ctrl+E\tEdit the selected incident
Enter\tOpen the selected incident (focus its actions)
Esc\tBack to the list
Ctrl+F or /\tFilter the list
Ctrl+K\tSearch every timeline (Enter jumps to the entry)
Ctrl+Shift+S\tStart / resume work, reopen
Ctrl+Shift+H\tPut on hold (asks for the reason)
Ctrl+Shift+R\tResolve (asks for the resolution note)
Ctrl+Shift+L\tClose
Ctrl+Shift+X\tCancel the incident
Ctrl+Shift+N\tWrite a note
F5\tRefresh
Ctrl+Shift+M\tDeclare a major incident (checklist)
Ctrl+Shift+W\tOpen the war room of a major incident
Ctrl+1 … Ctrl+4\tWar room: note, action, decision, communication
!text\tWar room: a decision
Ctrl+Shift+E\tWar room: edit the situation
Ctrl+Shift+I	Inform people (incident or war room): who gets what, preview, send
Ctrl+Shift+C	Who do I call for the incident's service (calls are logged into it)
Ctrl+Shift+O	Contacts: teams, ladders, rosters, lists, services
Ctrl+Shift+A	Alerts: maintenance windows, heartbeats, inbox
Import contacts (vCard, CSV)	File menu, with a preview
Alt+1 … Alt+5	Incidents / War rooms / Contacts / Messages / Alerts
Ctrl+Q\tQuit"""


AFTER_FIRST_PAINT_MS = 150


class MainWindow(QMainWindow):
    """The console. Owns the panes; talks to services through the task runner only."""

    def __init__(self, ctx: AppContext, runner: TaskRunner, *, demo: bool = False) -> None:
        super().__init__()
        self.ctx = ctx
        self.runner = runner
        self.persist_layout = True  # off for the self-test and tests: never touch user settings
        # Where the console keeps the start-up reader's plans (storage/first_page.py); None: none.
        self.first_page_plans: Path | None = None
        self.setWindowTitle(f"imdesk{' — DEMO' if demo else ''}")
        self.setWindowIcon(theme.app_icon())
        self.setMinimumSize(960, 600)

        central = QWidget()
        outer = QVBoxLayout(central)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.setSpacing(0)
        self.top_bar = self._build_top_bar(demo)
        outer.addWidget(self.top_bar)
        self.banner = QLabel()
        self.banner.setTextFormat(Qt.TextFormat.PlainText)
        self.banner.setWordWrap(True)
        self.banner.setStyleSheet("background:#fff1cc; color:#5a3d00; padding:6px 12px;")
        self.banner.hide()
        outer.addWidget(self.banner)
        body = QHBoxLayout()
        body.setContentsMargins(0, 0, 0, 0)
        body.setSpacing(0)
        self.rail = QFrame()
        self.rail.setObjectName("rail")
        rail_layout = QVBoxLayout(self.rail)
        rail_layout.setContentsMargins(4, 8, 4, 8)
        rail_layout.setSpacing(4)
        self.rail_group = QButtonGroup(self)
        self.stack = QStackedWidget()
        self.rail.setStyleSheet("#rail { background: palette(alternate-base); "
                                "border-right: 1px solid palette(mid); }")
        body.addWidget(self.rail)
        body.addWidget(self.stack, 1)
        outer.addLayout(body, 1)
        self.setCentralWidget(central)

        self.incidents = IncidentListPane(ctx, runner, read_only=ctx.read_only)
        self._add_pane(self.incidents, "⚑", "Incidents", rail_layout)
        # The War rooms pane is built after the incident list has painted (or when first
        # asked for): its modules and queries are not on the start-up path.
        self._rooms_host = QWidget()
        QVBoxLayout(self._rooms_host).setContentsMargins(0, 0, 0, 0)
        self._war_rooms: Any = None
        self.rooms_button = self._add_pane(self._rooms_host, "⌂", "War rooms", rail_layout)
        self.rooms_button.clicked.connect(lambda: self.war_rooms)
        # The Contacts pane is built when first used.
        self._contacts_host = QWidget()
        QVBoxLayout(self._contacts_host).setContentsMargins(0, 0, 0, 0)
        self._contacts: Any = None
        self.pack_keeper: Any = None
        self._contacts_marker: Any = None
        self.contacts_button = self._add_pane(self._contacts_host, "☎", "Contacts", rail_layout)
        self.contacts_button.clicked.connect(self._open_contacts)
        from imdesk.qt.comms.console import CommsConsole

        self.comms = CommsConsole(self, rail_layout)
        rail_layout.addStretch(1)
        self._rail_layout = rail_layout
        self.alerts: Any = None  # the alert intake, installed after the first paint

        self.status = DeskStatusBar(ctx.info.label)
        self.setStatusBar(self.status)
        self._build_menus()
        self.comms.install()
        self.incidents.data_changed.connect(self.refresh_counts)
        self.incidents.status_message.connect(lambda m: self.status.showMessage(m, 6000))
        self.incidents.data_changed.connect(
            lambda: self._war_rooms.reload_rooms() if self._war_rooms is not None else None)
        self.incidents.actions.declare_requested.connect(self.declare_major)
        self.incidents.actions.room_requested.connect(self.open_current_room)
        self._counts_timer = QTimer(self)
        self._counts_timer.setInterval(30_000)
        self._counts_timer.timeout.connect(self.refresh_counts)
        self._counts_timer.timeout.connect(self.refresh_contact_counts)
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

    def _add_pane(self, pane: QWidget, symbol: str, name: str,
                  rail_layout: QVBoxLayout) -> QToolButton:
        index = self.stack.addWidget(pane)
        button = QToolButton()
        button.setText(f"{symbol}\n{name}")
        button.setCheckable(True)
        button.setAutoRaise(True)
        button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        button.setMinimumSize(72, 52)
        button.setToolTip(f"{name} (Alt+{index + 1})")
        button.setShortcut(QKeySequence(f"Alt+{index + 1}"))
        button.setChecked(index == 0)
        button.clicked.connect(lambda: self.stack.setCurrentIndex(index))
        self.rail_group.addButton(button, index)
        rail_layout.addWidget(button)
        button.setProperty("rail_symbol", symbol)
        button.setProperty("rail_label", name)
        return button

    @staticmethod
    def set_rail_badge(button: QToolButton, count: int) -> None:
        """A count beside the pane's symbol (the name below stays whole on the narrow rail)."""
        symbol, name = button.property("rail_symbol"), button.property("rail_label")
        button.setText(f"{symbol} {count}\n{name}" if count else f"{symbol}\n{name}")

    def _build_menus(self) -> None:
        actions = self.incidents.actions
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
        self._build_contacts_menu()
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

    def _build_contacts_menu(self) -> None:
        menu = self.menuBar().addMenu("C&ontacts")
        who = QAction("&Who do I call for this incident's service", self)
        who.setShortcut(QKeySequence("Ctrl+Shift+C"))
        who.triggered.connect(self.who_to_call)
        menu.addAction(who)
        self.who_action = who
        for text, slot, key in (("&Review queue", lambda: self.contacts.show_review_queue(), ""),
                                ("Verification &drill…", lambda: self.contacts.start_drill(), ""),
                                ("&Organisation: teams, services, lists…",
                                 lambda: self.contacts.edit_organisation(), "Ctrl+Shift+O"),
                                ("Write the emergency &pack now", self.write_pack_now, "")):
            action = QAction(text, self)
            if key:
                action.setShortcut(QKeySequence(key))
            action.triggered.connect(lambda _c=False, f=slot: (self._open_contacts(), f()))
            menu.addAction(action)

    # -- contacts ----------------------------------------------------------------------------
    @property
    def contacts(self) -> Any:
        """The Contacts pane, built on first use."""
        if self._contacts is None:
            from imdesk.qt.contacts.pane import ContactsPane

            pane = ContactsPane(self.ctx, self.runner, read_only=self.ctx.read_only)
            pane.status_message.connect(lambda m: self.status.showMessage(m, 6000))
            pane.contacts_changed.connect(self._contacts_changed)
            pane.call_logged.connect(lambda _ref: self.incidents.reload())
            pane.pack_handler = self.write_pack_now
            self._contacts_host.layout().addWidget(pane)
            self._contacts = pane
            pane.start()
        return self._contacts

    def _open_contacts(self) -> None:
        pane = self.contacts
        self.show_pane(self._contacts_host)
        pane.focus_search()

    def who_to_call(self) -> None:
        """One key from an incident (or its war room): who to call for its service."""
        state = self.incidents.detail.state
        if self.current_pane() is self._war_rooms and self._war_rooms is not None:
            room = self._war_rooms.current_room()
            state = room.incident if room else state
        pane = self.contacts
        self.show_pane(self._contacts_host)
        if state is None or not state.service:
            reason = "no incident is selected" if state is None else f"{state.ref} has no service"
            self.status.showMessage(f"Who do I call: {reason}; search the contact book instead", 8000)
            pane.focus_search()
            return
        pane.who_for_incident(state.ref, state.service,
                              f"{state.ref} · {state.priority.value} · {state.title}")

    def _start_contacts(self) -> None:
        if not self.ctx.read_only:
            from imdesk.qt.contacts.pack_keeper import PackKeeper

            self.pack_keeper = PackKeeper(self.ctx, self.runner, self)
            self.pack_keeper.written.connect(lambda path, _d: self.status.showMessage(
                f"Emergency pack written: {path}", 6000))
            self.pack_keeper.failed.connect(lambda why: self.show_banner(
                f"The emergency pack could not be written: {why}"))
            self.pack_keeper.schedule()
        self.refresh_contact_counts()

    def _contacts_changed(self) -> None:
        self.refresh_contact_counts()
        if self.pack_keeper is not None:
            self.pack_keeper.schedule()

    def write_pack_now(self) -> None:
        if self.pack_keeper is None:
            self.status.showMessage("The emergency pack cannot be written from a read-only database", 6000)
            return
        self.status.showMessage("Writing the emergency pack…")
        self.pack_keeper.write_now(force=True)

    def refresh_contact_counts(self) -> None:
        """The status bar's stale count; a change made elsewhere (another desk, the command
        line) also rewrites the emergency pack."""
        ctx = self.ctx  # the contact book's modules load in the worker, not on the GUI thread

        def done(result: tuple[Any, Any]) -> None:
            counts, marker = result
            self.status.show_contacts(counts)
            if self._contacts_marker is not None and marker != self._contacts_marker \
                    and self.pack_keeper is not None:
                self.pack_keeper.schedule()
            self._contacts_marker = marker

        self.runner.run(lambda: (ctx.contacts.review_counts(), ctx.contacts.change_marker()), done,
                        lambda _e: None)

    # -- behaviour ---------------------------------------------------------------------------
    def start(self) -> None:
        """Load the list first (off the GUI thread); everything else once it is on screen."""
        self.incidents.model.loaded.connect(self._after_first_load,
                                            Qt.ConnectionType.SingleShotConnection)
        self.incidents.start()
        self._clock_timer.start()

    def _after_first_load(self, _total: int = 0) -> None:
        QTimer.singleShot(AFTER_FIRST_PAINT_MS, self._start_secondary)

    @property
    def war_rooms(self) -> Any:
        """The War rooms pane, built on first use."""
        if self._war_rooms is None:
            from imdesk.qt.war_room.pane import WarRoomPane

            pane = WarRoomPane(self.ctx.war_rooms, self.ctx.incidents, self.runner,
                               read_only=self.ctx.read_only)
            pane.status_message.connect(lambda m: self.status.showMessage(m, 6000))
            pane.rooms_changed.connect(self._show_room_count)
            self._rooms_host.layout().addWidget(pane)
            self._war_rooms = pane
            pane.start()
        return self._war_rooms

    def _start_secondary(self) -> None:
        """Once the list is on screen: the database opened (if the first page came without it)
        in a worker, then the War rooms pane, the counts and the desk name."""
        if not self.ctx.opened:
            self.runner.run(lambda: self.ctx.db, lambda _db: self._start_secondary(),
                            lambda exc: self.show_banner(f"The database could not be opened: {exc}"))
            return
        self._remember_first_page()
        _ = self.war_rooms  # built and started now that the list is on screen
        self._start_contacts()
        self.comms.start()
        if self.alerts is None:
            from imdesk.qt.alerts.wiring import AlertWiring

            self.alerts = AlertWiring(self)
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

        dialog = SearchDialog(self, self.ctx.timeline, self.runner, self.ctx.incidents.now())
        dialog.chosen.connect(self.go_to_hit)
        dialog.query.setFocus()
        self.war_rooms.ask(dialog)

    def go_to_hit(self, hit: object) -> None:
        """A major incident's hit opens its room at the entry; any other, the incident."""
        ref, seq = hit.ref, hit.seq  # type: ignore[attr-defined]
        rooms = {r.incident.ref for r in [self.war_rooms.current_room()] if r}
        majors = [r.ref for r in self.war_rooms.room_list_model.rooms]
        if ref in majors or ref in rooms:
            self.war_rooms.reload_rooms(select=ref)
            self.show_pane(self._rooms_host)
            self.war_rooms.show_entry(seq)
        else:
            self.show_pane(self.incidents)
            self.incidents.show_incident(ref)

    def add_lazy_pane(self, host: QWidget, symbol: str, name: str, build: Any) -> QToolButton:
        """A pane added after start-up, on the rail above its stretch; `build` makes its
        content on first use (like the War rooms pane)."""
        layout = self._rail_layout
        button = self._add_pane(host, symbol, name, layout)
        layout.removeWidget(button)
        layout.insertWidget(layout.count() - 1, button)
        button.clicked.connect(lambda: build())
        return button

    def current_pane(self) -> QWidget:
        widget = self.stack.currentWidget()
        if widget is self._contacts_host:
            return self._contacts
        return self._war_rooms if widget is self._rooms_host else widget

    def show_pane(self, pane: QWidget) -> None:
        if pane is self._war_rooms:
            pane = self._rooms_host
        elif pane is self._contacts:
            pane = self._contacts_host
        index = self.stack.indexOf(pane)
        self.stack.setCurrentIndex(index)
        self.rail_group.button(index).setChecked(True)

    def _show_room_count(self, count: int) -> None:
        """The rail badge: open majors need attention."""
        self.set_rail_badge(self.rooms_button, count)

    def open_current_room(self) -> None:
        state = self.incidents.detail.state
        if state is not None and state.major:
            self.war_rooms.reload_rooms(select=state.ref)
            self.show_pane(self._rooms_host)

    def declare_major(self) -> None:
        """The playbook's checklist; every step filled in becomes a timeline entry."""
        state = self.incidents.detail.state
        if state is None or state.major or self.ctx.read_only:
            return
        from imdesk.domain.war_room import DEFAULT_UPDATE_POLICY
        from imdesk.qt.war_room.dialogs import DeclareDialog
        from imdesk.services.playbook import load_playbook

        name, steps = load_playbook()
        dialog = DeclareDialog(self, state.ref, state.title, name, steps,
                               DEFAULT_UPDATE_POLICY[state.priority].first_minutes)
        ref, rooms = state.ref, self.ctx.war_rooms
        while self.war_rooms.ask(dialog):
            d = dialog.declaration()
            try:
                rooms.declare(ref, bridge=d.bridge, roles=d.roles,
                              first_update_minutes=d.first_update_minutes)
                if d.impact.strip():
                    rooms.set_situation(ref, conditions="", actions="", needs="", impact=d.impact)
            except (ValidationError, KnownError) as exc:
                dialog.show_error(f"Not declared: {exc}. What you typed is still here.")
                continue
            self.incidents.reload()
            self.war_rooms.reload_rooms(select=ref)
            self.show_pane(self._rooms_host)
            self.refresh_counts()
            return

    def refresh_counts(self) -> None:
        self.runner.run(self.ctx.incidents.desk_counts, self._show_counts, lambda _e: None)

    def _show_counts(self, counts: DeskCounts) -> None:
        self.status.show_counts(counts)

    def refresh_all(self) -> None:
        self.incidents.reload()
        self.refresh_counts()

    def show_banner(self, text: str) -> None:
        current = self.banner.text()
        self.banner.setText(f"{current}\n{text}" if current else text)
        self.banner.show()

    def backup_now(self) -> None:
        from imdesk.services.backups import auto_backup

        self.status.showMessage("Backing up…")
        self.runner.run(lambda: auto_backup(self.ctx.db),
                        lambda path: self.status.showMessage(f"Backup written: {path}", 8000),
                        lambda exc: self.show_banner(f"Backup failed: {exc}"))

    def show_shortcuts(self) -> None:
        QMessageBox.information(self, "Keyboard shortcuts", SHORTCUTS_HELP)

    # -- window state ------------------------------------------------------------------------
    def restore_layout(self, settings: QSettings) -> None:
        geometry = settings.value("window/geometry")
        if geometry is None or not self.restoreGeometry(geometry):
            screen = self.screen().availableGeometry()
            self.resize(min(1360, screen.width() - 40), min(840, screen.height() - 60))
        header = settings.value("incidents/header")
        if header is not None:
            self.incidents.table.horizontalHeader().restoreState(header)
        splitter = settings.value("incidents/splitter")
        if splitter is not None:
            self.incidents.splitter.restoreState(splitter)
        else:
            self.incidents.splitter.setSizes([820, 460])

    def save_layout(self, settings: QSettings) -> None:
        settings.setValue("window/geometry", self.saveGeometry())
        settings.setValue("incidents/header", self.incidents.table.horizontalHeader().saveState())
        settings.setValue("incidents/splitter", self.incidents.splitter.saveState())
        settings.sync()

    def _remember_first_page(self) -> None:
        """Keep the plan of the list's current query for the next start (off the GUI thread)."""
        plans, ctx = self.first_page_plans, self.ctx
        if plans is None or not ctx.opened or not ctx.db.is_sqlite:
            return
        from imdesk.qt.incidents.table_model import PAGE
        from imdesk.storage.first_page import save_plan

        query = self.incidents.current_query()

        def remember() -> None:
            plan = ctx.incidents.first_page_plan(query, PAGE)
            if plan is not None:
                save_plan(plans, plan)

        self.runner.run(remember, None, lambda _exc: None)

    def closeEvent(self, event: QCloseEvent) -> None:
        if self.persist_layout:
            self.save_layout(window_settings())
        self._remember_first_page()
        self._counts_timer.stop()
        self._clock_timer.stop()
        self.comms.stop()
        if self.alerts is not None:
            self.alerts.stop()
        self.runner.wait_idle(5000)
        super().closeEvent(event)


def window_settings() -> QSettings:
    """Window state only (geometry, columns); desk settings live in the database."""
    return QSettings(QSettings.Format.IniFormat, QSettings.Scope.UserScope, "imdesk", "window")
