"""File → Import contacts… and Export contacts…: the import preview before anything is written.

The dialog reads the file off the GUI thread and shows what the import will do: every record of
the file as a row — added, or for a duplicate of a contact in the book (same email or phone)
merged or skipped, a choice per row (Space toggles, Alt+M merges all, Alt+S skips all) — and the
values that did not validate, which are imported as written and flagged for review. Import writes
in one transaction, also off the GUI thread. A file that cannot be read whole is refused with the
record, line and reason; nothing is written.

Signals: ``imported(ImportOutcome)`` once the contacts are written. The File menu entries that open
it live in contact_transfer_menu (loaded at start-up; this module only when used).
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from PySide6.QtCore import QEvent, QObject, QStringListModel, Qt, Signal
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QListView,
    QProgressBar,
    QPushButton,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from imdesk.context import AppContext
from imdesk.domain.errors import NotFoundError, ValidationError
from imdesk.errors import KnownError
from imdesk.messages import sentence
from imdesk.qt import theme
from imdesk.qt.contacts.import_plan_model import Col, ImportPlanModel, Show
from imdesk.qt.tasks import TaskRunner
from imdesk.services.contacts.import_types import ImportRefused

log = logging.getLogger(__name__)

# What the Encoding box offers beside "as found": (shown, the codec name the reader takes).
ENCODINGS = (("UTF-8", "utf-8"), ("windows-1252", "cp1252"), ("ISO-8859-1", "latin-1"),
             ("Shift_JIS", "cp932"), ("EUC-JP", "euc_jp"), ("GB18030", "gb18030"), ("Big5", "big5hkscs"),
             ("windows-1251", "cp1251"), ("KOI8-R", "koi8_r"), ("windows-1250", "cp1250"),
             ("ISO-8859-15", "iso8859_15"), ("EUC-KR", "euc_kr"))


class ContactImportDialog(QDialog):
    """The preview of one file's import; accepts once the import is written."""

    imported = Signal(object)

    def __init__(self, parent: QWidget | None, ctx: AppContext, runner: TaskRunner, path: Path) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.runner = runner
        self.path = path
        self.outcome: Any = None
        self.writing = False      # while the import is written the dialog cannot be closed
        self.closed = False       # a read finishing after the dialog closed is dropped
        self.encoding: str | None = None   # the user's choice of encoding; None = as found
        self.setWindowTitle(f"Import contacts — {path.name}")
        self.resize(1060, 640)
        layout = self._box = QVBoxLayout(self)
        layout.setSpacing(8)
        self.heading = QLabel(f"Reading {path.name}…")
        self.heading.setTextFormat(Qt.TextFormat.PlainText)
        font = self.heading.font()
        font.setBold(True)
        self.heading.setFont(font)
        layout.addWidget(self.heading)
        self.summary = QLabel("A large file takes a few seconds; nothing is written until you choose Import.")
        self.summary.setTextFormat(Qt.TextFormat.PlainText)
        self.summary.setWordWrap(True)
        layout.addWidget(self.summary)
        self.busy = QProgressBar()
        self.busy.setRange(0, 0)
        self.busy.setTextVisible(False)
        self.busy.setMaximumHeight(6)
        layout.addWidget(self.busy)
        self.error = QLabel()
        self.error.setTextFormat(Qt.TextFormat.PlainText)
        self.error.setWordWrap(True)
        self.error.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.error.setStyleSheet(f"color: {'#ff6b6b' if theme.is_dark() else '#c62828'}; font-weight: bold;")
        self.error.hide()
        layout.addWidget(self.error)

        self.preview = QWidget()
        preview = QVBoxLayout(self.preview)
        preview.setContentsMargins(0, 0, 0, 0)
        preview.setSpacing(8)
        bar = QHBoxLayout()
        self.show_combo = QComboBox()
        self.show_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.show_combo.setToolTip("Which records to list")
        self.show_combo.currentIndexChanged.connect(self._show_changed)
        show_label = QLabel("S&how:")
        show_label.setBuddy(self.show_combo)
        bar.addWidget(show_label)
        bar.addWidget(self.show_combo)
        self.encoding_combo = QComboBox()
        self.encoding_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.encoding_combo.setToolTip("How the file's lines that are not plain ASCII are read: as "
                                       "imdesk found them, or the encoding you choose (read again)")
        self.encoding_combo.currentIndexChanged.connect(self._encoding_changed)
        encoding_label = QLabel("&Encoding:")
        encoding_label.setBuddy(self.encoding_combo)
        bar.addSpacing(12)
        bar.addWidget(encoding_label)
        bar.addWidget(self.encoding_combo)
        bar.addStretch(1)
        self.merge_all = QPushButton("&Merge all duplicates")
        self.merge_all.clicked.connect(lambda: self._set_all(merge=True))
        self.skip_all = QPushButton("&Skip all duplicates")
        self.skip_all.clicked.connect(lambda: self._set_all(merge=False))
        bar.addWidget(self.merge_all)
        bar.addWidget(self.skip_all)
        preview.addLayout(bar)

        self.model = ImportPlanModel(self)
        self.model.dataChanged.connect(self._update_buttons)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        self.table.verticalHeader().setDefaultSectionSize(self.table.fontMetrics().height() + 10)
        header = self.table.horizontalHeader()
        header.setStretchLastSection(True)
        for col, width in ((Col.ACTION, 90), (Col.NAME, 170), (Col.ORGANISATION, 150),
                           (Col.REACH, 220), (Col.DUPLICATE_OF, 210)):
            header.resizeSection(col, width)
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.table.installEventFilter(self)
        self.review = QListView()
        self.review_model = QStringListModel(self)
        self.review.setModel(self.review_model)
        self.review.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.review.setWordWrap(True)
        review_box = QWidget()
        review_layout = QVBoxLayout(review_box)
        review_layout.setContentsMargins(0, 0, 0, 0)
        self.review_label = QLabel("Flagged values (imported as written, marked for review) and notes:")
        review_layout.addWidget(self.review_label)
        review_layout.addWidget(self.review)
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(self.table)
        split.addWidget(review_box)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 1)
        preview.addWidget(split, 1)
        layout.addWidget(self.preview, 1)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        self.import_button = QPushButton("&Import")
        self.import_button.setDefault(True)
        self.import_button.setShortcut(QKeySequence("Ctrl+Return"))
        self.import_button.clicked.connect(self.write)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.clicked.connect(self.reject)
        buttons.addWidget(self.import_button)
        buttons.addWidget(self.cancel_button)
        layout.addLayout(buttons)
        self._set_ready(False)

    # -- reading -------------------------------------------------------------------------------
    def start(self) -> None:
        """Read and plan the file in a worker."""
        from imdesk.services.contacts.transfer import preview_import

        contacts, path, encoding = self.ctx.contacts, self.path, self.encoding
        self.runner.run(lambda: preview_import(contacts, path, encoding), self.show_plan, self.show_refusal)

    def _encoding_changed(self, index: int) -> None:
        """Read the file again in the encoding chosen."""
        if index < 0 or self.closed:
            return
        self.encoding = self.encoding_combo.itemData(index)
        self._set_ready(False)
        self.busy.show()
        self.heading.setText(f"Reading {self.path.name} again as {self.encoding_combo.currentText()}…")
        self.start()

    def _fill_encodings(self, found: str) -> None:
        if self.encoding_combo.count():
            return
        self.encoding_combo.blockSignals(True)
        self.encoding_combo.addItem(f"As found ({found})", None)
        for shown, codec in ENCODINGS:
            self.encoding_combo.addItem(shown, codec)
        self.encoding_combo.blockSignals(False)

    def show_plan(self, plan: Any) -> None:
        if self.closed:
            return
        self.busy.hide()
        self.model.set_plan(plan)
        counts = self.model.counts()
        self.show_combo.blockSignals(True)
        self.show_combo.clear()
        for show, label in ((Show.ALL, "All records"), (Show.NEW, "New"), (Show.DUPLICATES, "Duplicates"),
                            (Show.FLAGGED, "With flagged values")):
            self.show_combo.addItem(f"{label} ({counts[show]:,})")
        self.show_combo.blockSignals(False)
        self.heading.setText(f"{self.path.name} · {plan.layout} · {plan.encoding}")
        self._fill_encodings(plan.legacy_encoding)
        flagged = len(plan.flags)
        self.summary.setText(
            f"{len(plan.new):,} new · {len(plan.duplicates):,} duplicates of contacts in the book or "
            f"earlier in the file (skipped unless you tick them to merge) · {flagged:,} flagged "
            f"value{'' if flagged == 1 else 's'} in {plan.flagged_records:,} records. "
            "Nothing is written until you choose Import.")
        self.review_model.setStringList([f"⚠ {f}" for f in plan.flags] + [f"ⓘ {n}" for n in plan.notices]
                                        or ["Nothing to review: every number and address validated."])
        self._set_ready(True)
        if self.model.rowCount():
            self.table.setCurrentIndex(self.model.index(0, Col.ACTION))
        self.table.setFocus()

    def show_refusal(self, exc: BaseException) -> None:
        if self.closed:
            return
        self.busy.hide()
        self.heading.setText(f"{self.path.name} cannot be imported")
        self.summary.setText("Nothing was written. Fix the file (or export it again) and import it anew.")
        self._show_error(exc)
        self._set_ready(False)
        self.preview.hide()
        box = self._box
        box.insertStretch(box.indexOf(self.preview), 1)   # keep the message at the top
        self.import_button.hide()
        self.cancel_button.setText("Close")
        self.cancel_button.setFocus()
        self.resize(self.width(), self.sizeHint().height())

    # -- choosing ------------------------------------------------------------------------------
    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if (watched is self.table and event.type() == QEvent.Type.KeyPress
                and event.key() == Qt.Key.Key_Space):  # type: ignore[attr-defined]
            current = self.table.currentIndex()
            if current.isValid():
                self.model.toggle(current.row())
            return True
        return super().eventFilter(watched, event)

    def _set_all(self, *, merge: bool) -> None:
        plan = self.model.plan
        if plan is not None:
            self.model.set_merge({d.position for d in plan.duplicates} if merge else set())

    def _update_buttons(self, *_args: object) -> None:
        plan = self.model.plan
        if plan is None:
            return
        merges = len(self.model.merge)
        parts = [f"add {len(plan.new):,}"] + ([f"merge {merges:,}"] if merges else [])
        self.import_button.setText("&Import: " + ", ".join(parts))
        self.import_button.setEnabled(bool(plan.new or merges))

    def _show_changed(self, index: int) -> None:
        self.model.set_show(Show(index))

    def _set_ready(self, ready: bool) -> None:
        has_dups = ready and self.model.plan is not None and bool(self.model.plan.duplicates)
        for widget in (self.show_combo, self.table, self.review):
            widget.setEnabled(ready)
        self.merge_all.setEnabled(has_dups)
        self.skip_all.setEnabled(has_dups)
        self.import_button.setEnabled(ready)
        if ready:
            self._update_buttons()

    # -- writing -------------------------------------------------------------------------------
    def write(self) -> None:
        plan = self.model.plan
        if plan is None or not self.import_button.isEnabled():
            return
        from imdesk.services.contacts.transfer import apply_import

        merge, contacts = set(self.model.merge), self.ctx.contacts
        self.writing = True
        self._set_ready(False)
        self.cancel_button.setEnabled(False)
        self.error.hide()
        self.busy.show()
        self.summary.setText(f"Writing {len(plan.new) + len(merge):,} contacts…")
        self.runner.run(lambda: apply_import(contacts, plan, merge), self._written, self._write_failed)

    def _written(self, outcome: Any) -> None:
        self.writing = False
        self.busy.hide()
        self.outcome = outcome
        self.imported.emit(outcome)
        self.accept()

    def _write_failed(self, exc: BaseException) -> None:
        self.writing = False
        self.busy.hide()
        self.cancel_button.setEnabled(True)
        self._set_ready(True)
        self.summary.setText("Nothing was written: the import is all or nothing.")
        self._show_error(exc)

    def reject(self) -> None:
        """Esc and Cancel: not while the import is being written (it finishes, all or nothing)."""
        if not self.writing:
            super().reject()

    def done(self, result: int) -> None:
        self.closed = True
        super().done(result)

    def _show_error(self, exc: BaseException) -> None:
        if isinstance(exc, ImportRefused):
            text = "✖ " + sentence("Not imported", exc)
        elif isinstance(exc, (ValidationError, NotFoundError, KnownError)):
            text = "✖ " + sentence("", exc)
        else:
            log.error("contact import failed", exc_info=exc)
            text = "✖ " + sentence("Something went wrong", exc)
        self.error.setText(text)
        self.error.show()
