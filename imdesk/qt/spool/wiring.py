"""Team mode offline in the main window (only on a team server; a desk's own file has none):

- every few seconds, off the GUI thread: online, the replica takes what changed on the server;
  offline, the server is tried and, when it answers, what was written meanwhile is merged;
- a banner over every pane while offline — "Offline since today 10:42 — 17 entries waiting" —
  and one when the merge is done (refs mapped, conflicts to settle);
- Ctrl+Shift+K: the conflicts the merge found, to apply anyway as a note or dismiss.

`poke()` is the hook for the change feed: a notification from the server refreshes at once.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QTimer

from imdesk.domain.timefmt import friendly
from imdesk.messages import sentence
from imdesk.qt.spool.conflicts_dialog import ConflictsDialog
from imdesk.qt.widgets.keys import shortcut

EVERY_MS = 3000
BANNER = "offline"
STYLE = "color:#7a1f00; font-weight:bold;"


def banner_text(status: Any, now: Any) -> str:
    """"Offline since today 10:42 — 17 entries waiting. …" for a SpoolStatus."""
    waiting = f"{status.waiting} entr{'y' if status.waiting == 1 else 'ies'} waiting"
    return (f"Offline since {friendly(status.offline_since, now)} — {waiting}. This desk works "
            "on its own copy; everything goes to the server when it is back.")


class SpoolWiring:
    def __init__(self, window: Any) -> None:
        self.window = window
        self.spool = None if window.ctx.info.path is not None else window.ctx.spool
        self.dialog: ConflictsDialog | None = None
        self._running = False
        self._was_offline: bool | None = None
        if self.spool is None:
            return
        self.timer = QTimer(window)
        self.timer.setInterval(EVERY_MS)
        self.timer.timeout.connect(self.poke)
        self.timer.start()
        self.key = shortcut(window, "Ctrl+Shift+K", self.show_conflicts,
                            "Offline conflicts: changes the merge refused, to settle")
        self.poke()

    def poke(self) -> None:
        """Refresh (online) or try the server and merge (offline), once at a time."""
        if self._running or self.spool is None:
            return
        self._running = True
        spool = self.spool

        def work() -> tuple[Any, Any]:
            return spool.tick(), spool.status()

        self.window.runner.run(work, self._done, self._failed)

    def _failed(self, exc: BaseException) -> None:
        self._running = False
        self.window.show_banner(sentence("Team server", exc))

    def _done(self, result: tuple[Any, Any]) -> None:
        from imdesk.services.desk.merge import MergeReport

        self._running = False
        outcome, status = result
        if status.offline:
            self.window.banner.set_fixed(BANNER, banner_text(status, self.window.ctx.now()), STYLE)
        else:
            self.window.banner.set_fixed(BANNER, None)
        if isinstance(outcome, MergeReport) and outcome.anything:
            parts = [f"merged {outcome.entries} entr{'y' if outcome.entries == 1 else 'ies'} "
                     "written offline"]
            parts += [f"{old} is now {new}" for old, new in outcome.refs]
            if outcome.conflicts:
                parts.append(f"{len(outcome.conflicts)} conflict"
                             f"{'' if len(outcome.conflicts) == 1 else 's'} to settle (Ctrl+Shift+K)")
            self.window.show_banner("Back online: " + "; ".join(parts) + ".")
        changed = self._was_offline is not None and self._was_offline != status.offline
        self._was_offline = status.offline
        if changed or (isinstance(outcome, MergeReport) and outcome.anything):
            self.window.refresh_all()

    # -- conflicts -------------------------------------------------------------------------------
    def show_conflicts(self) -> None:
        if self.dialog is None:
            self.dialog = ConflictsDialog(self.window, self._settle)
        self._load()
        self.dialog.open()

    def _load(self) -> None:
        spool, dialog = self.spool, self.dialog
        if spool is None or dialog is None:
            return
        self.window.runner.run(spool.conflicts, dialog.show_conflicts, dialog.show_error)

    def _settle(self, conflict_id: int, apply: bool) -> None:
        spool, ctx = self.spool, self.window.ctx
        if spool is None or self.dialog is None:
            return

        def work() -> object:
            return spool.settle(conflict_id, apply, ctx.incidents, ctx.desk.user)

        def done(_result: object) -> None:
            self._load()
            self.window.refresh_all()

        self.window.runner.run(work, done, self.dialog.show_error)
