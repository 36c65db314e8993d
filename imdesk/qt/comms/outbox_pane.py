"""The Messages pane: every message with its state, tries and last error; the call list (the
manual lane: phone these people, then mark them done); retry / send now; connectivity.

Signals: status_message(str), attention_changed(int) — messages that need a person.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QModelIndex, Qt, QTimer, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QListView,
    QPushButton,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from imdesk.domain.message import MessageState
from imdesk.messages import sentence
from imdesk.qt.comms.outbox_model import COL_ERROR, CallListModel, ItemRole, OutboxModel
from imdesk.qt.tasks import TaskRunner
from imdesk.qt.widgets.keys import shortcut
from imdesk.qt.widgets.labels import set_label
from imdesk.services.comms.outbox import OutboxItem, OutboxService

PAGE = 300  # the newest; older messages stay in the database and in `imdesk outbox list`
FILTERS = (
    ("All messages", ()),
    ("Needs a person (call, failed, expired)", (MessageState.CALL, MessageState.FAILED,
                                                MessageState.EXPIRED)),
    ("Waiting (queued, sending)", (MessageState.QUEUED, MessageState.SENDING)),
    ("Done (sent, delivered, called)", (MessageState.SENT, MessageState.DELIVERED,
                                        MessageState.CALLED)),
)


def _plain(text: str = "") -> QLabel:
    label = QLabel(text)
    label.setTextFormat(Qt.TextFormat.PlainText)
    return label


class OutboxPane(QWidget):
    status_message = Signal(str)
    attention_changed = Signal(int)

    def __init__(self, outbox: OutboxService, runner: TaskRunner, *, now: Any,
                 send_now: Any, read_only: bool = False) -> None:
        super().__init__()
        self.outbox = outbox
        self.runner = runner
        self._now = now
        self._send_now = send_now
        self.read_only = read_only
        self._loading = False
        self._stale = False
        self._calls_shown: list[OutboxItem] = []
        self._reload_timer = QTimer(self)
        self._reload_timer.setSingleShot(True)
        self._reload_timer.setInterval(1000)
        self._reload_timer.timeout.connect(self.reload)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.setSpacing(8)
        head = QHBoxLayout()
        title = _plain("Messages")
        font = QFont(title.font())
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.2)
        title.setFont(font)
        head.addWidget(title)
        self.connectivity = _plain("connectivity: not checked yet")
        head.addWidget(self.connectivity)
        head.addStretch(1)
        self.filter = QComboBox()
        for label, _states in FILTERS:
            self.filter.addItem(label)
        self.filter.setToolTip("Which messages to list")
        self.filter.currentIndexChanged.connect(self.reload)
        head.addWidget(self.filter)
        self.retry_button = QPushButton("&Retry selected")
        self.retry_button.setToolTip("Send the selected message again now (Ctrl+R)")
        self.retry_button.clicked.connect(self.retry_selected)
        head.addWidget(self.retry_button)
        self.send_button = QPushButton("Send &now")
        self.send_button.setToolTip("Everything waiting goes out now (Ctrl+Shift+Return)")
        self.send_button.clicked.connect(self.send_now)
        head.addWidget(self.send_button)
        layout.addLayout(head)
        self.lease = _plain()  # team mode: which desk sends for the team
        self.lease.setToolTip("The outbox sender runs on one desk of the team (the lease "
                              "holder); another desk takes over when it stops renewing")
        self.lease.hide()
        layout.addWidget(self.lease)

        splitter = QSplitter(Qt.Orientation.Horizontal)
        self.model = OutboxModel()
        self.table = QTableView()
        self.table.setTabKeyNavigation(False)  # Tab leaves the table; arrows move in it
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        # Fixed starting widths: sizing columns to their contents asks every row (slow for
        # thousands of messages while the sender keeps changing them).
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(COL_ERROR, QHeaderView.ResizeMode.Stretch)
        metrics = self.table.fontMetrics()
        for col, sample in enumerate(("yesterday 22:10", "INC-10042", "Kim Larsen <+4915112345678>",
                                      "email", "✓ sent (possible duplicate)", "Tries")):
            header.resizeSection(col, metrics.horizontalAdvance(sample) + 24)
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self.table.selectionModel().currentRowChanged.connect(self._show_detail)
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addWidget(self.table, 1)
        self.detail = _plain()
        self.detail.setWordWrap(True)
        self.detail.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        left_layout.addWidget(self.detail)
        splitter.addWidget(left)

        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        calls_title = _plain("☎ Call list (Alt+L)")
        calls_title.setFont(font)
        right_layout.addWidget(calls_title)
        hint = _plain("Messages that could not go out any other way: phone these people, "
                      "then mark the call done (it is logged in the incident).")
        hint.setWordWrap(True)
        right_layout.addWidget(hint)
        self.calls_model = CallListModel(self)
        self.calls = QListView()
        self.calls.setModel(self.calls_model)
        big = QFont(self.calls.font())
        big.setPointSizeF(big.pointSizeF() * 1.15)
        self.calls.setFont(big)
        self.calls.setWordWrap(True)
        self.calls.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.calls.activated.connect(lambda _i: self.mark_called())
        right_layout.addWidget(self.calls, 1)
        self.called_button = QPushButton("Called — done (Alt+C)")
        self.called_button.setToolTip("The selected person was phoned (Enter on the list, or Alt+C; "
                                      "with nobody selected, the one who has waited longest)")
        self.called_button.clicked.connect(self.mark_called)
        right_layout.addWidget(self.called_button)
        splitter.addWidget(right)
        splitter.setSizes([900, 320])
        layout.addWidget(splitter, 1)

        shortcut(self, "Alt+C", self.mark_called, "Messages: the person on the call list was called",
                 context=Qt.ShortcutContext.WidgetWithChildrenShortcut)
        shortcut(self, "Alt+L", self.calls.setFocus, "Messages: to the call list (Enter: called)",
                 context=Qt.ShortcutContext.WidgetWithChildrenShortcut)
        shortcut(self, "Ctrl+R", self.retry_selected, "Messages: retry the selected message",
                 context=Qt.ShortcutContext.WidgetWithChildrenShortcut)
        shortcut(self, "Ctrl+Shift+Return", self.send_now, "Messages: send everything waiting now",
                 context=Qt.ShortcutContext.WidgetWithChildrenShortcut)
        for button in (self.retry_button, self.send_button, self.called_button):
            button.setEnabled(not read_only)

    # -- loading -----------------------------------------------------------------------------
    def reload_soon(self) -> None:
        """Reload at most once a second while the sender is busy; a hidden pane only notes
        that it is behind and reloads when it is shown again."""
        if not self.isVisible():
            self._stale = True
            return
        if not self._reload_timer.isActive():
            self._reload_timer.start()

    def showEvent(self, event: Any) -> None:
        super().showEvent(event)
        if self._stale:
            self._stale = False
            self.reload()

    def reload(self) -> None:
        if self._loading:
            self._reload_timer.start()
            return
        self._loading = True
        states = FILTERS[self.filter.currentIndex()][1]
        outbox = self.outbox

        # what is on screen: only new and changed messages are read in full
        known = {item.id: item for item in (*self.model.items, *self._calls_shown)}

        def load() -> tuple[list[OutboxItem], list[OutboxItem]]:
            return (outbox.refresh(known, states=states, limit=PAGE),
                    outbox.refresh(known, states=(MessageState.CALL,), limit=500))

        self.runner.run(load, self._loaded, self._failed)

    def _loaded(self, result: tuple[list[OutboxItem], list[OutboxItem]]) -> None:
        self._loading = False
        items, calls = result
        current = self.current_item()
        self.model.set_items(items, self._now())
        if current is not None and (self.current_item() or current).id != current.id:
            for row, item in enumerate(items):
                if item.id == current.id:
                    self.table.selectRow(row)
                    break
        if calls != self._calls_shown:  # rebuilt (wrapped lines laid out) only when it changed
            self._show_calls(calls)
        attention = sum(1 for i in items if i.state in FILTERS[1][1]) if not \
            FILTERS[self.filter.currentIndex()][1] else len(calls)
        self.attention_changed.emit(max(attention, len(calls)))

    def _show_calls(self, calls: list[OutboxItem]) -> None:
        self._calls_shown = calls
        chosen = self.calls.currentIndex().data(Qt.ItemDataRole.UserRole)
        self.calls_model.set_calls(calls)
        row = self.calls_model.row_of_id(chosen) if chosen is not None else -1
        if row >= 0:
            self.calls.setCurrentIndex(self.calls_model.index(row))

    def _failed(self, exc: BaseException) -> None:
        self._loading = False
        self.status_message.emit(sentence("Messages could not be read", exc))

    def show_lease(self, line: str) -> None:
        """ "sender: on SPOC desk since 10:42" (team mode); nothing on a single desk."""
        self.lease.setText(line)
        self.lease.setVisible(bool(line))

    def show_connectivity(self, text: str, color: str | None) -> None:
        set_label(self.connectivity, f"● {text}", f"color:{color};" if color else "")

    # -- actions -----------------------------------------------------------------------------
    def current_item(self) -> OutboxItem | None:
        index = self.table.currentIndex()
        if not index.isValid():
            return None
        item: OutboxItem = self.model.data(index, ItemRole)
        return item

    def _show_detail(self, current: QModelIndex, _previous: QModelIndex) -> None:
        item = self.model.data(current, ItemRole) if current.isValid() else None
        if item is None:
            self.detail.setText("")
            return
        route = " → ".join(("▶ " if n == item.step else "") + s.describe()
                           for n, s in enumerate(item.route))
        lines = [f"{item.ref} · {item.template} ({item.audience}) to {item.recipient}",
                 f"Route: {route}"]
        if item.last_error:
            lines.append(f"Last error: {item.last_error}")
        self.detail.setText("\n".join(lines))

    def retry_selected(self) -> None:
        item = self.current_item()
        if item is None or self.read_only:
            return
        outbox = self.outbox

        def done(result: OutboxItem) -> None:
            self.status_message.emit(f"Message {result.id} to {result.recipient}: "
                                     f"{result.state.label}, going out now")
            self._send_now()
            self.reload()

        self.runner.run(lambda: outbox.retry(item.id), done,
                        lambda exc: self.status_message.emit(sentence("Not retried", exc)))

    def send_now(self) -> None:
        if self.read_only:
            return
        self._send_now()
        self.status_message.emit("Sending what is waiting now…")

    def mark_called(self) -> None:
        if self.read_only:
            return
        entry = self.calls.currentIndex()
        if not entry.isValid():
            if self.calls_model.rowCount() == 0:
                self.status_message.emit("Nobody is on the call list")
                return
            entry = self.calls_model.index(0)  # the person who has waited longest
            self.calls.setCurrentIndex(entry)
        message_id = int(entry.data(Qt.ItemDataRole.UserRole))
        name = entry.data(Qt.ItemDataRole.DisplayRole).splitlines()[0].lstrip("☎ ")
        note = self.ask_note(f"Called {name}", "What was said (optional):")
        if note is None:
            return
        outbox = self.outbox
        self.runner.run(lambda: outbox.called(message_id, note),
                        lambda item: self._logged(f"Logged: {item.recipient} was called"),
                        lambda exc: self.status_message.emit(sentence("Not logged", exc)))

    def _logged(self, message: str) -> None:
        self.status_message.emit(message)
        self.reload()

    def focus_default(self) -> None:
        self.table.setFocus()

    def ask_note(self, title: str, prompt: str) -> str | None:
        """Separate so tests patch one call; Ctrl+Enter logs it, Esc cancels."""
        from imdesk.qt.widgets.note_dialog import NoteDialog

        return NoteDialog.ask(self, title, prompt, required=False, ok_text="Log the call")
