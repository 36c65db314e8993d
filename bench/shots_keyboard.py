"""Screenshots for the keyboard: the focus ring on each part of the war room, reached by its
key (Alt+L timeline, Alt+D bridge, Alt+M … roles, Alt+A/N action items, Alt+R people, Esc
composer), and the F1 sheet. Called by bench/screenshots.py."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any


def shoot(window: Any, out: Path, scheme: str, settle: Callable[[float], None]) -> None:
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest

    rooms = window.war_rooms
    window.show_pane(rooms)
    window.activateWindow()
    settle(0.5)
    alt = Qt.KeyboardModifier.AltModifier
    parts = (("timeline", Qt.Key.Key_L, alt), ("bridge", Qt.Key.Key_D, alt),
             ("incident-manager", Qt.Key.Key_M, alt), ("tech-lead", Qt.Key.Key_T, alt),
             ("communications", Qt.Key.Key_U, alt), ("scribe", Qt.Key.Key_C, alt),
             ("people", Qt.Key.Key_R, alt), ("action-items", Qt.Key.Key_A, alt),
             ("new-action", Qt.Key.Key_N, alt), ("composer", Qt.Key.Key_Escape,
                                                 Qt.KeyboardModifier.NoModifier))
    for name, key, modifiers in parts:
        target = window.focusWidget() or rooms.composer
        QTest.keyClick(target, key, modifiers)
        settle(0.3)
        window.grab().save(str(out / f"war-room-focus-{name}-{scheme}.png"))
    sheet = window.shortcut_sheet()
    sheet.show()
    settle(0.4)
    sheet.grab().save(str(out / f"shortcuts-{scheme}.png"))
    sheet.done(0)
