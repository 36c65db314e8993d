"""Screenshots of the documents (called from bench/screenshots.py for each scheme, or run alone:
`python -m bench.docs_shots`): the Documents pane on a runbook, the editor, the diff between two
versions, the review walk, and the awareness board's HTML rendered by a QTextBrowser."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any


def shoot(window: Any, ctx: Any, out: Path, scheme: str, settle: Callable[..., None]) -> None:
    from PySide6.QtWidgets import QTextBrowser

    from imdesk.qt.docs.history_dialog import HistoryDialog
    from imdesk.qt.docs.review_dialog import ReviewWalk
    from imdesk.services.board.writer import write_board

    wiring = window.documents
    pane = wiring.pane
    window.show_pane(wiring.host)
    settle(0.6)
    pane.show_service("E-mail")
    settle(0.6)
    pane.list.setCurrentIndex(pane.model.index(1))  # the runbook with two versions
    settle(0.6)
    window.grab().save(str(out / f"documents-{scheme}.png"))
    pane.edit()
    settle(0.4)
    window.grab().save(str(out / f"documents-editor-{scheme}.png"))
    pane._cancel_edit()
    doc = pane.document
    history = HistoryDialog(doc, lambda a, b: ctx.docs.diff(doc.summary.id, a, b), ctx.docs.now(), window)
    history.show()
    settle(0.4)
    history.grab().save(str(out / f"documents-diff-{scheme}.png"))
    history.done(0)
    stale = [d.id for d in ctx.docs.stale()]
    if stale:
        walk = ReviewWalk(stale, ctx.docs.get, lambda _i, _v: None, ctx.docs.now(), window)
        walk.show()
        settle(0.4)
        walk.grab().save(str(out / f"documents-review-{scheme}.png"))
        walk.done(0)
    rooms = ctx.war_rooms.open_rooms()
    if rooms:  # the incident detail names its service's documents
        window.show_pane(window.incidents)
        window.incidents.show_incident(rooms[0].ref)
        settle(0.8)
        window.grab().save(str(out / f"incident-documents-{scheme}.png"))
    page = write_board(ctx, out / "board").path
    view = QTextBrowser()
    view.resize(1000, 900)
    view.setHtml(page.read_text(encoding="utf-8"))
    view.show()
    settle(0.4)
    view.grab().save(str(out / f"board-{scheme}.png"))
    view.close()


def main() -> int:
    from shot_harness import run_alone  # run as a script: bench/ is on the path

    return run_alone(shoot)


if __name__ == "__main__":
    sys.exit(main())
