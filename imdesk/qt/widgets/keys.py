"""Keyboard shortcuts that say what they do: every QShortcut of the console is made here with
its description (kept as its whatsThis), so the F1 sheet is read from the shortcuts themselves
and is complete by construction.

A pane may *claim* a key that the window also uses (Ctrl+E edits the incident, but on a contact's
card it edits the contact): two live shortcuts on one key make Qt fire neither. A claimed key
is taken before any shortcut is looked up (the ShortcutOverride event, which travels from the
focused widget up through the pane), so within the pane it does the pane's thing and everywhere
else the window's. Its QShortcut stays, disabled, for the F1 sheet."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QKeyEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import QWidget

Key = QKeySequence | QKeySequence.StandardKey | Qt.Key | str


class _Claims(QObject):
    """The keys a pane takes over from the window, while the focus is inside the pane."""

    def __init__(self, pane: QWidget) -> None:
        super().__init__(pane)
        self.pane = pane
        self.slots: list[tuple[QKeySequence, Callable[[], object]]] = []
        pane.installEventFilter(self)

    def _slot(self, event: QKeyEvent) -> Callable[[], object] | None:
        pressed = QKeySequence(event.keyCombination())
        for sequence, slot in self.slots:
            if sequence.matches(pressed) == QKeySequence.SequenceMatch.ExactMatch:
                return slot
        return None

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.pane and isinstance(event, QKeyEvent) and self.pane.isVisible():
            if event.type() == QEvent.Type.ShortcutOverride and self._slot(event) is not None:
                event.accept()  # delivered as a key press, not looked up as a shortcut
                return True
            if event.type() == QEvent.Type.KeyPress:
                slot = self._slot(event)
                if slot is not None:
                    slot()
                    return True
        return False


def shortcut(parent: QWidget, key: Key, slot: Callable[[], object], what: str, *,
             context: Qt.ShortcutContext = Qt.ShortcutContext.WindowShortcut,
             claim: bool = False) -> QShortcut:
    """A shortcut on `parent` that calls `slot`; `what` is its line in the F1 sheet. With
    `claim`, `parent` (a pane) takes the key over from the window while it has the focus."""
    sequence = key if isinstance(key, QKeySequence) else QKeySequence(key)
    made = QShortcut(sequence, parent)
    made.setContext(context)
    made.setWhatsThis(what)
    if claim:
        claims = parent.findChild(_Claims) or _Claims(parent)
        claims.slots.append((sequence, slot))
        made.setEnabled(False)  # the claim does the work; the shortcut is its line in F1
    else:
        made.activated.connect(slot)
    return made


def key_text(sequence: QKeySequence) -> str:
    """How a key reads in the sheet and tooltips ("Ctrl+Shift+R")."""
    return sequence.toString(QKeySequence.SequenceFormat.NativeText)
