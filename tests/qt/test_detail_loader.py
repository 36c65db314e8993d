"""The Incidents pane's detail reader (qt/incidents/detail_loader.py): the newest request wins, and
an answer that arrives while the list reads a new query waits for the list's rows — then shows
only if its incident is still the current one."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

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


def test_a_detail_that_arrives_while_the_list_loads_waits_for_its_rows(
        qtbot: QtBot, sqlite_ctx: AppContext) -> None:
    first = add(sqlite_ctx, "Printer jam on floor 3")
    second = add(sqlite_ctx, "VPN gateway drops sessions")
    runner = _Later()
    shown: list[str] = []
    state = {"current": first, "loading": False}
    loader = DetailLoader(sqlite_ctx, runner, current=lambda: state["current"],
                          show=lambda d: shown.append(d.incident.ref), failed=shown.append,
                          list_loading=lambda: bool(state["loading"]))

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
