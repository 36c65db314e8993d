"""Ctrl+K: search every timeline and the documents; Enter jumps to the entry (its room, or the
incident) or opens the document in the Documents pane."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QModelIndex, Qt, QTimer, Signal
from PySide6.QtWidgets import QAbstractItemView, QDialog, QLabel, QLineEdit, QListView, QVBoxLayout, QWidget

from imdesk.domain.timefmt import exact, friendly
from imdesk.domain.timeline import SearchHit
from imdesk.messages import sentence
from imdesk.qt.tasks import TaskRunner
from imdesk.qt.widgets.models import RowRole, RowsListModel
from imdesk.services.timeline import SearchResult, TimelineService

HitRole = RowRole


class HitListModel(RowsListModel):
    """Timeline hits, newest query's only; `now` makes the times read "today 10:42"."""

    def __init__(self) -> None:
        super().__init__()
        self.now: Any = None

    def set_hits(self, hits: list[SearchHit], now: Any) -> None:
        self.now = now
        self.set_rows(hits)

    def cell(self, hit: Any, column: int, role: int) -> Any:
        if hasattr(hit, "document_id"):  # a document (DocHit): listed before the timeline's hits
            if role == Qt.ItemDataRole.DisplayRole:
                return f"▤ document · {hit.service or '—'} · {hit.title}\n{hit.snippet}"
            return "Opens the document in the Documents pane" if role == Qt.ItemDataRole.ToolTipRole else None
        if role == Qt.ItemDataRole.DisplayRole:
            when = friendly(hit.occurred_at or hit.recorded_at, self.now)
            mark = " · [EXERCISE]" if hit.exercise else ""
            return (f"{hit.ref}{mark} #{hit.seq} · {when} · {hit.kind} · {hit.author}\n"
                    f"{hit.snippet}")
        if role == Qt.ItemDataRole.ToolTipRole:
            return f"{hit.text}\nrecorded {exact(hit.recorded_at)}"
        return None


class SearchDialog(QDialog):
    """Signals: chosen(SearchHit) when the user opens a timeline hit (Enter or double-click);
    document_chosen(int) when it is a document."""

    chosen = Signal(object)
    document_chosen = Signal(int)

    def __init__(self, parent: QWidget | None, service: TimelineService, runner: TaskRunner,
                 now: Any, documents: Callable[[str], list[Any]] | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Search every timeline")
        self.resize(760, 520)
        self._service, self._runner, self._now = service, runner, now
        self._documents = documents
        self._generation = 0
        layout = QVBoxLayout(self)
        self.query = QLineEdit()
        self.query.setPlaceholderText("words or beginnings of words — e.g. failover dc1")
        self.query.setClearButtonEnabled(True)
        layout.addWidget(self.query)
        self.summary = QLabel()
        self.summary.setTextFormat(Qt.TextFormat.PlainText)
        layout.addWidget(self.summary)
        self.model = HitListModel()
        self.results = QListView()
        self.results.setModel(self.model)
        self.results.setWordWrap(True)
        self.results.setAlternatingRowColors(True)
        self.results.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        layout.addWidget(self.results, 1)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(150)
        self._timer.timeout.connect(self.run_search)
        self.query.textChanged.connect(lambda _t: self._timer.start())
        self.query.returnPressed.connect(self._open_first_or_current)
        self.results.activated.connect(self._open)

    def run_search(self) -> None:
        self._timer.stop()
        text = self.query.text()
        self._generation += 1
        gen = self._generation

        def done(found: tuple[SearchResult, list[Any]]) -> None:
            result, docs = found
            if gen == self._generation:
                self.model.set_hits([*docs, *result.hits], self._now)
                shown = len(result.hits)
                self.summary.setText("" if not text.strip() else
                                     (f"{len(docs)} documents · " if docs else "") +
                                     f"{shown} of {result.total_text} timeline hits" +
                                     (" — the newest first (a common word)" if result.more else ""))
                if self.model.rows:
                    self.results.setCurrentIndex(self.model.index(0))

        from imdesk.services.search_everywhere import search_everywhere

        service, documents = self._service, self._documents
        self._runner.run(lambda: search_everywhere(service, documents, text, 50), done,
                         lambda exc: self.summary.setText(sentence("Search failed", exc)))

    def _open_first_or_current(self) -> None:
        self._timer.stop()
        if not self.model.rows:
            self.run_search()
            return
        index = self.results.currentIndex()
        self._open(index if index.isValid() else self.model.index(0))

    def _open(self, index: QModelIndex) -> None:
        hit = index.data(HitRole)
        if hit is not None:
            if hasattr(hit, "document_id"):
                self.document_chosen.emit(hit.document_id)
            else:
                self.chosen.emit(hit)
            self.accept()
