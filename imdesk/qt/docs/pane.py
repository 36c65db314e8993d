"""The Documents pane: runbooks and documents per service or team. A filter on top (focus on
open), the list on the left with stale marks, and on the right the document rendered from its
Markdown by Qt (links shown as links and opened by the system only when clicked: nothing is
fetched), who owns it and when it was last reviewed; the editor (every save a new version),
the versions with a diff between any two, *still right*, retire, and the review walk over the
stale ones. Everything that reads or writes the database runs in the task runner.

Signals: status_message(str); docs_changed() after this pane wrote something;
settings_changed() after the board's settings were saved."""

from __future__ import annotations

import logging
from typing import Any

from PySide6.QtCore import Qt, QUrl, Signal
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QCheckBox,
    QHBoxLayout,
    QLineEdit,
    QListView,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from imdesk.context import AppContext
from imdesk.domain.docs import DocSummary, Document
from imdesk.domain.timefmt import friendly
from imdesk.messages import sentence
from imdesk.qt.docs.editor import DocEditor
from imdesk.qt.docs.list_model import DocListModel
from imdesk.qt.tasks import TaskRunner
from imdesk.qt.widgets.keys import shortcut
from imdesk.qt.widgets.labels import heading_label, plain_label
from imdesk.qt.widgets.models import RowRole

log = logging.getLogger(__name__)
CONTEXT = Qt.ShortcutContext.WidgetWithChildrenShortcut


