"""Every item model of the console passes Qt's model tester with real rows: the window is
opened on the demo database, every pane is shown and filled, and each model behind a view is
checked. A model class that no view in the filled window uses fails the completeness test, so a
new model cannot miss the tester."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from datetime import timedelta

import pytest
from PySide6.QtCore import QAbstractItemModel
from PySide6.QtWidgets import QAbstractItemView
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot

import imdesk.qt
from imdesk.context import AppContext
from imdesk.qt.main_window import MainWindow
from imdesk.qt.search_dialog import SearchDialog
from imdesk.qt.tasks import SyncTaskRunner
from imdesk.services.demo.story import ensure_demo_data
from tests.helpers.alert_payloads import alertmanager, am_alert, encode

# Checked elsewhere with data of their own (a file's import plan before it is written).
CHECKED_ELSEWHERE = {"ImportPlanModel": "tests/qt/test_contact_import_dialog.py",
                     "HintModel": "tests/qt/test_link_hints.py"}


def _model_classes() -> set[type]:
    found: set[type] = set()
    for info in pkgutil.walk_packages(imdesk.qt.__path__, "imdesk.qt."):
        module = importlib.import_module(info.name)
        for _name, value in inspect.getmembers(module, inspect.isclass):
            if issubclass(value, QAbstractItemModel) and value.__module__ == module.__name__:
                found.add(value)
    return found


def _filled_window(ctx: AppContext, qtbot: QtBot) -> tuple[MainWindow, list[QAbstractItemModel]]:
    ensure_demo_data(ctx)
    ctx.alerts.intake.ingest(encode(alertmanager("g", am_alert("DiskFull", instance="db1"))))
    ctx.alerts.intake.process_pending()
    now = ctx.now()
    ctx.alerts.watch.add_window("DB patching", now, now + timedelta(hours=1), matchers='job="db"')
    ctx.alerts.watch.add_heartbeat("prometheus-dc1", 5)
    major = ctx.war_rooms.open_rooms()[0].ref
    ctx.war_rooms.add_action(major, "Call the vendor", owner="Mei Tanaka", due=now + timedelta(minutes=30))
    ctx.comms.notify.queue(ctx.comms.notify.plan(major, "initial"))  # no provider: the call list
    window = MainWindow(ctx, SyncTaskRunner())
    window.persist_layout = False
    qtbot.addWidget(window)
    window.resize(1300, 800)
    window.show()
    window.start()
    window._start_secondary()
    rooms = window.war_rooms
    assert rooms.room_list_model.rowCount() > 0
    window.show_pane(rooms)
    window.show_pane(window.incidents)
    alerted = next(a.ref for a in ctx.alerts.intake.alerts() if a.ref)
    window.incidents.show_incident(alerted)  # its detail lists the alert
    window.links.panel.show_for(ctx.incidents.get(major))  # the master's callers
    contacts = window.contacts
    hit = next(h for h in ctx.contacts.search("") if h.kind == "team")
    contacts.show_team(hit.title)
    contacts.show_who(ctx.contacts.services()[0])
    window.comms.pane.reload()
    window.alerts.pane.reload()
    window.show_pane(window.handover.pane)  # the demo's handovers: history and open incidents
    window.reports.show_pane()  # computes the metrics of the demo month into its tables
    window.documents.pane.reload()  # the Documents pane's list (the demo's runbooks)
    drills = window.drills.pane  # scenarios, their injects, the demo's past drill and its card
    drills.list_view.setCurrentIndex(drills.list_model.index(0, 0))
    drills.review.reload()
    window.drills.build_trainer()  # the trainer's view: what comes next, what was played
    window.drills.trainer.upcoming_model.set_rows(list(drills.inject_model.rows))
    window.drills.trainer.played_model.set_rows(list(drills.review.event_model.rows))
    search = SearchDialog(window, ctx.timeline, window.runner, now)
    search.query.setText("vpn")
    search.run_search()
    models = {id(v.model()): v.model() for v in window.findChildren(QAbstractItemView)
              if v.model() is not None}
    sheet = window.shortcut_sheet()  # F1
    for dialog in (search, sheet, window.drills.trainer):
        models.update({id(v.model()): v.model() for v in dialog.findChildren(QAbstractItemView)})
    ours = [m for m in models.values() if type(m).__module__.startswith("imdesk.")]
    return window, ours


def test_every_model_in_the_filled_window_passes_the_model_tester(
        qtbot: QtBot, request: pytest.FixtureRequest, sqlite_ctx: AppContext) -> None:
    window, models = _filled_window(sqlite_ctx, qtbot)
    empty = [type(m).__name__ for m in models if m.rowCount() == 0]
    assert empty == [], f"a model with no rows proves little: fill {empty}"
    for model in models:  # a tester of its own each: one tester follows one model's signals
        tester = ModelTester(request.config)
        try:
            tester.check(model, force_py=True)
        finally:
            tester._cleanup()
    checked = {type(m).__name__ for m in models}
    every = {cls.__name__ for cls in _model_classes()} - set(CHECKED_ELSEWHERE) \
        - {"RowsListModel", "RowsTableModel"}  # the bases: checked through every subclass
    assert every - checked == set()
    window.close()


@pytest.mark.parametrize("name", sorted(CHECKED_ELSEWHERE))
def test_models_checked_elsewhere_really_are(name: str) -> None:
    from pathlib import Path

    text = Path(CHECKED_ELSEWHERE[name]).read_text(encoding="utf-8")
    assert "qtmodeltester.check(dialog." in text  # the dialog's model (ImportPlanModel, HintModel)
