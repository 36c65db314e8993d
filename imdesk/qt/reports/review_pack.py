"""The console's "Review pack…" command (Incident menu, Ctrl+Shift+P): the post-incident review
pack of the incident on screen — the war room's when a room is shown, else the incident list's
selection — saved as PDF or Markdown. Read and written on a worker thread."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QFileDialog

from imdesk.messages import sentence


def current_ref(window: Any) -> str | None:
    """The incident the user is looking at: the war room's on the War rooms pane, else the
    incident list's current one, else the one in the detail."""
    rooms = getattr(window, "war_rooms", None)
    if rooms is not None and window.current_pane() is rooms:
        room = rooms.current_room()
        if room is not None:
            return str(room.incident.ref)
    ref = window.incidents.current_ref()
    if ref is None:  # shown in the detail without being in the list (a closed one found by ref)
        state = window.incidents.detail.state
        ref = None if state is None else state.ref
    return None if ref is None else str(ref)


def write_pack(ctx: Any, ref: str, path: Path) -> Path:
    """Collect, build and write (Markdown for .md, PDF otherwise); runs on any thread."""
    from imdesk.services.review.document import build_review

    doc = build_review(ctx.reviews.data(ref))
    if path.suffix.lower() == ".md":
        from imdesk.domain.report_doc import to_markdown
        from imdesk.services.metrics.export import write_text

        write_text(path, to_markdown(doc))
    else:
        from imdesk.qt.widgets.report_pdf import write_report_pdf

        write_report_pdf(doc, path)
    return path


class ReviewPackCommand:
    def __init__(self, window: Any, ask_path: Callable[[str], str] | None = None) -> None:
        self.window = window
        self.ask_path = ask_path or self._ask
        self.folder = Path.home()
        action = QAction("&Review pack…", window)
        action.setShortcut(QKeySequence("Ctrl+Shift+P"))
        action.setToolTip("The post-incident review pack of this incident as PDF or Markdown "
                          "(Ctrl+Shift+P)")
        action.setWhatsThis("Review pack of the incident on screen (PDF or Markdown)")
        action.triggered.connect(self.run)
        menu = next((a.menu() for a in window.menuBar().actions()
                     if a.text().replace("&", "") == "Incident"), None)
        if menu is not None:
            menu.addSeparator()
            menu.addAction(action)
        else:
            window.addAction(action)
        self.action = action

    def _ask(self, ref: str) -> str:
        name = self.folder / f"{ref}-review-{date.today():%Y%m%d}.pdf"
        path, _f = QFileDialog.getSaveFileName(self.window, f"Review pack of {ref}", str(name),
                                               "PDF (*.pdf);;Markdown (*.md)")
        return path

    def run(self) -> None:
        w = self.window
        ref = current_ref(w)
        if ref is None:
            w.status.showMessage("Select an incident first: the review pack is of one incident",
                                 6000)
            return
        chosen = self.ask_path(ref)
        if not chosen:
            return
        path = Path(chosen)
        if path.suffix.lower() not in (".pdf", ".md"):
            path = path.with_suffix(".pdf")
        self.folder = path.parent
        w.status.showMessage(f"Writing the review pack of {ref}…", 4000)
        w.runner.run(lambda: write_pack(w.ctx, ref, path),
                     lambda p: w.status.showMessage(f"Review pack of {ref} saved as {p}", 8000),
                     lambda exc: w.show_banner(
                         sentence(f"The review pack of {ref} could not be written", exc)))
