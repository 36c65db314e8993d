"""Reading the selected incident's detail for the Incidents pane, off the GUI thread.

The newest request wins (an older answer arriving late is dropped); the first one, while the
database is not open yet, waits for the list's first paint. An answer that arrives while the
list is reading a new query (the user typing on in the filter, sorting again) is shown once the
list has its rows (list_loaded): showing it — the timeline laid out, the pane relaid — would
otherwise delay the list the user is waiting for, and mostly the new list moves on to another
incident anyway."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QTimer

from imdesk.messages import sentence
from imdesk.qt.tasks import TaskRunner

if TYPE_CHECKING:
    from imdesk.context import AppContext
    from imdesk.services.incidents import IncidentDetail as Detail

DETAIL_ENTRIES = 200  # the detail shows the newest lines; the war room pages through all
DETAIL_AFTER_PAINT_MS = 200  # the first detail, when the database is not open yet: after the first paint


class DetailLoader(QObject):
    def __init__(self, ctx: AppContext, runner: TaskRunner, *, current: Callable[[], str | None],
                 show: Callable[[Detail], None], failed: Callable[[str], None],
                 list_loading: Callable[[], bool], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._ctx = ctx
        self._runner = runner
        self._current = current  # the ref of the list's current row
        self._show = show
        self._failed = failed  # a message for the status bar
        self._list_loading = list_loading
        self._gen = 0
        self._deferred = False
        self._parked: tuple[int, Detail] | None = None  # arrived while the list was loading

    def load(self, ref: str) -> None:
        """Read `ref`'s detail now (in a worker) and show it, unless a newer request came."""
        ctx = self._ctx
        if not ctx.opened and not self._deferred:  # opening it now (SQLAlchemy's import in a
            self._deferred = True  # worker) would hold the GIL over the first paint
            QTimer.singleShot(DETAIL_AFTER_PAINT_MS, self, lambda: self._load_if_current(ref))
            return
        self._gen += 1
        gen = self._gen

        def done(detail: Detail) -> None:
            if gen != self._gen:
                return
            if self._list_loading():
                self._parked = (gen, detail)
            else:
                self._show(detail)

        self._runner.run(lambda: ctx.incidents.detail(ref, last=DETAIL_ENTRIES), done,
                         lambda exc: self._failed(sentence(f"Could not load {ref}", exc)))

    def list_loaded(self) -> None:
        """The list has its new rows: show a detail that waited for them, if still wanted."""
        parked, self._parked = self._parked, None
        if (parked is not None and parked[0] == self._gen
                and parked[1].incident.ref == self._current()):
            self._show(parked[1])

    def _load_if_current(self, ref: str) -> None:
        if self._current() == ref:  # not if the user has moved on meanwhile
            self.load(ref)
