"""The incident list's cell texts, elided and laid out once and then drawn as often as painted.

A repaint of the list draws about 180 cells; the style would lay out each one's text again
every time (QTextLayout). The texts repeat from paint to paint (the clock columns change once
a second, the others when an incident does), so each (text, font, width) becomes a QStaticText
elided to the width — laid out once, drawn by the raster engine from its glyph cache."""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRect, Qt
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QPainter, QStaticText, QTransform

MARGIN = 3  # the style's text margin in an item view cell (PM_FocusFrameHMargin + 1)
KEPT = 4000  # (text, font, width) kept; a new column width or a long session starts afresh
_RIGHT = Qt.AlignmentFlag.AlignRight
_CENTER = Qt.AlignmentFlag.AlignHCenter
_PLAIN = Qt.TextFormat.PlainText
_ELIDE = Qt.TextElideMode.ElideRight
_MODES: dict[object, int] = {}  # alignment → 0 left, 1 centred, 2 right


class CellTexts:
    def __init__(self) -> None:
        # keyed by the font object's id: the model's and the delegate's fonts live as long as
        # they paint (QFont.key() costs more than the drawing); clear() when one is replaced
        self._laid: dict[tuple[str, int, int], tuple[QStaticText, float, float]] = {}
        self._metrics: dict[int, tuple[QFontMetricsF, float]] = {}  # font id → (metrics, height)
        self._fonts: list[QFont] = []  # the fonts keyed by id: kept alive while keyed
        self._identity = QTransform()

    def clear(self) -> None:
        self._laid.clear()
        self._metrics.clear()
        self._fonts.clear()

    def draw(self, painter: QPainter, rect: QRect, text: str, font: QFont, color: QColor,
             align: Qt.AlignmentFlag | None) -> None:
        """`text` in `rect` (vertically centred; left, right or centred), elided to fit."""
        width = rect.width() - 2 * MARGIN
        if width <= 0:
            return
        key = (text, id(font), width)
        laid = self._laid.get(key)
        if laid is None:
            laid = self._lay_out(key, font)
        static, text_width, height = laid
        mode = _MODES.get(align)
        if mode is None:  # (flag arithmetic is slow: once per distinct alignment)
            mode = _MODES[align] = (0 if align is None else 2 if align & _RIGHT
                                    else 1 if align & _CENTER else 0)
        if mode == 0:
            x: float = rect.x() + MARGIN
        elif mode == 2:
            x = rect.x() + rect.width() - MARGIN - text_width
        else:
            x = rect.x() + (rect.width() - text_width) / 2
        painter.setFont(font)
        painter.setPen(color)
        painter.drawStaticText(QPointF(x, rect.y() + (rect.height() - height) // 2), static)

    def shown(self, text: str, font: QFont, width: int) -> str:
        """What a cell `width` pixels wide (margins included) shows of `text`."""
        static = self._lay_out((text, id(font), width - 2 * MARGIN), font)[0]
        return static.text()

    def _metrics_of(self, font: QFont) -> tuple[QFontMetricsF, float]:
        known = self._metrics.get(id(font))
        if known is None:
            metrics = QFontMetricsF(font)
            known = self._metrics[id(font)] = (metrics, metrics.height())
            self._fonts.append(font)
        return known

    def _lay_out(self, key: tuple[str, int, int], font: QFont) -> tuple[QStaticText, float, float]:
        text, _font_id, width = key
        metrics, height = self._metrics_of(font)
        shown = metrics.elidedText(text, _ELIDE, width)
        static = QStaticText(shown)
        static.setTextFormat(_PLAIN)
        static.prepare(self._identity, font)
        if len(self._laid) >= KEPT:
            self._laid.clear()
        laid = self._laid[key] = (static, metrics.horizontalAdvance(shown), height)
        return laid
