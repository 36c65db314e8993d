"""The incident list refreshes without jumping: the same rows coming back are changed in place
(the current row, the selection and the scroll position stay; only changed rows repaint), and the
cells show what the model says — text, colours, the priority badge — through the cell delegate."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtWidgets import QStyleOptionViewItem
from pytestqt.qtbot import QtBot

from imdesk.context import AppContext
from imdesk.qt.incidents.table_model import COL_PRIORITY, COL_REF, COL_SLA, COL_TITLE, PAGE
from imdesk.qt.main_window import MainWindow
from tests.qt.conftest import add


def _many(ctx: AppContext, n: int) -> list[str]:
    return [add(ctx, f"Printer {i:02d} on floor {i % 5} is jammed") for i in range(n)]


def test_a_refresh_keeps_the_row_the_selection_and_the_scroll_position(
        qtbot: QtBot, window: MainWindow, sqlite_ctx: AppContext) -> None:
    _many(sqlite_ctx, PAGE)  # one page, far more than a screen
    pane = window.incidents
    pane.reload()
    assert pane.model.rowCount() == PAGE
    chosen_row, other_row = PAGE - 15, PAGE - 10
    pane.table.setFocus()
    pane.table.selectRow(chosen_row)
    pane.table.scrollTo(pane.model.index(chosen_row, 0))
    chosen = pane.current_ref()
    scrolled = pane.table.verticalScrollBar().value()
    assert chosen is not None and scrolled > 0
    other = pane.model.state_at(other_row)
    assert other is not None
    resets: list[None] = []
    changed: list[int] = []
    pane.model.modelReset.connect(lambda: resets.append(None))
    pane.model.dataChanged.connect(lambda top, _bottom, _roles=(): changed.append(top.row()))

    sqlite_ctx.incidents.add_entry(other.ref, "toner replaced by the vendor")  # another desk
    pane.poll_changes()

    assert resets == []  # nothing rebuilt
    assert changed == [other_row]  # only the row that changed is repainted
    assert pane.model.state_at(other_row).last_seq > other.last_seq  # type: ignore[union-attr]
    assert pane.current_ref() == chosen and pane.table.currentIndex().row() == chosen_row
    assert [i.row() for i in pane.table.selectionModel().selectedRows()] == [chosen_row]
    assert pane.table.verticalScrollBar().value() == scrolled


def test_the_detail_follows_an_outside_change_of_the_current_incident(
        qtbot: QtBot, window: MainWindow, sqlite_ctx: AppContext) -> None:
    refs = _many(sqlite_ctx, 3)
    pane = window.incidents
    pane.reload()
    row = pane.model.row_of(refs[1])
    pane.table.setFocus()
    pane.table.selectRow(row)
    assert pane.detail.state is not None and pane.detail.state.ref == refs[1]
    seen = pane.detail.state.last_seq

    sqlite_ctx.incidents.add_entry(refs[1], "engineer on site")
    pane.poll_changes()

    assert pane.table.currentIndex().row() == row
    assert pane.detail.state is not None and pane.detail.state.last_seq > seen
    texts = [pane.detail.timeline_model.index(r, 0).data()
             for r in range(pane.detail.timeline_model.rowCount())]
    assert any("engineer on site" in (t or "") for t in texts)


def test_a_new_sort_starts_the_list_afresh_and_keeps_the_incident(
        qtbot: QtBot, window: MainWindow, sqlite_ctx: AppContext) -> None:
    refs = _many(sqlite_ctx, 5)
    pane = window.incidents
    pane.reload()
    pane.table.setFocus()
    pane.table.selectRow(pane.model.row_of(refs[3]))
    resets: list[None] = []
    pane.model.modelReset.connect(lambda: resets.append(None))
    pane.table.sortByColumn(COL_REF, Qt.SortOrder.DescendingOrder)
    assert resets == [None]
    assert [pane.model.state_at(i).ref for i in range(5)] == refs[::-1]  # type: ignore[union-attr]
    assert pane.current_ref() == refs[3]
    assert pane.detail.state is not None and pane.detail.state.ref == refs[3]


def test_the_cells_show_what_the_model_says(qtbot: QtBot, window: MainWindow,
                                            sqlite_ctx: AppContext) -> None:
    add(sqlite_ctx, "Core switch down", "high", "high")  # P1, bold SLA
    pane = window.incidents
    pane.reload()
    table = pane.table
    for col in (COL_REF, COL_TITLE, COL_SLA, COL_PRIORITY):
        index = pane.model.index(0, col)
        option = QStyleOptionViewItem()
        option.initFrom(table)
        table.itemDelegateForIndex(index).initStyleOption(option, index)
        expected = "" if col == COL_PRIORITY else index.data()  # the badge is drawn instead
        assert option.text == expected
        font = index.data(Qt.ItemDataRole.FontRole)
        if font is not None:
            assert option.font == font
        color = index.data(Qt.ItemDataRole.ForegroundRole)
        if color is not None:
            assert option.palette.color(option.palette.ColorRole.Text) == color
        assert int(option.displayAlignment) == int(index.data(Qt.ItemDataRole.TextAlignmentRole)
                                                  or (Qt.AlignmentFlag.AlignLeft
                                                      | Qt.AlignmentFlag.AlignVCenter))
    image = table.viewport().grab().toImage()
    rect = table.visualRect(pane.model.index(0, COL_PRIORITY))
    badge = image.pixelColor(rect.x() + 10, rect.center().y())
    assert badge.red() > 150 and badge.green() < 100  # the red P1 pill
    assert table.indexAt(rect.center()) != QModelIndex()


def test_a_sort_by_the_keyboard_or_code_reads_the_list_once(
        qtbot: QtBot, window: MainWindow, sqlite_ctx: AppContext,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """QTableView.sortByColumn asks the model to sort twice (its header's signal, then itself):
    one query, not two in a row."""
    refs = _many(sqlite_ctx, 5)
    pane = window.incidents
    pane.reload()
    reads: list[str] = []
    real = type(sqlite_ctx.incidents).first_page
    monkeypatch.setattr(type(sqlite_ctx.incidents), "first_page",
                        lambda self, query, limit: reads.append(query.sort) or real(self, query, limit))
    pane.table.sortByColumn(COL_REF, Qt.SortOrder.DescendingOrder)
    assert reads == ["ref"]
    assert [pane.model.state_at(i).ref for i in range(5)] == refs[::-1]  # type: ignore[union-attr]
    pane.table.sortByColumn(COL_REF, Qt.SortOrder.AscendingOrder)
    assert reads == ["ref", "ref"]
    assert [pane.model.state_at(i).ref for i in range(5)] == refs  # type: ignore[union-attr]
