""""Who do I call for SERVICE": the owner team, who is on duty now (the number large), then the
escalation ladder with the minute each step begins. Opened from an incident, a call made here
offers to log its outcome in that incident's timeline.

Signals: call_requested(int contact id, str number), contact_requested(int contact id),
open_url_requested(str url).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from imdesk.domain.contact_book import ON_DUTY_ROLE, Callee, WhoToCall
from imdesk.domain.timefmt import friendly
from imdesk.qt.contacts.card import big_number_font
from imdesk.qt.widgets.keys import shortcut
from imdesk.qt.widgets.labels import heading_label, plain_label
from imdesk.qt.widgets.models import RowsTableModel


@dataclass(frozen=True)
class CallRow:
    when: str              # "now", "+10 min"
    step: str              # "on duty", "team lead", a name
    callee: Callee | None
    number: str            # as read aloud
    dial: str
    wait: str


@dataclass(frozen=True)
class WhoData:
    who: WhoToCall
    rows: tuple[CallRow, ...]
    first: CallRow | None           # the number to call first (on duty now, else step 1)
    incident: str                   # "INC-1042 · P1 · Core switch down" when opened from one
    now: datetime


def prepare(who: WhoToCall, incident: str, now: datetime) -> WhoData:
    """Runs in a worker: formats every number once."""
    from imdesk.services.contacts.values import display_phone

    def row(when: str, step: str, c: Callee | None, wait: str) -> CallRow:
        phone = c.phone if c else None
        return CallRow(when, step, c, display_phone(phone) if phone else "—", phone.dial if phone else "",
                       wait)

    ladder_has_duty = any(r.label.strip().lower() == ON_DUTY_ROLE for r in who.ladder)
    rows = [] if ladder_has_duty else [row("now", "on duty", c, "") for c in who.on_duty]
    for rung in who.ladder:
        when = f"+{rung.starts_after_minutes} min"
        wait = f"{rung.wait_minutes} min" if rung.wait_minutes else "last step"
        if not rung.callees:
            rows.append(row(when, rung.label, None, wait))
        named = len(rung.callees) == 1 and rung.callees[0].name == rung.label
        rows += [row(when, f"{rung.position}. {c.record.kind.value if named else rung.label}", c, wait)
                 for c in rung.callees]
    if who.business_owner:
        rows.append(row("inform", "business owner", who.business_owner, ""))
    first = next((r for r in rows if r.callee and r.dial), None)
    return WhoData(who, tuple(rows), first, incident, now)


class CallRowsModel(RowsTableModel):
    """The who-to-call ladder: when each step begins, who, the number, the wait, a check mark."""

    HEADERS = ("When", "Step", "Name", "Number", "Then wait", "Check")

    def __init__(self) -> None:
        super().__init__(self.HEADERS)

    def cell(self, r: CallRow, col: int, role: int) -> Any:
        if role == Qt.ItemDataRole.DisplayRole:
            mark = ""
            if r.callee and r.callee.review:
                mark = "check"
            elif r.callee and r.callee.stale:
                mark = "stale"
            return (r.when, r.step, r.callee.name if r.callee else "nobody in this role", r.number, r.wait,
                    mark)[col]
        if role == Qt.ItemDataRole.FontRole and col == 3:
            font = QFont()
            font.setFamily("monospace")
            font.setStyleHint(QFont.StyleHint.Monospace)
            return font
        if role == Qt.ItemDataRole.ToolTipRole and r.callee and r.callee.review:
            return r.callee.review
        return None


class WhoToCallView(QWidget):
    call_requested = Signal(int, str)
    contact_requested = Signal(int)
    open_url_requested = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(16, 12, 16, 12)
        outer.setSpacing(8)
        self.incident = plain_label(wrap=True, selectable=False)
        self.incident.setStyleSheet("color: palette(placeholder-text);")
        self.title = heading_label()
        self.owner = plain_label(wrap=True)
        self.first_label = plain_label(selectable=False)
        self.first_number = plain_label()
        self.first_number.setFont(big_number_font())
        self.next_shift = plain_label(wrap=True, selectable=False)
        buttons = QHBoxLayout()
        self.call_first = QPushButton("&Call…")
        self.call_first.setToolTip("Dial the number above (tel: link); you are asked how it went")
        self.call_selected = QPushButton("Call the &selected step")
        self.call_selected.setToolTip("Enter on a row of the ladder does the same")
        self.open_contact = QPushButton("Show &contact")
        for b in (self.call_first, self.call_selected, self.open_contact):
            buttons.addWidget(b)
        buttons.addStretch(1)
        self.table = QTableView()
        self.table.setTabKeyNavigation(False)  # Tab leaves the table; arrows move in it
        self.model = CallRowsModel()
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.setShowGrid(False)
        self.table.setAlternatingRowColors(True)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self.runbook = plain_label(wrap=True)
        for w in (self.incident, self.title, self.owner, self.first_label, self.first_number,
                  self.next_shift):
            outer.addWidget(w)
        outer.addLayout(buttons)
        outer.addWidget(self.table, 1)
        outer.addWidget(self.runbook)
        self.data: WhoData | None = None
        self.call_first.clicked.connect(lambda: self._call(self.data.first if self.data else None))
        self.call_selected.clicked.connect(self.call_current)
        self.open_contact.clicked.connect(self._show_contact)
        self.table.activated.connect(lambda _i: self.call_current())
        shortcut(self.table, Qt.Key.Key_Return, self.call_current, "Who to call: dial the selected row",
                 context=Qt.ShortcutContext.WidgetShortcut)

    def show_who(self, data: WhoData) -> None:
        self.data = data
        who = data.who
        self.incident.setText(f"For {data.incident}" if data.incident else "")
        self.incident.setVisible(bool(data.incident))
        self.title.setText(f"Who do I call for {who.service}")
        if not who.owner_team:
            self.owner.setText("No owner team is recorded for this service: set one in Contacts → "
                               "Organisation (Ctrl+Shift+O).")
        else:
            self.owner.setText(f"Owner team: {who.owner_team}")
        first = data.first
        if first and first.callee:
            self.first_label.setText(f"Call first: {first.callee.name} ({first.step}, {first.when})")
            self.first_number.setText(first.number)
        else:
            self.first_label.setText("Nobody to call: no one is on duty and the ladder is empty.")
            self.first_number.setText("")
        self.call_first.setEnabled(bool(first))
        nxt = who.next_shift
        self.next_shift.setText(f"Next on duty: {nxt.name} from {friendly(nxt.starts_at, data.now)}"
                                if nxt else "No later shift on the roster")
        self.model.set_rows(list(data.rows))
        if data.rows:
            self.table.selectRow(0)
        self.runbook.setText(f"Runbook: {who.runbook}" if who.runbook else "")
        self.runbook.setVisible(bool(who.runbook))
        self.table.setFocus()

    def current_row(self) -> CallRow | None:
        index = self.table.currentIndex()
        if not index.isValid():
            return None
        row: CallRow = self.model.rows[index.row()]
        return row

    def call_current(self) -> None:
        self._call(self.current_row())

    def _call(self, row: CallRow | None) -> None:
        if row is None or row.callee is None or not row.dial:
            return
        self.open_url_requested.emit(f"tel:{row.dial}")
        self.call_requested.emit(row.callee.contact_id, row.dial)

    def _show_contact(self) -> None:
        row = self.current_row()
        if row and row.callee:
            self.contact_requested.emit(row.callee.contact_id)
