"""The incident table model: Qt's model tester, paging from SQL, sort and filter in SQL."""

from __future__ import annotations

from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot

from imdesk.context import AppContext
from imdesk.qt.incidents.table_model import PAGE, IncidentTableModel
from imdesk.qt.tasks import SyncTaskRunner, TaskRunner
from imdesk.services.demo.bulk_seed import bulk_seed
from imdesk.storage.incident_repo import IncidentQuery


def test_model_passes_qt_model_tester(qtmodeltester: ModelTester, sqlite_ctx: AppContext) -> None:
    bulk_seed(sqlite_ctx.db, incidents=30, entries=90)
    model = IncidentTableModel(sqlite_ctx, SyncTaskRunner())
    model.set_query(IncidentQuery())
    assert model.rowCount() == 30
    qtmodeltester.check(model, force_py=True)


def test_rows_are_paged_in_as_the_view_scrolls(sqlite_ctx: AppContext) -> None:
    bulk_seed(sqlite_ctx.db, incidents=PAGE * 2 + 17, entries=(PAGE * 2 + 17) * 2)
    model = IncidentTableModel(sqlite_ctx, SyncTaskRunner())
    model.set_query(IncidentQuery(sort="ref"))
    assert model.rowCount() == PAGE and model.total == PAGE * 2 + 17
    assert model.canFetchMore()
    model.fetchMore()
    model.fetchMore()
    assert model.rowCount() == PAGE * 2 + 17 and not model.canFetchMore()
    refs = [model.state_at(i).ref for i in range(model.rowCount())]  # type: ignore[union-attr]
    assert len(set(refs)) == len(refs)
    assert refs == sorted(refs, key=lambda r: int(r.split("-")[1]))


def test_background_runner_delivers_on_the_gui_thread(qtbot: QtBot,
                                                      sqlite_ctx: AppContext) -> None:
    bulk_seed(sqlite_ctx.db, incidents=50, entries=100)
    runner = TaskRunner()
    model = IncidentTableModel(sqlite_ctx, runner)
    with qtbot.waitSignal(model.loaded) as loaded:
        model.set_query(IncidentQuery())
    assert loaded.args == [50] and model.rowCount() == 50


def test_a_newer_query_wins_over_a_slower_older_one(qtbot: QtBot, sqlite_ctx: AppContext) -> None:
    bulk_seed(sqlite_ctx.db, incidents=40, entries=80)
    model = IncidentTableModel(sqlite_ctx, TaskRunner())
    with qtbot.waitSignal(model.loaded) as loaded:
        model.set_query(IncidentQuery())
        model.set_query(IncidentQuery(text="no-such-word-anywhere"))
    assert loaded.args == [0] and model.rowCount() == 0
