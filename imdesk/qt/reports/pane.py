"""The Reports pane (Alt+7): desk metrics for a date range and filters — the figures with the
definitions beside them, and charts (trend, by priority, SLA compliance, majors) each with its
numbers in a table beside it and a CSV export. Computed on a worker thread."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from pathlib import Path
from typing import Any

from PySide6.QtCore import QDate, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDateEdit,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSplitter,
    QTableView,
    QTabWidget,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from imdesk.domain.incident import Origin
from imdesk.domain.metrics import PRIORITIES, Report
from imdesk.messages import sentence
from imdesk.qt.reports.chart import BarChart, ChartData
from imdesk.qt.tasks import TaskRunner
from imdesk.qt.widgets.keys import shortcut
from imdesk.qt.widgets.models import RowsTableModel
from imdesk.services.metrics.definitions import DEFINITIONS
from imdesk.services.metrics.tables import Table, all_tables, to_csv

TABS = ("Figures", "Trend", "By priority", "SLA compliance", "Majors")


class TableModel(RowsTableModel):
    """One metrics table (services/metrics/tables.Table): rows of texts."""

    def cell(self, row: tuple[str, ...], column: int, role: int) -> Any:
        if role == Qt.ItemDataRole.DisplayRole:
            return row[column]
        if role == Qt.ItemDataRole.TextAlignmentRole and column > 0:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def show_table(self, table: Table) -> None:
        if table.headers != self.headers:
            self.beginResetModel()
            self.headers = table.headers
            self.rows = list(table.rows)
            self.endResetModel()
        else:
            self.set_rows(table.rows)


def _view(model: TableModel) -> QTableView:
    view = QTableView()
    view.setModel(model)
    view.setTabKeyNavigation(False)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.verticalHeader().hide()
    view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    view.horizontalHeader().setStretchLastSection(True)
    return view


def _callers_text(report: Report) -> str:
    c = report.callers
    if c is None or not c.with_callers:
        return " No outage had callers linked."
    if c.with_callers == 1:
        return (f" A master and its callers count once: 1 outage had {c.callers} "
                f"caller{'s' if c.callers != 1 else ''}.")
    return (f" A master and its callers count once: {c.with_callers} outages had callers "
            f"({c.callers} in all, {c.mean:g} per outage on average, at most {c.max}).")


def _definitions_html() -> str:
    items = "".join(f"<p><b>{name}.</b> {text}</p>" for name, text in DEFINITIONS)
    return f"<h3>How each figure is computed</h3>{items}"


def _secs_h(value: float | None) -> float | None:
    return None if value is None else round(value / 3600, 2)


class ReportsPane(QWidget):
    status_message = Signal(str)

    def __init__(self, ctx: Any, runner: TaskRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx, self.runner = ctx, runner
        self.report: Report | None = None
        self._generation = 0
        self.csv_folder = Path.home()
        box = QVBoxLayout(self)
        box.setContentsMargins(12, 10, 12, 10)
        box.addLayout(self._filters())
        self.summary = QLabel("")
        self.summary.setTextFormat(Qt.TextFormat.PlainText)
        self.summary.setWordWrap(True)
        box.addWidget(self.summary)
        self.tabs = QTabWidget()
        self.models = [TableModel(()) for _ in TABS]
        self.views = [_view(m) for m in self.models]
        self.charts: list[BarChart | None] = [None] + [BarChart() for _ in TABS[1:]]
        for i, name in enumerate(TABS):
            split = QSplitter(Qt.Orientation.Horizontal)
            if i == 0:
                left = QWidget()
                lbox = QVBoxLayout(left)
                lbox.setContentsMargins(0, 0, 0, 0)
                lbox.addWidget(self.views[0], 1)
                self.definitions = QTextBrowser()
                self.definitions.setHtml(_definitions_html())
                self.definitions.setAccessibleName("Definitions")
                split.addWidget(left)
                split.addWidget(self.definitions)
                split.setSizes([640, 420])
            else:
                chart = self.charts[i]
                assert chart is not None
                split.addWidget(chart)
                split.addWidget(self.views[i])
                split.setSizes([560, 520])
            split.setChildrenCollapsible(False)
            self.tabs.addTab(split, name)
        box.addWidget(self.tabs, 1)
        shortcut(self, "Ctrl+Return", self.refresh, "Reports: compute the figures again",
                 context=Qt.ShortcutContext.WidgetWithChildrenShortcut)
        shortcut(self, "Ctrl+Shift+E", self.export_csv,
                 "Reports: export the table on screen as CSV",
                 context=Qt.ShortcutContext.WidgetWithChildrenShortcut)
        shortcut(self, "Ctrl+PgDown", lambda: self._tab(+1), "Reports: next chart",
                 context=Qt.ShortcutContext.WidgetWithChildrenShortcut)
        shortcut(self, "Ctrl+PgUp", lambda: self._tab(-1), "Reports: previous chart",
                 context=Qt.ShortcutContext.WidgetWithChildrenShortcut)

    # -- the filter row --------------------------------------------------------------------
    def _filters(self) -> QHBoxLayout:
        row = QHBoxLayout()
        today = QDate.currentDate()
        self.start = QDateEdit(today.addDays(-29))
        self.end = QDateEdit(today)
        for edit in (self.start, self.end):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("ddd d MMM yyyy")
        self.priority = QComboBox()
        self.priority.addItem("All priorities", "")
        for p in PRIORITIES:
            self.priority.addItem(p, p)
        self.service = QComboBox()
        self.service.addItem("All services", "")
        self.origin = QComboBox()
        self.origin.addItem("All origins", "")
        for o in Origin:
            self.origin.addItem(o.label, o.value)
        self.exercises = QCheckBox("E&xercises only")
        self.unit = QComboBox()
        self.unit.addItem("per week", "week")
        self.unit.addItem("per month", "month")
        self.refresh_button = QPushButton("&Compute")
        self.refresh_button.setToolTip("Compute the figures for this range and filter (Ctrl+Return)")
        self.export_button = QPushButton("Export C&SV…")
        self.export_button.setToolTip("The table on screen as a CSV file (Ctrl+Shift+E)")
        for text, widget in (("&From", self.start), ("&To", self.end)):
            label = QLabel(text)
            label.setBuddy(widget)
            row.addWidget(label)
            row.addWidget(widget)
            row.addSpacing(6)
        row.addWidget(self.priority)
        row.addWidget(self.service)
        row.addWidget(self.origin)
        row.addWidget(self.exercises)
        trend = QLabel("T&rend")
        trend.setBuddy(self.unit)
        row.addWidget(trend)
        row.addWidget(self.unit)
        row.addStretch(1)
        row.addWidget(self.refresh_button)
        row.addWidget(self.export_button)
        self.refresh_button.clicked.connect(self.refresh)
        self.export_button.clicked.connect(self.export_csv)
        for combo in (self.priority, self.service, self.origin, self.unit):
            combo.activated.connect(lambda _i: self.refresh())
        self.exercises.toggled.connect(lambda _on: self.refresh())
        self.start.editingFinished.connect(self.refresh)
        self.end.editingFinished.connect(self.refresh)
        return row

    def focus_default(self) -> None:
        self.start.setFocus()

    def load_services(self) -> None:
        self.runner.run(self.ctx.catalog.services, self._services, lambda _e: None)

    def _services(self, services: list[Any]) -> None:
        for s in services:
            self.service.addItem(s.name, s.name)

    def _tab(self, step: int) -> None:
        self.tabs.setCurrentIndex((self.tabs.currentIndex() + step) % self.tabs.count())

    # -- computing -------------------------------------------------------------------------
    def range_utc(self) -> tuple[datetime, datetime]:
        """From the first day's local midnight to the midnight after the last day."""
        def midnight(d: QDate) -> datetime:
            return datetime.combine(date(d.year(), d.month(), d.day()), time()).astimezone()

        return (midnight(self.start.date()).astimezone(UTC),
                (midnight(self.end.date().addDays(1))).astimezone(UTC))

    def current_filter(self) -> Any:
        from imdesk.services.metrics import MetricsFilter

        start, end = self.range_utc()
        prio = self.priority.currentData()
        return MetricsFilter(start, end, (prio,) if prio else (), self.service.currentData() or None,
                             self.origin.currentData() or None, self.exercises.isChecked())

    def refresh(self) -> None:
        start, end = self.range_utc()
        if end <= start:
            self.summary.setText(sentence("the range ends before it starts: pick a later 'To' "
                                          "date"))
            return
        self._generation += 1
        generation = self._generation
        f, unit = self.current_filter(), self.unit.currentData()
        self.summary.setText("Computing…")
        self.runner.run(lambda: self.ctx.metrics.report(f, unit),
                        lambda r: self._show(r, generation),
                        lambda exc: self.summary.setText(sentence("The figures could not be computed", exc)))

    def _show(self, report: Report, generation: int) -> None:
        if generation != self._generation:
            return  # a newer request is on its way
        self.report = report
        s = report.summary
        drills = " (exercises only)" if self.exercises.isChecked() else ""
        self.summary.setText(
            f"{s.count} incident{'s' if s.count != 1 else ''} opened{drills}; "
            f"{s.not_acknowledged} not acknowledged and {s.not_resolved} not resolved are left "
            f"out of the durations; {s.cancelled} cancelled; {report.majors} declared major."
            + _callers_text(report))
        for model, table in zip(self.models, all_tables(report), strict=True):
            model.show_table(table)
        charts = self.charts
        cats = tuple(t.label for t in report.trend)
        assert charts[1] and charts[2] and charts[3] and charts[4]
        charts[1].set_data(ChartData(f"Incidents opened per {report.unit}", cats,
                                     (("Opened", tuple(float(t.count) for t in report.trend)),)))
        charts[2].set_data(ChartData("Incidents by priority", PRIORITIES, (
            ("Opened", tuple(float(report.priorities[p].count) for p in PRIORITIES)),
            ("Not resolved", tuple(float(report.priorities[p].not_resolved)
                                   for p in PRIORITIES)))))
        charts[3].set_data(ChartData("SLA met per priority", PRIORITIES, (
            ("Respond", tuple(report.priorities[p].sla.respond_pct for p in PRIORITIES)),
            ("Resolve", tuple(report.priorities[p].sla.resolve_pct for p in PRIORITIES))),
            unit="%"))
        charts[4].set_data(ChartData("Majors declared per month",
                                     tuple(m for m, _n in report.majors_per_month),
                                     (("Majors", tuple(float(n) for _m, n in
                                                       report.majors_per_month)),)))

    # -- export ----------------------------------------------------------------------------
    def current_table(self) -> Table:
        model = self.models[self.tabs.currentIndex()]
        return Table(TABS[self.tabs.currentIndex()], model.headers,
                     tuple(tuple(r) for r in model.rows))

    def export_csv(self) -> None:
        if self.report is None:
            return
        table = self.current_table()
        name = f"imdesk-{table.title.lower().replace(' ', '-')}-{date.today():%Y%m%d}.csv"
        path, _filter = QFileDialog.getSaveFileName(self, "Export CSV", str(self.csv_folder / name),
                                                    "CSV files (*.csv)")
        if path:
            self.write_csv(Path(path))

    def write_csv(self, path: Path) -> None:
        from imdesk.services.metrics.export import write_text

        table = self.current_table()
        self.runner.run(lambda: write_text(path, to_csv(table)),
                        lambda _r: self.status_message.emit(f"Saved {table.title} as {path}"),
                        lambda exc: self.status_message.emit(
                            sentence("The CSV could not be written", exc)))
        self.csv_folder = path.parent


