"""The Documents pane as a user drives it: a runbook rendered from Markdown (links are links),
editing with the keyboard makes a new version, one key from an incident lists its service's
documents, the stale count in the status bar, the review walk, Ctrl+K finding a document, the
emergency pack printing the runbooks, and the awareness board written off the GUI thread (a
failure reported, never raised)."""

from __future__ import annotations

import threading
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from imdesk.context import AppContext
from imdesk.qt.main_window import MainWindow
from imdesk.qt.search_dialog import SearchDialog
from imdesk.qt.tasks import SyncTaskRunner, TaskRunner
from imdesk.services.clock import ManualClock
from tests.qt.conftest import add

RUNBOOK = ("# Restart the VPN concentrators\n\nNever restart both at once.\n\n"
           "1. Drain `VPN-A`\n2. Restart it\n\n[Sessions](https://grafana.example/d/vpn)\n")


@pytest.fixture
def docs(sqlite_ctx: AppContext) -> AppContext:
    for name in ("VPN", "ERP"):
        sqlite_ctx.catalog.add(name)
    sqlite_ctx.docs.add("VPN", "Restart the VPN concentrators", RUNBOOK, owner="Ingrid Larsen")
    sqlite_ctx.docs.add("ERP", "ERP vendor contract", "Hotline +49 69 2222 0100\n", review_days=30)
    return sqlite_ctx


def open_pane(window: MainWindow, qtbot: QtBot) -> Any:
    qtbot.waitUntil(lambda: window.documents is not None)
    window.documents.open()
    pane = window.documents.pane
    qtbot.waitUntil(lambda: pane.model.rowCount() > 0)
    return pane


def select(pane: Any, title: str) -> None:
    row = next(i for i, d in enumerate(pane.model.rows) if d.title == title)
    pane.list.setCurrentIndex(pane.model.index(row))


def test_a_runbook_is_rendered_with_its_links(window: MainWindow, docs: AppContext, qtbot: QtBot) -> None:
    pane = open_pane(window, qtbot)
    select(pane, "Restart the VPN concentrators")
    qtbot.waitUntil(lambda: pane.title.text() == "Restart the VPN concentrators")
    assert "Never restart both at once." in pane.viewer.toPlainText()
    assert 'href="https://grafana.example/d/vpn"' in pane.viewer.toHtml()
    assert "owner Ingrid Larsen" in pane.meta.text() and "version 1" in pane.meta.text()


def test_editing_by_keyboard_saves_a_new_version(window: MainWindow, docs: AppContext, qtbot: QtBot) -> None:
    pane = open_pane(window, qtbot)
    select(pane, "Restart the VPN concentrators")
    pane.list.setFocus()
    qtbot.keyClick(pane.list, Qt.Key.Key_E, Qt.KeyboardModifier.ControlModifier)
    assert pane.stack.currentWidget() is pane.editor and pane.editor.text.hasFocus()
    pane.editor.text.moveCursor(pane.editor.text.textCursor().MoveOperation.End)
    qtbot.keyClicks(pane.editor.text, "3. Check a test login")
    qtbot.keyClick(pane.editor.text, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: pane.stack.currentWidget() is pane.viewer)
    doc_id = pane.document.summary.id
    assert docs.docs.get(doc_id).summary.version == 2
    assert docs.docs.get(doc_id, 1).current.text == RUNBOOK
    assert ("+", "3. Check a test login") in [(m, t.strip()) for m, t in docs.docs.diff(doc_id, 1, 2)]


