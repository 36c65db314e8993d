"""The emergency pack PDF, written with Qt's own writer (QPainter on a QPdfWriter).

``write_pdf`` runs on any thread (no widgets): the console calls it from a worker, the command
line from its main thread. The PDF is drawn in memory and written whole (qt/widgets/pdf_file), so a
reader never sees half a pack and no disk write holds the interpreter lock.
"""

from __future__ import annotations

import os
from pathlib import Path

from PySide6.QtGui import QGuiApplication

from imdesk.gc_pause import collector_paused
from imdesk.qt.contacts.pack_painter import paint_pack
from imdesk.qt.widgets.pdf_file import pdf_into
from imdesk.services.contacts.pack_data import PackData

PACK_FILE = "emergency-pack.pdf"


def write_pdf(data: PackData, path: Path) -> Path:
    """Draw ``data`` into the PDF ``path`` (A4, page numbers and the data hash in every footer)."""
    # no full collection holding the interpreter lock mid-pack
    with pdf_into(path, f"Emergency pack — {data.desk}") as writer, collector_paused():
        paint_pack(data, writer)
    return path


def write_pack_headless(data: PackData, path: Path) -> Path:
    """For the command line: a GUI application object (offscreen when there is no screen)."""
    if QGuiApplication.instance() is None:
        if not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")):
            os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
        app = QGuiApplication([])
        try:
            return write_pdf(data, path)
        finally:
            del app
    return write_pdf(data, path)