class DocsPane(QWidget):
    status_message = Signal(str)
    docs_changed = Signal()
    settings_changed = Signal()

    def __init__(self, ctx: AppContext, runner: TaskRunner, *, read_only: bool = False) -> None:
        super().__init__()
        self.ctx, self.runner, self.read_only = ctx, runner, read_only
        self.all_rows: list[DocSummary] = []
        self.document: Document | None = None
        self._want: int | None = None
        box = QVBoxLayout(self)
        box.setContentsMargins(8, 8, 8, 8)
        top = QHBoxLayout()
        self.filter = QLineEdit()
        self.filter.setPlaceholderText("Filter by title, service, team or owner…  (Ctrl+F)")
        self.filter.setClearButtonEnabled(True)
        self.stale_only = QCheckBox("Stale only")
        self.new_button = QPushButton("New document")
        self.walk_button = QPushButton("Review stale…")
        self.settings_button = QPushButton("Board and settings…")
        top.addWidget(self.filter, 1)
        for w in (self.stale_only, self.new_button, self.walk_button, self.settings_button):
            top.addWidget(w)
        box.addLayout(top)
        split = QSplitter()
        self.model = DocListModel(self)
        self.list = QListView()
        self.list.setModel(self.model)
        self.list.setUniformItemSizes(False)
        self.list.setAlternatingRowColors(True)
        self.list.setSpacing(3)
        split.addWidget(self.list)
        right = QWidget()
        rbox = QVBoxLayout(right)
        rbox.setContentsMargins(8, 0, 0, 0)
        self.title = heading_label()
        self.meta = plain_label(wrap=True)
        rbox.addWidget(self.title)
        rbox.addWidget(self.meta)
        actions = QHBoxLayout()
        self.edit_button = QPushButton("Edit")
        self.history_button = QPushButton("Versions && diff")
        self.right_button = QPushButton("Still right")
        self.retire_button = QPushButton("Retire…")
        for b in (self.edit_button, self.history_button, self.right_button, self.retire_button):
            actions.addWidget(b)
        actions.addStretch(1)
        rbox.addLayout(actions)
        self.stack = QStackedWidget()
        self.viewer = QTextBrowser()
        self.viewer.setOpenLinks(False)  # links open in the system's browser, only when clicked
        self.viewer.anchorClicked.connect(self._open_link)
        self.editor = DocEditor()
        self.stack.addWidget(self.viewer)
        self.stack.addWidget(self.editor)
        rbox.addWidget(self.stack, 1)
        split.addWidget(right)
        split.setStretchFactor(0, 1)
        split.setStretchFactor(1, 2)
        split.setSizes([320, 640])
        box.addWidget(split, 1)
        self._wire()
        self._show_nothing()

    def _wire(self) -> None:
        self.filter.textChanged.connect(lambda _t: self._apply_filter())
        self.filter.returnPressed.connect(self.list.setFocus)
        self.stale_only.toggled.connect(lambda _c: self._apply_filter())
        self.list.selectionModel().currentChanged.connect(lambda cur, _p: self._selected(cur))
        self.new_button.clicked.connect(self.new_document)
        self.walk_button.clicked.connect(self.review_walk)
        self.settings_button.clicked.connect(self.edit_settings)
        self.edit_button.clicked.connect(self.edit)
        self.history_button.clicked.connect(self.history)
        self.right_button.clicked.connect(self.still_right)
        self.retire_button.clicked.connect(self.retire)
        self.editor.save_requested.connect(self._save)
        self.editor.cancelled.connect(self._cancel_edit)
        for key, slot, what in (
                ("Ctrl+F", self.focus_filter, "Documents: filter by title, service, team or owner"),
                ("Ctrl+N", self.new_document, "Documents: a new document"),
                ("Ctrl+E", self.edit, "Documents: edit the document (saving makes a new version)"),
                ("Ctrl+H", self.history, "Documents: versions and the diff between two"),
                ("Alt+R", self.still_right, "Documents: still right (reviewed now, by you)"),
                ("Alt+T", self.stale_only.toggle, "Documents: only the stale ones, or all"),
                ("Alt+B", self.edit_settings, "Documents: the board's folder, the desk's contact block"),
                ("Alt+W", self.review_walk, "Documents: review the stale documents one by one"),
                ("Alt+L", self.list.setFocus, "Documents: to the list"),
                ("Alt+X", self.viewer.setFocus, "Documents: to the text (read and scroll)")):
            # Ctrl+N and Ctrl+E mean the document here (the window's new/edit incident elsewhere)
            shortcut(self, key, slot, what, context=CONTEXT, claim=key in ("Ctrl+N", "Ctrl+E"))
        for b in (self.new_button, self.edit_button, self.right_button, self.retire_button,
                  self.settings_button):
            b.setEnabled(not self.read_only)
        tips: tuple[tuple[QWidget, str], ...] = (
            (self.new_button, "Ctrl+N"), (self.walk_button, "Alt+W"), (self.edit_button, "Ctrl+E"),
            (self.history_button, "Ctrl+H"), (self.right_button, "Alt+R"),
            (self.settings_button, "Alt+B"), (self.stale_only, "Alt+T"))
        for widget, key in tips:
            widget.setToolTip(key)

    # -- loading ------------------------------------------------------------------------------
    def start(self) -> None:
        self.reload()

    def focus_default(self) -> None:
        if self.stack.currentWidget() is self.editor:
            self.editor.text.setFocus()
        elif self.model.rowCount():
            self.list.setFocus()
        else:
            self.filter.setFocus()

    def focus_filter(self) -> None:
        self.filter.setFocus()
        self.filter.selectAll()

    def reload(self, select: int | None = None) -> None:
        docs = self.ctx.docs
        if select is not None:
            self._want = select
        elif self.document is not None:
            self._want = self.document.summary.id
        self.runner.run(lambda: (docs.documents(), docs.now()), self._loaded, self._failed)

    def _loaded(self, result: tuple[list[DocSummary], Any]) -> None:
        self.all_rows, self.model.now = result
        self._apply_filter()

    def _apply_filter(self) -> None:
        words = self.filter.text().casefold().split()
        now = self.model.now
        rows = [d for d in self.all_rows
                if all(w in f"{d.title} {d.service} {d.team} {d.owner}".casefold() for w in words)
                and (not self.stale_only.isChecked() or (now is not None and d.stale(now)))]
        self.model.set_documents(rows, now)
        want = self._want
        at = next((i for i, d in enumerate(rows) if d.id == want), 0 if rows else -1)
        if at >= 0:
            self.list.setCurrentIndex(self.model.index(at))
            self._selected(self.model.index(at))
        else:
            self._show_nothing()

    def show_document(self, doc_id: int) -> None:
        self.filter.clear()
        self.stale_only.setChecked(False)
        self.reload(select=doc_id)
        self.list.setFocus()

    def show_service(self, name: str) -> None:
        """The documents of one service (from an incident, the war room, who to call)."""
        self._want = None
        self.stale_only.setChecked(False)
        self.filter.setText(name)
        if self.all_rows:
            self._apply_filter()
        found = sum(1 for d in self.model.rows if d.service.casefold() == name.casefold())
        self.status_message.emit(f"{found} document{'s' if found != 1 else ''} for {name}"
                                 if self.all_rows else f"Documents for {name}")
        self.list.setFocus()

    def _selected(self, index: Any) -> None:
        row: DocSummary | None = index.data(RowRole) if index.isValid() else None
        if row is None:
            return
        self._want = row.id
        docs = self.ctx.docs
        self.runner.run(lambda: docs.get(row.id), self._show, self._failed)

    def _show(self, doc: Document) -> None:
        if self._want is not None and doc.summary.id != self._want:
            return  # a later selection wins
        self.document = doc
        s, now = doc.summary, self.model.now or self.ctx.docs.now()
        self.title.setText(doc.current.title)
        stale = "⚠ STALE — review due " if s.stale(now) else "review due "
        self.meta.setText(
            f"{s.scope} · owner {s.owner or '—'} · version {s.version} saved "
            f"{friendly(doc.current.saved_at, now)} by {doc.current.author}\n"
            f"Last reviewed {friendly(s.last_reviewed_at, now)} by {s.reviewed_by or '—'} · "
            f"{stale}{friendly(s.due_at, now)} (every {s.review_days} days)")
        self.viewer.setMarkdown(doc.current.text)
        if self.stack.currentWidget() is not self.editor:
            self.stack.setCurrentWidget(self.viewer)
        for b in (self.edit_button, self.history_button, self.right_button, self.retire_button):
            b.setEnabled(not self.read_only or b is self.history_button)

    def _show_nothing(self) -> None:
        self.document = None
        self.title.setText("No document selected" if self.all_rows else "No documents yet")
        self.meta.setText("Ctrl+N writes a new one; `imdesk docs import DIR` reads a folder of "
                          "Markdown files." if not self.all_rows else "")
        self.viewer.clear()
        for b in (self.edit_button, self.history_button, self.right_button, self.retire_button):
            b.setEnabled(False)

    def _open_link(self, url: QUrl) -> None:
        if url.scheme() in ("http", "https", "mailto", "tel", "file"):
            QDesktopServices.openUrl(url)
        else:
            self.status_message.emit(f"Not opened: {url.toString()}")

    # -- writing ------------------------------------------------------------------------------
    def new_document(self) -> None:
        if self.read_only:
            return
        contacts, docs = self.ctx.contacts, self.ctx.docs
        current = self.document.summary if self.document else None
        default = (f"service:{current.service}" if current and current.service
                   else f"team:{current.team}" if current and current.team else "")

        def fetch() -> tuple[list[tuple[str, str]], int]:
            scopes = [(f"Service: {s}", f"service:{s}") for s in contacts.services()]
            scopes += [(f"Team: {t}", f"team:{t}") for t in contacts.teams()]
            return scopes, docs.settings.review_days()

        def ready(result: tuple[list[tuple[str, str]], int]) -> None:
            self.editor.start_new(result[0], default, result[1])
            self.stack.setCurrentWidget(self.editor)
            self.editor.title.setFocus()

        self.runner.run(fetch, ready, self._failed)

    def edit(self, doc: Document | None = None) -> None:
        doc = doc or self.document
        if doc is None or self.read_only:
            return
        self.editor.start_edit(doc)
        self.stack.setCurrentWidget(self.editor)
        self.editor.text.setFocus()

    def _save(self, values: dict[str, Any]) -> None:
        docs = self.ctx.docs

        def work() -> DocSummary:
            if values["doc_id"] is None:
                kind, _, name = str(values["scope"]).partition(":")
                return docs.add(name if kind == "service" else "", values["title"], values["text"],
                                owner=values["owner"], team=name if kind == "team" else "",
                                review_days=values["review_days"])
            docs.set_details(values["doc_id"], owner=values["owner"], review_days=values["review_days"])
            return docs.save(values["doc_id"], values["title"], values["text"])

        def saved(s: DocSummary) -> None:
            self.stack.setCurrentWidget(self.viewer)
            self.status_message.emit(f"Saved {s.title}: version {s.version}")
            self.docs_changed.emit()
            self.reload(select=s.id)
            self.list.setFocus()

        self.runner.run(work, saved, lambda exc: self.status_message.emit(sentence("Not saved", exc)))

    def _cancel_edit(self) -> None:
        self.stack.setCurrentWidget(self.viewer)
        self.list.setFocus()

    def still_right(self) -> None:
        if self.document is None or self.read_only:
            return
        doc_id, docs = self.document.summary.id, self.ctx.docs
        self._write(lambda: docs.reviewed(doc_id), "Reviewed: still right")

    def retire(self) -> None:
        if self.document is None or self.read_only:
            return
        from PySide6.QtWidgets import QMessageBox

        s = self.document.summary
        answer = QMessageBox.question(self, "Retire document",
                                      f"Retire “{s.title}”? It leaves lists, search and the "
                                      "emergency pack; its versions stay on record.")
        if answer == QMessageBox.StandardButton.Yes:
            docs = self.ctx.docs
            self._write(lambda: docs.retire(s.id), f"Retired {s.title}")

    def _write(self, work: Any, done_text: str) -> None:
        def done(_r: object) -> None:
            self.status_message.emit(done_text)
            self.docs_changed.emit()
            self.reload()

        self.runner.run(work, done, lambda exc: self.status_message.emit(sentence("Not saved", exc)))

    def history(self) -> None:
        if self.document is None:
            return
        from imdesk.qt.docs.history_dialog import HistoryDialog

        doc, docs = self.document, self.ctx.docs
        HistoryDialog.ask(doc, lambda a, b: docs.diff(doc.summary.id, a, b), docs.now(), self)

    def review_walk(self) -> None:
        if self.read_only:
            return
        from imdesk.qt.docs.review_dialog import ReviewWalk

        docs = self.ctx.docs

        def act(doc_id: int, verb: str) -> None:
            if verb == "still right":
                docs.reviewed(doc_id)
            else:
                docs.retire(doc_id)

        def ready(stale: list[DocSummary]) -> None:
            if not stale:
                self.status_message.emit("No document is due for review")
                return
            walk = ReviewWalk.ask([d.id for d in stale], docs.get, act, docs.now(), self)
            self.status_message.emit(walk.summary())
            self.docs_changed.emit()
            self.reload(select=walk.edit_id)
            if walk.edit_id is not None:
                self.runner.run(lambda: docs.get(walk.edit_id or 0), self.edit, self._failed)

        self.runner.run(docs.stale, ready, self._failed)

    def edit_settings(self) -> None:
        """The board's folder, the desk's contact block, the default review interval."""
        from imdesk.qt.docs.settings_dialog import BoardSettings, DocSettingsDialog

        settings = self.ctx.docs.settings

        def read() -> BoardSettings:
            c = settings.desk_contact()
            return BoardSettings(settings.board_folder(), c.phone, c.mail, c.hours, settings.review_days())

        def ask(current: BoardSettings) -> None:
            chosen = DocSettingsDialog.ask(current, self)
            if chosen is not None:
                self.runner.run(lambda: save(chosen), lambda _r: saved(),
                                lambda exc: self.status_message.emit(sentence("Not saved", exc)))

        def save(v: BoardSettings) -> None:
            from imdesk.services.docs.settings import DeskContact

            settings.set_board_folder(v.folder)
            settings.set_desk_contact(DeskContact(v.phone, v.mail, v.hours))
            settings.set_review_days(v.review_days)

        def saved() -> None:
            self.status_message.emit("Board settings saved; the board is written again")
            self.settings_changed.emit()

        self.runner.run(read, ask, self._failed)

    def _failed(self, exc: BaseException) -> None:
        log.error("documents task failed", exc_info=exc)
        self.status_message.emit(sentence("Documents could not be read", exc))
