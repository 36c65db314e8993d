"""The emergency pack PDF, written with Qt's own writer (QPainter on a QPdfWriter).

``write_pdf`` runs on any thread (no widgets): the console calls it from a worker, the command
line from its main thread. The file is written next to its destination and renamed into place,
so a reader never sees half a pack.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from PySide6.QtGui import QGuiApplication, QPdfWriter

from imdesk.gc_pause import collector_paused
from imdesk.qt.contacts.pack_painter import paint_pack
from imdesk.services.contacts.pack_data import PackData

PACK_FILE = "emergency-pack.pdf"


def write_pdf(data: PackData, path: Path) -> Path:
    """Draw ``data`` into the PDF ``path`` (A4, page numbers and the data hash in every footer)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=".pack-", suffix=".pdf", dir=path.parent)
    os.close(fd)
    try:
        writer = QPdfWriter(tmp_name)
        writer.setTitle(f"Emergency pack — {data.desk}")
        writer.setCreator("imdesk")
        writer.setResolution(300)
        with collector_paused():  # no full collection holding the interpreter lock mid-pack
            paint_pack(data, writer)
        del writer  # closes and flushes the file
        os.chmod(tmp_name, 0o644)
        os.replace(tmp_name, path)
    except BaseException:
        Path(tmp_name).unlink(missing_ok=True)
        raise
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
