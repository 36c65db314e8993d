"""A PDF drawn in memory and written to its file by Python, atomically.

Qt's PDF writer, given a file name, writes pages to disk from inside its own calls, which hold
the interpreter lock: a write the kernel holds back (behind a backlog of dirty pages it may
pause a writer for up to 200 ms) would hold every Python thread, the GUI thread too. Drawn
into a QBuffer instead, the only disk write is Python's own, which lets the other threads run.
The file appears under its name whole or not at all (written beside it, then renamed).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from PySide6.QtCore import QBuffer, QIODevice
from PySide6.QtGui import QPdfWriter

from imdesk.files import write_atomic


@contextmanager
def pdf_into(path: Path, title: str) -> Iterator[QPdfWriter]:
    """A 300 dpi writer titled ``title``; when the block ends without an error, the PDF is
    written to ``path`` (mode 0644) in one piece."""
    buffer = QBuffer()
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    writer = QPdfWriter(buffer)
    writer.setTitle(title)
    writer.setCreator("imdesk")
    writer.setResolution(300)
    yield writer
    del writer  # finishes the document into the buffer
    data = bytes(buffer.data().data())
    buffer.close()
    write_atomic(path, data)

