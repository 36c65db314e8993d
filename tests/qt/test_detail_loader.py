"""The Incidents pane's detail reader (qt/incidents/detail_loader.py): the newest request wins, and
an answer that arrives while the list reads a new query waits for the list's rows — then shows
only if its incident is still the current one."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot

from imdesk.context import AppContext
from imdesk.qt.incidents.detail_loader import DetailLoader
from imdesk.qt.tasks import TaskRunner
from tests.qt.conftest import add


class _Later(TaskRunner):
    """Runs nothing until told: each task's work and finishing function kept in order."""

    def __init__(self) -> None:
        super().__init__()
        self.tasks: list[tuple[Callable[[], Any], Any]] = []

    def run(self, fn: Callable[[], Any], on_done: Any = None, on_error: Any = None) -> None:
        self.tasks.append((fn, on_done))

    def finish_all(self) -> None:
        tasks, self.tasks = self.tasks, []
        for fn, done in tasks:
            done(fn())


class _Desk:
    """Two incidents, a loader over them reading through a _Later runner, what it showed."""

    def __init__(self, ctx: AppContext, painted: QWidget | None = None) -> None:
        self.first = add(ctx, "Printer jam on floor 3")
        self.second = add(ctx, "VPN gateway drops sessions")
        self.runner = _Later()
        self.shown: list[str] = []
        self.state = {"current": self.first, "loading": False}
        self.loader = DetailLoader(ctx, self.runner, current=lambda: self.state["current"],
                                   show=lambda d: self.shown.append(d.incident.ref),
                                   failed=self.shown.append,
                                   list_loading=lambda: bool(self.state["loading"]),
                                   painted=painted)


def test_a_detail_that_arrives_while_the_list_loads_waits_for_its_rows(
        qtbot: QtBot, sqlite_ctx: AppContext) -> None:
    desk = _Desk(sqlite_ctx)
    first, second, runner, shown, state, loader = (desk.first, desk.second, desk.runner,
                                                   desk.shown, desk.state, desk.loader)

    loader.load(first)
    runner.finish_all()
    assert shown == [first]  # the list is idle: shown at once

    loader.load(first)
    state["loading"] = True  # a filter keystroke: the list reads a new query
    runner.finish_all()
    assert shown == [first]  # waits for the list's rows
    state["loading"] = False
    loader.list_loaded()
    assert shown == [first, first]

    loader.load(first)
    state["loading"] = True
    runner.finish_all()
    state["loading"], state["current"] = False, second  # the new list moved on
    loader.list_loaded()
    assert shown == [first, first]  # not the incident the list shows now: dropped

    loader.load(first)
    loader.load(second)  # the newest request wins
    runner.finish_all()
    assert shown == [first, first, second]


def test_the_detail_the_new_rows_ask_for_is_read_after_their_paint(
        qtbot: QtBot, sqlite_ctx: AppContext) -> None:
    viewport = QWidget()
    qtbot.addWidget(viewport)
    viewport.resize(200, 100)
    viewport.show()
    desk = _Desk(sqlite_ctx, painted=viewport)
    first, second, runner, shown, state, loader = (desk.first, desk.second, desk.runner,
                                                   desk.shown, desk.state, desk.loader)

    loader.hold()  # the list takes a new query's rows; its first row becomes the current one
    loader.load(first)
    loader.list_loaded()
    assert runner.tasks == []  # not read while the rows are being painted
    viewport.repaint()
    qtbot.waitUntil(lambda: len(runner.tasks) == 1)  # read right after the paint
    runner.finish_all()
    assert shown == [first]

    state["current"] = second
    loader.hold()
    loader.load(second)
    loader.list_loaded()
    state["loading"] = True  # the user typed on before the paint was over
    viewport.repaint()
    QCoreApplication.processEvents()
    assert runner.tasks == []  # the newer query's rows decide: nothing read for these
    state["loading"] = False
    loader.hold()  # the newer rows keep the same current incident and ask for nothing new
    loader.list_loaded()
    viewport.repaint()
    qtbot.waitUntil(lambda: len(runner.tasks) == 1)  # the read they still need
    runner.finish_all()
    assert shown == [first, second]


def test_a_held_read_starts_when_the_list_is_not_painted(
        qtbot: QtBot, sqlite_ctx: AppContext) -> None:
    ref = add(sqlite_ctx, "Printer jam on floor 3")
    runner = _Later()
    shown: list[str] = []
    hidden = QWidget()  # never shown: never painted
    qtbot.addWidget(hidden)
    loader = DetailLoader(sqlite_ctx, runner, current=lambda: ref,
                          show=lambda d: shown.append(d.incident.ref), failed=shown.append,
                          list_loading=lambda: False, painted=hidden)
    loader.hold()
    loader.load(ref)
    loader.list_loaded()
    qtbot.waitUntil(lambda: len(runner.tasks) == 1, timeout=2000)
    runner.finish_all()
    assert shown == [ref]
