"""The navigation rail on the window's left: one button per pane, Alt+1 … Alt+N, a count
beside a pane's symbol when something there needs attention.

The keys are window actions, not the buttons' own shortcuts: a button's shortcut is reset
whenever its text changes (Qt takes a new mnemonic from the text), and the badge changes the
text. A pane added later (the Alerts pane, after the first paint) goes above the stretch."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QButtonGroup, QFrame, QStackedWidget, QToolButton, QVBoxLayout, QWidget


class Rail(QFrame):
    def __init__(self, stack: QStackedWidget, window: QWidget) -> None:
        super().__init__()
        self.setObjectName("rail")
        self.setStyleSheet("#rail { background: palette(alternate-base); "
                           "border-right: 1px solid palette(mid); }")
        self._stack = stack
        self._window = window
        self._box = QVBoxLayout(self)
        self._box.setContentsMargins(4, 8, 4, 8)
        self._box.setSpacing(4)
        self._box.addStretch(1)
        self.group = QButtonGroup(self)
        self.keys: list[QAction] = []

    def add(self, pane: QWidget, symbol: str, name: str,
            build: Callable[[], object] | None = None) -> QToolButton:
        """A pane on the rail; `build` makes its content on first use (a lazily built pane)."""
        index = self._stack.addWidget(pane)
        button = QToolButton()
        button.setCheckable(True)
        button.setAutoRaise(True)
        button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        button.setMinimumSize(72, 52)
        button.setToolTip(f"{name} (Alt+{index + 1})")
        button.setChecked(index == 0)
        button.setProperty("rail_symbol", symbol)
        button.setProperty("rail_label", name)
        self.set_badge(button, 0)
        if build is not None:
            button.clicked.connect(lambda: build())
        button.clicked.connect(lambda: self._stack.setCurrentIndex(index))
        self.group.addButton(button, index)
        self._box.insertWidget(self._box.count() - 1, button)  # above the stretch
        key = QAction(f"Show {name}", self._window)
        key.setShortcut(QKeySequence(f"Alt+{index + 1}"))
        key.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        key.triggered.connect(button.click)
        self._window.addAction(key)
        self.keys.append(key)
        return button

    @staticmethod
    def set_badge(button: QToolButton, count: int) -> None:
        """A count beside the pane's symbol (the name below stays whole on the narrow rail)."""
        symbol, name = button.property("rail_symbol"), button.property("rail_label")
        button.setText(f"{symbol} {count}\n{name}" if count else f"{symbol}\n{name}")

    def check(self, index: int) -> None:
        button = self.group.button(index)
        if button is not None:
            button.setChecked(True)
