"""The Messages pane while the sender is busy: it rereads only new and changed messages, and
the table changes in place — the selected message stays selected, nothing is laid out anew."""

from __future__ import annotations

from pytestqt.qtbot import QtBot

from imdesk.context import AppContext
from imdesk.domain.message import MessageState
from imdesk.qt.main_window import MainWindow
from imdesk.services.comms.recipients import Recipient
from tests.comms.conftest import configure, use_people
from tests.qt.conftest import add, window  # noqa: F401  (the console fixture)

PEOPLE = [Recipient(f"Person {n}", phones=(f"+49151123456{n:02d}",)) for n in range(3)]


def _queue(ctx: AppContext, ref: str) -> list[int]:
    return list(ctx.comms.notify.queue(ctx.comms.notify.plan(ref, "initial")))


def test_refresh_reads_only_what_changed(ctx: AppContext) -> None:
    configure(ctx)  # no provider: every message lands on the call list
    use_people(ctx, PEOPLE)
    ref = add(ctx, "ERP down", "high", "high")
    _queue(ctx, ref)
    outbox = ctx.comms.outbox
    shown = outbox.list()
    known = {item.id: item for item in shown}
    assert outbox.refresh(known) == shown
    assert all(a is b for a, b in zip(outbox.refresh(known), shown, strict=True))  # nothing reread

    done = outbox.called(shown[1].id, "reached him")
    again = outbox.refresh(known)
    assert again == outbox.list()
    assert again[1] == done and again[1].state == MessageState.CALLED
    assert again[0] is shown[0] and again[2] is shown[2]

    ref2 = add(ctx, "VPN down", "high", "high")
    _queue(ctx, ref2)  # three new messages on top of the page
    page = outbox.refresh({i.id: i for i in again}, limit=4)
    assert page == outbox.list(limit=4)
    assert [i.ref for i in page] == [ref2, ref2, ref2, ref]
    calls = outbox.refresh(known, states=(MessageState.CALL,))
    assert {i.id for i in calls} == {i.id for i in outbox.list(states=(MessageState.CALL,))}


def test_the_table_changes_in_place(qtbot: QtBot, window: MainWindow,  # noqa: F811
                                    sqlite_ctx: AppContext) -> None:
    ctx = sqlite_ctx
    configure(ctx)
    use_people(ctx, PEOPLE)
    ref = add(ctx, "ERP down", "high", "high")
    _queue(ctx, ref)
    window.comms.show()
    pane = window.comms.pane
    assert pane.model.rowCount() == 3
    resets: list[None] = []
    pane.model.modelReset.connect(lambda: resets.append(None))
    pane.table.selectRow(1)
    chosen = pane.current_item()
    assert chosen is not None

    other = pane.model.items[2]
    ctx.comms.outbox.called(other.id, "")  # the state of another message changes
    pane.reload()
    assert "called" in pane.model.index(2, 4).data()
    assert pane.calls_model.rowCount() == 2  # the call list followed
    assert pane.current_item() == chosen  # still the same message, the same row

    ref2 = add(ctx, "VPN down", "high", "high")
    _queue(ctx, ref2)  # new messages arrive above
    pane.reload()
    assert pane.model.rowCount() == 6
    assert [pane.model.index(r, 1).data() for r in range(3)] == [ref2] * 3
    current = pane.current_item()
    assert current is not None and current.id == chosen.id  # the selection moved with it
    assert "Person 1" in pane.detail.text()
    assert resets == []  # nothing was rebuilt: the view kept its place

    pane.filter.setCurrentIndex(1)  # needs a person: the called message leaves the list
    assert pane.model.rowCount() == 5
    assert other.id not in {i.id for i in pane.model.items}
    pane.filter.setCurrentIndex(3)  # done: a list of its own
    assert [i.id for i in pane.model.items] == [other.id]
