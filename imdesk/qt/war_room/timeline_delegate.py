"""How a war room's timeline line is measured and painted: each line's size kept per width (the
list lays out every row again on each insert and asks every row's size), and each line drawn
once per look and copied after (every insert scrolls the list and repaints it)."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QObject, QPersistentModelIndex, QRect, QSize, Qt
from PySide6.QtGui import QFontMetrics, QPainter, QPalette, QPixmap
from PySide6.QtWidgets import QAbstractItemView, QStyledItemDelegate, QStyleOptionViewItem

from imdesk.qt import theme
from imdesk.qt.war_room.timeline_model import RoomTimelineModel

_HAS_DISPLAY = QStyleOptionViewItem.ViewItemFeature.HasDisplay
_TEXT = QPalette.ColorRole.Text
_WIDTHS_KEPT = 8  # sizes for this many widths (a splitter dragged goes through many)


class CachedHeightDelegate(QStyledItemDelegate):
    """Remembers each line's size per width: a list of wrapped lines is laid out again on
    every insert (the view asks every row's size), and measuring hundreds of wrapped texts each
    time costs tens of ms. With the timeline model given, a cell's text, colour and font come
    from it in one call instead of one call per role."""

    def __init__(self, parent: QObject | None = None,
                 model: RoomTimelineModel | None = None) -> None:
        super().__init__(parent)
        self._sizes: dict[int, dict[int, QSize]] = {}  # width → {line's size key → size}
        self._model = model
        self._pixmaps: dict[tuple[object, ...], QPixmap] = {}  # painted lines, see paint()

    def sizeHint(self, option: QStyleOptionViewItem,
                 index: QModelIndex | QPersistentModelIndex) -> QSize:
        """Asked for every row on every insert: a dictionary look-up once the line is measured
        at this width (a resize measures each line again, so a long line still wraps fully)."""
        model = self._model
        if model is None:
            return super().sizeHint(option, index)
        width = option.rect.width()
        if width <= 0:  # a tree view asks without a width: the lines wrap at its viewport's
            view = self.parent()
            width = view.viewport().width() if isinstance(view, QAbstractItemView) else 0
        sizes = self._sizes.get(width)
        if sizes is None:
            if len(self._sizes) >= _WIDTHS_KEPT:
                self._sizes.clear()
            sizes = self._sizes[width] = {}
        key = model.size_key(index.row())
        size = sizes.get(key)
        if size is None:
            if option.rect.width() != width:
                option = QStyleOptionViewItem(option)
                option.rect = QRect(0, 0, width, max(1, option.rect.height()))
            size = sizes[key] = super().sizeHint(option, index)
        return size

    def initStyleOption(self, option: QStyleOptionViewItem,
                        index: QModelIndex | QPersistentModelIndex) -> None:
        look = self._model.look(index.row()) if self._model is not None else None
        if look is None:
            super().initStyleOption(option, index)
            return
        text, color, font = look
        if isinstance(index, QModelIndex):  # (a view passes a plain index)
            option.index = index
        option.features |= _HAS_DISPLAY
        option.text = text
        option.palette.setColor(_TEXT, color)
        if font is not None:
            option.font = font
            option.fontMetrics = QFontMetrics(font)

    def paint(self, painter: QPainter, option: QStyleOptionViewItem,
              index: QModelIndex | QPersistentModelIndex) -> None:
        """A line is laid out and drawn once per look (its text version, width, state and the
        colour scheme), then copied: every insert scrolls the whole list and repaints it."""
        model = self._model
        if model is None or option.widget is None:
            super().paint(painter, option, index)
            return
        seq, struck = model.seq_and_struck(index.row())
        rect = option.rect
        ratio = option.widget.devicePixelRatioF()
        key = (seq, struck, model.look_version, rect.width(), rect.height(), ratio,
               option.state.value, option.features.value, theme.is_dark())
        pixmap = self._pixmaps.get(key)
        if pixmap is None:
            if len(self._pixmaps) > 2_000:
                self._pixmaps.clear()
            pixmap = QPixmap(max(1, round(rect.width() * ratio)), max(1, round(rect.height() * ratio)))
            pixmap.setDevicePixelRatio(ratio)
            pixmap.fill(Qt.GlobalColor.transparent)
            on = QPainter(pixmap)
            at_origin = QStyleOptionViewItem(option)
            at_origin.rect = QRect(0, 0, rect.width(), rect.height())
            super().paint(on, at_origin, index)
            on.end()
            self._pixmaps[key] = pixmap
        painter.drawPixmap(rect.topLeft(), pixmap)

    def forget(self) -> None:
        self._sizes.clear()
        self._pixmaps.clear()
