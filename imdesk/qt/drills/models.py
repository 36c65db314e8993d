"""The Drills pane's models: scenarios, a scenario's injects, past drills, a scorecard and a
drill's played injects."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor

from imdesk.domain.drill_scenario import Inject, t_text
from imdesk.domain.drill_score import Figure, duration
from imdesk.domain.timefmt import readable
from imdesk.qt.widgets.models import DISPLAY, RowsListModel, RowsTableModel
from imdesk.services.drills.service import DrillView, EventView

TOOLTIP = Qt.ItemDataRole.ToolTipRole
FOREGROUND = Qt.ItemDataRole.ForegroundRole
MISSED = QColor("#c62828")
MET = QColor("#2e7d32")


@dataclass(frozen=True)
class ScenarioItem:
    key: str   # built-in file stem, or the path of a file
    title: str
    path: Path
    injects: int = 0
    length_s: int = 0
    problem: str = ""


class ScenarioListModel(RowsListModel):
    def cell(self, row: ScenarioItem, column: int, role: int) -> Any:
        if role == DISPLAY:
            if row.problem:
                return f"⚠ {row.title}"
            return f"{row.title}  ·  {row.injects} injects · {row.length_s // 60} min"
        if role == TOOLTIP:
            return row.problem or str(row.path)
        return None


class InjectTableModel(RowsTableModel):
    def __init__(self) -> None:
        super().__init__(("At", "Kind", "What"))

    def cell(self, row: Inject, column: int, role: int) -> Any:
        if role == DISPLAY:
            return (row.at_text, row.kind, row.describe())[column]
        if role == TOOLTIP and column == 2:
            return row.describe()
        return None


class DrillTableModel(RowsTableModel):
    def __init__(self) -> None:
        super().__init__(("#", "Scenario", "Started", "Status"))

    def cell(self, row: DrillView, column: int, role: int) -> Any:
        if role == DISPLAY:
            return (str(row.id), row.name, readable(row.started_at), row.status)[column]
        return None


class ScoreTableModel(RowsTableModel):
    def __init__(self) -> None:
        super().__init__(("Measure", "Achieved", "Expected by", "Result"))

    def cell(self, row: Figure, column: int, role: int) -> Any:
        result = "—" if row.met is None else ("met" if row.met else "MISSED")
        if role == DISPLAY:
            expected = duration(row.expected_s) if row.expected_s is not None else "—"
            return (row.label, duration(row.actual_s), expected, result)[column]
        if role == FOREGROUND and column == 3 and row.met is not None:
            return MET if row.met else MISSED
        return None


class EventTableModel(RowsTableModel):
    def __init__(self) -> None:
        super().__init__(("Due", "Result", "What"))

    def cell(self, row: EventView, column: int, role: int) -> Any:
        if role == DISPLAY:
            return (t_text(row.due_s), row.result, row.text)[column]
        if role == FOREGROUND and column == 1:
            return {"met": MET, "missed": MISSED, "failed": MISSED}.get(row.result)
        if role == TOOLTIP and column == 2:
            return row.text
        return None
