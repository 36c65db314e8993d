"""The Contacts pane as a user drives it: search as you type, the card, who to call from an
incident with one key, logging a call, the editor refusing bad values at the field, the drill,
the organisation editor, the status bar count and the emergency pack written off the GUI thread."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog
from pytestqt.qtbot import QtBot

from imdesk.context import AppContext
from imdesk.domain.contact import ContactRecord
from imdesk.domain.contact_book import CheckOutcome
from imdesk.qt.contacts.drill_dialog import DrillDialog
from imdesk.qt.contacts.editor import ContactEditor
from imdesk.qt.contacts.org_editor import OrgEditor
from imdesk.qt.main_window import MainWindow
from imdesk.qt.tasks import SyncTaskRunner
from imdesk.services.contacts.values import normalise_phone
from imdesk.services.demo.contacts import seed_demo_contacts
from imdesk.services.demo.story import _ensure_services, load_story
from tests.qt.conftest import add


@pytest.fixture
def book(sqlite_ctx: AppContext) -> AppContext:
    _ensure_services(sqlite_ctx, load_story())
    seed_demo_contacts(sqlite_ctx)
    return sqlite_ctx


@pytest.fixture
def pane(window: MainWindow, book: AppContext, qtbot: QtBot) -> Any:
    window.show_pane(window.contacts)
    return window.contacts


def titles(pane: Any) -> list[str]:
    return [h.title for h in pane.model.hits]


def test_search_as_you_type_shows_people_teams_and_services_with_badges(pane: Any, qtbot: QtBot) -> None:
    qtbot.keyClicks(pane.search, "net")
    qtbot.waitUntil(lambda: "Network" in titles(pane) and "Jonas Berg" in titles(pane))
    kinds = {(h.kind, h.title) for h in pane.model.hits}
    assert ("service", "Network") in kinds and ("team", "Network") in kinds
    pane.search.clear()
    qtbot.keyClicks(pane.search, "mei")
    qtbot.waitUntil(lambda: titles(pane) == ["Mei Tanaka"])
    hit = pane.model.hits[0]
    assert hit.on_duty and hit.stale          # the override covers now; verified 130 days ago
    assert "on duty" in pane.model.index(0).data(Qt.ItemDataRole.AccessibleTextRole)
    qtbot.waitUntil(lambda: pane.stack.currentWidget() is pane.card)
    assert pane.card.dial.number.text() == "+49 1577 1234567"
    assert "stale" in pane.card.verified.text()


def test_copy_and_dial_links(pane: Any, qtbot: QtBot, monkeypatch: pytest.MonkeyPatch) -> None:
    opened: list[str] = []
    monkeypatch.setattr(pane, "open_url", opened.append)
    monkeypatch.setattr(pane, "ask_outcome", lambda *a: None)
    pane.card.open_url_requested.disconnect()
    pane.card.open_url_requested.connect(pane.open_url)
    qtbot.keyClicks(pane.search, "lucia")
    qtbot.waitUntil(lambda: pane.stack.currentWidget() is pane.card)
    pane.card.dial.copy_button.click()
    from PySide6.QtGui import QGuiApplication

    assert QGuiApplication.clipboard().text() == "+34612345678"
    pane.card.dial.call_button.click()
    pane.card.dial.mail_button.click()
    assert opened == ["tel:+34612345678", "mailto:lucia.fernandez@northwind.example"]


def test_one_key_from_an_incident_shows_who_to_call_and_logs_the_call(
        window: MainWindow, book: AppContext, qtbot: QtBot, monkeypatch: pytest.MonkeyPatch) -> None:
    ref = add(book, "VPN gateway drops sessions", "high", "high", service="VPN")
    window.incidents.reload()
    window.incidents.show_incident(ref)
    qtbot.waitUntil(lambda: window.incidents.detail.state is not None
                    and window.incidents.detail.state.ref == ref)
    pane = window.contacts
    monkeypatch.setattr(pane, "open_url", lambda url: None)
    monkeypatch.setattr(pane, "ask_outcome", lambda name, number, r: CheckOutcome.WRONG_NUMBER)
    window.incidents.table.setFocus()
    qtbot.keyClick(window.incidents.table, Qt.Key.Key_C,
                   Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    qtbot.waitUntil(lambda: window.current_pane() is pane and pane.stack.currentWidget() is pane.who)
    who = pane.who
    assert who.title.text() == "Who do I call for VPN"
    assert ref in who.incident.text()
    assert who.first_number.text() == "+49 1577 1234567"       # Mei, on duty by override
    assert [r.when for r in who.model.rows][:4] == ["+0 min", "+10 min", "+25 min", "+55 min"]
    who.table.setFocus()
    qtbot.keyClick(who.table, Qt.Key.Key_Return)
    entry = book.incidents.detail(ref).timeline[-1]
    assert entry.text == "called Mei Tanaka on +4915771234567: wrong number"
    assert book.contacts.get(book.contacts.find("Mei Tanaka")).review.startswith("wrong number")


def test_the_editor_refuses_a_bad_number_at_the_field_and_keeps_the_text(qtbot: QtBot) -> None:
    editor = ContactEditor(None, None, "DE")
    qtbot.addWidget(editor)
    editor.name.setText("Noor \u202eAl-Amin\u200b")
    editor.phones[0].setText("+49 30 12")
    editor.emails[0].setText("noor@@example")
    editor.buttons.button(editor.buttons.StandardButton.Save).click()
    assert editor.result() != QDialog.DialogCode.Accepted
    assert "+49 30 12" in editor.errors["phone0"].text() and editor.errors["phone0"].isVisibleTo(editor)
    assert "noor@@example" in editor.errors["email0"].text()
    assert editor.phones[0].text() == "+49 30 12" and editor.emails[0].text() == "noor@@example"
    editor.phones[0].setText("030 1234567")
    editor.emails[0].setText("noor@example.com")
    editor.buttons.button(editor.buttons.StandardButton.Save).click()
    assert editor.result() == QDialog.DialogCode.Accepted
    rec = editor.record()
    assert rec.phones[0].e164 == "+49301234567" and rec.emails[0].valid


def test_a_flagged_imported_number_may_stay_but_a_new_bad_one_may_not(qtbot: QtBot) -> None:
    record = ContactRecord("Grace", phones=(normalise_phone("ext. 2240 (switchboard)"),))
    editor = ContactEditor(None, record, "DE")
    qtbot.addWidget(editor)
    assert "Kept as imported" in editor.errors["phone0"].text()
    editor.buttons.button(editor.buttons.StandardButton.Save).click()
    assert editor.result() == QDialog.DialogCode.Accepted
    assert editor.record().phones[0].flagged


def test_saving_through_the_pane_cleans_names_and_a_10_mb_note_is_refused(
        pane: Any, book: AppContext, qtbot: QtBot) -> None:
    seen: list[str] = []

    def fill(dialog: QDialog) -> bool:
        assert isinstance(dialog, ContactEditor)
        save = dialog.buttons.button(dialog.buttons.StandardButton.Save)
        dialog.name.setText("Zoë \u202eQuinn\u200b")
        dialog.phones[0].setText("+44 20 7946 0958")
        dialog.notes.setPlainText("n" * 10_000_000)
        save.click()                                   # refused at the notes field
        seen.append(dialog.errors["notes"].text())
        assert dialog.result() != QDialog.DialogCode.Accepted
        assert dialog.name.text() == "Zoë \u202eQuinn\u200b"     # nothing typed was lost
        dialog.notes.setPlainText("on call for the London office")
        save.click()
        return dialog.result() == QDialog.DialogCode.Accepted

    pane.ask = fill
    pane.edit_contact(None)
    assert "10,000,000" in seen[0]
    cid = book.contacts.find("Zoë Quinn")                # bidi override and zero-width space removed
    saved = book.contacts.get(cid).record
    assert saved.phones[0].e164 == "+442079460958" and saved.notes == "on call for the London office"


def test_the_drill_marks_and_moves_on(window: MainWindow, book: AppContext, qtbot: QtBot) -> None:
    ids = book.contacts.drill_ids(team="Database")
    dialog = DrillDialog(window, book.contacts, SyncTaskRunner(), "Team Database", ids)
    qtbot.addWidget(dialog)
    dialog.show()
    assert "1 of 3" in dialog.progress.text()
    qtbot.keyClick(dialog, Qt.Key.Key_R)
    qtbot.keyClick(dialog, Qt.Key.Key_N)
    qtbot.keyClick(dialog, Qt.Key.Key_W)
    assert dialog.summary() == "Drill: 1 reached, 1 no answer, 1 wrong number"
    first = book.contacts.get(ids[0])
    assert first.record.last_verified_at == book.contacts.now() and first.record.verified_by == "tester"
    assert book.contacts.get(ids[2]).review


def test_the_status_bar_counts_stale_contacts(window: MainWindow, book: AppContext, qtbot: QtBot) -> None:
    window.contact_book.refresh_counts()
    counts = book.contacts.review_counts()
    qtbot.waitUntil(lambda: f"{counts.stale} contacts stale" in window.status.contacts_label.text())
    assert counts.stale >= 5


def test_the_organisation_editor_names_the_bad_line_and_keeps_the_text(
        window: MainWindow, book: AppContext, qtbot: QtBot) -> None:
    dialog = OrgEditor(window, book.contacts)
    qtbot.addWidget(dialog)
    dialog.team_combo.setCurrentIndex(dialog.team_combo.findData("Database"))
    dialog.ladder.setPlainText("on duty, 10\nteam lead, soon\n")
    dialog.save()
    assert "line 2" in dialog.message.text() and "soon" in dialog.message.text()
    assert dialog.ladder.toPlainText() == "on duty, 10\nteam lead, soon\n"
    dialog.ladder.setPlainText("on duty, 5\nErik Johansson, 20")
    dialog.save()
    assert dialog.changed
    steps = book.contacts.org.team("Database").ladder
    assert [(s.role, s.wait_minutes) for s in steps] == [("on duty", 5), ("", 20)]


def test_the_emergency_pack_is_written_off_the_gui_thread(
        window: MainWindow, book: AppContext, qtbot: QtBot, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    from imdesk.qt.contacts import pack_keeper
    from imdesk.qt.tasks import TaskRunner

    threads: list[int] = []
    real = pack_keeper.write_current_pack

    def spy(ctx: AppContext, last: str = "") -> tuple[str, str]:
        threads.append(threading.get_ident())
        return real(ctx, last)

    monkeypatch.setattr(pack_keeper, "write_current_pack", spy)
    book.contacts.set_pack_folder(str(tmp_path / "pack"))
    keeper = pack_keeper.PackKeeper(book, TaskRunner(), delay_ms=10)
    with qtbot.waitSignal(keeper.written, timeout=20_000) as blocker:
        keeper.schedule()
    path = Path(blocker.args[0])
    assert path == tmp_path / "pack" / "emergency-pack.pdf" and path.read_bytes().startswith(b"%PDF")
    assert threads and threads[0] != threading.get_ident()


def test_the_review_queue_and_a_team(pane: Any, book: AppContext, qtbot: QtBot) -> None:
    pane.review_button.click()
    qtbot.waitUntil(lambda: "Erik Johansson" in titles(pane))
    erik = next(h for h in pane.model.hits if h.title == "Erik Johansson")
    grace = next(h for h in pane.model.hits if h.title == "Grace Mensah")
    assert erik.review.startswith("wrong number") and grace.review   # a number that did not parse
    assert "Kim Nguyen" not in titles(pane)
    pane.search.clear()
    qtbot.keyClicks(pane.search, "network")
    qtbot.waitUntil(lambda: any(h.kind == "team" for h in pane.model.hits))
    team_row = pane.model.row_of("team", book.contacts.org.team("Network").id)
    pane.list.setCurrentIndex(pane.model.index(team_row))
    qtbot.waitUntil(lambda: pane.stack.currentWidget() is pane.team)
    assert pane.team.duty.text().startswith("On duty now: Mei Tanaka")
    assert "+25 min  Hanse Fibre NOC" in pane.team.ladder.text()
    assert pane.team.model.rowCount() == 3


def test_the_editor_keeps_name_parts_and_names_a_contact_typed_only_as_parts(qtbot: QtBot) -> None:
    editor = ContactEditor(None, None, "DE")
    qtbot.addWidget(editor)
    editor.parts.edits["given_name"].setText("Jörg")
    editor.parts.edits["family_name"].setText("Müller")
    editor.parts.edits["nickname"].setText("Jo")
    editor.buttons.button(editor.buttons.StandardButton.Save).click()
    assert editor.result() == QDialog.DialogCode.Accepted
    rec = editor.record()
    assert (rec.name, rec.given_name, rec.family_name, rec.nickname) == (
        "Jörg Müller", "Jörg", "Müller", "Jo")
    again = ContactEditor(None, rec, "DE")
    qtbot.addWidget(again)
    assert again.parts.edits["nickname"].text() == "Jo"


def test_the_card_shows_the_name_parts_and_search_finds_a_nickname(pane: Any, qtbot: QtBot) -> None:
    qtbot.keyClicks(pane.search, "samuel")
    qtbot.waitUntil(lambda: titles(pane) == ["Sam Okafor"])
    qtbot.waitUntil(lambda: pane.stack.currentWidget() is pane.card)
    assert pane.card.names.text() == "Given name Samuel · Family name Okafor · Nickname Sam"
    assert not pane.card.names.isHidden()