def test_one_key_from_an_incident_lists_its_services_documents(
        window: MainWindow, docs: AppContext, qtbot: QtBot) -> None:
    ref = add(docs, "VPN gateway drops sessions", "high", "high", service="VPN")
    qtbot.waitUntil(lambda: window.documents is not None)
    window.incidents.reload()
    window.incidents.show_incident(ref)
    qtbot.waitUntil(lambda: window.incidents.detail.state is not None)
    line = window.documents.detail_docs  # the incident detail names its service's documents
    qtbot.waitUntil(lambda: "Restart the VPN concentrators" in line.text())
    assert line.text().startswith("Documents for VPN (Ctrl+Shift+B)") and line.isVisible()
    window.incidents.table.setFocus()
    qtbot.keyClick(window.incidents.table, Qt.Key.Key_B,
                   Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    pane = window.documents.pane
    qtbot.waitUntil(lambda: window.current_pane() is pane and pane.model.rowCount() == 1)
    assert pane.model.rows[0].service == "VPN"
    from imdesk.qt.shortcuts_help import shortcut_rows

    assert any(what.startswith("Runbooks and documents of the service") for _k, what in shortcut_rows(window))


def test_stale_count_and_the_review_walk(qtbot: QtBot, sqlite_url: str,
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    from imdesk.app import build_context
    from imdesk.qt.docs.review_dialog import ReviewWalk
    from tests.conftest import START

    clock = ManualClock(START)
    ctx = build_context(sqlite_url, clock=clock, author="tester")
    ctx.catalog.add("ERP")
    d = ctx.docs.add("ERP", "ERP vendor contract", "Hotline\n", review_days=30)
    clock.advance(timedelta(days=31))
    window = MainWindow(ctx, SyncTaskRunner())
    window.persist_layout = False
    qtbot.addWidget(window)
    window.show()
    window.start()
    qtbot.waitUntil(lambda: "1 document stale" in window.status.contacts_label.text())
    pane = open_pane(window, qtbot)
    assert "⚠ stale" in pane.model.index(0).data()

    def walk(ids: list[int], load: Any, act: Any, now: Any, parent: Any) -> Any:
        assert ids == [d.id]
        act(ids[0], "still right")
        result = ReviewWalk.__new__(ReviewWalk)
        result.edit_id = None
        result.done_count = {"still right": 1, "retired": 0, "skipped": 0}
        return result

    monkeypatch.setattr(ReviewWalk, "ask", staticmethod(walk))
    pane.review_walk()
    qtbot.waitUntil(lambda: window.status.contacts_label.text() == "")
    assert ctx.docs.stale() == [] and ctx.docs.get(d.id).summary.reviewed_by == "tester"
    window.close()
    ctx.close()


def test_ctrl_k_finds_a_document_and_opens_it(window: MainWindow, docs: AppContext, qtbot: QtBot) -> None:
    qtbot.waitUntil(lambda: window.documents is not None)
    dialog = SearchDialog(window, docs.timeline, window.runner, docs.now(),
                          documents=lambda q: docs.docs.search(q, 10))
    qtbot.addWidget(dialog)
    dialog.query.setText("concentr")
    dialog.run_search()
    first = dialog.model.index(0)
    assert "Restart the VPN concentrators" in first.data()
    with qtbot.waitSignal(dialog.document_chosen) as got:
        dialog._open(first)
    window.documents.show_document(got.args[0])
    pane = window.documents.pane
    qtbot.waitUntil(lambda: pane.document is not None and pane.document.summary.id == got.args[0])


def test_the_emergency_pack_prints_the_runbooks(docs: AppContext, tmp_path: Path) -> None:
    from imdesk.qt.contacts.pack_writer import write_pack_headless
    from imdesk.services.contacts.pack_data import collect_pack
    from tests.helpers.pdf_text import pdf_text

    out = tmp_path / "pack.pdf"
    write_pack_headless(collect_pack(docs), out)
    text = pdf_text(out)
    assert "Runbooks and documents per service" in text
    assert "Never restart both at once." in text and "Hotline +49 69 2222 0100" in text
    assert "Sessions (https://grafana.example/d/vpn)" in text  # a link reads on paper


def test_the_board_is_written_off_the_gui_thread_and_a_failure_is_reported(
        docs: AppContext, qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from imdesk.qt.docs.board_keeper import BoardKeeper
    from imdesk.services.board import writer

    threads: list[int] = []
    real = writer.write_board

    def spy(ctx: AppContext, folder: Path | None = None) -> Any:
        threads.append(threading.get_ident())
        return real(ctx, folder)

    monkeypatch.setattr(writer, "write_board", spy)
    docs.docs.settings.set_board_folder(str(tmp_path / "board"))
    keeper = BoardKeeper(docs, TaskRunner(), delay_ms=10)
    (tmp_path / "board").write_text("a file where the folder should be")
    with qtbot.waitSignal(keeper.failed, timeout=20_000) as failed:
        keeper.schedule()
    assert "not a folder" in failed.args[0]
    (tmp_path / "board").unlink()
    with qtbot.waitSignal(keeper.written, timeout=20_000) as written:
        keeper.schedule()
    assert Path(written.args[0]).read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert threads and all(t != threading.get_ident() for t in threads)


def test_stale_documents_join_the_contacts_review_queue(
        qtbot: QtBot, sqlite_url: str) -> None:
    from imdesk.app import build_context
    from tests.conftest import START

    clock = ManualClock(START)
    ctx = build_context(sqlite_url, clock=clock, author="tester")
    ctx.catalog.add("ERP")
    d = ctx.docs.add("ERP", "ERP vendor contract", "Hotline\n", review_days=30)
    clock.advance(timedelta(days=30))
    window = MainWindow(ctx, SyncTaskRunner())
    window.persist_layout = False
    qtbot.addWidget(window)
    window.show()
    window.start()
    qtbot.waitUntil(lambda: window.documents is not None)
    contacts = window.contacts
    window.show_pane(contacts)
    contacts.review_button.click()
    qtbot.waitUntil(lambda: any(h.kind == "document" for h in contacts.model.hits))
    row = contacts.model.row_of("document", d.id)
    assert contacts.model.index(row).data() == "ERP vendor contract"
    contacts.list.setCurrentIndex(contacts.model.index(row))
    contacts.list.setFocus()
    qtbot.keyClick(contacts.list, Qt.Key.Key_Return)
    pane = window.documents.pane
    qtbot.waitUntil(lambda: window.current_pane() is pane and pane.document is not None
                    and pane.document.summary.id == d.id)
    window.close()
    ctx.close()


def test_board_settings_from_the_pane(window: MainWindow, docs: AppContext, qtbot: QtBot,
                                      tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from imdesk.qt.docs.settings_dialog import BoardSettings, DocSettingsDialog

    pane = open_pane(window, qtbot)
    seen: list[BoardSettings] = []

    def ask(current: BoardSettings, parent: Any) -> BoardSettings:
        seen.append(current)
        return BoardSettings(str(tmp_path / "share"), "+49 30 4000 100", "desk@example.com", "24/7", 90)

    monkeypatch.setattr(DocSettingsDialog, "ask", staticmethod(ask))
    pane.settings_button.click()
    assert seen and seen[0].review_days == 180
    settings = docs.docs.settings
    assert settings.board_folder() == str(tmp_path / "share") and settings.review_days() == 90
    assert settings.desk_contact().phone == "+49 30 4000 100"
    qtbot.waitUntil(lambda: (tmp_path / "share" / "index.html").is_file(), timeout=10_000)
    assert "+49 30 4000 100" in (tmp_path / "share" / "index.html").read_text(encoding="utf-8")


def test_the_stale_drill_goes_on_through_the_stale_documents(qtbot: QtBot, sqlite_url: str,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    """The review queue holds contacts and documents: the drill over everything stale steps
    through the stale contacts, then walks the stale documents (still right / edit / retire)."""
    from imdesk.app import build_context
    from imdesk.domain.contact_book import CheckOutcome, ContactRecord
    from imdesk.qt.contacts.drill_dialog import DrillChoice, DrillDialog
    from imdesk.qt.docs.review_dialog import ReviewWalk
    from tests.conftest import START

    clock = ManualClock(START)
    ctx = build_context(sqlite_url, clock=clock, author="tester")
    ctx.catalog.add("ERP")
    doc = ctx.docs.add("ERP", "ERP vendor contract", "Hotline\n", review_days=30)
    contact = ctx.contacts.add(ContactRecord(name="Ingrid Larsen"))
    clock.advance(timedelta(days=400))
    assert ctx.contacts.drill_ids(stale=True) == [contact] and [d.id for d in ctx.docs.stale()] == [doc.id]
    window = MainWindow(ctx, SyncTaskRunner())
    window.persist_layout = False
    qtbot.addWidget(window)
    window.start()
    qtbot.waitUntil(lambda: window.documents is not None)
    window.contact_book.open()
    pane = window.contacts
    seen: list[str] = []

    def ask(dialog: Any) -> bool:
        if isinstance(dialog, DrillChoice):
            seen.append(dialog.combo.currentText())
            return True
        assert isinstance(dialog, DrillDialog)
        dialog.mark(CheckOutcome.REACHED)  # the one stale contact: reached
        return True

    def walk(ids: list[int], load: Any, act: Any, now: Any, parent: Any) -> Any:
        seen.append(load(ids[0]).summary.title)
        act(ids[0], "still right")
        result = ReviewWalk.__new__(ReviewWalk)
        result.edit_id = None
        result.done_count = {"still right": 1, "retired": 0, "skipped": 0}
        return result

    monkeypatch.setattr(pane, "ask", ask)
    monkeypatch.setattr(ReviewWalk, "ask", staticmethod(walk))
    pane.start_drill()
    qtbot.waitUntil(lambda: len(seen) == 2)
    assert seen == ["All stale and flagged contacts (1), then the stale documents", "ERP vendor contract"]
    assert ctx.contacts.drill_ids(stale=True) == [] and ctx.docs.stale() == []
    window.close()
    ctx.close()
