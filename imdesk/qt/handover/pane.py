"""The Handover pane (Alt+6): the shift's handover compiled from the record — counts at the
top, the open incidents to rate (S stable, W watch, U unstable), every other section below
(each says "none" when empty, incident refs are links), the if-then lines and notes, then sign
and take over. The history of past handovers is on the left; the previous one is Alt+P.

Compiling runs in a worker (the task runner); the pane never waits on the database.
Signals: status_message(text), open_incident(ref, major), open_count(handovers signed but not
taken over), shown(HandoverView)."""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

from PySide6.QtCore import QModelIndex, Qt, QUrl, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QListView,
    QMenu,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QTableView,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from imdesk.domain.handover import HandoverState, Rating
from imdesk.domain.report_doc import body_html, style_sheet
from imdesk.domain.shift import ShiftWindow
from imdesk.domain.timefmt import readable
from imdesk.messages import sentence
from imdesk.qt.handover.dialogs import SignDialog, TakeOverDialog
from imdesk.qt.handover.exports import write_export
from imdesk.qt.handover.models import HistoryModel, OpenModel
from imdesk.qt.tasks import TaskRunner
from imdesk.qt.widgets.keys import shortcut
from imdesk.services.handover.document import counts_line, handover_doc, state_line
from imdesk.services.handover.service import HandoverService, HandoverView

_REF = re.compile(r"\bINC-\d+\b")
PANE = Qt.ShortcutContext.WidgetWithChildrenShortcut


def linked(html_text: str) -> str:
    """Incident refs in the report as links into their detail or room."""
    return _REF.sub(lambda m: f'<a href="incident:{m.group(0)}">{m.group(0)}</a>', html_text)


