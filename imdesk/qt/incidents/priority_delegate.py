"""Painting the incident list's cells: each cell's text, font and colours straight from the model's
row view (one call into Python per cell instead of one per role — seven), and the priority
badge — a coloured pill with the text P1..P5, readable without colour — drawn once per
priority and size and then copied from a pixmap."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QRectF, QSize, Qt
from PySide6.QtGui import QBrush, QColor, QFont, QPainter, QPalette, QPixmap
from PySide6.QtWidgets import QStyledItemDelegate, QStyleOptionViewItem, QWidget

from imdesk.domain.priority import Priority
from imdesk.qt import theme

if TYPE_CHECKING:
    from imdesk.qt.incidents.table_model import IncidentTableModel

Index = QModelIndex | QPersistentModelIndex
_HAS_DISPLAY = QStyleOptionViewItem.ViewItemFeature.HasDisplay
_TEXT = QPalette.ColorRole.Text
_LEFT = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter
_WITH_DISPLAY: dict[object, QStyleOptionViewItem.ViewItemFeature] = {}


class IncidentCellDelegate(QStyledItemDelegate):
    """For every column of the incident table (painting itself stays in C++); the text of
    `priority_column` is left to PriorityBadgeDelegate."""

    def __init__(self, model: IncidentTableModel, priority_column: int,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._model = model
        self._priority_column = priority_column
        self._badges: dict[tuple[object, ...], QPixmap] = {}  # (the badge delegate's)

    def initStyleOption(self, option: QStyleOptionViewItem, index: Index) -> None:
        view = self._model.view_at(index.row())
        if view is None:
            super().initStyleOption(option, index)
            return
        col = index.column()
        if isinstance(index, QModelIndex):  # (a view passes a plain index)
            option.index = index
        features = option.features  # flags combined once per value (enum arithmetic is slow)
        with_display = _WITH_DISPLAY.get(features)
        if with_display is None:
            with_display = _WITH_DISPLAY[features] = features | _HAS_DISPLAY
        option.features = with_display
        option.text = view.display[col] if col != self._priority_column else ""
        option.displayAlignment = view.alignment(col) or _LEFT
        font = view.fonts[col]
        if font is not None:
            option.font = font
        foreground = view.foreground(col)
        if foreground is not None:
            option.palette.setColor(_TEXT, foreground)
        background = view.background(col)
        if background is not None:
            option.backgroundBrush = QBrush(background)

class PriorityBadgeDelegate(IncidentCellDelegate):
    """The priority column: the badge over the cell's background."""

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: Index) -> None:
        super().paint(painter, option, index)  # background and selection, no text
        view = self._model.view_at(index.row())
        try:
            priority = Priority(view.display[index.column()] if view is not None else "")
        except ValueError:
            return
        badge = self._badge(priority, option)
        height = badge.height() / badge.devicePixelRatio()
        painter.drawPixmap(int(option.rect.x() + 6), int(option.rect.center().y() - height / 2 + 1),
                           badge)

    def _badge(self, priority: Priority, option: QStyleOptionViewItem) -> QPixmap:
        widget = option.widget
        ratio = widget.devicePixelRatioF() if widget is not None else 1.0
        font = option.font
        key = (priority, option.rect.height(), ratio, theme.is_dark(), font.key())
        pixmap = self._badges.get(key)
        if pixmap is None:  # measured only now: font metrics are slow to ask for every cell
            metrics = option.fontMetrics
            width = metrics.horizontalAdvance("P5") + 16
            height = min(option.rect.height() - 6, metrics.height() + 4)
            pixmap = self._badges[key] = _draw_badge(priority, width, height, ratio, font)
        return pixmap

    def sizeHint(self, option: QStyleOptionViewItem, index: Index) -> QSize:
        base = super().sizeHint(option, index)
        return QSize(option.fontMetrics.horizontalAdvance("Priority") + 24, base.height())



def _draw_badge(priority: Priority, width: int, height: int, ratio: float, base: QFont) -> QPixmap:
    pixmap = QPixmap(max(1, round(width * ratio)), max(1, round(height * ratio)))
    pixmap.setDevicePixelRatio(ratio)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    rect = QRectF(0, 0, width, height)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(theme.priority_color(priority))
    painter.drawRoundedRect(rect, height / 2, height / 2)
    painter.setPen(QColor("#ffffff") if priority != Priority.P3 else QColor("#1b1b1b"))
    font = QFont(base)
    font.setBold(True)
    painter.setFont(font)
    painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, priority.value)
    painter.end()
    return pixmap
