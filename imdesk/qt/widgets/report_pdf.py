"""A ``ReportDoc`` as a PDF (Qt's own PDF writer) or on a printer: the document's HTML laid out
by a QTextDocument, paginated, with "footer · page n of m" on every page.

``write_report_pdf`` uses no widgets and runs on any thread (the console calls it from a worker,
a command from its handler, loading Qt there only). The file is written beside its destination
and renamed into place, so a reader never sees half a document.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Literal

from PySide6.QtCore import QMarginsF, QRectF, QSizeF, Qt
from PySide6.QtGui import (
    QColor,
    QFont,
    QPagedPaintDevice,
    QPageLayout,
    QPageSize,
    QPainter,
    QTextDocument,
)
from PySide6.QtWidgets import QWidget

from imdesk.domain.report_doc import ReportDoc, body_html, style_sheet
from imdesk.qt.widgets.pdf_file import pdf_into

Page = Literal["A4", "Letter"]
_PAGE_SIZES = {"A4": QPageSize.PageSizeId.A4, "Letter": QPageSize.PageSizeId.Letter}
_LOGICAL_DPI = 96.0  # the document is laid out in CSS pixels, then scaled to the device
_FOOTER_PX = 28.0


def _layout(doc: ReportDoc, width: float, height: float) -> QTextDocument:
    text = QTextDocument()
    text.setDocumentMargin(0)
    font = QFont("DejaVu Sans")
    font.setPointSizeF(10)
    text.setDefaultFont(font)
    text.setDefaultStyleSheet(style_sheet())
    text.setHtml(body_html(doc))
    text.setPageSize(QSizeF(width, height))  # paginates: no line is cut at a page's edge
    return text


def paint_report(doc: ReportDoc, device: QPagedPaintDevice) -> int:
    """Draw ``doc`` on ``device`` page by page; returns the number of pages."""
    resolution = float(device.logicalDpiX())
    scale = resolution / _LOGICAL_DPI
    paint = device.pageLayout().paintRectPixels(int(resolution))
    width = paint.width() / scale
    height = paint.height() / scale - _FOOTER_PX
    text = _layout(doc, width, height)
    pages = max(1, text.pageCount())
    painter = QPainter(device)
    try:
        foot_font = QFont("DejaVu Sans")
        foot_font.setPointSizeF(7.5)
        for page in range(pages):
            if page:
                device.newPage()
            painter.save()
            painter.scale(scale, scale)
            painter.save()
            painter.translate(0, -page * height)
            text.drawContents(painter, QRectF(0, page * height, width, height))
            painter.restore()
            painter.setFont(foot_font)
            painter.setPen(QColor("#555555"))
            label = f"page {page + 1} of {pages}"
            foot = QRectF(0, height + 8, width, _FOOTER_PX - 8)
            painter.drawLine(QRectF(foot).topLeft(), QRectF(foot).topRight())
            flags = Qt.AlignmentFlag.AlignVCenter | Qt.TextFlag.TextSingleLine
            painter.drawText(foot, int(flags | Qt.AlignmentFlag.AlignRight), label)
            if doc.footer:
                room = foot.adjusted(0, 0, -painter.fontMetrics().horizontalAdvance(label) - 16, 0)
                elided = painter.fontMetrics().elidedText(doc.footer, Qt.TextElideMode.ElideMiddle,
                                                          int(room.width()))
                painter.drawText(room, int(flags | Qt.AlignmentFlag.AlignLeft), elided)
            painter.restore()
    finally:
        painter.end()
    return pages


def _set_page(device: QPagedPaintDevice, page: Page) -> None:
    device.setPageSize(QPageSize(_PAGE_SIZES[page]))
    device.setPageMargins(QMarginsF(16, 14, 16, 12), QPageLayout.Unit.Millimeter)


def write_report_pdf(doc: ReportDoc, path: Path, page: Page = "A4") -> int:
    """Write ``doc`` as the PDF ``path`` (A4 or Letter); returns the number of pages."""
    with pdf_into(path, doc.title) as writer:
        _set_page(writer, page)
        pages = paint_report(doc, writer)
    return pages


def write_report_pdf_headless(doc: ReportDoc, path: Path, page: Page = "A4") -> int:
    """For the command line: a GUI application object first (offscreen when there is no screen)."""
    from PySide6.QtGui import QGuiApplication

    if QGuiApplication.instance() is None:
        if not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")):
            os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
        app = QGuiApplication([])
        try:
            return write_report_pdf(doc, path, page)
        finally:
            del app
    return write_report_pdf(doc, path, page)


def print_report(doc: ReportDoc, parent: QWidget | None = None) -> bool:
    """The system print dialog, then the document on the chosen printer; False when cancelled."""
    from PySide6.QtPrintSupport import QPrintDialog, QPrinter

    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setDocName(doc.title)
    _set_page(printer, "A4")
    dialog = QPrintDialog(printer, parent)
    if dialog.exec() != QPrintDialog.DialogCode.Accepted:
        return False
    paint_report(doc, printer)
    return True
