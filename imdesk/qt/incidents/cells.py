"""The incident list's cell texts: elided (and measured, when aligned right or centred) once per
text, font and width, then drawn at the style's own position for as long as they are shown.

A repaint of the list draws about 180 cells; the style would lay out each one's text again
every time (QTextLayout). Shaping a text once and drawing it with QPainter.drawText gives the
very pixels the style gives (tests/qt/test_incident_cells.py) in less than half the time."""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRect, Qt
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QPainter

MARGIN = 3  # the style's text margin in an item view cell (PM_FocusFrameHMargin + 1)
KEPT = 4000  # (text, font, width) kept; a new column width or a long session starts afresh
_RIGHT = Qt.AlignmentFlag.AlignRight
_CENTER = Qt.AlignmentFlag.AlignHCenter
_ELIDE = Qt.TextElideMode.ElideRight
_MODES: dict[object, int] = {}  # alignment → 0 left, 1 centred, 2 right


class CellTexts:
    def __init__(self) -> None:
        # keyed by the font object's id: the model's and the delegate's fonts live as long as
        # they paint (QFont.key() costs more than the drawing); clear() when one is replaced
        self._laid: dict[tuple[str, int, int, int], tuple[str, float]] = {}  # → (shown, width)
        # (a QStaticText per text draws a repaint faster, but the list's first paint of new
        # rows — the one a filter or sort waits for — slower: laying it out costs more)
        self._metrics: dict[int, tuple[QFontMetricsF, int, float]] = {}  # → (…, height, ascent)
        self._fonts: list[QFont] = []  # the fonts keyed by id: kept alive while keyed

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
        mode = _MODES.get(align)
        if mode is None:  # (flag arithmetic is slow: once per distinct alignment)
            mode = _MODES[align] = (0 if align is None else 2 if align & _RIGHT
                                    else 1 if align & _CENTER else 0)
        key = (text, id(font), width, mode)
        laid = self._laid.get(key)
        metrics = self._metrics.get(id(font)) or self._metrics_of(font)
        if laid is None:
            laid = self._lay_out(key, metrics[0], measure=mode != 0)
        shown, text_width = laid
        if mode == 0:
            x: float = rect.x() + MARGIN
        elif mode == 2:
            x = rect.x() + rect.width() - MARGIN - text_width
        else:
            x = rect.x() + (rect.width() - text_width) / 2
        painter.setFont(font)
        painter.setPen(color)
        _f, height, ascent = metrics
        painter.drawText(QPointF(x, rect.y() + (rect.height() - height) // 2 + ascent), shown)

    def shown(self, text: str, font: QFont, width: int) -> str:
        """What a cell `width` pixels wide (margins included) shows of `text`."""
        key = (text, id(font), width - 2 * MARGIN, 0)
        return self._lay_out(key, self._metrics_of(font)[0], measure=False)[0]

    def _metrics_of(self, font: QFont) -> tuple[QFontMetricsF, int, float]:
        known = self._metrics.get(id(font))
        if known is None:
            metrics = QFontMetricsF(font)
            known = self._metrics[id(font)] = (metrics, round(metrics.height()), metrics.ascent())
            self._fonts.append(font)
        return known

    def _lay_out(self, key: tuple[str, int, int, int], metrics: QFontMetricsF, *,
                 measure: bool = True) -> tuple[str, float]:
        """The text as shown (elided to the width) and, when `measure`d, its width (a text
        drawn from the left needs none: one shaping of it instead of two)."""
        text, _font_id, width, _mode = key
        if measure:
            advance = metrics.horizontalAdvance(text)
            if advance > width:
                text = metrics.elidedText(text, _ELIDE, width)
                advance = metrics.horizontalAdvance(text)
        else:
            text, advance = metrics.elidedText(text, _ELIDE, width), 0.0
        if len(self._laid) >= KEPT:
            self._laid.clear()
        laid = self._laid[key] = (text, advance)
        return laid
