"""Light/dark palettes that follow the system, and the status colours (always paired with text)."""

from __future__ import annotations

import os

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QGuiApplication, QIcon, QPalette
from PySide6.QtWidgets import QApplication

from imdesk.domain.priority import Priority
from imdesk.domain.sla import SlaState
from imdesk.resources import resource

_PRIORITY_LIGHT = {
    Priority.P1: "#c62828", Priority.P2: "#e65100", Priority.P3: "#b58900",
    Priority.P4: "#1565c0", Priority.P5: "#6b7280",
}
_PRIORITY_DARK = {
    Priority.P1: "#ef5350", Priority.P2: "#ff8a3d", Priority.P3: "#e0b000",
    Priority.P4: "#5c9ded", Priority.P5: "#9aa0a6",
}


_dark: bool | None = None  # cached: painting asks for every cell


def forget_scheme() -> None:
    """After the palette changed behind apply_theme's back."""
    global _dark
    _dark = None


def is_dark() -> bool:
    global _dark
    if _dark is None:
        app = QGuiApplication.instance()
        if app is None:
            return False
        _dark = app.palette().color(QPalette.ColorRole.Window).lightness() < 128  # type: ignore[attr-defined]
    return _dark


def priority_color(priority: Priority) -> QColor:
    return QColor((_PRIORITY_DARK if is_dark() else _PRIORITY_LIGHT)[priority])


def sla_color(state: SlaState) -> QColor | None:
    dark = is_dark()
    if state in (SlaState.BREACHED, SlaState.MISSED):
        return QColor("#ff6b6b" if dark else "#c62828")
    if state == SlaState.AT_RISK:
        return QColor("#ffb300" if dark else "#a15c00")
    return None


def sla_background(state: SlaState) -> QColor | None:
    dark = is_dark()
    if state == SlaState.BREACHED:
        return QColor("#4a1f1f" if dark else "#fde2e2")
    if state == SlaState.AT_RISK:
        return QColor("#4a3a12" if dark else "#fff1cc")
    return None


def muted_color() -> QColor:
    """Text that is there but asks for no attention (a resolved incident waiting to be closed)."""
    return QColor("#8a8f98" if _dark else "#7a7f87")


def _dark_palette() -> QPalette:
    p = QPalette()
    base, window, text = QColor("#1e1f22"), QColor("#2b2d31"), QColor("#e6e6e6")
    p.setColor(QPalette.ColorRole.Window, window)
    p.setColor(QPalette.ColorRole.WindowText, text)
    p.setColor(QPalette.ColorRole.Base, base)
    p.setColor(QPalette.ColorRole.AlternateBase, QColor("#25262a"))
    p.setColor(QPalette.ColorRole.ToolTipBase, window)
    p.setColor(QPalette.ColorRole.ToolTipText, text)
    p.setColor(QPalette.ColorRole.Text, text)
    p.setColor(QPalette.ColorRole.Button, window)
    p.setColor(QPalette.ColorRole.ButtonText, text)
    p.setColor(QPalette.ColorRole.Highlight, QColor("#3d6fb6"))
    p.setColor(QPalette.ColorRole.HighlightedText, QColor("#ffffff"))
    p.setColor(QPalette.ColorRole.PlaceholderText, QColor("#8a8f98"))
    p.setColor(QPalette.ColorRole.Link, QColor("#7aa7ff"))
    p.setColor(QPalette.ColorRole.Light, QColor("#4a4d55"))
    p.setColor(QPalette.ColorRole.Midlight, QColor("#3f4148"))
    p.setColor(QPalette.ColorRole.Mid, QColor("#35373d"))
    p.setColor(QPalette.ColorRole.Dark, QColor("#18191c"))
    p.setColor(QPalette.ColorRole.Shadow, QColor("#000000"))
    for role in (QPalette.ColorRole.Text, QPalette.ColorRole.ButtonText, QPalette.ColorRole.WindowText):
        p.setColor(QPalette.ColorGroup.Disabled, role, QColor("#6b6f76"))
    return p


def apply_theme(app: QApplication) -> None:
    """Fusion style with the system's scheme; IMDESK_THEME=dark|light overrides (screenshots)."""
    app.setStyle("Fusion")
    wanted = os.environ.get("IMDESK_THEME", "").lower()
    if not wanted:
        scheme = app.styleHints().colorScheme()
        wanted = "dark" if scheme == Qt.ColorScheme.Dark else "light"
    global _dark
    app.setPalette(_dark_palette() if wanted == "dark" else app.style().standardPalette())
    _dark = wanted == "dark"


def app_icon() -> QIcon:
    return QIcon(str(resource("icons", "imdesk.svg")))
