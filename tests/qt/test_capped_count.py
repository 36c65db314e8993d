"""The incident list over more incidents than it counts: the label says "more than", and
scrolling still pages in every row."""

from __future__ import annotations

import pytest

from imdesk.context import AppContext
from imdesk.qt.incidents import table_model
from imdesk.qt.incidents.table_model import PAGE, IncidentTableModel
from imdesk.qt.tasks import SyncTaskRunner
from imdesk.services.demo.bulk_seed import bulk_seed
from imdesk.storage import incident_repo
from imdesk.storage.incident_repo import IncidentQuery


def test_a_capped_total_still_pages_to_the_last_row(sqlite_ctx: AppContext,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    n = PAGE * 3 + 17
    bulk_seed(sqlite_ctx.db, incidents=n, entries=n * 2)
    cap = PAGE + 50
    monkeypatch.setattr(incident_repo, "COUNT_CAP", cap)
    monkeypatch.setattr(table_model, "COUNT_CAP", cap)
    model = IncidentTableModel(sqlite_ctx, SyncTaskRunner())
    model.set_query(IncidentQuery(sort="ref"))
    assert (model.rowCount(), model.total) == (PAGE, cap + 1)
    while model.canFetchMore():
        model.fetchMore()
    refs = [model.state_at(i).ref for i in range(model.rowCount())]  # type: ignore[union-attr]
    assert len(set(refs)) == n == model.total
