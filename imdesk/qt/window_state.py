"""What the console remembers of its window between starts, per user (never in the database,
never from tests: the window's `persist_layout` is off there): geometry, the incident list's
columns and splitter, and the banners dismissed for good."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QSettings


def window_settings() -> QSettings:
    """Window state only (geometry, columns); desk settings live in the database."""
    return QSettings(QSettings.Format.IniFormat, QSettings.Scope.UserScope, "imdesk", "window")


def restore_layout(window: Any, settings: QSettings) -> None:
    geometry = settings.value("window/geometry")
    if geometry is None or not window.restoreGeometry(geometry):
        screen = window.screen().availableGeometry()
        window.resize(min(1360, screen.width() - 40), min(840, screen.height() - 60))
    header = settings.value("incidents/header")
    if header is not None:
        window.incidents.table.horizontalHeader().restoreState(header)
    splitter = settings.value("incidents/splitter")
    if splitter is not None:
        window.incidents.splitter.restoreState(splitter)
    else:
        window.incidents.splitter.setSizes([820, 460])


def save_layout(window: Any, settings: QSettings) -> None:
    settings.setValue("window/geometry", window.saveGeometry())
    settings.setValue("incidents/header", window.incidents.table.horizontalHeader().saveState())
    settings.setValue("incidents/splitter", window.incidents.splitter.saveState())
    settings.sync()


def dismissed_banners(persist: bool) -> set[str]:
    """Keys of the banners the user hid for good (none when nothing may be read)."""
    if not persist:
        return set()
    value = window_settings().value("banners/dismissed", [])
    return set(value if isinstance(value, list) else [value])


def dismiss_banner_for_good(key: str) -> None:
    settings = window_settings()
    settings.setValue("banners/dismissed", sorted(dismissed_banners(True) | {key}))
    settings.sync()
