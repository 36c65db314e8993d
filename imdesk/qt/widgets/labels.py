"""Labels shared by every pane: user text shown as plain text (never as HTML), the big bold
heading of a card or detail view, and labels that reports update several times a second."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel


def plain_label(text: str = "", *, wrap: bool = False, selectable: bool = True) -> QLabel:
    """A label that never renders user text as HTML."""
    label = QLabel(text)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setWordWrap(wrap)
    if selectable:
        label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return label


def heading_label() -> QLabel:
    """A person's or a team's name: a wrapping, selectable plain-text label at 1.5 times the
    body font size, bold."""
    label = plain_label(wrap=True)
    font = label.font()
    font.setPointSizeF(font.pointSizeF() * 1.5)
    font.setBold(True)
    label.setFont(font)
    return label


def set_label(label: QLabel, text: str, style: str) -> None:
    """Set text and style only when they change: a new style sheet re-polishes the widget and
    lays its parent out again, which a label updated several times a second cannot afford."""
    if label.text() != text:
        label.setText(text)
    if label.styleSheet() != style:
        label.setStyleSheet(style)
