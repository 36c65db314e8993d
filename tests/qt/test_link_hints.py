"""Linking a call from the new-incident dialog with the keys only: type the title, the similar
open incidents show, ↓ into them, Enter links the call to the master (with who called)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot

from imdesk.context import AppContext
from imdesk.qt.incidents.dialog import IncidentDialog
from imdesk.qt.main_window import MainWindow
from tests.qt.conftest import add
from tests.qt.test_keyboard import dialog_went_well, focused, on_next_dialog

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")


def _seed(ctx: AppContext) -> str:
    ctx.catalog.add("E-mail", "high")
    add(ctx, "Printer on floor 3 jams")
    master = add(ctx, "E-mail outage: outgoing mail stuck", "high", "high", service="E-mail",
                 major=True)
    caller = add(ctx, "cannot send from Outlook", "low", "low")
    ctx.links.link(caller, master, caller_name="Kim Larsen")
    return master


def test_key_only_link_from_the_new_incident_dialog(qtbot: QtBot, window: MainWindow,
                                                    sqlite_ctx: AppContext,
                                                    qtmodeltester: Any) -> None:
    master = _seed(sqlite_ctx)
    window.incidents.table.setFocus()

    def act(dialog: QWidget) -> None:
        assert isinstance(dialog, IncidentDialog)
        qtbot.keyClicks(dialog.focusWidget(), "cant sned mail")
        hints = dialog.hints
        assert not hints.isHidden() and hints.model.rows[0].ref == master
        assert "1 open incident looks similar" in hints.heading.text()
        assert "(P1, major, 1 caller)" in hints.model.rows[0].label
        qtmodeltester.check(dialog.hints.model)  # the HintModel
        dialog.caller_edit.setText("Anna Weber")  # typed there in real use (Alt+L)
        dialog.contact_edit.setText("anna@example.com")
        dialog.ui.titleEdit.setFocus()
        qtbot.keyClick(dialog.ui.titleEdit, Qt.Key.Key_Down)
        assert hints.view.hasFocus() and hints.view.currentIndex().row() == 0
        qtbot.keyClick(hints.view, Qt.Key.Key_Return)
        assert not dialog.isVisible(), "Enter on the hint did not link"

    on_next_dialog(act)
    qtbot.keyClick(focused(), Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    dialog_went_well()
    callers = sqlite_ctx.links.callers(master)
    assert [(c.name, c.contact) for c in callers] == [("Kim Larsen", ""),
                                                      ("Anna Weber", "anna@example.com")]
    new = sqlite_ctx.incidents.get(callers[-1].ref)
    assert new.title == "cant sned mail"


class HeldRunner:
    """A task runner that holds each task until the test lets it finish."""

    def __init__(self) -> None:
        self.held: list[tuple[Callable[[], Any], Callable[[Any], None] | None]] = []

    def run(self, fn: Callable[[], Any], on_done: Callable[[Any], None] | None = None,
            on_error: Callable[[BaseException], None] | None = None) -> None:
        self.held.append((fn, on_done))

    def finish(self) -> None:
        fn, done = self.held.pop(0)
        result = fn()
        if done is not None:
            done(result)


def test_stale_answers_are_dropped_and_errors_keep_the_text(qtbot: QtBot, window: MainWindow,
                                                            sqlite_ctx: AppContext) -> None:
    master = _seed(sqlite_ctx)
    asked: list[str] = []

    def similar(text: str, service: str | None) -> list[Any]:
        asked.append(text)
        return sqlite_ctx.links.similar(text, service)

    runner = HeldRunner()
    dialog = IncidentDialog(window, services=["E-mail"], matrix=sqlite_ctx.settings.matrix(),
                            runner=runner, save=sqlite_ctx.incidents.create,  # type: ignore[arg-type]
                            similar=similar, link_call=lambda *a: None)  # type: ignore[arg-type,return-value]
    qtbot.addWidget(dialog)
    qtbot.keyClicks(dialog.ui.titleEdit, "prin")  # one query in flight, the rest waits
    assert len(runner.held) == 1
    runner.finish()  # answers "p": stale, so the newest text is asked
    assert dialog.hints.isHidden() and len(runner.held) == 1
    qtbot.keyClicks(dialog.ui.titleEdit, "ter")
    runner.finish()
    runner.finish()
    assert asked == ["p", "prin", "printer"]
    assert [h.title for h in dialog.hints.model.rows] == ["Printer on floor 3 jams"]
    dialog.ui.titleEdit.setText("mail stuck")
    runner.finish()
    assert dialog.hints.model.rows[0].ref == master

    def refuse(*_a: Any) -> Any:
        raise ValueError("database locked")

    dialog._link_call = refuse
    dialog._runner = window.runner  # runs at once
    dialog.link_to(master)
    assert dialog.ui.titleEdit.text() == "mail stuck" and dialog.ui.formError.isVisibleTo(dialog)


def test_org_editor_edits_dependencies_and_refuses_a_cycle(qtbot: QtBot, window: MainWindow,
                                                           sqlite_ctx: AppContext) -> None:
    from imdesk.qt.contacts.org_editor import OrgEditor
    from imdesk.services.demo.contacts import seed_demo_contacts
    from imdesk.services.demo.story import _ensure_services, load_story

    _ensure_services(sqlite_ctx, load_story())
    seed_demo_contacts(sqlite_ctx)
    sqlite_ctx.dependencies.set_depends_on("VPN", ["Network"])
    dialog = OrgEditor(window, sqlite_ctx.contacts)
    qtbot.addWidget(dialog)
    dialog.tabs.setCurrentIndex(1)
    dialog.service_combo.setCurrentIndex(dialog.service_combo.findData("Network"))
    assert dialog.depends_on.toPlainText() == "" and dialog.used_by.text() == "VPN"
    dialog.depends_on.setPlainText("VPN\n")
    dialog.save()
    assert "a dependency cycle: " in dialog.message.text() and "VPN" in dialog.message.text()
    assert dialog.depends_on.toPlainText() == "VPN\n"  # kept as typed
    dialog.depends_on.setPlainText("Data-centre power")
    dialog.save()
    assert sqlite_ctx.dependencies.depends_on("Network") == ["Data-centre power"]


def test_send_dialog_adds_the_dependent_services_stakeholders(qtbot: QtBot, window: MainWindow,
                                                              sqlite_ctx: AppContext) -> None:
    from imdesk.qt.comms.send_dialog import SendDialog
    from imdesk.qt.tasks import SyncTaskRunner

    master = _seed(sqlite_ctx)
    dialog = SendDialog(window, sqlite_ctx.comms.notify, SyncTaskRunner(), master, "E-mail outage",
                        dependants=lambda: ["IT management", "Yusuf Demir"])
    qtbot.addWidget(dialog)
    dialog.to.setText("Kim Larsen, IT management")
    assert "Alt+&P" in dialog.add_dependants.text()  # its key (the dialog is not shown here)
    dialog.add_dependants.click()
    assert dialog.to.text() == "Kim Larsen, IT management, Yusuf Demir"
    dialog.audience.setCurrentIndex(dialog.audience.findData("callers"))
    dialog.refresh()
    assert dialog.plan is not None and dialog.plan.audience == "callers"
