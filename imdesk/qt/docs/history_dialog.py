"""A document's versions and the difference between any two: pick the older and the newer
version (Alt+F / Alt+T); removed lines are struck through in red with '−', added ones green with
'+' (marks and colours, so it reads without colour)."""

from __future__ import annotations

from collections.abc import Callable
from html import escape

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from imdesk.domain.docs import Document
from imdesk.domain.timefmt import friendly

DiffFetch = Callable[[int, int], list[tuple[str, str]]]


def diff_html(lines: list[tuple[str, str]]) -> str:
    """The diff as HTML (every line escaped): hunks as headings, − and + lines coloured."""
    if not lines:
        return "<p><i>The two versions hold the same text.</i></p>"
    out = ['<pre style="font-family:monospace; white-space:pre-wrap">']
    for mark, line in lines:
        text = escape(line) or "&nbsp;"
        if mark == "@":
            out.append(f'<span style="color:#6a737d"><b>— {text} —</b></span>')
        elif mark == "-":
            out.append(f'<span style="background:#ffe3e3;color:#86181d">− <s>{text}</s></span>')
        elif mark == "+":
            out.append(f'<span style="background:#dcffe4;color:#144620">+ {text}</span>')
        else:
            out.append(f"  {text}")
    out.append("</pre>")
    return "\n".join(out)


class HistoryDialog(QDialog):
    def __init__(self, doc: Document, fetch: DiffFetch, now: object,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"Versions of {doc.summary.title}")
        self.resize(820, 560)
        self._fetch = fetch
        box = QVBoxLayout(self)
        form = QFormLayout()
        self.older, self.newer = QComboBox(), QComboBox()
        for number, author, saved_at in doc.versions:
            label = f"v{number} · {friendly(saved_at, now)} · {author}"  # type: ignore[arg-type]
            self.older.addItem(label, number)
            self.newer.addItem(label, number)
        self.newer.setCurrentIndex(0)
        self.older.setCurrentIndex(min(1, self.older.count() - 1))
        form.addRow("&From version", self.older)
        form.addRow("&To version", self.newer)
        box.addLayout(form)
        self.view = QTextBrowser()
        self.view.setOpenLinks(False)
        box.addWidget(self.view, 1)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        box.addWidget(buttons)
        self.older.currentIndexChanged.connect(self.refresh)
        self.newer.currentIndexChanged.connect(self.refresh)
        self.refresh()
        self.older.setFocus()

    def refresh(self) -> None:
        a, b = self.older.currentData(), self.newer.currentData()
        if a is None or b is None:
            return
        self.view.setHtml(diff_html(self._fetch(int(a), int(b))))

    @classmethod
    def ask(cls, doc: Document, fetch: DiffFetch, now: object, parent: QWidget | None) -> None:
        cls(doc, fetch, now, parent).exec()
