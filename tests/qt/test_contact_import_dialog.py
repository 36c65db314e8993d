"""The import preview as a user meets it: File → Import contacts…, the rows, merge or skip, Import."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog
from pytestqt.qtbot import QtBot

from imdesk.context import AppContext
from imdesk.domain.contact import ContactRecord, EmailKind
from imdesk.qt.contacts import transfer_menu as dialogs
from imdesk.qt.contacts.import_dialog import ContactImportDialog
from imdesk.qt.contacts.import_plan_model import Col, Show
from imdesk.qt.main_window import MainWindow
from imdesk.qt.tasks import SyncTaskRunner, TaskRunner
from imdesk.services.contacts import transfer as contact_transfer
from imdesk.services.contacts.values import normalise_email

CORPUS = Path(__file__).parent.parent / "data" / "contacts"


def names(ctx: AppContext) -> list[str]:
    return sorted(rec.name for _, rec in ctx.contacts.all_records())


def add_juergen(ctx: AppContext) -> int:
    return ctx.contacts.add(ContactRecord(name="J. Müller", emails=(
        normalise_email("juergen.mueller@contoso.example", EmailKind.WORK),)))


def open_dialog(qtbot: QtBot, ctx: AppContext, name: str,
                runner: TaskRunner | None = None) -> ContactImportDialog:
    dialog = ContactImportDialog(None, ctx, runner or SyncTaskRunner(), CORPUS / name)
    qtbot.addWidget(dialog)
    dialog.start()
    return dialog


def column(dialog: ContactImportDialog, col: Col) -> list[str]:
    model = dialog.model
    return [model.data(model.index(r, col)) for r in range(model.rowCount())]


def test_the_preview_lists_new_duplicates_and_flagged_values_before_writing(
        qtbot: QtBot, sqlite_ctx: AppContext, qtmodeltester: Any) -> None:
    add_juergen(sqlite_ctx)
    dialog = open_dialog(qtbot, sqlite_ctx, "outlook.csv")
    qtmodeltester.check(dialog.model)
    assert dialog.heading.text() == "outlook.csv · Outlook CSV · windows-1252"
    assert dialog.summary.text().startswith("2 new · 1 duplicates")
    assert column(dialog, Col.NAME) == ["Jürgen Müller", "Amélie Lefèvre", "Pizza Express Nord"]
    assert column(dialog, Col.ACTION) == ["skip", "add", "add"]
    assert column(dialog, Col.DUPLICATE_OF)[0].startswith("J. Müller (#")
    assert column(dialog, Col.DUPLICATE_OF)[0].endswith("), same email")
    assert column(dialog, Col.REVIEW)[1] == ("⚠ Home Phone '12': not a valid number for its region "
                                             "(+1 more)")
    review = dialog.review_model.stringList()
    assert "⚠ record 2 (line 4): Home Phone '12': not a valid number for its region" in review
    assert dialog.import_button.text() == "&Import: add 2"
    assert names(sqlite_ctx) == ["J. Müller"]          # nothing written yet
    dialog.show_combo.setCurrentIndex(Show.FLAGGED)
    assert column(dialog, Col.NAME) == ["Amélie Lefèvre", "Pizza Express Nord"]


def test_space_toggles_merge_and_import_writes_in_one_go(qtbot: QtBot, sqlite_ctx: AppContext) -> None:
    juergen = add_juergen(sqlite_ctx)
    dialog = open_dialog(qtbot, sqlite_ctx, "outlook.csv")
    imported: list[Any] = []
    dialog.imported.connect(imported.append)
    assert dialog.table.currentIndex().row() == 0
    qtbot.keyClick(dialog.table, Qt.Key.Key_Space)
    assert column(dialog, Col.ACTION)[0] == "merge"
    assert dialog.model.data(dialog.model.index(0, Col.ACTION), Qt.ItemDataRole.CheckStateRole) == \
        Qt.CheckState.Checked
    assert dialog.import_button.text() == "&Import: add 2, merge 1"
    qtbot.keyClick(dialog.table, Qt.Key.Key_Space)
    assert column(dialog, Col.ACTION)[0] == "skip"
    dialog.merge_all.click()
    dialog.import_button.click()
    assert dialog.result() == QDialog.DialogCode.Accepted
    (outcome,) = imported
    assert outcome.merged == (juergen,) and len(outcome.added) == 2
    assert names(sqlite_ctx) == ["Amélie Lefèvre", "J. Müller", "Pizza Express Nord"]
    merged = dict(sqlite_ctx.contacts.all_records())[juergen]
    assert merged.organisation == "Contoso GmbH" and len(merged.phones) == 2


def test_a_refused_file_says_where_and_why_and_offers_only_close(qtbot: QtBot,
                                                                sqlite_ctx: AppContext) -> None:
    dialog = open_dialog(qtbot, sqlite_ctx, "broken_no_end.vcf")
    assert not dialog.error.isHidden()
    assert dialog.error.text().startswith("✖ Not imported: record 2 (line 6): the card has no END:VCARD "
                                          "before the next BEGIN:VCARD")
    assert dialog.import_button.isHidden() and dialog.preview.isHidden()
    assert dialog.cancel_button.text() == "Close"
    assert names(sqlite_ctx) == []


def test_a_failed_write_keeps_the_dialog_open_and_writes_nothing(qtbot: QtBot,
                                                                 sqlite_ctx: AppContext) -> None:
    juergen = add_juergen(sqlite_ctx)
    dialog = open_dialog(qtbot, sqlite_ctx, "outlook.csv")
    dialog.merge_all.click()
    sqlite_ctx.contacts.delete(juergen)          # someone else removed it meanwhile
    dialog.import_button.click()
    assert dialog.result() != QDialog.DialogCode.Accepted and not dialog.error.isHidden()
    assert "no longer exists" in dialog.error.text()
    assert dialog.summary.text() == "Nothing was written: the import is all or nothing."
    assert names(sqlite_ctx) == []
    assert dialog.import_button.isEnabled()


def test_the_file_is_read_off_the_gui_thread(qtbot: QtBot, sqlite_ctx: AppContext,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    threads: list[threading.Thread] = []
    real = contact_transfer.preview_import

    def recording(contacts: Any, path: Path, encoding: str | None = None) -> Any:
        threads.append(threading.current_thread())
        return real(contacts, path, encoding)

    monkeypatch.setattr(contact_transfer, "preview_import", recording)
    runner = TaskRunner()
    dialog = open_dialog(qtbot, sqlite_ctx, "apple_ios.vcf", runner)
    qtbot.waitUntil(lambda: dialog.model.rowCount() == 2, timeout=10_000)
    assert threads and threads[0] is not threading.main_thread()
    runner.wait_idle()


def test_file_menu_import_and_export(window: MainWindow, qtbot: QtBot, tmp_path: Path,
                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(dialogs, "choose_import_file", lambda parent: CORPUS / "thunderbird.vcf")

    def press_import(dialog: ContactImportDialog) -> bool:
        assert dialog.model.rowCount() == 1
        dialog.import_button.click()
        return dialog.result() == QDialog.DialogCode.Accepted

    monkeypatch.setattr(dialogs, "exec_dialog", press_import)
    window.import_contacts_action.trigger()
    assert names(window.ctx) == ["Anna Schmidt"]
    assert window.status.currentMessage() == "Imported from thunderbird.vcf: 1 added, 0 merged"
    target = tmp_path / "book.vcf"
    monkeypatch.setattr(dialogs, "choose_export_file", lambda parent: (target, "vcard"))
    window.export_contacts_action.trigger()
    assert "FN:Anna Schmidt" in target.read_bytes().decode()
    assert window.status.currentMessage() == f"Exported 1 contacts to {target}"


def test_every_control_has_its_own_key(qtbot: QtBot, sqlite_ctx: AppContext) -> None:
    from PySide6.QtWidgets import QAbstractButton, QLabel

    dialog = open_dialog(qtbot, sqlite_ctx, "outlook.csv")
    texts = [w.text() for w in dialog.findChildren(QAbstractButton) + dialog.findChildren(QLabel)
             if "&" in w.text()]
    keys = [t[t.index("&") + 1].lower() for t in texts]
    assert len(keys) >= 4 and len(keys) == len(set(keys)), texts


def test_escape_does_not_close_the_dialog_while_the_import_is_written(qtbot: QtBot,
                                                                      sqlite_ctx: AppContext) -> None:
    pending: list[Any] = []

    class Deferred(SyncTaskRunner):
        """Runs the read at once, holds the write back until the test lets it finish."""

        calls = 0

        def run(self, fn: Any, on_done: Any = None, on_error: Any = None) -> None:
            Deferred.calls += 1
            if Deferred.calls == 1:
                super().run(fn, on_done, on_error)
            else:
                pending.append((fn, on_done, on_error))

    dialog = open_dialog(qtbot, sqlite_ctx, "thunderbird.vcf", Deferred())
    assert dialog.model.rowCount() == 1
    dialog.import_button.click()
    (fn, on_done, _err), = pending
    dialog.reject()                              # Esc while writing
    assert not dialog.closed and dialog.writing
    on_done(fn())
    assert dialog.result() == QDialog.DialogCode.Accepted and names(sqlite_ctx) == ["Anna Schmidt"]


def test_a_read_that_finishes_after_cancel_is_dropped(qtbot: QtBot, sqlite_ctx: AppContext) -> None:
    dialog = ContactImportDialog(None, sqlite_ctx, SyncTaskRunner(), CORPUS / "thunderbird.vcf")
    qtbot.addWidget(dialog)
    dialog.reject()
    dialog.start()                               # the worker's answer arrives after the cancel
    assert dialog.model.rowCount() == 0


def test_the_preview_shows_the_guessed_encoding_and_reads_again_in_the_one_chosen(
        qtbot: QtBot, sqlite_ctx: AppContext) -> None:
    dialog = open_dialog(qtbot, sqlite_ctx, "undeclared_shift_jis.csv")
    assert "Shift_JIS (guessed, next likely GB18030)" in dialog.heading.text()
    assert dialog.encoding_combo.currentText() == "As found (Shift_JIS)"
    assert column(dialog, Col.NAME)[0] == "田中 美衣"
    dialog.encoding_combo.setFocus()
    dialog.encoding_combo.setCurrentIndex(dialog.encoding_combo.findText("GB18030"))
    assert "GB18030 (chosen)" in dialog.heading.text()
    assert column(dialog, Col.NAME)[0] != "田中 美衣"
    dialog.encoding_combo.setCurrentIndex(0)
    assert column(dialog, Col.NAME)[0] == "田中 美衣"


def test_a_damaged_line_is_named_in_the_preview_and_the_rest_imports(
        qtbot: QtBot, sqlite_ctx: AppContext) -> None:
    dialog = open_dialog(qtbot, sqlite_ctx, "damaged_line_utf8.vcf")
    assert column(dialog, Col.NAME) == ["Jürgen Müller", "Amélie Lefèvre", "Zoë Åström"]
    review = dialog.review_model.stringList()
    assert review[0] == ("⚠ record 2 (line 8): ORG 'Hébergement Lyon Sàrl \ufffd Département réseau': "
                         "bytes that did not decode were replaced with \ufffd")
    dialog.write()
    assert names(sqlite_ctx) == ["Amélie Lefèvre", "Jürgen Müller", "Zoë Åström"]
    amelie = next(rec for _, rec in sqlite_ctx.contacts.all_records() if rec.name == "Amélie Lefèvre")
    assert amelie.review.startswith("ORG: bytes that did not decode")
