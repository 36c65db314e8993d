"""Keyboard shortcuts that say what they do: every QShortcut of the console is made here with
its description (kept as its whatsThis), so the F1 sheet is read from the shortcuts themselves
and is complete by construction."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QWidget

Key = QKeySequence | QKeySequence.StandardKey | Qt.Key | str


def shortcut(parent: QWidget, key: Key, slot: Callable[[], object], what: str, *,
             context: Qt.ShortcutContext = Qt.ShortcutContext.WindowShortcut) -> QShortcut:
    """A shortcut on `parent` that calls `slot`; `what` is its line in the F1 sheet."""
    sequence = key if isinstance(key, QKeySequence) else QKeySequence(key)
    made = QShortcut(sequence, parent)
    made.setContext(context)
    made.setWhatsThis(what)
    made.activated.connect(slot)
    return made


def key_text(sequence: QKeySequence) -> str:
    """How a key reads in the sheet and tooltips ("Ctrl+Shift+R")."""
    return sequence.toString(QKeySequence.SequenceFormat.NativeText)
