"""Ctrl+Enter submits a dialog from anywhere in it, a multi-line text included (where Enter
starts a new line), and the submit button's tooltip says so."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QAbstractButton, QDialog, QDialogButtonBox

SUBMIT_KEYS = ("Ctrl+Return", "Ctrl+Enter")


def submit_with_ctrl_enter(dialog: QDialog, button: QAbstractButton | None = None) -> QAbstractButton | None:
    """Ctrl+Enter clicks `button` (by default the dialog's accepting button) when it is enabled."""
    target = button or accepting_button(dialog)
    if target is None:
        return None
    for key in SUBMIT_KEYS:
        shortcut = QShortcut(QKeySequence(key), dialog)
        shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        shortcut.activated.connect(lambda t=target: t.click() if t.isEnabled() and t.isVisible() else None)
    tip = target.toolTip() or target.text().replace("&", "")
    if "Ctrl+Enter" not in tip:
        target.setToolTip(f"{tip} (Ctrl+Enter)")
    return target


def accepting_button(dialog: QDialog) -> QAbstractButton | None:
    """The OK/Save/Send button of the dialog's button box."""
    for box in dialog.findChildren(QDialogButtonBox):
        for button in box.buttons():
            if box.buttonRole(button) in (QDialogButtonBox.ButtonRole.AcceptRole,
                                          QDialogButtonBox.ButtonRole.YesRole,
                                          QDialogButtonBox.ButtonRole.ApplyRole):
                return button
    return None
