"""The Alerts pane: recent alerts (suppressed ones marked), maintenance windows with their
expiry, heartbeats with their state, and the inbox as it arrived. Built on first use."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QColor, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from imdesk.domain.alert_rules import matchers_text
from imdesk.domain.timefmt import exact, friendly
from imdesk.messages import sentence
from imdesk.qt.alerts.panel import SYMBOL
from imdesk.qt.tasks import TaskRunner
from imdesk.qt.widgets.keys import shortcut
from imdesk.qt.widgets.models import RowsTableModel

Index = QModelIndex | QPersistentModelIndex
RED = QColor("#d32f2f")
AMBER = QColor("#b26a00")


class RowsModel(RowsTableModel):
    """A read-only table of display rows: (texts, tooltips, colour of the first column, payload)."""

    def __init__(self, headers: tuple[str, ...], parent: Any = None) -> None:
        super().__init__(headers, parent)

    def cell(self, row: tuple[tuple[str, ...], tuple[str, ...], QColor | None, Any], col: int,
             role: int) -> Any:
        texts, tips, color, payload = row
        if role == Qt.ItemDataRole.DisplayRole:
            return texts[col]
        if role == Qt.ItemDataRole.ToolTipRole:
            return tips[col] if col < len(tips) and tips[col] else None
        if role == Qt.ItemDataRole.ForegroundRole and col == 0:
            return color
        if role == Qt.ItemDataRole.UserRole:
            return payload
        return None


def _table(model: RowsModel, stretch: int) -> QTableView:
    view = QTableView()
    view.setTabKeyNavigation(False)  # Tab leaves the table; arrows move in it
    view.setModel(model)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.setAlternatingRowColors(True)
    view.verticalHeader().hide()
    header = view.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    header.setSectionResizeMode(stretch, QHeaderView.ResizeMode.Stretch)
    return view


class AlertsPane(QWidget):
    """Signals: open_incident(str ref) — Enter on an alert with an incident;
    settings_requested(); token_requested(); status_message(str)."""

    open_incident = Signal(str)
    settings_requested = Signal()
    token_requested = Signal()
    status_message = Signal(str)

    def __init__(self, ctx: Any, runner: TaskRunner, *, read_only: bool = False) -> None:
        super().__init__()
        self.ctx = ctx
        self.runner = runner
        self.read_only = read_only
        outer = QVBoxLayout(self)
        outer.setContentsMargins(12, 8, 12, 8)
        outer.setSpacing(8)
        head = QHBoxLayout()
        head.setSpacing(8)
        self.state = QLabel("Alerts")
        self.state.setTextFormat(Qt.TextFormat.PlainText)
        self.state.setStyleSheet("font-weight: bold;")
        head.addWidget(self.state, 1)
        self.settings_button = QPushButton("Alert &settings…")
        self.settings_button.clicked.connect(self.settings_requested)
        self.token_button = QPushButton("Show &token…")
        self.token_button.clicked.connect(self.token_requested)
        for b in (self.token_button, self.settings_button):
            b.setEnabled(not read_only)
            head.addWidget(b)
        outer.addLayout(head)
        self.lease = QLabel()  # team mode: which desk runs the listener
        self.lease.setTextFormat(Qt.TextFormat.PlainText)
        self.lease.setToolTip("The alert listener runs on one desk of the team (the lease "
                              "holder); another desk takes over when it stops renewing")
        self.lease.hide()
        outer.addWidget(self.lease)

        self.tabs = QTabWidget()
        outer.addWidget(self.tabs, 1)
        self.alerts = RowsModel(("State", "Alert", "Incident", "Count", "First seen", "Last seen",
                                 "Source"), self)
        self.alerts_view = _table(self.alerts, 1)
        self.alerts_view.activated.connect(self._open_alert)
        self.tabs.addTab(self.alerts_view, "&Alerts")

        self.windows = RowsModel(("State", "Name", "Starts", "Ends", "Covers"), self)
        self.windows_view = _table(self.windows, 1)
        self.add_window = QPushButton("&New window…")
        self.end_window = QPushButton("&End now")
        self.tabs.addTab(self._with_buttons(self.windows_view, self.add_window, self.end_window),
                         "&Maintenance")

        self.beats = RowsModel(("State", "Name", "Every", "Last seen", "Due", "Incident"), self)
        self.beats_view = _table(self.beats, 1)
        self.add_beat = QPushButton("New &heartbeat…")
        self.remove_beat = QPushButton("&Remove")
        self.tabs.addTab(self._with_buttons(self.beats_view, self.add_beat, self.remove_beat),
                         "&Heartbeats")

        self.inbox = RowsModel(("#", "Received", "Endpoint", "Size", "Outcome"), self)
        self.inbox_view = _table(self.inbox, 4)
        self.tabs.addTab(self.inbox_view, "&Inbox")
        for b in (self.add_window, self.end_window, self.add_beat, self.remove_beat):
            b.setEnabled(not read_only)
        self.add_window.clicked.connect(self.new_window)
        self.end_window.clicked.connect(self.end_selected_window)
        self.add_beat.clicked.connect(self.new_heartbeat)
        self.remove_beat.clicked.connect(self.remove_selected_heartbeat)
        shortcut(self, QKeySequence.StandardKey.Refresh, self.reload, "Alerts: read again",
                 context=Qt.ShortcutContext.WidgetWithChildrenShortcut, claim=True)

    def _with_buttons(self, view: QTableView, *buttons: QPushButton) -> QWidget:
        host = QWidget()
        layout = QVBoxLayout(host)
        layout.setContentsMargins(0, 8, 0, 0)
        layout.setSpacing(8)
        layout.addWidget(view, 1)
        row = QHBoxLayout()
        for b in buttons:
            row.addWidget(b)
        row.addStretch(1)
        layout.addLayout(row)
        return host

    def set_state(self, text: str) -> None:
        self.state.setText(text)

    # -- loading ------------------------------------------------------------------------------
    def start(self) -> None:
        self.reload()

    def reload(self) -> None:
        ctx = self.ctx

        def work() -> tuple[Any, ...]:
            from imdesk.services.desk.leases import lease_holders

            a = ctx.alerts
            return (a.intake.alerts(limit=500), a.watch.windows(), a.watch.heartbeats(),
                    a.intake.inbox(200), ctx.incidents.now(), lease_holders(ctx.db))

        self.runner.run(work, self._loaded, lambda exc: self.status_message.emit(
            sentence("Alerts could not be loaded", exc)))

    def _loaded(self, result: tuple[Any, ...]) -> None:
        alerts, windows, beats, inbox, now, leases = result
        from imdesk.domain.lease import LISTENER, lease_line

        line = lease_line(leases, LISTENER, now)
        self.lease.setText(line)
        self.lease.setVisible(bool(line))
        self.alerts.set_rows([(
            (SYMBOL.get(a.status, a.status) + (" · maintenance" if a.suppressed else ""),
             a.summary, a.ref or "—", str(a.count), friendly(a.first_seen, now),
             friendly(a.last_seen, now), a.source),
            ("", ", ".join(f"{k}={v}" for k, v in sorted(a.labels.items())), "", "",
             exact(a.first_seen), exact(a.last_seen), a.group_key),
            RED if a.status == "firing" and not a.suppressed else None, a) for a in alerts])
        self.windows.set_rows([(
            (w.state(now), w.name, friendly(w.starts_at, now), friendly(w.until, now),
             " ".join(x for x in (w.service or "", matchers_text(w.matchers)) if x)),
            ("", "", exact(w.starts_at), exact(w.until), ""),
            AMBER if w.state(now) == "active" else None, w) for w in windows])
        self.beats.set_rows([(
            (h.state, h.name, f"{h.interval_minutes} min", friendly(h.last_seen, now),
             friendly(h.due, now), h.ref or "—"),
            ("", "", "", exact(h.last_seen), exact(h.due), ""),
            RED if h.state == "missed" else None, h) for h in beats])
        self.inbox.set_rows([(
            (str(i) if i else "—", friendly(at, now), endpoint, f"{size:,} B",
             outcome or "waiting to be processed"),
            ("", exact(at), "", "", outcome or ""), RED if (outcome or "").startswith("failed") else None,
            i) for i, at, endpoint, outcome, size in inbox])
        firing = sum(1 for a in alerts if a.status == "firing" and not a.suppressed)
        self.tabs.setTabText(0, f"&Alerts ({firing} firing)" if firing else "&Alerts")
        failed = sum(1 for row in inbox if (row[3] or "").startswith("failed"))
        self.tabs.setTabText(self.tabs.indexOf(self.inbox_view),
                             f"&Inbox ({failed} failed)" if failed else "&Inbox")

    # -- commands -------------------------------------------------------------------------
    def _open_alert(self, index: QModelIndex) -> None:
        alert = self.alerts.data(index, Qt.ItemDataRole.UserRole)
        if alert is not None and alert.ref:
            self.open_incident.emit(alert.ref)

    def _selected(self, view: QTableView, model: RowsModel) -> Any:
        index = view.currentIndex()
        return model.data(index, Qt.ItemDataRole.UserRole) if index.isValid() else None

    def new_window(self) -> None:
        from imdesk.qt.alerts.dialogs import MaintenanceDialog

        services = [s.name for s in self.ctx.catalog.services()]
        made = MaintenanceDialog.ask(self, self.runner, self.ctx.incidents.now(), services,
                                     self.ctx.alerts.watch.add_window)
        if made is not None:
            self.status_message.emit(f"Maintenance window '{made.name}' saved")
            self.reload()

    def end_selected_window(self) -> None:
        window = self._selected(self.windows_view, self.windows)
        if window is None:
            return
        self.runner.run(lambda: self.ctx.alerts.watch.end_window(window.id),
                        lambda w: self._done(f"Maintenance window '{w.name}' ended"),
                        lambda exc: self.status_message.emit(sentence("Not ended", exc)))

    def _done(self, message: str) -> None:
        self.status_message.emit(message)
        self.reload()

    def new_heartbeat(self) -> None:
        from imdesk.qt.alerts.dialogs import HeartbeatDialog

        made = HeartbeatDialog.ask(self, self.runner, self.ctx.alerts.watch.add_heartbeat)
        if made is not None:
            self.status_message.emit(f"Heartbeat {made.name} expected every {made.interval_minutes} min")
            self.reload()

    def remove_selected_heartbeat(self) -> None:
        beat = self._selected(self.beats_view, self.beats)
        if beat is None:
            return
        self.runner.run(lambda: self.ctx.alerts.watch.remove_heartbeat(beat.name),
                        lambda _r: self._done(f"Heartbeat {beat.name} removed"),
                        lambda exc: self.status_message.emit(sentence("Not removed", exc)))

    def showEvent(self, event: Any) -> None:
        super().showEvent(event)
        self.reload()

    def focus_default(self) -> None:
        view = self.tabs.currentWidget()
        (view if view is not None else self.alerts_view).setFocus()
