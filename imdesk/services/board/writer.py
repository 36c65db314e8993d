"""Writing the awareness board: the page goes to a temporary file in the target folder, is
flushed to disk and then renamed over index.html, so a reader (the intranet's web server, a
browser on the share) sees the old page or the new one, never half of one."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from imdesk.files import PathRefused
from imdesk.files import write_atomic as write_file
from imdesk.services.board.collect import BoardSource, collect_board

PAGE_NAME = "index.html"


@dataclass(frozen=True)
class BoardWritten:
    path: Path
    incidents: int
    resolved: int
    maintenance: int
    changed: bool


def board_folder(ctx: BoardSource) -> Path:
    """The folder from the settings, else the data folder's ``board``."""
    from imdesk.paths import data_dir
    from imdesk.services.docs.settings import DocSettings

    configured = DocSettings(ctx.db).board_folder()
    return Path(configured) if configured else data_dir() / "board"


def write_atomic(path: Path, text: str) -> bool:
    """TEXT into PATH by rename; False (and nothing written) when PATH already holds it."""
    data = text.encode("utf-8")
    try:
        if path.read_bytes() == data:
            return False
    except OSError:
        pass
    write_file(path, data)  # 0644: a web server reads it
    return True


def write_board(ctx: BoardSource, folder: Path | None = None) -> BoardWritten:
    from imdesk.services.board.page import render_board

    target = folder if folder is not None else board_folder(ctx)
    if target.exists() and not target.is_dir():
        raise PathRefused(f"{target}: not a folder")
    target.mkdir(parents=True, exist_ok=True)
    data = collect_board(ctx)
    path = target / PAGE_NAME
    changed = write_atomic(path, render_board(data))
    return BoardWritten(path, len(data.current), len(data.resolved), len(data.maintenance), changed)
