"""The contact book's result list: a model of search hits (people, vendors, facilities, teams,
services) and a delegate that paints each as a kind tag, the name, a second line, and badges
that read without colour: "● on duty", "stale", "check"."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QRect, QSize, Qt
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPainter, QPalette
from PySide6.QtWidgets import QStyle, QStyledItemDelegate, QStyleOptionViewItem

from imdesk.domain.contact_book import SearchHit
from imdesk.qt import theme
from imdesk.qt.widgets.models import RowRole, RowsListModel

HitRole = RowRole

KIND_TAGS = {"service": "SERVICE", "team": "TEAM", "person": "PERSON", "vendor": "VENDOR",
             "facility": "FACILITY", "document": "DOC"}


class SearchHitModel(RowsListModel):
    """Rows of SearchHit; a new query replaces them all (a reset is for a new query only)."""

    @property
    def hits(self) -> list[SearchHit]:
        return self.rows

    def set_hits(self, hits: list[SearchHit]) -> None:
        self.set_rows(hits)

    def cell(self, hit: SearchHit, column: int, role: int) -> Any:
        if role == Qt.ItemDataRole.DisplayRole:
            return hit.title
        if role == Qt.ItemDataRole.ToolTipRole:
            return "\n".join(x for x in (hit.title, hit.subtitle, hit.review) if x)
        if role == Qt.ItemDataRole.AccessibleTextRole:
            return " ".join(x for x in (KIND_TAGS.get(hit.kind, ""), hit.title, hit.subtitle,
                                        *badges(hit)) if x)
        return None

    def row_of(self, kind: str, ident: int) -> int:
        for row, hit in enumerate(self.rows):
            if hit.kind == kind and hit.id == ident:
                return row
        return -1


def badges(hit: SearchHit) -> list[str]:
    out = []
    if hit.on_duty:
        out.append("● on duty")
    if hit.review:
        out.append("check")
    elif hit.stale:
        out.append("stale")
    return out


def badge_color(text: str) -> QColor:
    dark = theme.is_dark()
    if text.startswith("●"):
        return QColor("#66bb6a" if dark else "#2e7d32")
    if text == "check":
        return QColor("#ff6b6b" if dark else "#c62828")
    return QColor("#ffb300" if dark else "#a15c00")


class HitDelegate(QStyledItemDelegate):
    """Two lines per hit: tag + name + badges, then the subtitle. Fonts and their metrics are
    made once per base font (painting runs for every visible row on every keystroke)."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._key: str = ""
        self._fonts: dict[str, QFont] = {}
        self._metrics: dict[str, QFontMetrics] = {}
        self._tag_w = 0

    def _prepare(self, base: QFont) -> None:
        key = base.key()
        if key == self._key:
            return
        small = QFont(base)
        small.setPointSizeF(max(6.5, base.pointSizeF() * 0.78))
        small.setBold(True)
        bold = QFont(base)
        bold.setBold(True)
        self._fonts = {"small": small, "bold": bold, "base": QFont(base)}
        self._metrics = {k: QFontMetrics(f) for k, f in self._fonts.items()}
        self._tag_w = self._metrics["small"].horizontalAdvance("FACILITY") + 8
        self._key = key

    def paint(self, painter: QPainter, option: QStyleOptionViewItem,
              index: QModelIndex | QPersistentModelIndex) -> None:
        hit: SearchHit | None = index.data(HitRole)
        if hit is None:
            return
        self._prepare(option.font)
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        opt.text = ""
        style = option.widget.style() if option.widget else None
        if style is not None:
            style.drawControl(QStyle.ControlElement.CE_ItemViewItem, opt, painter, option.widget)
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        pal = option.palette
        text_color = pal.color(QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.Text)
        dim = QColor(text_color)
        dim.setAlphaF(0.7)
        painter.save()
        rect = option.rect.adjusted(8, 4, -8, -4)
        line_h = self._metrics["base"].height()
        painter.setFont(self._fonts["small"])
        tag_rect = QRect(rect.x(), rect.y() + 1, self._tag_w, line_h - 2)
        painter.setPen(dim)
        painter.drawRoundedRect(tag_rect, 3, 3)
        painter.drawText(tag_rect, Qt.AlignmentFlag.AlignCenter, KIND_TAGS.get(hit.kind, hit.kind.upper()))
        x_right = rect.right()
        for text in reversed(badges(hit)):
            w = self._metrics["small"].horizontalAdvance(text) + 10
            badge = QRect(x_right - w, rect.y() + 1, w, line_h - 2)
            painter.setPen(text_color if selected else badge_color(text))
            painter.drawRoundedRect(badge, 3, 3)
            painter.drawText(badge, Qt.AlignmentFlag.AlignCenter, text)
            x_right -= w + 4
        painter.setFont(self._fonts["bold"])
        painter.setPen(text_color)
        name_rect = QRect(tag_rect.right() + 8, rect.y(), x_right - tag_rect.right() - 12, line_h)
        painter.drawText(name_rect, Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft,
                         self._metrics["bold"].elidedText(hit.title, Qt.TextElideMode.ElideRight,
                                                          name_rect.width()))
        painter.setFont(self._fonts["base"])
        painter.setPen(dim)
        sub_rect = QRect(tag_rect.right() + 8, rect.y() + line_h + 2, rect.right() - tag_rect.right() - 8,
                         line_h)
        painter.drawText(sub_rect, Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft,
                         self._metrics["base"].elidedText(hit.subtitle, Qt.TextElideMode.ElideRight,
                                                          sub_rect.width()))
        painter.restore()

    def sizeHint(self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex) -> QSize:
        return QSize(280, option.fontMetrics.height() * 2 + 12)
