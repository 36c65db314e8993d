"""The status bar: where the data lives, open majors, SLA breached / at risk, and the latest
message of the console — elided to the room it has (never under the permanent widgets), whole
in its tooltip, and kept with the others of this session in a log (the ≡ button)."""

from __future__ import annotations

from collections import deque
from datetime import datetime
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QAction, QResizeEvent
from PySide6.QtWidgets import QLabel, QMenu, QSizePolicy, QStatusBar, QToolButton, QWidget

from imdesk.domain.sla import SlaState
from imdesk.qt import theme

if TYPE_CHECKING:
    from imdesk.services.incidents import DeskCounts

LOG_SIZE = 50


class ElidedLabel(QLabel):
    """Plain text cut with … to the label's width; the whole text in the tooltip."""

    def __init__(self) -> None:
        super().__init__()
        self.setTextFormat(Qt.TextFormat.PlainText)
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.full_text = ""

    def set_full_text(self, text: str) -> None:
        self.full_text = text
        self.setToolTip(text)
        self._elide()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._elide()

    def _elide(self) -> None:
        one_line = " ".join(self.full_text.split())
        self.setText(self.fontMetrics().elidedText(one_line, Qt.TextElideMode.ElideMiddle,
                                                   max(0, self.width() - 4)))


class DeskStatusBar(QStatusBar):
    def __init__(self, db_label: str) -> None:
        super().__init__()
        self.message_label = ElidedLabel()
        self.addWidget(self.message_label, 1)
        self._clear = QTimer(self)
        self._clear.setSingleShot(True)
        self._clear.timeout.connect(self.clearMessage)
        self.log: deque[tuple[datetime, str]] = deque(maxlen=LOG_SIZE)
        self.log_button = QToolButton()
        self.log_button.setText("≡")
        self.log_button.setAutoRaise(True)
        self.log_button.setToolTip("The console's messages of this session, newest first")
        self.log_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.log_menu = QMenu(self.log_button)
        self.log_menu.aboutToShow.connect(self._fill_log)
        self.log_button.setMenu(self.log_menu)
        self.db_label = QLabel(f"DB: {db_label}")
        self.db_label.setTextFormat(Qt.TextFormat.PlainText)
        self.db_label.setToolTip(db_label)
        self.counts_label = QLabel("…")
        self.counts_label.setTextFormat(Qt.TextFormat.PlainText)
        self.contacts_label = QLabel("")
        self._review_parts: tuple[list[str], list[str]] = ([], [])  # stale contacts, documents
        self.contacts_label.setTextFormat(Qt.TextFormat.PlainText)
        self.addPermanentWidget(self.log_button)
        self.addPermanentWidget(self.counts_label)
        self.addPermanentWidget(self.contacts_label)
        self.addPermanentWidget(self.db_label)

    def add_feature_widget(self, widget: QWidget) -> None:
        """A feature's state (the alert listener, the outbox) first among the permanent widgets,
        after the message and its log."""
        self.insertPermanentWidget(2, widget)

    # -- messages: the bar's own temporary message would run under the permanent widgets -----
    def showMessage(self, text: str, timeout: int = 0) -> None:  # type: ignore[override]
        self.message_label.set_full_text(text)
        if text:
            self.log.append((datetime.now().astimezone(), text))
        if timeout > 0:
            self._clear.start(timeout)
        else:
            self._clear.stop()

    def clearMessage(self) -> None:  # type: ignore[override]
        self.message_label.set_full_text("")

    def currentMessage(self) -> str:
        return self.message_label.full_text

    def _fill_log(self) -> None:
        self.log_menu.clear()
        if not self.log:
            self.log_menu.addAction("No messages yet").setEnabled(False)
        for when, text in reversed(self.log):
            action = QAction(f"{when:%H:%M:%S}  {' '.join(text.split())}", self.log_menu)
            action.setToolTip(text)
            self.log_menu.addAction(action)

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
        self._review_parts = (parts, self._review_parts[1])
        self._show_review()

    def show_documents(self, stale: int) -> None:
        """Documents due for review, beside the stale contacts (the same review count)."""
        self._review_parts = (self._review_parts[0],
                              [f"{stale} document{'s' if stale != 1 else ''} stale"] if stale else [])
        self._show_review()

    def _show_review(self) -> None:
        contacts, docs = self._review_parts
        self.contacts_label.setText(" · ".join(contacts + docs))
        self.contacts_label.setToolTip("Contacts → Review queue; Documents → Review stale (Alt+W)")
        color = theme.sla_color(SlaState.AT_RISK) if contacts or docs else None
        self.contacts_label.setStyleSheet(f"color:{color.name()};" if color else "")
