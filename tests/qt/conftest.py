"""Fixtures for console tests: a main window over a migrated database, synchronous tasks."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from pytestqt.qtbot import QtBot

from imdesk.context import AppContext
from imdesk.qt.main_window import MainWindow
from imdesk.qt.tasks import SyncTaskRunner
from imdesk.services.incidents import NewIncident


@pytest.fixture
def window(qtbot: QtBot, sqlite_ctx: AppContext) -> Iterator[MainWindow]:
    win = MainWindow(sqlite_ctx, SyncTaskRunner())
    win.persist_layout = False
    qtbot.addWidget(win)
    win.resize(1300, 800)
    win.show()
    win.start()
    yield win
    win.close()


def add(ctx: AppContext, title: str, impact: str = "medium", urgency: str = "medium",
        **kw: object) -> str:
    return ctx.incidents.create(NewIncident(title=title, impact=impact, urgency=urgency,
                                            **kw)).ref  # type: ignore[arg-type]
