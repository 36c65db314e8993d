"""Reading the selected incident's detail for the Incidents pane, off the GUI thread.

The newest request wins (an older answer arriving late is dropped); the first one, while the
database is not open yet, waits for the list's first paint. An answer that arrives while the
list is reading a new query (the user typing on in the filter, sorting again) is shown once the
list has its rows (list_loaded): showing it — the timeline laid out, the pane relaid — would
otherwise delay the list the user is waiting for, and mostly the new list moves on to another
incident anyway.

A read that the list's new rows ask for (their first row becomes the current one) starts only
once the list has painted them: read in a worker during that paint, it would take the
interpreter from the painting GUI thread (about 2 ms of Python, several of waiting). If a newer
query is being read by then — the user typed on — it is not read at all: the rows of that query
decide which incident the detail shows."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QWidget

from imdesk.messages import sentence
from imdesk.qt.tasks import TaskRunner

if TYPE_CHECKING:
    from imdesk.context import AppContext
    from imdesk.services.incidents import IncidentDetail as Detail

DETAIL_ENTRIES = 200  # the detail shows the newest lines; the war room pages through all
DETAIL_AFTER_PAINT_MS = 200  # the first detail, when the database is not open yet: after the first paint
LIST_PAINT_WAIT_MS = 100  # a read held for the list's paint starts anyway when no paint comes
_PAINT = QEvent.Type.Paint


class DetailLoader(QObject):
    def __init__(self, ctx: AppContext, runner: TaskRunner, *, current: Callable[[], str | None],
                 show: Callable[[Detail], None], failed: Callable[[str], None],
                 list_loading: Callable[[], bool], painted: QWidget | None = None,
                 parent: QObject | None = None) -> None:
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
        # the list's viewport: reads its new rows ask for wait for its paint (None: never wait)
        self._painted = painted
        self._holding = False  # the list is taking its new rows
        self._held: str | None = None  # the read they asked for
        self._wait_paint = False
        self._no_paint = QTimer(self)
        self._no_paint.setSingleShot(True)
        self._no_paint.setInterval(LIST_PAINT_WAIT_MS)
        self._no_paint.timeout.connect(self._release)
        if painted is not None:
            painted.installEventFilter(self)

    def hold(self) -> None:
        """The list is taking a new query's rows: a read asked for now waits for their paint."""
        self._holding = self._painted is not None

    def load(self, ref: str) -> None:
        """Read `ref`'s detail now (in a worker) and show it, unless a newer request came."""
        ctx = self._ctx
        if self._holding:
            self._gen += 1  # the newest request wins: an answer still on its way is dropped
            self._held = ref
            return
        if not ctx.opened and not self._deferred:  # opening it now (SQLAlchemy's import in a
            self._deferred = True  # worker) would hold the GIL over the first paint
            QTimer.singleShot(DETAIL_AFTER_PAINT_MS, self, lambda: self._load_if_current(ref))
            return
        self._held = None  # (a read held for the list's paint is not wanted now)
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
        self._holding = False
        if self._held is not None:  # read once the rows are on screen
            self._wait_paint = True
            self._no_paint.start()
        parked, self._parked = self._parked, None
        if (parked is not None and parked[0] == self._gen
                and parked[1].incident.ref == self._current()):
            self._show(parked[1])

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if self._wait_paint and event.type() == _PAINT:
            self._wait_paint = False
            QTimer.singleShot(0, self, self._release)  # once this paint is done
        return False

    def _release(self) -> None:
        """The list has painted its rows: read the detail they asked for — unless a newer query
        is being read (its rows will ask again) or the user has moved on."""
        self._no_paint.stop()
        self._wait_paint = False
        ref = self._held
        if ref is None or self._list_loading():
            return  # (list_loaded releases it again once the newer rows are in)
        self._held = None
        self._load_if_current(ref)

    def _load_if_current(self, ref: str) -> None:
        if self._current() == ref:  # not if the user has moved on meanwhile
            self.load(ref)
