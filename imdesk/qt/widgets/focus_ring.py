"""A ring around the control that has the keyboard, on every control of the window: the
style's own focus marks are faint or missing on buttons, lists and labels, and at 3 a.m. the
user must see where the next key goes."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QRect, Qt
from PySide6.QtGui import QColor, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import QApplication, QWidget
from shiboken6 import isValid

MARGIN = 3
WIDTH = 2


class FocusRing(QWidget):
    """Drawn over `window`, around the window's focus widget; it takes no input."""

    def __init__(self, window: QWidget) -> None:
        super().__init__(window)
        self.setObjectName("focusRing")
        self.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        self.setAttribute(Qt.WidgetAttribute.WA_NoSystemBackground)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self._window = window
        self._target: QWidget | None = None
        self._watched: list[QWidget] = []  # the target and its ancestors below the window
        self.hide()
        app = QApplication.instance()
        if isinstance(app, QApplication):
            app.focusChanged.connect(self._focus_changed)

    @property
    def target(self) -> QWidget | None:
        return self._target

    def _focus_changed(self, _old: QWidget | None, now: QWidget | None) -> None:
        if not isValid(self) or not isValid(self._window):
            return  # the window is gone; its ring with it
        for watched in self._watched:
            if isValid(watched):
                watched.removeEventFilter(self)
        self._target = now if now is not None and self._window.isAncestorOf(now) else None
        # An ancestor that moves (a banner opening above the panes) moves the target with it,
        # without the target itself getting a move event: the ring watches the whole line.
        self._watched = []
        widget: QWidget | None = self._target
        while widget is not None and widget is not self._window:
            widget.installEventFilter(self)
            self._watched.append(widget)
            widget = widget.parentWidget()
        self.follow()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() in (QEvent.Type.Move, QEvent.Type.Resize, QEvent.Type.Show, QEvent.Type.Hide):
            self.follow()
        return False

    def follow(self) -> None:
        target = self._target
        if target is None or not isValid(target) or not target.isVisible():
            self.hide()
            return
        top_left = target.mapTo(self._window, target.rect().topLeft())
        self.setGeometry(QRect(top_left, target.size()).adjusted(-MARGIN, -MARGIN, MARGIN, MARGIN))
        self.raise_()
        self.show()
        self.update()

    def paintEvent(self, _event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        color = QColor(self.palette().highlight().color())
        painter.setPen(QPen(color, WIDTH))
        painter.drawRoundedRect(self.rect().adjusted(1, 1, -1, -1), 4, 4)
