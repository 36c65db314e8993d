"""A bar chart drawn with QPainter: categories along the bottom, one bar per series in each,
gridlines with round values, a legend. Colours come from the palette (light and dark themes).

No charting library: the Reports pane needs bars only, and QPainter draws them on the screen,
into an SVG or a PDF (vectors) alike — see `render`. The numbers behind every chart are in the
table beside it.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from PySide6.QtCore import QPointF, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFontMetricsF, QPainter, QPaintEvent, QPalette, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

# Series colours that read on light and dark backgrounds alike.
SERIES_COLOURS = ("#3b82c4", "#e08a1e", "#4caf50", "#9c5fc7", "#d0455a")


@dataclass(frozen=True)
class ChartData:
    title: str
    categories: tuple[str, ...]
    series: tuple[tuple[str, tuple[float | None, ...]], ...]  # (name, one value per category)
    unit: str = ""  # "%" fixes the axis at 0..100
    empty_text: str = "No incidents in this range."


def nice_top(value: float) -> tuple[float, float]:
    """A round axis maximum at or above `value`, and its gridline step (1, 2 or 5 x 10^n)."""
    if value <= 0:
        return 1.0, 1.0
    raw = value / 4
    base = 10 ** math.floor(math.log10(raw))
    step = next(m * base for m in (1, 2, 5, 10) if m * base >= raw)
    return step * math.ceil(value / step), step


def _label(value: float, unit: str) -> str:
    text = f"{value:.0f}" if value == int(value) else f"{value:.1f}"
    return f"{text} %" if unit == "%" else text


class BarChart(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.data = ChartData("", (), ())
        self.setMinimumSize(320, 220)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)

    def sizeHint(self) -> QSize:
        return QSize(560, 320)

    def set_data(self, data: ChartData) -> None:
        self.data = data
        self.setAccessibleName(data.title)
        self.update()

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        render(painter, QRectF(self.rect()), self.data, self.palette())
        painter.end()


def render(painter: QPainter, area: QRectF, data: ChartData, palette: QPalette) -> None:
    """Draw `data` into `area` of any paint device (widget, SVG generator, PDF writer)."""
    text_colour = palette.color(QPalette.ColorRole.WindowText)
    grid_colour = palette.color(QPalette.ColorRole.Mid)
    fm = QFontMetricsF(painter.font())
    line = fm.height()
    painter.save()
    painter.setPen(text_colour)
    bold = painter.font()
    bold.setBold(True)
    painter.setFont(bold)
    painter.drawText(QRectF(area.left(), area.top(), area.width(), line + 4),
                     Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, data.title)
    bold.setBold(False)
    painter.setFont(bold)
    values = [v for _name, vs in data.series for v in vs if v is not None]
    if not data.categories or not values:
        painter.setPen(palette.color(QPalette.ColorRole.PlaceholderText))
        painter.drawText(area, Qt.AlignmentFlag.AlignCenter, data.empty_text)
        painter.restore()
        return
    top, step = (100.0, 25.0) if data.unit == "%" else nice_top(max(values))
    axis_w = fm.horizontalAdvance(_label(top, data.unit)) + 10
    legend_h = line + 6 if len(data.series) > 1 else 0
    plot = QRectF(area.left() + axis_w, area.top() + line + 10,
                  area.width() - axis_w - 8, area.height() - line * 2 - 22 - legend_h)
    if plot.width() < 40 or plot.height() < 40:
        painter.restore()
        return
    # gridlines and their values
    painter.setPen(QPen(grid_colour, 0.6))
    n_lines = round(top / step)
    for i in range(n_lines + 1):
        y = plot.bottom() - plot.height() * i / n_lines
        painter.drawLine(QPointF(plot.left(), y), QPointF(plot.right(), y))
        painter.setPen(text_colour)
        painter.drawText(QRectF(area.left(), y - line / 2, axis_w - 6, line),
                         Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
                         _label(step * i, data.unit))
        painter.setPen(QPen(grid_colour, 0.6))
    # bars
    slot = plot.width() / len(data.categories)
    group = slot * 0.72
    bar_w = min(group / len(data.series), 64.0)
    group = bar_w * len(data.series)
    every = max(1, math.ceil(len(data.categories) * fm.horizontalAdvance("2026-W00 ")
                             / max(1.0, plot.width())))
    for ci, category in enumerate(data.categories):
        x0 = plot.left() + ci * slot + (slot - group) / 2
        for si, (_name, vs) in enumerate(data.series):
            value = vs[ci]
            if value is None:
                continue
            h = plot.height() * min(value, top) / top
            painter.fillRect(QRectF(x0 + si * bar_w, plot.bottom() - h, bar_w * 0.92, h),
                             QColor(SERIES_COLOURS[si % len(SERIES_COLOURS)]))
        if ci % every == 0:
            painter.setPen(text_colour)
            painter.drawText(QRectF(plot.left() + ci * slot - slot, plot.bottom() + 3, slot * 3,
                                    line), Qt.AlignmentFlag.AlignHCenter, category)
    painter.setPen(QPen(text_colour, 1))
    painter.drawLine(plot.bottomLeft(), plot.bottomRight())
    if legend_h:
        _legend(painter, data.series, plot.left(), plot.bottom() + line + 8, fm, text_colour)
    painter.restore()


def _legend(painter: QPainter, series: Sequence[tuple[str, object]], x: float, y: float,
            fm: QFontMetricsF, colour: QColor) -> None:
    box = fm.height() * 0.7
    for si, (name, _vs) in enumerate(series):
        painter.fillRect(QRectF(x, y + (fm.height() - box) / 2, box, box),
                         QColor(SERIES_COLOURS[si % len(SERIES_COLOURS)]))
        painter.setPen(colour)
        painter.drawText(QRectF(x + box + 4, y, fm.horizontalAdvance(name) + 4, fm.height()),
                         Qt.AlignmentFlag.AlignVCenter, name)
        x += box + fm.horizontalAdvance(name) + 20
