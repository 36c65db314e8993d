"""The Reports pane as a user meets it: opened by keyboard (Alt+N, the last rail key), the range
typed in, the figures of the known dataset with the definitions beside them, each chart with its
table, CSV export equal to the table on screen, and the computation on the task runner."""

from __future__ import annotations

import csv
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from imdesk.context import AppContext
from imdesk.qt.main_window import MainWindow
from imdesk.qt.reports.chart import BarChart
from imdesk.qt.tasks import SyncTaskRunner
from imdesk.services.clock import ManualClock
from imdesk.storage.incident_repo import IncidentQuery
from tests.metrics.dataset import build
from tests.metrics.test_metrics_outages import add_callers

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")


@pytest.fixture
def berlin(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The desk's local time is Europe/Berlin (the dataset crosses its DST change)."""
    monkeypatch.setenv("TZ", "Europe/Berlin")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


@pytest.fixture
def reports_window(qtbot: QtBot, sqlite_ctx: AppContext, clock: ManualClock,
                   berlin: None) -> Iterator[MainWindow]:
    add_callers(sqlite_ctx, build(sqlite_ctx, clock))  # callers count once: the same figures
    window = MainWindow(sqlite_ctx, SyncTaskRunner())
    window.persist_layout = False
    qtbot.addWidget(window)
    window.resize(1300, 800)
    window.show()
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    window.start()
    window._start_secondary()
    yield window
    window.close()


def _key_to_reports(window: MainWindow, qtbot: QtBot) -> None:
    labels = [window.rail.group.button(n).property("rail_label")
              for n in range(len(window.rail.group.buttons()))]
    place = labels.index("Reports") + 1  # Alt+7 (Drills came after it, Alt+9)
    qtbot.keyClick(QApplication.focusWidget() or window, getattr(Qt.Key, f"Key_{place}"),
                   Qt.KeyboardModifier.AltModifier)


def test_keyboard_only_range_figures_charts_and_csv(reports_window: MainWindow, qtbot: QtBot,
                                                    tmp_path: Path) -> None:
    window = reports_window
    _key_to_reports(window, qtbot)
    pane = window.reports.pane
    assert window.current_pane() is pane
    assert pane.start.hasFocus()  # the keyboard lands in the From date
    pane.start.setDate(QDate(2026, 3, 23))
    pane.end.setDate(QDate(2026, 4, 5))  # to the end of that day
    qtbot.keyClick(pane.start, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    # same hand computation as tests/metrics: 6 incidents, 1 not acknowledged, 2 not resolved
    assert pane.summary.text().startswith("6 incidents opened; 1 not acknowledged and 2 not "
                                          "resolved")
    assert pane.summary.text().endswith("A master and its callers count once: 2 outages had "
                                        "callers (3 in all, 1.5 per outage on average, at "
                                        "most 2).")
    figures = pane.models[0]
    tta = figures.rows[0]
    assert tta[:5] == ("Time to acknowledge", "25m", "40m", "25m", "4")
    assert tta[5] == "1 not acknowledged"
    assert "How each figure is computed" in pane.definitions.toPlainText()
    assert "nearest rank" in pane.definitions.toPlainText()
    # trend: W13 (167 hours long) and W14
    assert [r[:2] for r in pane.models[1].rows] == [("2026-W13", "3"), ("2026-W14", "3")]
    trend_chart = pane.charts[1]
    assert isinstance(trend_chart, BarChart)
    assert trend_chart.data.categories == ("2026-W13", "2026-W14")
    assert trend_chart.data.series[0][1] == (3.0, 3.0)
    sla_rows = {r[0]: r for r in pane.models[3].rows}
    assert sla_rows["All"][1:] == ("75.0 %", "3/4", "33.3 %", "1/3")
    sla_chart = pane.charts[3]
    assert sla_chart is not None and sla_chart.data.unit == "%"
    # Ctrl+PgDown walks the tabs; the table on screen is what CSV export writes
    qtbot.keyClick(pane.tabs, Qt.Key.Key_PageDown, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClick(pane.tabs, Qt.Key.Key_PageDown, Qt.KeyboardModifier.ControlModifier)
    assert pane.tabs.currentIndex() == 2
    target = tmp_path / "by-priority.csv"
    pane.write_csv(target)
    with target.open(newline="", encoding="utf-8") as f:
        written = list(csv.reader(f))
    model = pane.models[2]
    assert written == [list(model.headers), *[list(r) for r in model.rows]]
    assert written[1][:2] == ["P1", "1"]
    # the grab paints without a Qt warning (the chart draws with the palette)
    pane.tabs.setCurrentIndex(3)
    assert not pane.grab().isNull()


def test_exercises_only_and_a_filter_recompute(reports_window: MainWindow, qtbot: QtBot) -> None:
    window = reports_window
    window.reports.show_pane()
    pane = window.reports.pane
    pane.start.setDate(QDate(2026, 3, 23))
    pane.end.setDate(QDate(2026, 4, 5))
    pane.exercises.setChecked(True)  # recomputes on its own
    assert pane.summary.text().startswith("1 incident opened (exercises only)")
    pane.exercises.setChecked(False)
    pane.priority.setCurrentIndex(pane.priority.findData("P2"))
    pane.refresh()
    assert pane.summary.text().startswith("2 incidents opened")
    pane.end.setDate(QDate(2026, 3, 1))  # before the start: said, nothing computed
    pane.refresh()
    assert "ends before it starts" in pane.summary.text()


def test_review_pack_from_the_incident_menu_by_keyboard(reports_window: MainWindow, qtbot: QtBot,
                                                        tmp_path: Path) -> None:
    from tests.helpers.pdf_text import pdf_text

    window = reports_window
    ref = window.ctx.incidents.page(IncidentQuery(sort="ref", statuses=()), 0, 10)[1].ref
    window.incidents.show_incident(ref)
    target = tmp_path / "pack.pdf"
    window.reports.review.ask_path = lambda _ref: str(target)
    assert window.reports.review.action.whatsThis()
    qtbot.keyClick(QApplication.focusWidget() or window, Qt.Key.Key_P,
                   Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    qtbot.waitUntil(target.exists)
    text = pdf_text(target)
    assert f"Post-incident review: {ref}" in text
    for heading in ("Summary", "Durations", "Key timeline", "What went well", "Follow-ups"):
        assert heading in text


LAZY_CHECK = """
import os, sys, tempfile
os.environ["IMDESK_DATA_DIR"] = tempfile.mkdtemp()
from PySide6.QtWidgets import QApplication
app = QApplication([])
from imdesk.app import build_context
from imdesk.qt.main_window import MainWindow
from imdesk.qt.tasks import SyncTaskRunner
ctx = build_context("sqlite:///" + os.environ["IMDESK_DATA_DIR"] + "/x.sqlite", create=True)
w = MainWindow(ctx, SyncTaskRunner()); w.persist_layout = False; w.show(); w.start()
w._start_secondary()
heavy = ("imdesk.qt.reports.pane", "imdesk.qt.reports.chart", "imdesk.services.metrics",
         "imdesk.domain.metrics", "imdesk.services.review")
print(sorted(m for m in sys.modules if m.startswith(heavy)))
w.reports.show_pane()
print(sorted(m for m in sys.modules if m.startswith(heavy)))
"""


def test_the_pane_and_the_metrics_load_only_when_reports_opens() -> None:
    """Start-up (first paint and the secondary start) imports none of it; Alt+7 does."""
    import os
    import subprocess
    import sys

    root = Path(__file__).resolve().parents[2]
    env = {**os.environ, "PYTHONPATH": str(root), "QT_QPA_PLATFORM": "offscreen"}
    done = subprocess.run([sys.executable, "-c", LAZY_CHECK], capture_output=True, text=True,
                          env=env, timeout=120, check=True)
    before, after = done.stdout.strip().splitlines()[-2:]
    assert before == "[]"
    assert "imdesk.qt.reports.pane" in after and "imdesk.services.metrics" in after
