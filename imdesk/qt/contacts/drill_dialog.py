"""The verification drill: step through a team, a service's ladder or every stale contact and
mark each reached (verified now, by you), not reached, or wrong number (marked for review).
Keys: R, N, W, S (skip), Esc (stop). The stale drill goes on through the stale documents (the
review queue holds both): the documents' walk, with still right / edit / retire."""

from __future__ import annotations

from collections import Counter
from typing import Any

from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from imdesk.domain.contact_book import CheckOutcome
from imdesk.messages import sentence
from imdesk.qt.contacts.card import CardData, ContactCard, format_card
from imdesk.qt.tasks import TaskRunner
from imdesk.services.contacts.service import ContactService

STALE_DRILL = "Stale and flagged contacts"  # the drill that goes on through the stale documents


class DrillChoice(QDialog):
    """Which drill: all stale contacts, a team, or a service's ladder."""

    def __init__(self, parent: QWidget | None, teams: list[str], services: list[str], stale: int) -> None:
        super().__init__(parent)
        self.setWindowTitle("Verification drill")
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("Step through these contacts and mark each one:"))
        self.combo = QComboBox()
        self.combo.addItem(f"All stale and flagged contacts ({stale}), then the stale documents",
                           ("stale", ""))
        for t in teams:
            self.combo.addItem(f"Team: {t}", ("team", t))
        for s in services:
            self.combo.addItem(f"Service ladder: {s}", ("service", s))
        layout.addWidget(self.combo)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                   | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Start")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.combo.setFocus()

    def choice(self) -> tuple[str, str]:
        kind, name = self.combo.currentData()
        return str(kind), str(name)


def choose_drill(parent: QWidget, service: ContactService) -> tuple[str, list[int]] | None:
    dialog = DrillChoice(parent, service.teams(), service.services(), service.review_counts().total)
    if not parent.ask(dialog):  # type: ignore[attr-defined]
        return None
    kind, name = dialog.choice()
    if kind == "stale":
        return STALE_DRILL, service.drill_ids(stale=True)
    if kind == "team":
        return f"Team {name}", service.drill_ids(team=name)
    return f"Ladder of {name}", service.drill_ids(service=name)


class DrillDialog(QDialog):
    def __init__(self, parent: QWidget | None, service: ContactService, runner: TaskRunner, title: str,
                 ids: list[int]) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"Drill — {title}")
        self.setMinimumSize(620, 560)
        self._service = service
        self._runner = runner
        self.ids = ids
        self._title = title
        self.position = 0
        self.marked: Counter[str] = Counter()
        self.skipped = 0
        layout = QVBoxLayout(self)
        self.progress = QLabel()
        self.progress.setTextFormat(Qt.TextFormat.PlainText)
        font = self.progress.font()
        font.setBold(True)
        self.progress.setFont(font)
        layout.addWidget(self.progress)
        self.card = ContactCard()
        self.card.edit.hide()
        layout.addWidget(self.card, 1)
        row = QHBoxLayout()
        hint = QLabel("R reached · N no answer · W wrong number · S skip · Esc stop")
        hint.setStyleSheet("color: palette(placeholder-text);")
        row.addWidget(hint)
        row.addStretch(1)
        self.skip = QPushButton("&Skip")
        self.stop = QPushButton("Stop")
        row.addWidget(self.skip)
        row.addWidget(self.stop)
        layout.addLayout(row)
        self.card.verify_requested.connect(lambda _id, outcome: self.mark(CheckOutcome(outcome)))
        self.card.open_url_requested.connect(lambda url: QDesktopServices.openUrl(QUrl(url)))
        self.skip.clicked.connect(lambda: self.next())
        self.stop.clicked.connect(self.accept)
        self._load()

    def keyPressEvent(self, event: Any) -> None:
        """R, N, W mark; S skips (plain letters: nothing in the drill takes text)."""
        keys = {Qt.Key.Key_R: CheckOutcome.REACHED, Qt.Key.Key_N: CheckOutcome.NOT_REACHED,
                Qt.Key.Key_W: CheckOutcome.WRONG_NUMBER}
        if event.modifiers() == Qt.KeyboardModifier.NoModifier and event.key() in keys:
            self.mark(keys[event.key()])
        elif event.modifiers() == Qt.KeyboardModifier.NoModifier and event.key() == Qt.Key.Key_S:
            self.next()
        else:
            super().keyPressEvent(event)

    def _load(self) -> None:
        if self.position >= len(self.ids):
            self.accept()
            return
        self.progress.setText(f"{self._title} — {self.position + 1} of {len(self.ids)}")
        cid, service = self.ids[self.position], self._service
        self._runner.run(lambda: format_card(service.get(cid), service.now(), service.stale_days()),
                         self._show,
                         lambda exc: self.progress.setText(sentence("Cannot show this contact", exc)))

    def _show(self, data: CardData) -> None:
        self.card.show_card(data)

    def mark(self, outcome: CheckOutcome) -> None:
        if self.position >= len(self.ids):
            return
        cid, service = self.ids[self.position], self._service

        def done(_d: object) -> None:
            self.marked[outcome.value] += 1
            self.next(skipped=False)

        self._runner.run(lambda: service.verify(cid, outcome), done,
                         lambda exc: self.progress.setText(sentence("Not recorded", exc)))

    def next(self, skipped: bool = True) -> None:
        if skipped:
            self.skipped += 1
        self.position += 1
        self._load()

    @property
    def finished_all(self) -> bool:
        """Every contact was marked or skipped (not stopped with Esc)."""
        return self.position >= len(self.ids)

    def summary(self) -> str:
        parts = [f"{self.marked[o.value]} {o.label}" for o in CheckOutcome if self.marked[o.value]]
        if self.skipped:
            parts.append(f"{self.skipped} skipped")
        return "Drill: " + (", ".join(parts) if parts else "nothing marked")
