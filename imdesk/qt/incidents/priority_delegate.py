"""Painting the incident list's cells: each cell's text, font and colours straight from the model's
row view (one call into Python per cell instead of one per role — seven), and the priority
badge — a coloured pill with the text P1..P5, readable without colour — drawn once per
priority and size and then copied from a pixmap.

A cell is painted here rather than by the style: the style lays its text out on every paint
(a QTextLayout per cell, two thirds of a repaint of the list) and reaches Python for each of
seven roles. Here each (text, font, width) is elided and measured once (cells.py) and drawn
straight; the background, selection and colours are those the style paints (pixel for pixel:
tests/qt/test_incident_cells.py), and the current cell — its focus frame — is left to the
style. initStyleOption still says what a cell shows, for the size hint and accessibility."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QModelIndex, QObject, QPersistentModelIndex, QRectF, QSize, Qt
from PySide6.QtGui import QBrush, QColor, QFont, QFontMetrics, QPainter, QPalette, QPixmap
from PySide6.QtWidgets import QAbstractItemView, QStyledItemDelegate, QStyleOptionViewItem, QWidget

from imdesk.domain.priority import Priority
from imdesk.qt import theme
from imdesk.qt.incidents.cells import CellTexts

if TYPE_CHECKING:
    from imdesk.qt.incidents.table_model import IncidentTableModel

Index = QModelIndex | QPersistentModelIndex
_HAS_DISPLAY = QStyleOptionViewItem.ViewItemFeature.HasDisplay
_TEXT = QPalette.ColorRole.Text
_LEFT = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter
_WITH_DISPLAY: dict[object, QStyleOptionViewItem.ViewItemFeature] = {}
_HIGHLIGHT = QPalette.ColorRole.Highlight
_HIGHLIGHTED_TEXT = QPalette.ColorRole.HighlightedText
_FONT_CHANGE = frozenset((QEvent.Type.FontChange, QEvent.Type.StyleChange))
_COLOURS_CHANGE = frozenset((QEvent.Type.PaletteChange, QEvent.Type.ActivationChange,
                             QEvent.Type.EnabledChange, QEvent.Type.StyleChange,
                             QEvent.Type.WindowActivate, QEvent.Type.WindowDeactivate))


class IncidentCellDelegate(QStyledItemDelegate):
    """For every column of the incident table: the cell painted from the model's row view and
    the laid-out texts (see above); the text of `priority_column` is left to
    PriorityBadgeDelegate."""

    def __init__(self, model: IncidentTableModel, priority_column: int,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._model = model
        self._priority_column = priority_column
        self._badges: dict[tuple[object, ...], QPixmap] = {}  # (the badge delegate's)
        self._texts = CellTexts()
        self._colors: tuple[QBrush, QColor, QColor] | None = None
        self._plain: QFont | None = None
        self._table = parent if isinstance(parent, QAbstractItemView) else None
        if parent is not None:
            parent.installEventFilter(self)
        # The current cell and the selected cells, kept from the selection model's signals (asking
        # it for each cell — three calls into Qt — was a sixth of a repaint); None: read again.
        # A model reset clears the selection without a signal: then too they are read again.
        self._selection = self._table.selectionModel() if self._table is not None else None
        self._marks: tuple[tuple[int, int], frozenset[tuple[int, int]]] | None = None
        if self._selection is not None:
            self._selection.currentChanged.connect(self._forget_marks)
            self._selection.selectionChanged.connect(self._forget_marks)
            for changed in (model.modelReset, model.rowsInserted, model.rowsRemoved,
                            model.layoutChanged):
                changed.connect(self._forget_marks)

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: Index) -> None:
        view = self._model.view_at(index.row())
        if view is None:
            super().paint(painter, option, index)
            return
        col = index.column()
        rect = option.rect
        colors = self._colors or self._palette_colors(option.palette)
        # Selected and focused as the view says them in option.state, asked of the view itself:
        # reading option.state would build QStyle's enums (600 members) before the first paint.
        table = self._table
        current, marked = self._marks or self._read_marks()
        cell = (index.row(), col)
        if cell == current and table is not None and (
                table.hasFocus() or table.viewport().hasFocus()):
            super().paint(painter, option, index)  # the current cell: the style's focus frame
            return
        selected = cell in marked
        if selected:
            painter.fillRect(rect, colors[0])
        else:
            background = view.background(col)  # (the view has painted the alternate rows)
            if background is not None:
                painter.fillRect(rect, background)
        if col != self._priority_column:
            text = view.display[col]
            if text:
                color = colors[1] if selected else (view.foreground(col) or colors[2])
                self._texts.draw(painter, rect, text, view.fonts[col] or self._plain_font(),
                                 color, view.alignment(col))

    def _read_marks(self) -> tuple[tuple[int, int], frozenset[tuple[int, int]]]:
        """The current cell and the selected cells, as the selection model has them now."""
        selection = self._table.selectionModel() if self._table is not None else None
        if selection is None:
            return (-1, -1), frozenset()
        current = selection.currentIndex()
        marks = ((current.row(), current.column()) if current.isValid() else (-1, -1),
                 frozenset((i.row(), i.column()) for i in selection.selectedIndexes()))
        if selection is self._selection:  # (its signals keep them)
            self._marks = marks
        return marks

    def _forget_marks(self, *_args: object) -> None:
        self._marks = None

    def _palette_colors(self, palette: QPalette) -> tuple[QBrush, QColor, QColor]:
        """The selection and text colours of the view's palette (in its colour group: active,
        inactive or disabled), until the palette or that group changes (eventFilter)."""
        self._colors = (palette.brush(_HIGHLIGHT), palette.color(_HIGHLIGHTED_TEXT),
                        palette.color(_TEXT))
        return self._colors

    def _plain_font(self) -> QFont:
        """The view's own font (cells the model gives no font), read again when it changes."""
        if self._plain is None:
            parent = self.parent()
            self._plain = parent.font() if isinstance(parent, QWidget) else QFont()
            self._texts.clear()
        return self._plain

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        kind = event.type()
        if kind in _COLOURS_CHANGE:
            self._colors = None
        if kind in _FONT_CHANGE:
            self._plain = None
            self._texts.clear()
            self._badges.clear()
        return False

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
        font = self._plain_font()  # the view's font (its id: QFont.key() is slow to ask)
        key = (priority, option.rect.height(), ratio, theme.is_dark(), id(font))
        pixmap = self._badges.get(key)
        if pixmap is None:  # measured only now: font metrics are slow to ask for every cell
            metrics = QFontMetrics(font)
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
