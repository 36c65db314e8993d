"""The status bar: where the data lives, open majors, SLA breached / at risk."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QStatusBar

from imdesk.domain.sla import SlaState
from imdesk.qt import theme
from imdesk.services.incidents import DeskCounts


class DeskStatusBar(QStatusBar):
    def __init__(self, db_label: str) -> None:
        super().__init__()
        self.db_label = QLabel(f"DB: {db_label}")
        self.db_label.setTextFormat(Qt.TextFormat.PlainText)
        self.db_label.setToolTip(db_label)
        self.counts_label = QLabel("…")
        self.counts_label.setTextFormat(Qt.TextFormat.PlainText)
        self.contacts_label = QLabel("")
        self.contacts_label.setTextFormat(Qt.TextFormat.PlainText)
        self.addPermanentWidget(self.counts_label)
        self.addPermanentWidget(self.contacts_label)
        self.addPermanentWidget(self.db_label)

    def show_counts(self, counts: DeskCounts) -> None:
        majors = f"{counts.open_majors} major{'s' if counts.open_majors != 1 else ''} open"
        text = (f"{counts.open} open · {majors} · SLA: {counts.breached} breached, "
                f"{counts.at_risk} at risk")
        self.counts_label.setText(text)
        color = (theme.sla_color(SlaState.BREACHED) if counts.breached
                 else theme.sla_color(SlaState.AT_RISK) if counts.at_risk else None)
        self.counts_label.setStyleSheet(f"color:{color.name()}; font-weight:bold;" if color else "")

    def show_contacts(self, counts: Any) -> None:
        """Stale contacts (and those to check for another reason), from ReviewCounts."""
        parts = [f"{counts.stale} contact{'s' if counts.stale != 1 else ''} stale"] if counts.stale else []
        if counts.to_check:
            parts.append(f"{counts.to_check} to check")
        self.contacts_label.setText(" · ".join(parts))
        self.contacts_label.setToolTip("Contacts → Review queue lists them")
        color = theme.sla_color(SlaState.AT_RISK) if counts.total else None
        self.contacts_label.setStyleSheet(f"color:{color.name()};" if color else "")
