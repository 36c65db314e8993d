"""Writing an export (CSV of a metrics table, a Markdown review pack) atomically: a reader never
sees half a file, and a failed write leaves the old one."""

from __future__ import annotations

from pathlib import Path

from imdesk.files import write_atomic


def write_text(path: Path, text: str, *, newline: str = "") -> None:
    """TEXT as UTF-8; NEWLINE other than "" or "\\n" replaces each line end (as open() would)."""
    if newline not in ("", "\n"):
        text = text.replace("\n", newline)
    write_atomic(path, text.encode("utf-8"))
