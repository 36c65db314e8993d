"""The alerts attached to the shown incident, inside its detail: state, count, first and last
seen, and for the selected alert its labels, annotations and links (runbook, source graph…)."""

from __future__ import annotations

import html
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QLabel, QTableView, QVBoxLayout, QWidget

from imdesk.domain.timefmt import exact, friendly
from imdesk.qt.tasks import TaskRunner
from imdesk.qt.widgets.models import RowRole, RowsTableModel

Index = QModelIndex | QPersistentModelIndex
COL_STATE, COL_SUMMARY, COL_COUNT, COL_FIRST, COL_LAST = range(5)
HEADERS = ("State", "Alert", "Count", "First seen", "Last seen")
SYMBOL = {"firing": "⚠ firing", "acknowledged": "◐ acked", "resolved": "✓ resolved"}
AlertRole = RowRole


class AlertTableModel(RowsTableModel):
    """Alerts (AlertView rows) with named columns; times shown local with the day."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(HEADERS, parent)
        self.now = datetime.now().astimezone()

    def set_rows(self, rows: Sequence[Any], now: datetime | None = None) -> None:
        if now is not None:
            self.now = now
        super().set_rows(rows)

    def cell(self, a: Any, col: int, role: int) -> Any:
        if role == Qt.ItemDataRole.DisplayRole:
            return (SYMBOL.get(a.status, a.status) + (" · maintenance" if a.suppressed else ""),
                    a.summary, str(a.count), friendly(a.first_seen, self.now),
                    friendly(a.last_seen, self.now))[col]
        if role == Qt.ItemDataRole.ToolTipRole:
            if col == COL_FIRST:
                return exact(a.first_seen)
            if col == COL_LAST:
                return exact(a.last_seen)
            return f"{a.source} · {a.alert_key}"
        if role == Qt.ItemDataRole.ForegroundRole and col == COL_STATE and a.status == "firing":
            return QColor("#d32f2f")
        if role == Qt.ItemDataRole.TextAlignmentRole and col == COL_COUNT:
            return int((Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter).value)
        return None


def alert_details_html(a: Any) -> str:
    """Labels, annotations and links of one alert; every value escaped (senders write them)."""
    esc = html.escape
    parts = [f"<b>{esc(a.summary)}</b> <span>({esc(a.source)}, severity "
             f"{esc(a.severity or '—')})</span>"]
    if a.links:
        parts.append(" · ".join(f'<a href="{esc(url, quote=True)}">{esc(label)}</a>'
                                for label, url in a.links))
    if a.labels:
        parts.append("Labels: " + ", ".join(f"{esc(k)}={esc(v)}" for k, v in sorted(a.labels.items())))
    for key, value in sorted(a.annotations.items()):
        if key not in ("runbook_url", "runbook"):
            parts.append(f"{esc(key)}: {esc(value)}")
    return "<br>".join(parts)


class AlertPanel(QWidget):
    """Hidden while the incident has no alerts."""

    def __init__(self, intake: Any, runner: TaskRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._intake = intake
        self._runner = runner
        self._ref: str | None = None
        self._gen = 0
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        self.title = QLabel()
        self.title.setTextFormat(Qt.TextFormat.PlainText)
        self.title.setStyleSheet("font-weight: bold;")
        layout.addWidget(self.title)
        self.model = AlertTableModel(self)
        self.table = QTableView()
        self.table.setTabKeyNavigation(False)  # Tab leaves the table; arrows move in it
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.setAlternatingRowColors(True)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(COL_SUMMARY, QHeaderView.ResizeMode.Stretch)
        for col in (COL_STATE, COL_COUNT, COL_FIRST, COL_LAST):
            header.setSectionResizeMode(col, QHeaderView.ResizeMode.ResizeToContents)
        layout.addWidget(self.table)
        self.details = QLabel()
        self.details.setTextFormat(Qt.TextFormat.RichText)  # escaped in alert_details_html
        self.details.setWordWrap(True)
        self.details.setOpenExternalLinks(True)
        self.details.setTextInteractionFlags(Qt.TextInteractionFlag.TextBrowserInteraction)
        layout.addWidget(self.details)
        self.table.selectionModel().currentRowChanged.connect(self._show_alert)
        self.hide()

    def show_for(self, ref: str | None) -> None:
        self._ref = ref
        self._gen += 1
        gen = self._gen
        if ref is None:
            self.hide()
            return
        intake = self._intake

        def done(rows: list[Any]) -> None:
            if gen == self._gen:
                self._set(rows)

        self._runner.run(lambda: intake.alerts(ref=ref, limit=500), done, lambda _e: self.hide())

    def reload(self) -> None:
        self.show_for(self._ref)

    def _set(self, rows: list[Any]) -> None:
        self.model.set_rows(rows, datetime.now().astimezone())
        self.setVisible(bool(rows))
        if not rows:
            return
        shown = min(len(rows), 5)  # the table is as tall as its rows, up to five
        self.table.setFixedHeight(self.table.horizontalHeader().height() + 4
                                  + shown * self.table.verticalHeader().defaultSectionSize())
        firing = sum(1 for a in rows if a.status != "resolved")
        self.title.setText(f"Alerts: {firing} firing of {len(rows)}" if firing
                           else f"Alerts: all {len(rows)} cleared")
        self.table.selectRow(0)
        self._show_alert(self.model.index(0, 0))

    def _show_alert(self, index: QModelIndex, _previous: Any = None) -> None:
        alert = self.model.data(index, AlertRole) if index.isValid() else None
        self.details.setText(alert_details_html(alert) if alert is not None else "")
