"""A console left running for weeks (issue 20): the same refresh cycle, repeated — every timer of
the window fires, the database changes under it, the background tasks run on real threads —
leaves the number of live Qt objects and of the console's own Python objects where it was."""

from __future__ import annotations

import gc
import sys
from collections import Counter
from collections.abc import Iterator
from dataclasses import replace

import pytest
from PySide6.QtCore import QCoreApplication, QEvent, QObject, QTimer
from pytestqt.qtbot import QtBot

from imdesk.context import AppContext
from imdesk.qt.main_window import MainWindow
from imdesk.qt.tasks import TaskRunner
from imdesk.services.demo.story import ensure_demo_data
from imdesk.services.incidents import NewIncident


@pytest.fixture
def live_window(qtbot: QtBot, sqlite_ctx: AppContext) -> Iterator[MainWindow]:
    ensure_demo_data(sqlite_ctx)
    alerts = sqlite_ctx.alerts.settings
    alerts.set_listener(replace(alerts.listener(), enabled=False))  # no child process here
    window = MainWindow(sqlite_ctx, TaskRunner())
    window.persist_layout = False
    qtbot.addWidget(window)
    window.resize(1300, 800)
    window.show()
    window.start()
    window._start_secondary()
    qtbot.waitUntil(lambda: window.runner.pending == 0, timeout=20_000)
    yield window
    window.close()
    window.runner.wait_idle(10_000)


def _own_objects() -> Counter[str]:
    # the relays of finished tasks are deleted later, by the event loop: let it
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete.value)
    gc.collect()
    counts: Counter[str] = Counter()
    for obj in gc.get_objects():
        module = type(obj).__dict__.get("__module__")
        if isinstance(module, str) and module.startswith("imdesk"):
            counts[f"{module}.{type(obj).__qualname__}"] += 1
    return counts


def _cycle(window: MainWindow, qtbot: QtBot, ref: str, n: int) -> None:
    """The database changes (another desk moves an incident), then every timer fires once."""
    ctx = window.ctx
    ctx.incidents.change_status(ref, "on_hold" if n % 2 == 0 else "in_progress",
                                "waiting for the vendor" if n % 2 == 0 else "")
    for timer in window.findChildren(QTimer):
        timer.timeout.emit()
    qtbot.waitUntil(lambda: window.runner.pending == 0, timeout=20_000)


def _settle(window: MainWindow, qtbot: QtBot) -> None:
    """What a cycle left waiting (a result that armed a coalescing single-shot) is done."""
    for _round in range(3):
        for timer in window.findChildren(QTimer):
            if timer.isSingleShot() and timer.isActive():
                timer.stop()
                timer.timeout.emit()
        qtbot.waitUntil(lambda: window.runner.pending == 0, timeout=20_000)


def test_a_thousand_refreshes_leave_no_objects_behind(live_window: MainWindow, qtbot: QtBot) -> None:
    window = live_window
    ref = window.ctx.incidents.create(NewIncident("Printer queue slow on floor 3", "low", "low")).ref
    window.ctx.incidents.change_status(ref, "in_progress")
    for n in range(30):  # warm up: first pages, caches, lazily built panes
        _cycle(window, qtbot, ref, n)
    assert window.incidents.current_ref() != ref  # its growing timeline is not on screen
    _settle(window, qtbot)
    qobjects = len(window.findChildren(QObject))
    before = _own_objects()
    for n in range(30, 130):
        _cycle(window, qtbot, ref, n)
    _settle(window, qtbot)
    after = _own_objects()
    grown = {k: v for k, v in (after - before).items() if v > 0}
    assert grown == {}
    # a leak in the cycle would show a hundred times; a control built once, when its moment
    # came round on the wall clock (the handover reminder's notice), shows once
    assert len(window.findChildren(QObject)) - qobjects <= 2


def test_background_tasks_leave_no_memory_behind(qtbot: QtBot) -> None:
    """Every refresh is a task: thousands a day. Python's allocated blocks (which also count
    what no container holds — a string kept by PySide for each decorated function, say) stay
    put over rounds of 1,000 of them."""
    runner = TaskRunner()
    done = [0]

    def finished(_result: object) -> None:
        done[0] += 1

    def batch(n: int) -> None:
        for _i in range(n):
            runner.run(lambda: None, finished)
        qtbot.waitUntil(lambda: runner.pending == 0, timeout=20_000)

    batch(500)  # warm: the pool's threads, free lists
    growth: list[int] = []
    # A leak grows in every round. The count is the whole process's, so what an earlier test left
    # winding down on another thread shows in some rounds too (2,665, 4,549, 1,079 in one full
    # run, falling): up to six rounds, until one stays flat.
    while len(growth) < 6 and (not growth or growth[-1] >= 500):
        gc.collect()
        blocks = sys.getallocatedblocks()
        batch(1000)
        gc.collect()
        growth.append(sys.getallocatedblocks() - blocks)
    assert done == [500 + 1000 * len(growth)]
    assert min(growth) < 500, growth  # one block kept per task would be 1,000 a round
