"""The documents' review walk, like the contacts' verification drill: one stale document at a
time, read it and say *still right* (reviewed now, by you), *edit* (the walk stops and the
editor opens on it) or *retire* (out of lists, search and the pack; its versions stay).
Keys: Alt+S still right, Alt+E edit, Alt+R retire, Alt+N skip, Esc stop."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QPushButton,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from imdesk.domain.docs import Document
from imdesk.domain.timefmt import friendly
from imdesk.qt.widgets.labels import heading_label, plain_label


class ReviewWalk(QDialog):
    """Walks DOC_IDS; `load(id)` reads a document, `act(id, verb)` does still-right/retire."""

    def __init__(self, doc_ids: list[int], load: Callable[[int], Document],
                 act: Callable[[int, str], None], now: object, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Review documents")
        self.resize(760, 560)
        self._ids, self._load, self._act, self._now = list(doc_ids), load, act, now
        self._at = 0
        self.done_count = {"still right": 0, "retired": 0, "skipped": 0}
        self.edit_id: int | None = None
        box = QVBoxLayout(self)
        self.progress = plain_label(selectable=False)
        self.title = heading_label()
        self.meta = plain_label(wrap=True)
        self.view = QTextBrowser()
        self.view.setOpenLinks(False)
        for w in (self.progress, self.title, self.meta):
            box.addWidget(w)
        box.addWidget(self.view, 1)
        row = QHBoxLayout()
        self.right = QPushButton("&Still right")
        self.edit = QPushButton("&Edit")
        self.retire = QPushButton("&Retire")
        self.skip = QPushButton("&Next (skip)")
        for b in (self.right, self.edit, self.retire, self.skip):
            b.setAutoDefault(False)
            row.addWidget(b)
        box.addLayout(row)
        self.right.clicked.connect(lambda: self._do("still right"))
        self.retire.clicked.connect(lambda: self._do("retired"))
        self.skip.clicked.connect(lambda: self._next("skipped"))
        self.edit.clicked.connect(self._edit)
        self._show()

    def _current(self) -> int | None:
        return self._ids[self._at] if self._at < len(self._ids) else None

    def _show(self) -> None:
        doc_id = self._current()
        if doc_id is None:
            self.accept()
            return
        doc = self._load(doc_id)
        s = doc.summary
        self.progress.setText(f"Document {self._at + 1} of {len(self._ids)}")
        self.title.setText(s.title)
        self.meta.setText(f"{s.scope} · owner {s.owner or '—'} · last reviewed "
                          f"{friendly(s.last_reviewed_at, self._now)} by {s.reviewed_by or '—'} · "  # type: ignore[arg-type]
                          f"review every {s.review_days} days")
        self.view.setMarkdown(doc.current.text)
        self.right.setFocus()

    def _do(self, verb: str) -> None:
        doc_id = self._current()
        if doc_id is not None:
            self._act(doc_id, verb)
            self._next(verb)

    def _next(self, verb: str) -> None:
        self.done_count[verb] += 1
        self._at += 1
        self._show()

    def _edit(self) -> None:
        self.edit_id = self._current()
        self.accept()

    def summary(self) -> str:
        d = self.done_count
        return f"Review: {d['still right']} still right, {d['retired']} retired, {d['skipped']} skipped"

    @classmethod
    def ask(cls, doc_ids: list[int], load: Callable[[int], Document], act: Callable[[int, str], None],
            now: object, parent: QWidget | None) -> ReviewWalk:
        walk = cls(doc_ids, load, act, now, parent)
        if walk._current() is not None:
            walk.exec()
        return walk
