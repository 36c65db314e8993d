"""File → Import contacts… and Export contacts…: the two menu entries and what they do.

Kept small and free of the import machinery, because the main window adds these entries at
start-up: the preview dialog, the readers and the validators load when the user imports.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from PySide6.QtGui import QAction
from PySide6.QtWidgets import QDialog, QFileDialog, QMenu, QWidget

from imdesk.messages import sentence

log = logging.getLogger(__name__)
IMPORT_FILTER = "Contacts (*.vcf *.vcard *.csv *.txt *.tsv);;All files (*)"
EXPORT_FILTERS = {"vCard 3.0 (*.vcf)": "vcard", "imdesk CSV (*.csv)": "csv"}


def exec_dialog(dialog: QDialog) -> bool:
    """Run a dialog modally (tests replace this one call)."""
    return dialog.exec() == QDialog.DialogCode.Accepted


def choose_import_file(parent: QWidget) -> Path | None:
    name, _ = QFileDialog.getOpenFileName(parent, "Import contacts", str(Path.home()), IMPORT_FILTER)
    return Path(name) if name else None


def choose_export_file(parent: QWidget) -> tuple[Path, str] | None:
    name, chosen = QFileDialog.getSaveFileName(parent, "Export contacts", str(Path.home() / "contacts.vcf"),
                                               ";;".join(EXPORT_FILTERS))
    if not name:
        return None
    path = Path(name)
    fmt = "csv" if path.suffix.lower() == ".csv" else EXPORT_FILTERS.get(chosen, "vcard")
    if not path.suffix:
        path = path.with_suffix(".csv" if fmt == "csv" else ".vcf")
    return path, fmt


def import_contacts(window: Any) -> None:
    """File → Import contacts…: pick a file, preview, import."""
    if window.ctx.read_only:
        window.status.showMessage("The database is read-only: nothing can be imported", 6000)
        return
    path = choose_import_file(window)
    if path is None:
        return
    from imdesk.qt.contacts.import_dialog import ContactImportDialog

    dialog = ContactImportDialog(window, window.ctx, window.runner, path)
    dialog.start()
    accepted = exec_dialog(dialog)
    outcome = dialog.outcome
    dialog.deleteLater()
    if not accepted or outcome is None:
        return
    window.status.showMessage(f"Imported from {path.name}: {len(outcome.added):,} added, "
                              f"{len(outcome.merged):,} merged", 8000)
    window.contact_book.changed(search_again=True)


def export_contacts(window: Any) -> None:
    """File → Export contacts…: the whole book as vCard 3.0 or imdesk CSV, written off the GUI thread."""
    choice = choose_export_file(window)
    if choice is None:
        return
    path, fmt = choice
    from imdesk.services.contacts.transfer import export_contacts as export

    contacts = window.ctx.contacts
    window.status.showMessage(f"Exporting the contact book to {path}…")

    def failed(exc: BaseException) -> None:
        from imdesk.domain.errors import ValidationError
        from imdesk.errors import KnownError

        if not isinstance(exc, (ValidationError, KnownError)):
            log.error("contact export failed", exc_info=exc)
        window.show_banner(sentence("The contacts were not exported", exc))

    window.runner.run(lambda: export(contacts, path, fmt),
                      lambda count: window.status.showMessage(f"Exported {count:,} contacts to {path}", 8000),
                      failed)


def add_contact_transfer_actions(window: Any, menu: QMenu) -> list[QAction]:
    """The two File menu entries (added by MainWindow)."""
    imp = QAction("&Import contacts…", window)
    imp.setToolTip("vCard (Outlook, Apple, Google, Android, Thunderbird, Nextcloud) or CSV "
                   "(Outlook, Google, Thunderbird, imdesk), with a preview before anything is written")
    imp.triggered.connect(lambda: import_contacts(window))
    exp = QAction("E&xport contacts…", window)
    exp.triggered.connect(lambda: export_contacts(window))
    for action in (imp, exp):
        menu.addAction(action)
    window.import_contacts_action, window.export_contacts_action = imp, exp
    return [imp, exp]
