"""Banners above the panes: things the user must know that are not an error of what they just
did (read-only database, no keyring, a failed backup). Each can be dismissed (Dismiss); one
that comes back on every start (no keyring) can be dismissed for good (Don't show again)."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

STYLE = "background:#fff1cc; color:#5a3d00;"


class BannerStack(QWidget):
    def __init__(self, dismissed: Callable[[], set[str]], dismiss_for_good: Callable[[str], None]) -> None:
        super().__init__()
        self.setObjectName("banners")
        self.setStyleSheet(f"#banners {{ {STYLE} }} QLabel {{ {STYLE} }}")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground)
        self._box = QVBoxLayout(self)
        self._box.setContentsMargins(12, 4, 12, 4)
        self._box.setSpacing(2)
        self._dismissed = dismissed
        self._for_good = dismiss_for_good
        self._rows: list[tuple[QWidget, str]] = []
        self._fixed: dict[str, tuple[QWidget, QLabel]] = {}
        self.hide()

    def add(self, text: str, key: str | None = None) -> bool:
        """Show `text` (unless dismissed for good under `key`, or shown already)."""
        if (key is not None and key in self._dismissed()) or any(t == text for _w, t in self._rows):
            return False
        row = QWidget()
        line = QHBoxLayout(row)
        line.setContentsMargins(0, 0, 0, 0)
        label = QLabel(text)
        label.setTextFormat(Qt.TextFormat.PlainText)
        label.setWordWrap(True)
        line.addWidget(label, 1)
        dismiss = QPushButton("Dismiss")
        dismiss.setToolTip("Hide this message")
        dismiss.clicked.connect(lambda: self._remove(row))
        line.addWidget(dismiss)
        if key is not None:
            never = QPushButton("Don't show again")
            never.setToolTip("Hide this message now and on every later start")
            never.clicked.connect(lambda: self._never(key, row))
            line.addWidget(never)
        self._box.addWidget(row)
        self._rows.append((row, text))
        self.show()
        return True

    def set_fixed(self, key: str, text: str | None, style: str = "") -> None:
        """A banner that stays (no Dismiss) while `text` is given — a running drill — and goes
        when it is None; calling again updates its text."""
        found = self._fixed.get(key)
        if text is None:
            if found is not None:
                del self._fixed[key]
                self._remove(found[0])
            return
        if found is not None:
            found[1].setText(text)
            return
        row = QWidget()
        line = QHBoxLayout(row)
        line.setContentsMargins(0, 0, 0, 0)
        label = QLabel(text)
        label.setTextFormat(Qt.TextFormat.PlainText)
        label.setWordWrap(True)
        if style:
            label.setStyleSheet(style)
        line.addWidget(label, 1)
        self._box.insertWidget(0, row)
        self._rows.insert(0, (row, text))
        self._fixed[key] = (row, label)
        self.show()

    def _never(self, key: str, row: QWidget) -> None:
        self._for_good(key)
        self._remove(row)

    def _remove(self, row: QWidget) -> None:
        self._rows = [(w, t) for w, t in self._rows if w is not row]
        row.hide()
        row.deleteLater()
        self.setVisible(bool(self._rows))

    def text(self) -> str:
        fixed = {id(row): label.text() for row, label in self._fixed.values()}
        return "\n".join(fixed.get(id(w), t) for w, t in self._rows)

    def buttons(self) -> list[QPushButton]:
        return [b for w, _t in self._rows for b in w.findChildren(QPushButton)]
