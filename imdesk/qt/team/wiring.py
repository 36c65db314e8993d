"""Team mode in the console (installed with the late features): the desk's name in the status bar
and a dialog to change it (Ctrl+Alt+D, File ▸ Name this desk…), and live refresh — the change
feed's signal reloads the incident list's page, the shown incident's detail, the open war room
(the entries after its last seq) and the counts. Own commits are not announced back to this desk
(services/desk/listener.py). The incident list's 5 s marker poll stops: the feed replaces it."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QObject
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QApplication, QToolButton

from imdesk.messages import sentence
from imdesk.qt.team.feed import LiveFeed
from imdesk.qt.widgets.keys import shortcut

# Change-feed names that are not incident refs.
GROUPS = frozenset({"contacts", "outbox", "alerts", "handover", "docs", "drills", "links",
                    "settings"})


class TeamWiring(QObject):
    """A child of the main window (find it with window.findChild(TeamWiring))."""

    def __init__(self, window: Any) -> None:
        super().__init__(window)
        self.setObjectName("team")
        self.window = window
        self.ctx = window.ctx
        self.desk_button = QToolButton()
        self.desk_button.setAutoRaise(True)
        self.desk_button.clicked.connect(self.rename)
        window.status.add_feature_widget(self.desk_button)
        self._show_desk()
        self.rename_action = QAction("Name this &desk…", window)
        self.rename_action.setWhatsThis("Team: name this desk (shown on every entry it writes)")
        self.rename_action.triggered.connect(self.rename)
        file_menu = window.menuBar().actions()[0].menu()
        if file_menu is not None:
            file_menu.insertAction(file_menu.actions()[-1], self.rename_action)
        shortcut(window, "Ctrl+Alt+D", self.rename,
                 "Team: name this desk (shown on every entry it writes)")
        self.feed = LiveFeed(self)
        self.feed.changed.connect(self.on_changed)
        window.incidents.go_live()
        self.feed.start(self.ctx)
        listener = self.feed.listener  # a thread: stopped when the console goes, however it goes
        if listener is not None:
            app = QApplication.instance()
            if app is not None:
                app.aboutToQuit.connect(lambda: listener.stop(1.0))
            window.destroyed.connect(lambda *_: listener.stop(0.5))

    def _show_desk(self) -> None:
        desk = self.ctx.desk
        self.desk_button.setText(f"Desk: {desk.name}")
        self.desk_button.setToolTip(f"This console is {desk.label}; every entry it writes "
                                    "carries it. Ctrl+Alt+D to rename.")

    def on_changed(self, names: frozenset[str] | None) -> None:
        """Another desk committed: read again only what it changed."""
        w = self.window
        refs = None if names is None else frozenset(n for n in names if n not in GROUPS)
        if refs is None or refs:
            w.incidents.live_changes(refs)
            rooms = w.rooms.built
            room = rooms.current_room() if rooms is not None else None
            if room is not None and (refs is None or room.incident.ref in refs):
                rooms.poll()  # the entries after its last seq, and the room's state
            w.refresh_counts()
        if names is None or "contacts" in names:
            w.contact_book.refresh_counts()  # (the pane's list is read again on the next search)
        if names is None or "outbox" in names:
            w.comms.refresh_counts()

    def rename(self) -> None:
        from imdesk.qt.team.desk_dialog import DeskNameDialog
        from imdesk.services.desk.identity import save_desk_name

        dialog = DeskNameDialog(self.window, self.ctx.desk)
        while self.ask(dialog):
            try:
                saved = save_desk_name(dialog.name())
            except (ValueError, OSError) as exc:
                dialog.show_error(sentence("Not saved", exc, "What you typed is still here"))
                continue
            self.ctx.set_desk_name(saved.name)
            self._show_desk()
            self.window.status.showMessage(f"This desk is now {self.ctx.desk.label}", 6000)
            return

    def ask(self, dialog: Any) -> bool:
        """One place to run the modal dialog, so tests patch it instead of driving exec()."""
        from PySide6.QtWidgets import QDialog

        return bool(dialog.exec() == QDialog.DialogCode.Accepted)
