"""The incident list's cell texts: elided, measured and shaped once per text, font and width
(a QStaticText), then drawn at the style's own position for as long as they are shown.

A repaint of the list draws about 130 texts. QPainter.drawText shapes its text again on every
call (about 20 µs a text, half a repaint); a shaped QStaticText is drawn in about half that,
and the texts of a row that is still in the list after a filter keystroke or a sort — and the
statuses, services, ages and SLA readings that many rows share — are shaped once, not on every
paint. The pixels are those the style paints (tests/qt/test_incident_cells.py)."""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRect, Qt
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QPainter, QStaticText

MARGIN = 3  # the style's text margin in an item view cell (PM_FocusFrameHMargin + 1)
KEPT = 4000  # (text, font, width) kept; a new column width or a long session starts afresh
_RIGHT = Qt.AlignmentFlag.AlignRight
_CENTER = Qt.AlignmentFlag.AlignHCenter
_ELIDE = Qt.TextElideMode.ElideRight
_PLAIN = Qt.TextFormat.PlainText
_MODES: dict[object, int] = {}  # alignment → 0 left, 1 centred, 2 right
Laid = tuple[QStaticText, float, str]  # the shaped text, its width, the text it shows


class CellTexts:
    def __init__(self) -> None:
        # keyed by the font object's id: the model's and the delegate's fonts live as long as
        # they paint (QFont.key() costs more than the drawing); clear() when one is replaced
        self._laid: dict[tuple[str, int, int], Laid] = {}
        self._metrics: dict[int, tuple[QFontMetricsF, int]] = {}  # → (metrics, line height)
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
        metrics = self._metrics.get(id(font)) or self._metrics_of(font)
        laid = self._laid.get((text, id(font), width))
        if laid is None:
            laid = self._lay_out(text, font, width, metrics[0], painter)
        static, text_width, _shown = laid
        if mode == 0:
            x: float = rect.x() + MARGIN
        elif mode == 2:
            x = rect.x() + rect.width() - MARGIN - text_width
        else:
            x = rect.x() + (rect.width() - text_width) / 2
        painter.setFont(font)
        painter.setPen(color)
        painter.drawStaticText(QPointF(x, rect.y() + (rect.height() - metrics[1]) // 2), static)

    def shown(self, text: str, font: QFont, width: int) -> str:
        """What a cell `width` pixels wide (margins included) shows of `text`."""
        inner = width - 2 * MARGIN
        laid = self._laid.get((text, id(font), inner))
        if laid is None:
            laid = self._lay_out(text, font, inner, self._metrics_of(font)[0], None)
        return laid[2]

    def _metrics_of(self, font: QFont) -> tuple[QFontMetricsF, int]:
        known = self._metrics.get(id(font))
        if known is None:
            metrics = QFontMetricsF(font)
            known = self._metrics[id(font)] = (metrics, round(metrics.height()))
            self._fonts.append(font)
        return known

    def _lay_out(self, text: str, font: QFont, width: int, metrics: QFontMetricsF,
                 painter: QPainter | None) -> Laid:
        """The text as shown (elided to the width), shaped for `painter`, and its width (the
        shaping measures it: no second pass over the text unless it must be elided)."""
        static = _static(text, font, painter)
        advance, shown = static.size().width(), text
        if advance > width:
            shown = metrics.elidedText(text, _ELIDE, width)
            static = _static(shown, font, painter)
            advance = static.size().width()
        if len(self._laid) >= KEPT:
            self._laid.clear()
        laid = self._laid[(text, id(font), width)] = (static, advance, shown)
        return laid


def _static(text: str, font: QFont, painter: QPainter | None) -> QStaticText:
    static = QStaticText(text)
    static.setTextFormat(_PLAIN)
    if painter is not None:
        static.prepare(painter.transform(), font)
    return static
