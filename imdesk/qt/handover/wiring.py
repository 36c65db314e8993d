"""The shift handover in the console: the Handover pane on the rail (Alt+6, built on first
use), the reminder before the shift ends (in the status bar, and as a tray notification when
the desktop has a tray — never a window over a war room), the count of handovers signed but
not taken over on the rail, and the links from a handover into an incident or its room."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QDialog, QLabel, QSystemTrayIcon

from imdesk.domain.handover import HandoverState
from imdesk.messages import sentence
from imdesk.qt import theme
from imdesk.qt.widgets.pane_host import PaneHost

CHECK_MS = 30_000


def ctx_read_only(ctx: Any) -> bool:
    return bool(ctx.read_only)


class HandoverWiring:
    """Owned by the main window, made after the first paint."""

    def __init__(self, window: Any) -> None:
        self.window = window
        self.ctx = window.ctx
        self.host = PaneHost()
        self._pane: Any = None
        self.button = window.add_lazy_pane(self.host, "⇄", "Handover", lambda: self.pane)
        self._fresh = False  # built by this very click: already compiling
        self.button.clicked.connect(self._shown_again)
        self.status_label = QLabel()
        self.status_label.setTextFormat(Qt.TextFormat.PlainText)
        self.status_label.hide()
        window.status.add_feature_widget(self.status_label)
        self.tray: QSystemTrayIcon | None = None
        self.reminded: datetime | None = None  # the shift whose reminder went out
        shifts = QAction("Shift &pattern…", window)
        shifts.triggered.connect(self.edit_shifts)
        shifts.setEnabled(not ctx_read_only(self.ctx))
        file_menu = window.menuBar().actions()[0].menu()
        file_menu.insertAction(file_menu.actions()[-2], shifts)
        self.timer = QTimer(window)
        self.timer.setInterval(CHECK_MS)
        self.timer.timeout.connect(self.check)
        self.timer.start()
        self.check()

    @property
    def pane(self) -> Any:
        if self._pane is None:
            from imdesk.qt.handover.pane import HandoverPane

            w, ctx = self.window, self.ctx
            pane = HandoverPane(ctx.handover, w.runner, read_only=ctx.read_only,
                                author=ctx.handover.author)
            pane.status_message.connect(lambda m: w.status.showMessage(m, 8000))
            pane.open_incident.connect(self.open_incident)
            pane.open_count.connect(lambda n: w.set_rail_badge(self.button, n))
            pane.shown.connect(lambda _v: self.check())
            self.host.put(pane)
            self._pane = pane
            self._fresh = True
            pane.start()
        return self._pane

    def _shown_again(self) -> None:
        """Back on the pane (Alt+6): compiled again, as the record may have moved on."""
        if self._fresh:
            self._fresh = False
        elif self._pane is not None:
            self._pane.reload()

    def show_pane(self) -> None:
        _ = self.pane
        self.window.show_pane(self.host)

    def open_incident(self, ref: str, major: bool) -> None:
        w = self.window
        if major:
            w.rooms.show_room(ref)
        else:
            w.show_pane(w.incidents)
            w.incidents.show_incident(ref)

    # -- the reminder --------------------------------------------------------------------------
    def check(self) -> None:
        svc = self.ctx.handover

        def read() -> tuple[Any, Any, HandoverState, int, datetime]:
            pattern = svc.pattern()
            now = svc.now()
            window = pattern.window_at(now)
            return pattern, window, svc.state_of(window), svc.open_count(), now

        self.window.runner.run(read, self._checked, lambda _exc: None)

    def _checked(self, found: tuple[Any, Any, HandoverState, int, datetime]) -> None:
        pattern, window, state, waiting, now = found
        self.window.set_rail_badge(self.button, waiting)
        ends = f"{window.end.astimezone():%H:%M}"
        due = pattern.reminder_due(now) and state == HandoverState.DRAFT
        if due:
            text = f"Handover due: the shift ends at {ends} (Alt+6)"
        elif waiting:
            text = f"Handover: {waiting} signed, not taken over (Alt+6)"
        else:
            text = ""
        self.status_label.setText(text)
        self.status_label.setVisible(bool(text))
        if due and self.reminded != window.start:
            self.reminded = window.start
            self.window.status.showMessage(f"The handover is due: the shift ends at {ends}. "
                                           "Alt+6 opens it, compiled.", 30_000)
            self._notify(f"The shift ends at {ends}: the handover is compiled and waits for "
                         "your ratings and signature.")

    def _notify(self, text: str) -> None:
        """A desktop notification (the tray's balloon): nothing opens over the window."""
        if not QSystemTrayIcon.isSystemTrayAvailable():
            return
        if self.tray is None:
            self.tray = QSystemTrayIcon(theme.app_icon(), self.window)
            self.tray.setToolTip("imdesk")
            self.tray.show()
        self.tray.showMessage("Handover due", text, QSystemTrayIcon.MessageIcon.Information, 15_000)

    def edit_shifts(self) -> None:
        """The shift pattern; a refused value is named and what was typed stays."""
        from imdesk.domain.errors import ValidationError
        from imdesk.qt.handover.dialogs import ShiftsDialog

        svc = self.ctx.handover
        pattern = svc.pattern()
        dialog = ShiftsDialog(self.window, pattern.text, pattern.timezone,
                              pattern.reminder_minutes)
        while dialog.exec() == QDialog.DialogCode.Accepted:
            try:
                svc.set_pattern(*dialog.values())
            except ValidationError as exc:
                dialog.show_error(sentence("Not saved", exc))
                continue
            self.check()
            if self._pane is not None:
                self._pane.show_current()
            return

    def stop(self) -> None:
        self.timer.stop()
