"""Keeps the emergency pack current: after contacts change (debounced), the pack is collected and
written to its folder by a worker thread — the GUI thread only starts the job and hears back.

Signals: written(str path, str digest), failed(str reason).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QObject, Signal

from imdesk.context import AppContext
from imdesk.qt.tasks import TaskRunner
from imdesk.qt.widgets.debounced_job import DebouncedJob

DEBOUNCE_MS = 3000


def pack_path(ctx: AppContext, folder: str | None = None) -> Path:
    from imdesk.paths import data_dir
    from imdesk.qt.contacts.pack_writer import PACK_FILE

    chosen = (folder if folder is not None else ctx.contacts.pack_folder()).strip()
    base = Path(chosen).expanduser() if chosen else data_dir() / "emergency-pack"
    return base / PACK_FILE


def write_current_pack(ctx: AppContext, last_digest: str = "") -> tuple[str, str]:
    """Runs in a worker: collect and write (skipped when the data did not change and the file is
    still there). Returns (path, digest)."""
    from imdesk.qt.contacts.pack_writer import write_pdf
    from imdesk.services.contacts.pack_data import collect_pack

    path = pack_path(ctx)
    data = collect_pack(ctx)
    if data.digest != last_digest or not path.exists():
        write_pdf(data, path)
    return str(path), data.digest


class PackKeeper(DebouncedJob):
    written = Signal(str, str)
    failed = Signal(str)

    def __init__(self, ctx: AppContext, runner: TaskRunner, parent: QObject | None = None,
                 delay_ms: int = DEBOUNCE_MS) -> None:
        super().__init__(runner, delay_ms, parent)
        self._ctx = ctx
        self.digest = ""
        self.path = ""

    def job(self, *, force: bool) -> Callable[[], tuple[str, str]]:
        ctx, last = self._ctx, "" if force else self.digest
        return lambda: write_current_pack(ctx, last)

    def done(self, result: tuple[str, str]) -> None:
        self.path, self.digest = result
        self.written.emit(*result)

    def error(self, exc: BaseException) -> None:
        self.failed.emit(str(exc))
