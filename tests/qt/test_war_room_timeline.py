"""The war room's timeline as the scribe sees it while writing fast: each line written appears
once, in time order, and only once it is saved; line sizes kept per width still wrap a long line
fully after a resize; older pages scrolled in keep the model consistent."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from imdesk.context import AppContext
from imdesk.qt.main_window import MainWindow
from imdesk.qt.war_room import timeline_model
from imdesk.qt.war_room.timeline_delegate import CachedHeightDelegate
from imdesk.qt.war_room.timeline_model import EntryRole
from tests.qt.conftest import add


def _room(window: MainWindow, ctx: AppContext) -> str:
    ref = add(ctx, "Core switch down in DC2", "high", "high")
    ctx.war_rooms.declare(ref, bridge="+49 30 1234 5678", roles={"im": "Kim Nguyen"})
    window.war_rooms.reload_rooms(select=ref)
    window.show_pane(window.war_rooms)
    return ref


def _write(qtbot: QtBot, window: MainWindow, text: str) -> None:
    pane = window.war_rooms
    pane.composer.setText(text)
    qtbot.keyClick(pane.composer, Qt.Key.Key_Return)


def _shown(window: MainWindow) -> list[Any]:
    model = window.war_rooms.timeline_model
    return [model.index(row).data(EntryRole) for row in range(model.rowCount())]


def test_each_line_written_appears_once_in_time_order(qtbot: QtBot, window: MainWindow,
                                                      sqlite_ctx: AppContext) -> None:
    ref = _room(window, sqlite_ctx)
    pane = window.war_rooms
    qtbot.waitUntil(lambda: pane.timeline_model.rowCount() > 0)
    _write(qtbot, window, "router rebooted")
    _write(qtbot, window, "traffic back on DC1")
    sqlite_ctx.incidents.add_entry(ref, "vendor on the bridge")  # another desk, in between
    _write(qtbot, window, "failover confirmed")
    pane.poll()  # the 2 s poll comes too: it must not add them again
    shown, stored = _shown(window), sqlite_ctx.incidents.detail(ref).timeline
    assert [e.seq for e in shown] == [e.seq for e in stored]  # every line, once, in order
    texts = [e.text for e in shown]
    for text in ("router rebooted", "traffic back on DC1", "vendor on the bridge",
                 "failover confirmed"):
        assert texts.count(text) == 1
    assert texts[-4:] == ["router rebooted", "traffic back on DC1", "vendor on the bridge",
                          "failover confirmed"]
    newest = pane.timeline_model.index(len(shown) - 1)
    assert "failover confirmed" in newest.data()
    view = pane.timeline  # and it is in view, at the bottom
    assert view.viewport().rect().contains(view.visualRect(newest))
    assert pane.head_hash.text() == f"chain head {sqlite_ctx.incidents.get(ref).head_hash}"
    assert pane.composer.text() == ""


def test_a_refused_line_never_shows(qtbot: QtBot, window: MainWindow,
                                    sqlite_ctx: AppContext) -> None:
    ref = _room(window, sqlite_ctx)
    pane = window.war_rooms
    qtbot.waitUntil(lambda: pane.timeline_model.rowCount() > 0)
    before = _shown(window)
    sqlite_ctx.db.read_only = True  # the save fails: nothing may look saved
    try:
        _write(qtbot, window, "this is not saved")
    finally:
        sqlite_ctx.db.read_only = False
    assert [e.seq for e in _shown(window)] == [e.seq for e in before]
    assert pane.composer.text() == "this is not saved"
    assert not pane.error.isHidden()
    assert len(sqlite_ctx.incidents.detail(ref).timeline) == len(before)


def _heights(window: MainWindow) -> list[int]:
    view = window.war_rooms.timeline
    model = window.war_rooms.timeline_model
    return [view.visualRect(model.index(row)).height() for row in range(model.rowCount())]


def test_a_long_line_wraps_fully_after_a_resize(qtbot: QtBot, window: MainWindow,
                                                sqlite_ctx: AppContext) -> None:
    _room(window, sqlite_ctx)
    pane = window.war_rooms
    qtbot.waitUntil(lambda: pane.timeline_model.rowCount() > 0)
    long_line = " ".join(f"step{i} of the failover runbook done" for i in range(30))
    _write(qtbot, window, long_line)
    view, last = pane.timeline, pane.timeline_model.rowCount() - 1
    wide = _heights(window)
    assert wide[last] > min(wide)  # it wraps already
    window.resize(800, 800)
    qtbot.waitUntil(lambda: _heights(window)[last] > wide[last])  # narrower: more lines
    cached = _heights(window)
    # measured afresh (no remembered sizes) the lines are just as tall
    view.setItemDelegate(CachedHeightDelegate(view, pane.timeline_model))
    view.doItemsLayout()
    assert _heights(window) == cached
    window.resize(1300, 800)
    qtbot.waitUntil(lambda: _heights(window) == wide)  # and back


def test_older_lines_scrolled_in_keep_the_model_consistent(
        qtbot: QtBot, window: MainWindow, sqlite_ctx: AppContext, qtmodeltester: Any,
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(timeline_model, "PAGE", 4)
    ref = _room(window, sqlite_ctx)
    for i in range(9):
        sqlite_ctx.incidents.add_entry(ref, f"line {i}")
    pane = window.war_rooms
    model = pane.timeline_model
    model.clear()
    pane.open_room(ref)  # the newest 4 lines
    qtbot.waitUntil(lambda: model.rowCount() == 4)
    qtmodeltester.check(model, force_py=True)  # and it watches the inserts below
    while model.can_fetch_older():
        model.fetch_older()
    _write(qtbot, window, "written after scrolling up")
    stored = sqlite_ctx.incidents.detail(ref).timeline
    assert [e.seq for e in _shown(window)] == [e.seq for e in stored]
    assert stored[0].text in model.index(0).data()  # the oldest line, first


def test_a_room_closed_right_after_a_line_leaves_nothing_to_fire_on_it(
        qtbot: QtBot, window: MainWindow, sqlite_ctx: AppContext) -> None:
    """The line's "keep it in view" and a pending "select that line" belong to the view: a
    window closed in the same moment never has them run on a deleted list."""
    from PySide6.QtCore import QCoreApplication, QEvent, QTimer

    from imdesk.qt.war_room.timeline_column import RoomTimelineColumn

    ref = _room(window, sqlite_ctx)
    pane = window.war_rooms
    qtbot.waitUntil(lambda: pane.timeline_model.rowCount() > 0)
    column = pane.timeline.parent()
    while column is not None and not isinstance(column, RoomTimelineColumn):
        column = column.parent()
    assert isinstance(column, RoomTimelineColumn)
    _write(qtbot, window, "bridge closed, vendor leaving")
    column.show_entry(10_000)  # not there yet: it tries again every 50 ms
    view = pane.timeline
    view.deleteLater()
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    later = QTimer(singleShot=True, interval=120)  # past the next try (50 ms) and the scroll (0)
    with qtbot.captureExceptions() as raised, qtbot.waitSignal(later.timeout):
        later.start()
    assert raised == []
    assert sqlite_ctx.incidents.detail(ref).timeline[-1].text == "bridge closed, vendor leaving"


def test_a_line_opens_no_editor_and_keeps_its_text(qtbot: QtBot, window: MainWindow,
                                                   sqlite_ctx: AppContext) -> None:
    """The timeline is a record: double-clicking a line, F2 or typing on it opens no editor
    and changes nothing (F2 starts a correction in the composer instead)."""
    from PySide6.QtWidgets import QAbstractItemView

    ref = _room(window, sqlite_ctx)
    pane = window.war_rooms
    qtbot.waitUntil(lambda: pane.timeline_model.rowCount() > 0)
    _write(qtbot, window, "router rebooted")
    qtbot.waitUntil(lambda: "router rebooted" in (_shown(window)[-1].text if _shown(window) else ""))
    view = pane.timeline
    last = pane.timeline_model.index(pane.timeline_model.rowCount() - 1)
    view.setCurrentIndex(last)
    view.setFocus()
    rect = view.visualRect(last)
    qtbot.mouseDClick(view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.keyClicks(view, "x")
    assert view.state() != QAbstractItemView.State.EditingState
    assert not pane.timeline_model.setData(last, "changed")
    qtbot.keyClick(view, Qt.Key.Key_F2)
    assert view.state() != QAbstractItemView.State.EditingState
    assert pane.composer.text() == "router rebooted"  # the correction, in the composer
    assert _shown(window)[-1].text == "router rebooted"
    assert sqlite_ctx.incidents.detail(ref).timeline[-1].text == "router rebooted"