class HandoverPane(QWidget):
    status_message = Signal(str)
    open_incident = Signal(str, bool)
    open_count = Signal(int)
    shown = Signal(object)

    def __init__(self, service: HandoverService, runner: TaskRunner, *, read_only: bool = False,
                 author: str = "", desk: str = "") -> None:
        super().__init__()
        self.svc, self.runner = service, runner
        self.read_only, self.author, self.desk = read_only, author, desk
        self.view: HandoverView | None = None
        self.window_shown: ShiftWindow | None = None
        self._build()
        self._keys()

    # -- building ------------------------------------------------------------------------------
    def _build(self) -> None:
        outer = QVBoxLayout(self)
        outer.setContentsMargins(12, 10, 12, 10)
        self.title = QLabel("Shift handover")
        self.title.setStyleSheet("font-size: 16pt; font-weight: 600;")
        self.state_label = QLabel()
        self.state_label.setStyleSheet("font-weight: 600;")
        head = QHBoxLayout()
        head.addWidget(self.title, 1)
        head.addWidget(self.state_label)
        outer.addLayout(head)
        self.counts = QLabel()
        self.counts.setWordWrap(True)
        outer.addWidget(self.counts)
        split = QSplitter(Qt.Orientation.Horizontal)
        outer.addWidget(split, 1)

        left = QWidget()
        lbox = QVBoxLayout(left)
        lbox.setContentsMargins(0, 0, 6, 0)
        lbox.addWidget(QLabel("History (Alt+L · Alt+P the previous · Alt+N this shift)"))
        self.history_model = HistoryModel(self.svc.now)
        self.history = QListView()
        self.history.setModel(self.history_model)
        self.history.setAlternatingRowColors(True)
        self.history.setSpacing(2)
        self.history.activated.connect(self._history_chosen)
        lbox.addWidget(self.history, 1)
        split.addWidget(left)

        right = QWidget()
        rbox = QVBoxLayout(right)
        rbox.setContentsMargins(6, 0, 0, 0)
        rbox.addWidget(QLabel("Open incidents (Alt+O) — S stable · W watch · U unstable · "
                              "Del clears · Enter opens"))
        self.open_model = OpenModel()
        self.open_view = QTableView()
        self.open_view.setModel(self.open_model)
        self.open_view.setTabKeyNavigation(False)
        self.open_view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.open_view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.open_view.verticalHeader().hide()
        header = self.open_view.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self.open_view.activated.connect(lambda ix: self._open_ref(self.open_model.ref_at(ix.row())))
        rbox.addWidget(self.open_view, 2)
        self.report = QTextBrowser()
        self.report.setOpenLinks(False)
        self.report.anchorClicked.connect(self._link)
        rbox.addWidget(self.report, 3)
        draft = QHBoxLayout()
        self.if_then = QPlainTextEdit()
        self.if_then.setTabChangesFocus(True)
        self.if_then.setPlaceholderText("If this, then that — one per line (Alt+T)\n"
                                        "e.g. if the mail queue grows again, then call the vendor")
        self.notes = QPlainTextEdit()
        self.notes.setTabChangesFocus(True)
        self.notes.setPlaceholderText("Notes for the next shift (Alt+W)")
        for edit in (self.if_then, self.notes):
            edit.setFixedHeight(74)
            draft.addWidget(edit)
        rbox.addLayout(draft)
        buttons = QHBoxLayout()
        self.save_button = QPushButton("Save draft (Ctrl+S)")
        self.sign_button = QPushButton("Sign… (Alt+S)")
        self.take_button = QPushButton("Take over… (Alt+A)")
        self.export_button = QPushButton("Export… (Alt+X)")
        self.print_button = QPushButton("Print… (Ctrl+P)")
        self.save_button.clicked.connect(self.save_draft)
        self.sign_button.clicked.connect(self.sign)
        self.take_button.clicked.connect(self.take_over)
        self.export_button.clicked.connect(self.export_menu)
        self.print_button.clicked.connect(self.print_it)
        buttons.addStretch(1)
        for b in (self.save_button, self.sign_button, self.take_button, self.export_button,
                  self.print_button):
            b.setFocusPolicy(Qt.FocusPolicy.TabFocus)
            buttons.addWidget(b)
        rbox.addLayout(buttons)
        split.addWidget(right)
        split.setStretchFactor(0, 1)
        split.setStretchFactor(1, 4)
        split.setSizes([260, 1000])

    def _keys(self) -> None:
        keys: list[tuple[str, Callable[[], object], str]] = [
            ("Alt+L", self.history.setFocus, "Handover: the history of past handovers"),
            ("Alt+P", self.show_previous, "Handover: the previous shift's handover"),
            ("Alt+N", self.show_current, "Handover: this shift's handover"),
            ("Alt+O", self.open_view.setFocus, "Handover: the open incidents (S/W/U rate them)"),
            ("Alt+R", self.report.setFocus, "Handover: the compiled report (Tab to a link, Enter)"),
            ("Alt+T", self.if_then.setFocus, "Handover: the if-then lines"),
            ("Alt+W", self.notes.setFocus, "Handover: the notes"),
            ("Ctrl+S", self.save_draft, "Handover: save the draft"),
            ("Alt+S", self.sign, "Handover: sign as the outgoing manager"),
            ("Alt+A", self.take_over, "Handover: take over as the incoming manager"),
            ("Alt+X", self.export_menu, "Handover: export as PDF, Markdown or HTML"),
            ("Ctrl+P", self.print_it, "Handover: print"),
        ]
        for key, slot, what in keys:
            shortcut(self, key, slot, what, context=PANE)
        table = Qt.ShortcutContext.WidgetShortcut
        for key, rating in (("S", Rating.STABLE), ("W", Rating.WATCH), ("U", Rating.UNSTABLE),
                            ("Del", None)):
            shortcut(self.open_view, key, partial(self.rate, rating),
                     f"Handover: rate the incident {rating.value if rating else 'clear'}",
                     context=table)

    def focus_default(self) -> None:
        self.open_view.setFocus()

    # -- loading -------------------------------------------------------------------------------
    def start(self) -> None:
        self.show_current()

    def show_current(self) -> None:
        self._load(lambda: self.svc.show(self.svc.window()))

    def show_previous(self) -> None:
        shown = self.window_shown
        if shown is None:
            return
        self._load(lambda: self.svc.show(self.svc.previous(shown)))

    def show_window(self, window: ShiftWindow) -> None:
        self._load(lambda: self.svc.show(window))

    def reload(self) -> None:
        if self.window_shown is not None:
            self.show_window(self.window_shown)

    def _load(self, work: Callable[[], HandoverView]) -> None:
        self.counts.setText("Compiling…")
        self.runner.run(work, self._shown, self._failed)
        self.runner.run(self.svc.history, self._history, self._failed)

    def _failed(self, exc: BaseException) -> None:
        self.counts.setText(sentence("Not compiled", exc))
        self.status_message.emit(sentence("Handover", exc))

    def _history(self, items: list[Any]) -> None:
        self.history_model.set_rows(items)
        self.open_count.emit(sum(1 for h in items if h.state == HandoverState.SIGNED))

    def _shown(self, view: HandoverView) -> None:
        self.view, self.window_shown = view, view.window
        w = view.window
        self.title.setText(f"Shift handover · {readable(w.start)} → {w.end.astimezone():%H:%M}")
        self.state_label.setText(state_line(view))
        colour = {"draft": "palette(text)", "signed": "#d32f2f", "taken": "#2e7d32"}[view.state]
        self.state_label.setStyleSheet(f"font-weight: 600; color: {colour};")
        self.counts.setText(counts_line(view.content))
        current = self.open_view.currentIndex().row()
        self.open_model.set_rows(list(view.content.get("open", [])))
        if self.open_model.rowCount():
            self.open_view.selectRow(max(0, min(current, self.open_model.rowCount() - 1)))
        doc = handover_doc(view, self.desk, skip=("open",), header=False)
        body = re.sub(r'^<h1>.*?</h1>\n(<p class="sub">.*?</p>\n)?', "", body_html(doc))
        self.report.document().setDefaultStyleSheet(style_sheet() + self._pane_css())
        self.report.setHtml(linked(body))
        draft = view.state == HandoverState.DRAFT and not self.read_only
        self.if_then.setPlainText("\n".join(view.content.get("if_then", [])))
        self.notes.setPlainText(str(view.content.get("notes", "")))
        for edit in (self.if_then, self.notes):
            edit.setReadOnly(not draft)
        self.save_button.setEnabled(draft)
        self.sign_button.setEnabled(draft)
        self.take_button.setEnabled(view.state == HandoverState.SIGNED and not self.read_only)
        self.shown.emit(view)

    def _pane_css(self) -> str:
        """On screen: smaller headings, and the table heads in the theme's colours (dark too)."""
        pal = self.palette()
        return (f" h2 {{ font-size: 13pt; margin-top: 10px; }} h3 {{ font-size: 11pt; }}"
                f" th {{ background: {pal.alternateBase().color().name()};"
                f" color: {pal.text().color().name()}; }}"
                f" td {{ border-color: {pal.mid().color().name()}; }}"
                f" body, td.k {{ color: {pal.text().color().name()}; }}")

    # -- the draft -----------------------------------------------------------------------------
    def _is_draft(self) -> bool:
        if self.view is None or self.window_shown is None:
            return False
        if self.view.state != HandoverState.DRAFT:
            self.status_message.emit("This handover is signed: only a draft changes.")
            return False
        return not self.read_only

    def rate(self, rating: Rating | None) -> None:
        row = self.open_view.currentIndex().row()
        ref = self.open_model.ref_at(row)
        if ref is None or not self._is_draft():
            return
        window = self.window_shown
        assert window is not None
        self.open_model.rows[row] = dict(self.open_model.rows[row],
                                         rating=rating.value if rating else None)
        self.open_model.dataChanged.emit(self.open_model.index(row, 0),
                                         self.open_model.index(row, len(OpenModel.HEADERS) - 1))
        if row + 1 < self.open_model.rowCount():
            self.open_view.selectRow(row + 1)  # rate the list from top to bottom
        self.runner.run(lambda: self.svc.rate(window, ref, rating.value if rating else ""),
                        lambda _d: self.status_message.emit(
                            f"{ref} rated {rating.value if rating else '(cleared)'}"),
                        self._failed)

    def _draft_parts(self) -> tuple[list[str], str]:
        return self.if_then.toPlainText().splitlines(), self.notes.toPlainText()

    def save_draft(self) -> None:
        if not self._is_draft():
            return
        window = self.window_shown
        assert window is not None
        lines, notes = self._draft_parts()
        self.runner.run(lambda: self.svc.save_draft(window, if_then=lines, notes=notes),
                        lambda _d: self.status_message.emit("Handover draft saved."), self._failed)

    def sign(self) -> None:
        if not self._is_draft():
            return
        window = self.window_shown
        assert window is not None
        name = SignDialog.ask(self, f"{readable(window.start)} → {readable(window.end)}",
                              self.author)
        if name is None:
            return
        lines, notes = self._draft_parts()
        self.runner.run(lambda: self.svc.sign(window, name, notes=notes, if_then=lines),
                        self._signed, self._failed)

    def _signed(self, view: HandoverView) -> None:
        self._shown(view)
        self.runner.run(self.svc.history, self._history, self._failed)
        self.status_message.emit(f"Handover signed by {view.signed.name if view.signed else ''}; "
                                 "waiting for the incoming manager.")

    def take_over(self) -> None:
        view = self.view
        if view is None or view.state != HandoverState.SIGNED or self.read_only:
            self.status_message.emit("Only a signed handover can be taken over.")
            return
        answer = TakeOverDialog.ask(self, view.signed.name if view.signed else "", self.author)
        if answer is None:
            return
        name, synthesis = answer
        self.runner.run(lambda: self.svc.take(name, synthesis, handover_id=view.id),
                        self._signed_in, self._failed)

    def _signed_in(self, view: HandoverView) -> None:
        self._shown(view)
        self.runner.run(self.svc.history, self._history, self._failed)
        self.status_message.emit(f"Handover taken over by {view.taken.name if view.taken else ''}.")

    # -- links, exports ------------------------------------------------------------------------
    def _history_chosen(self, index: QModelIndex) -> None:
        row = self.history_model.row_at(index)
        if row is not None:
            self.show_window(row.window)
            self.open_view.setFocus()

    def _majors(self) -> set[str]:
        return {m["ref"] for m in (self.view.content.get("majors", []) if self.view else [])}

    def _open_ref(self, ref: str | None) -> None:
        if ref:
            self.open_incident.emit(ref, ref in self._majors())

    def _link(self, url: QUrl) -> None:
        text = url.toString()
        if text.startswith("incident:"):
            self._open_ref(text.split(":", 1)[1])

    def export_menu(self) -> None:
        if self.view is None:
            return
        menu = QMenu(self)
        for label, fmt, page in (("PDF (A4)…", "pdf", "A4"), ("PDF (Letter)…", "pdf", "Letter"),
                                 ("Markdown…", "md", ""), ("HTML…", "html", "")):
            menu.addAction(label, partial(self.export, fmt, page))
        menu.addAction("Print…", self.print_it)
        menu.popup(self.export_button.mapToGlobal(self.export_button.rect().bottomLeft()))
        menu.setActiveAction(menu.actions()[0])

    def ask_path(self, suffix: str) -> str:
        """Where to write the export (a test patches this one call)."""
        start = f"handover-{self.window_shown.start:%Y%m%d-%H%M}{suffix}" if self.window_shown else ""
        path, _ = QFileDialog.getSaveFileName(self, "Export the handover", start,
                                              f"*{suffix}")
        return path

    def export(self, fmt: str, page: str = "A4") -> None:
        view = self.view
        if view is None:
            return
        suffix = {"pdf": ".pdf", "md": ".md", "html": ".html"}[fmt]
        target = self.ask_path(suffix)
        if not target:
            return
        path = Path(target if target.lower().endswith(suffix) else target + suffix)
        doc = handover_doc(view, self.desk)

        def write() -> Path:
            return write_export(doc, path, fmt, page)

        self.runner.run(write, lambda p: self.status_message.emit(f"Handover written to {p}"),
                        lambda exc: self.status_message.emit(sentence("Not written", exc)))

    def print_it(self) -> None:
        if self.view is None:
            return
        from imdesk.qt.widgets.report_pdf import print_report

        print_report(handover_doc(self.view, self.desk), self)
