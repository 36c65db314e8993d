"""Labels that the sender's reports update several times a second: text and style are set only
when they change (a new style sheet re-polishes the widget and lays its parent out again)."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel


def set_label(label: QLabel, text: str, style: str) -> None:
    if label.text() != text:
        label.setText(text)
    if label.styleSheet() != style:
        label.setStyleSheet(style)
