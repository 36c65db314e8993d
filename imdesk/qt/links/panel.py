"""What an incident's links say, beside the incident (detail and war room): the master's
callers (name, contact, how reached, when), its master or related incidents, and the services
that depend on its service (all levels) with criticality and stakeholders. Read off the GUI
thread; an answer for an incident no longer shown is dropped."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QListView, QVBoxLayout, QWidget

from imdesk.domain.incident import IncidentState
from imdesk.domain.timefmt import friendly
from imdesk.qt.tasks import TaskRunner
from imdesk.qt.widgets.labels import plain_label
from imdesk.qt.widgets.models import DISPLAY, RowsListModel


@dataclass(frozen=True)
class LinkFacts:
    """Everything the panel shows for one incident."""

    ref: str
    callers: list[Any]   # services.links.service.Caller
    links: list[Any]     # storage.link_repo.LinkView (non-caller roles shown as text)
    impact: list[Any]    # services.links.dependencies.Impacted
    now: datetime


def read_facts(ctx: Any, state: IncidentState) -> LinkFacts:
    """In a worker: the links, callers and dependent services of STATE."""
    links = ctx.links.links(state.ref)
    callers = ctx.links.callers(state.ref)
    impact = ctx.dependencies.impact(state.service, state.priority.value) if state.service else []
    return LinkFacts(state.ref, callers, [v for v in links if v.role != "caller"], impact,
                     ctx.now())


class CallerModel(RowsListModel):
    """Callers of a master, one line each."""

    now: datetime | None = None

    def cell(self, row: Any, column: int, role: int) -> Any:
        if role == DISPLAY:
            when = friendly(row.linked_at, self.now) if self.now else ""
            bits = [row.name or "(no name)", row.contact, row.reached_via.replace("_", "-"), when,
                    row.ref]
            return " · ".join(b for b in bits if b)
        if role == Qt.ItemDataRole.ToolTipRole:
            return f"{self.cell(row, column, DISPLAY)}\n{row.ref} is {row.status.replace('_', ' ')}"
        return None


def impact_text(impact: list[Any], service: str) -> str:
    if not impact:
        return ""
    lines = [f"Depends on {service}:"]
    for i in impact:
        level = "" if i.level == 1 else f" (level {i.level}, via {i.via})"
        who = f" — tell: {', '.join(i.stakeholders)}" if i.stakeholders else ""
        lines.append(f"• {i.name}{level}, {i.criticality}{who}")
    return "\n".join(lines)


class LinksPanel(QWidget):
    """Hidden when an incident has no links, callers or dependent services."""

    def __init__(self, ctx: Any, runner: TaskRunner, parent: QWidget | None = None,
                 compact: bool = False) -> None:
        super().__init__(parent)
        self._ctx, self._runner = ctx, runner
        self._ref: str | None = None
        self.facts: LinkFacts | None = None
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        self.heading = plain_label(selectable=False)
        font = self.heading.font()
        font.setBold(True)
        self.heading.setFont(font)
        self.links = plain_label(wrap=True)
        self.model = CallerModel(self)
        self.callers = QListView(self)
        self.callers.setModel(self.model)
        self.callers.setAccessibleName("Callers")
        self.callers.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.callers.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.callers.setUniformItemSizes(True)
        rows = 4 if compact else 5
        self.callers.setMaximumHeight(rows * (self.callers.fontMetrics().height() + 4) + 8)
        self.impact: QLabel = plain_label(wrap=True)
        for w in (self.heading, self.callers, self.links, self.impact):
            layout.addWidget(w)
        self.hide()

    def show_for(self, state: IncidentState | None) -> None:
        self._ref = state.ref if state else None
        if state is None:
            self.hide()
            return
        ctx = self._ctx
        self._runner.run(lambda: read_facts(ctx, state), lambda f: self._show(f, state),
                         lambda _exc: self.hide())

    def _show(self, facts: LinkFacts, state: IncidentState) -> None:
        if facts.ref != self._ref:  # another incident is on screen by now
            return
        self.facts = facts
        n = len(facts.callers)
        self.heading.setText(f"☎ {n} caller{'s' if n != 1 else ''} reported this outage"
                             if n else "Links")
        self.model.now = facts.now
        self.model.set_rows(facts.callers)
        self.callers.setVisible(bool(n))
        text = []
        for v in facts.links:
            what = "Caller of master" if v.role == "master" else "Related to"
            text.append(f"{what} {v.ref} — {v.title} ({v.status.replace('_', ' ')})")
        self.links.setText("\n".join(text))
        self.links.setVisible(bool(text))
        self.impact.setText(impact_text(facts.impact, state.service or ""))
        self.impact.setVisible(bool(facts.impact))
        self.heading.setVisible(bool(n or text))
        self.setVisible(bool(n or text or facts.impact))
