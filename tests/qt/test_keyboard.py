"""Keyboard first: the keys go to the pane on screen, never into a hidden one; every rail key
works whatever its badge says. Driven with key events only, on the demo database."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import timedelta

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.qtbot import QtBot

from imdesk.context import AppContext
from imdesk.qt.main_window import MainWindow
from imdesk.qt.tasks import SyncTaskRunner
from imdesk.services.demo.story import ensure_demo_data

ALT = Qt.KeyboardModifier.AltModifier
CTRL_SHIFT = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier
# The offscreen platform has no window manager: activating a window says so once (harmless).
pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")
# Alt+1 … Alt+9: Incidents, War rooms, Contacts, Messages, Alerts, Handover, Reports, Documents, Drills
RAIL_KEYS = [Qt.Key(Qt.Key.Key_1.value + i) for i in range(9)]


@pytest.fixture
def demo_window(qtbot: QtBot, sqlite_ctx: AppContext) -> Iterator[MainWindow]:
    ensure_demo_data(sqlite_ctx)
    window = MainWindow(sqlite_ctx, SyncTaskRunner())
    window.persist_layout = False
    qtbot.addWidget(window)
    window.resize(1300, 800)
    window.show()
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    window.start()
    window._start_secondary()  # what the first paint triggers: the war rooms, contacts, alerts
    yield window
    window.close()


def focused() -> QWidget:
    """The focus widget of the active window (the main window is made active again after a
    dialog closed: the offscreen platform has no window manager to do it)."""
    if QApplication.activeModalWidget() is None:
        for top in QApplication.topLevelWidgets():
            if isinstance(top, MainWindow) and top.isVisible() and not top.isActiveWindow():
                top.activateWindow()
                QApplication.processEvents()
    widget = QApplication.focusWidget()
    assert widget is not None
    return widget


def type_here(qtbot: QtBot, text: str) -> QWidget:
    widget = focused()
    qtbot.keyClicks(widget, text)
    return widget


def test_keys_typed_right_after_start_go_into_the_list_not_a_hidden_war_room(
        demo_window: MainWindow, qtbot: QtBot) -> None:
    window = demo_window
    rooms = window.war_rooms
    ref = rooms.current_room().incident.ref
    entries_before = len(window.ctx.incidents.detail(ref).timeline)
    target = type_here(qtbot, "probe")
    assert target.isVisible() and window.incidents.isAncestorOf(target)
    qtbot.keyClick(target, Qt.Key.Key_Return)
    assert rooms.composer.text() == ""
    assert len(window.ctx.incidents.detail(ref).timeline) == entries_before  # nothing written


def test_after_every_pane_switch_the_keys_go_into_the_pane_on_screen(
        demo_window: MainWindow, qtbot: QtBot) -> None:
    window = demo_window
    for index, key in enumerate(RAIL_KEYS[:len(window.rail.group.buttons())]):
        qtbot.keyClick(focused(), key, ALT)
        pane = window.current_pane()
        assert window.stack.currentIndex() == index and pane is not None
        target = focused()
        assert target.isVisible() and pane.isAncestorOf(target), (index, target)
    # back on the list, a room read again behind it (another desk wrote) takes no keys
    qtbot.keyClick(focused(), Qt.Key.Key_1, ALT)
    window.war_rooms.reload_rooms()
    target = type_here(qtbot, "x")
    assert window.incidents.isAncestorOf(target) and window.war_rooms.composer.text() == ""


def test_every_rail_key_works_whatever_the_badges_say(demo_window: MainWindow, qtbot: QtBot) -> None:
    window = demo_window
    buttons = window.rail.group.buttons()
    assert 6 <= len(buttons) <= len(RAIL_KEYS)
    order = [4, 1, *range(len(buttons) - 1, 4, -1), 3, 0, 2]  # every pane, out of order
    assert sorted(order) == list(range(len(buttons)))
    for count in (3, 0, 12):
        for button in buttons:
            window.set_rail_badge(button, count)
        for index in order:
            qtbot.keyClick(focused(), RAIL_KEYS[index], ALT)
            assert window.stack.currentIndex() == index, (count, index)
            assert window.rail.group.checkedId() == index
    # (a pane that keeps a live count of its own — open handovers — repaints its badge when shown)
    assert all(str(12) in b.text().splitlines()[0] for b in buttons[:5])


FAILURES: list[BaseException] = []


def on_next_dialog(act: Callable[[QWidget], None], *, after: QWidget | None = None) -> None:
    """Run `act` on the next modal dialog once it is open and active (its exec() runs an event
    loop of its own). A failure closes the dialog and is raised by `dialog_went_well`."""
    def attempt(tries: int = 2000) -> None:
        dialog = QApplication.activeModalWidget()
        if dialog is None or dialog is after or not dialog.isVisible() or not dialog.isActiveWindow():
            if dialog is not None:
                dialog.activateWindow()
            if tries:
                QTimer.singleShot(5, lambda: attempt(tries - 1))
            else:
                FAILURES.append(AssertionError("no dialog opened"))
            return
        try:
            act(dialog)
        except BaseException as exc:  # raised again on the test's own stack
            FAILURES.append(exc)
            dialog.close()

    QTimer.singleShot(0, attempt)


def dialog_went_well(qtbot: QtBot | None = None) -> None:
    if FAILURES:
        raise FAILURES.pop()


def type_and_submit(qtbot: QtBot, text: str) -> Callable[[QWidget], None]:
    """Type where the dialog put the cursor, then Ctrl+Enter."""
    def act(dialog: QWidget) -> None:
        target = dialog.focusWidget() or dialog
        for number, line in enumerate(text.split("\n")):
            if number:
                qtbot.keyClick(target, Qt.Key.Key_Return)  # a new line in a multi-line field
            qtbot.keyClicks(target, line)
        qtbot.keyClick(dialog.focusWidget() or dialog, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
        assert not dialog.isVisible(), "Ctrl+Enter did not submit the dialog"
    return act


def test_resolving_from_the_war_room_resolves_that_room_and_stays_with_it(
        demo_window: MainWindow, qtbot: QtBot) -> None:
    window = demo_window
    window.incidents.table.selectRow(window.incidents.model.rowCount() - 1)  # another incident
    qtbot.keyClick(focused(), Qt.Key.Key_2, ALT)
    room = window.war_rooms.current_room()
    assert room is not None
    ref = room.incident.ref
    assert window.incidents.detail.state.ref == ref  # the incident keys act on the room's incident
    asked: list[str] = []

    def loose_ends_then_note(dialog: QWidget) -> None:
        asked.append(dialog.text())  # type: ignore[attr-defined]
        on_next_dialog(type_and_submit(qtbot, "failed over to DC1; users confirm mail flows"), after=dialog)
        qtbot.keyClick(dialog.focusWidget() or dialog, Qt.Key.Key_Y)  # Yes, resolve anyway

    window.ctx.war_rooms.add_action(ref, "Check the mail queue", owner="Sam")
    on_next_dialog(loose_ends_then_note)
    qtbot.keyClick(focused(), Qt.Key.Key_R, CTRL_SHIFT)
    dialog_went_well()
    assert "action item open" in asked[0] and "Check the mail queue" in asked[0]
    assert "no final (resolved) update" in asked[0]
    assert window.ctx.incidents.get(ref).status.value == "resolved"
    assert window.current_pane() is window.incidents  # not another incident's war room
    assert window.incidents.detail.state.ref == ref
    target = focused()
    assert target.isVisible() and window.incidents.isAncestorOf(target)
    assert window.war_rooms.composer.text() == ""


def test_multi_line_dialogs_submit_with_ctrl_enter(demo_window: MainWindow, qtbot: QtBot) -> None:
    window = demo_window
    window.incidents.table.setFocus()
    on_next_dialog(type_and_submit(qtbot, "Printer on floor 3 jams"))
    qtbot.keyClick(focused(), Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)  # new incident
    dialog_went_well()
    state = window.incidents.detail.state
    assert state is not None and state.title == "Printer on floor 3 jams"
    on_next_dialog(type_and_submit(qtbot, "waiting for the toner\nfrom the vendor"))
    qtbot.keyClick(focused(), Qt.Key.Key_H, CTRL_SHIFT)  # hold: asks why
    dialog_went_well()
    held = window.ctx.incidents.detail(state.ref)
    assert held.incident.status.value == "on_hold"
    assert held.timeline[-1].text == "waiting for the toner\nfrom the vendor"


def test_f1_lists_every_shortcut_read_from_the_actions(demo_window: MainWindow, qtbot: QtBot) -> None:
    seen: dict[str, str] = {}

    def read_and_close(dialog: QWidget) -> None:
        model = dialog.model  # type: ignore[attr-defined]
        seen.update({model.index(r, 0).data(): model.index(r, 1).data() for r in range(model.rowCount())})
        qtbot.keyClick(dialog.focusWidget() or dialog, Qt.Key.Key_Escape)

    on_next_dialog(read_and_close)
    qtbot.keyClick(focused(), Qt.Key.Key_F1)
    dialog_went_well()
    for key in ("F2", "@10:42 text", "Ctrl+R", "Ctrl+Shift+Return", "Ctrl+Shift+M", "Ctrl+Shift+R",
                "Ctrl+K", "Alt+1", "Alt+5", "Ctrl+1", "Ctrl+Shift+I", "Ctrl+Enter", "Ctrl+Shift+C"):
        assert key in seen, key
    assert "Resolve" in seen["Ctrl+Shift+R"] and "correct" in seen["F2"]
    assert all(seen.values())  # every key says what it does


def test_the_call_list_by_keyboard_tab_leaves_the_messages_table(
        demo_window: MainWindow, qtbot: QtBot) -> None:
    window = demo_window
    ctx = window.ctx
    major = ctx.war_rooms.open_rooms()[0].ref
    ctx.comms.notify.queue(ctx.comms.notify.plan(major, "initial"))  # no provider: phone them
    qtbot.keyClick(focused(), Qt.Key.Key_4, ALT)
    pane = window.comms.pane
    pane.reload()
    assert pane.calls_model.rowCount() > 0
    assert focused() is pane.table
    qtbot.keyClick(focused(), Qt.Key.Key_Tab)
    assert focused() is not pane.table and pane.isAncestorOf(focused())  # Tab leaves the table
    qtbot.keyClick(focused(), Qt.Key.Key_L, ALT)
    assert focused() is pane.calls
    waiting = pane.calls_model.rowCount()
    first = pane.calls_model.index(0).data(Qt.ItemDataRole.UserRole)
    on_next_dialog(type_and_submit(qtbot, "reached her; she informs her team"))
    qtbot.keyClick(focused(), Qt.Key.Key_C, ALT)  # Called — done: the oldest when none is chosen
    dialog_went_well()
    assert pane.calls_model.rowCount() == waiting - 1, [i.state for i in ctx.comms.outbox.list(ref=major)]
    called = next(i for i in ctx.comms.outbox.list(ref=major) if i.id == first)
    assert called.state.value == "called"


def keys(qtbot: QtBot, text: str) -> None:
    qtbot.keyClicks(focused(), text)


def press(qtbot: QtBot, key: Qt.Key, modifiers: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier) -> None:
    qtbot.keyClick(focused(), key, modifiers)


def test_flow_open_declare_and_run_a_war_room(demo_window: MainWindow, qtbot: QtBot) -> None:
    window = demo_window
    ctx = window.ctx
    press(qtbot, Qt.Key.Key_1, ALT)
    on_next_dialog(type_and_submit(qtbot, "Payroll batch stuck at the bank interface"))
    press(qtbot, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    dialog_went_well()
    ref = window.incidents.detail.state.ref

    def declare(dialog: QWidget) -> None:
        keys(qtbot, "Kim Nguyen")  # the incident manager: the dialog starts there
        press(qtbot, Qt.Key.Key_Tab)
        keys(qtbot, "Sam Okafor")  # tech lead
        press(qtbot, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)

    on_next_dialog(declare)
    press(qtbot, Qt.Key.Key_M, CTRL_SHIFT)
    dialog_went_well()
    assert window.current_pane() is window.war_rooms
    assert window.war_rooms.current_room().incident.ref == ref
    assert focused() is window.war_rooms.composer
    keys(qtbot, "bank confirms the file arrived")
    press(qtbot, Qt.Key.Key_Return)
    press(qtbot, Qt.Key.Key_3, Qt.KeyboardModifier.ControlModifier)  # a decision
    keys(qtbot, "rerun the batch at 14:00")
    press(qtbot, Qt.Key.Key_Return)
    press(qtbot, Qt.Key.Key_N, ALT)  # a new action item
    assert focused() is window.war_rooms.new_action
    keys(qtbot, "call the bank's ops desk @Mei")
    press(qtbot, Qt.Key.Key_Return)
    press(qtbot, Qt.Key.Key_C, ALT)  # hand the scribe role over
    keys(qtbot, "Priya Raman")
    press(qtbot, Qt.Key.Key_Return)
    press(qtbot, Qt.Key.Key_Escape)
    assert focused() is window.war_rooms.composer
    room = ctx.war_rooms.room(ref).state
    assert [e.text for e in ctx.incidents.detail(ref).timeline if e.kind in ("note", "decision")][-2:] == [
        "bank confirms the file arrived", "rerun the batch at 14:00"]
    assert [a.text for a in room.actions.values()] == ["call the bank's ops desk"]
    holders = {r.value: h.name for r, h in room.roles.items()}
    assert holders["incident_manager"] == "Kim Nguyen" and holders["scribe"] == "Priya Raman"


def test_flow_who_to_call_and_log_the_call(demo_window: MainWindow, qtbot: QtBot,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    window = demo_window
    opened: list[str] = []
    monkeypatch.setattr("PySide6.QtGui.QDesktopServices.openUrl",
                        lambda url: opened.append(url.toString()) or True)
    press(qtbot, Qt.Key.Key_2, ALT)
    ref = window.war_rooms.current_room().incident.ref
    before = len(window.ctx.incidents.detail(ref).timeline)
    press(qtbot, Qt.Key.Key_C, CTRL_SHIFT)  # who do I call for this incident's service
    contacts = window.contacts
    assert window.current_pane() is contacts and contacts.stack.currentWidget() is contacts.who
    assert focused() is contacts.who.table

    def no_answer(dialog: QWidget) -> None:
        qtbot.keyClick(dialog, Qt.Key.Key_N)  # N: no answer

    on_next_dialog(no_answer)
    press(qtbot, Qt.Key.Key_Return)  # dial the first row
    dialog_went_well()
    assert opened and opened[0].startswith("tel:")
    timeline = window.ctx.incidents.detail(ref).timeline
    assert len(timeline) == before + 1 and "no answer" in timeline[-1].text


def test_flow_inform_and_search(demo_window: MainWindow, qtbot: QtBot) -> None:
    window = demo_window
    ctx = window.ctx
    press(qtbot, Qt.Key.Key_2, ALT)
    ref = window.war_rooms.current_room().incident.ref
    queued_before = len(ctx.comms.outbox.list(ref=ref))

    def send(dialog: QWidget) -> None:
        qtbot.waitUntil(lambda: dialog.send_button.isEnabled())  # type: ignore[attr-defined]
        qtbot.keyClick(dialog.focusWidget() or dialog, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)

    on_next_dialog(send)
    press(qtbot, Qt.Key.Key_I, CTRL_SHIFT)
    dialog_went_well()
    assert len(ctx.comms.outbox.list(ref=ref)) > queued_before

    def search_for(word: str) -> Callable[[QWidget], None]:
        def search(dialog: QWidget) -> None:
            keys(qtbot, word)
            dialog.run_search()  # type: ignore[attr-defined]  (the dialog waits for a typing pause)
            press(qtbot, Qt.Key.Key_Return)
        return search

    on_next_dialog(search_for("thumbprint"))  # only in a timeline
    press(qtbot, Qt.Key.Key_K, Qt.KeyboardModifier.ControlModifier)
    dialog_went_well()
    pane = window.current_pane()
    assert pane is window.war_rooms or pane is window.incidents
    on_next_dialog(search_for("vendor"))  # a runbook says it too: documents are listed first
    press(qtbot, Qt.Key.Key_K, Qt.KeyboardModifier.ControlModifier)
    dialog_went_well()
    docs = window.documents.pane
    assert window.current_pane() is docs and "vendor" in docs.viewer.toPlainText().lower()


def test_a_line_backdated_before_the_call_sits_in_time_order_marked(
        demo_window: MainWindow, qtbot: QtBot) -> None:
    window = demo_window
    press(qtbot, Qt.Key.Key_2, ALT)
    room = window.war_rooms.current_room()
    opened = room.incident.opened_at.astimezone()
    at = opened - timedelta(minutes=20)
    keys(qtbot, f"@{at:%H:%M} users in Hamburg lost mail")
    press(qtbot, Qt.Key.Key_Return)
    entry = window.ctx.incidents.detail(room.incident.ref).timeline[-1]
    assert entry.data.get("before_opened") is True and window.war_rooms.error.isHidden()
    shown = [window.war_rooms.timeline_model.index(r).data()
             for r in range(window.war_rooms.timeline_model.rowCount())]
    assert any("users in Hamburg lost mail" in s and "before it was opened" in s for s in shown)
    window.incidents.show_incident(room.incident.ref)
    model = window.incidents.detail.timeline_model
    lines = [model.index(r).data() for r in range(model.rowCount())]
    assert "users in Hamburg lost mail" in lines[-1], lines  # the oldest moment: last of newest-first


def _scopes(window: MainWindow) -> list[tuple[str, QWidget, bool, str]]:
    """(key, the widget whose subtree it covers, only that widget, what) for every enabled
    action and shortcut of the window."""
    from PySide6.QtGui import QAction, QShortcut

    found: list[tuple[str, QWidget, bool, str]] = []

    def add(sequence: QKeySequence, context: Qt.ShortcutContext, widgets: list[QWidget],
            what: str) -> None:
        key = sequence.toString()
        if not key:
            return
        for widget in widgets:
            if context in (Qt.ShortcutContext.WindowShortcut, Qt.ShortcutContext.ApplicationShortcut):
                found.append((key, window, False, what))
            else:
                found.append((key, widget, context == Qt.ShortcutContext.WidgetShortcut, what))

    for action in window.findChildren(QAction):
        if action.isEnabled():
            widgets = [w for w in action.associatedObjects() if isinstance(w, QWidget)]
            for sequence in action.shortcuts():
                add(sequence, action.shortcutContext(), widgets or [window], action.text())
    for made in window.findChildren(QShortcut):
        parent = made.parent()
        if made.isEnabled() and isinstance(parent, QWidget):
            add(made.key(), made.context(), [parent], made.whatsThis() or made.objectName())
    return found


def test_no_key_is_taken_twice_where_both_could_fire(demo_window: MainWindow, qtbot: QtBot) -> None:
    """Two shortcuts on one key, both live for the same focus, make Qt fire neither (it calls
    them ambiguous): a key that silently does nothing. Every pane is built first."""
    window = demo_window
    for index in range(len(window.rail.group.buttons())):
        qtbot.keyClick(focused(), RAIL_KEYS[index], ALT)
    scopes = _scopes(window)
    clashes = set()
    for i, (key, widget, exact, what) in enumerate(scopes):
        for key2, widget2, exact2, what2 in scopes[i + 1:]:
            if key != key2 or what == what2:
                continue
            overlap = (widget is widget2 or (not exact and widget.isAncestorOf(widget2))
                       or (not exact2 and widget2.isAncestorOf(widget)))
            if overlap:
                clashes.add((key, *sorted((what, what2))))
    assert sorted(clashes) == [], "\n".join(map(str, sorted(clashes)))


def test_a_key_a_pane_claims_does_the_pane_s_thing_there_and_the_window_s_elsewhere(
        demo_window: MainWindow, qtbot: QtBot) -> None:
    window = demo_window
    assert window.incidents.incident_actions.edit.isEnabled()  # an open incident is selected
    qtbot.keyClick(focused(), RAIL_KEYS[7], ALT)  # Documents
    pane = window.documents.pane
    qtbot.waitUntil(lambda: pane.document is not None)
    pane.list.setFocus()
    qtbot.keyClick(pane.list, Qt.Key.Key_E, Qt.KeyboardModifier.ControlModifier)
    assert pane.stack.currentWidget() is pane.editor  # the document, not the incident
    assert QApplication.activeModalWidget() is None
    pane.editor.cancelled.emit()
    qtbot.keyClick(focused(), RAIL_KEYS[0], ALT)  # back on the list, Ctrl+E edits the incident
    opened: list[str] = []

    def seen() -> None:
        dialog = QApplication.activeModalWidget()
        if dialog is None:
            QTimer.singleShot(10, seen)
            return
        opened.append(dialog.windowTitle())
        dialog.reject()

    QTimer.singleShot(0, seen)
    qtbot.keyClick(focused(), Qt.Key.Key_E, Qt.KeyboardModifier.ControlModifier)
    assert opened and "INC-" in opened[0]


def test_the_focus_ring_stays_on_its_control_when_a_banner_opens_above(
        demo_window: MainWindow, qtbot: QtBot) -> None:
    window = demo_window
    target = focused()
    ring = window.focus_ring

    def ring_on_target() -> bool:
        spot = target.mapTo(window, target.rect().topLeft())
        return ring.isVisible() and ring.geometry().contains(spot)

    qtbot.waitUntil(ring_on_target)
    window.show_banner("The mail relay refuses connections (test banner)")
    qtbot.waitUntil(lambda: window.banner.isVisible())
    qtbot.waitUntil(ring_on_target)  # moved down with its control
