"""The heading of a card or a detail view: a person's or a team's name, larger and bold."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel

from imdesk.qt.incidents.detail import plain_label


def heading_label() -> QLabel:
    """A wrapping, selectable plain-text label at 1.5 times the body font size, bold."""
    label = plain_label(wrap=True)
    font = label.font()
    font.setPointSizeF(font.pointSizeF() * 1.5)
    font.setBold(True)
    label.setFont(font)
    return label
