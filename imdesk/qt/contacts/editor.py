"""The contact editor: every field checked where it is typed. A phone number that does not parse
or an address that is not valid is refused at its field with the reason, and the text stays for
correcting. A number imported as written (flagged) may stay unchanged; it stays flagged."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGridLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from imdesk.domain.contact import (
    Channel,
    ContactKind,
    ContactRecord,
    Email,
    EmailKind,
    Phone,
    PhoneKind,
)
from imdesk.domain.contact_clean import FIELD_MAX, NAME_MAX, NOTES_MAX
from imdesk.qt.contacts.name_parts import NamePartsBox
from imdesk.qt.widgets.dialog_keys import submit_with_ctrl_enter
from imdesk.services.contacts.values import email_problem, normalise_email, normalise_phone, phone_problem

PHONE_ROWS = 4
EMAIL_ROWS = 3


def _error_label() -> QLabel:
    label = QLabel()
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setWordWrap(True)  # a long reason ("Kept as imported, flagged: …") stays readable
    label.setStyleSheet("color: #c62828;")
    label.hide()
    return label


class ContactEditor(QDialog):
    def __init__(self, parent: QWidget | None, record: ContactRecord | None, region: str) -> None:
        super().__init__(parent)
        self.setWindowTitle("Edit contact" if record else "New contact")
        self.setMinimumWidth(560)
        self._region = region
        self._original = record
        self._kept_flagged = {p.raw for p in record.phones if p.flagged} if record else set()
        self._kept_bad_mail = {e.address for e in record.emails if e.flagged} if record else set()
        outer = QVBoxLayout(self)
        outer.setSpacing(8)
        form = QFormLayout()
        self.name = QLineEdit()
        self.name.setMaxLength(NAME_MAX)
        self.kind = QComboBox()
        for k in ContactKind:
            self.kind.addItem(k.value, k.value)
        self.job_title = QLineEdit()
        self.organisation = QLineEdit()
        self.department = QLineEdit()
        self.account = QLineEdit()
        self.account.setPlaceholderText("vendors: contract or customer number")
        for w in (self.job_title, self.organisation, self.department, self.account):
            w.setMaxLength(FIELD_MAX)
        self.channel = QComboBox()
        for c in Channel:
            self.channel.addItem(c.value, c.value)
        self.time_zone = QLineEdit()
        self.time_zone.setPlaceholderText("e.g. Europe/Berlin (empty: the desk's own)")
        self.tags = QLineEdit()
        self.tags.setPlaceholderText("comma-separated")
        self.notes = QPlainTextEdit()
        self.notes.setTabChangesFocus(True)
        self.notes.setFixedHeight(80)
        self.errors: dict[str, QLabel] = {}
        self.parts = NamePartsBox()
        form.addRow("&Name", self._with_error(self.name, "name"))
        form.addRow("Name parts", self.parts)
        form.addRow("&Kind", self.kind)
        form.addRow("&Job title", self.job_title)
        form.addRow("&Organisation", self.organisation)
        form.addRow("&Department", self.department)
        form.addRow("Contract &no.", self.account)
        phone_count = max(PHONE_ROWS, len(record.phones) + 1 if record else 0)
        phone_box, self.phone_kinds, self.phones = self._kind_rows(
            PhoneKind, phone_count, 100, "+49 30 1234567 or a national number", "phone", self._check_phone)
        form.addRow("&Phones", phone_box)
        email_count = max(EMAIL_ROWS, len(record.emails) + 1 if record else 0)
        email_box, self.email_kinds, self.emails = self._kind_rows(
            EmailKind, email_count, 320, "", "email", self._check_email)
        form.addRow("E&mails", email_box)
        form.addRow("Prefers", self.channel)
        form.addRow("&Time zone", self._with_error(self.time_zone, "time zone"))
        form.addRow("T&ags", self.tags)
        form.addRow("No&tes", self._with_error(self.notes, "notes"))
        outer.addLayout(form)
        self.general_error = _error_label()
        outer.addWidget(self.general_error)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save
                                        | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self._try_accept)
        submit_with_ctrl_enter(self, self.buttons.button(QDialogButtonBox.StandardButton.Save))
        self.buttons.rejected.connect(self.reject)
        outer.addWidget(self.buttons)
        if record is not None:
            self._fill(record)
        self.name.setFocus()

    def _with_error(self, field: QWidget, key: str) -> QWidget:
        box = QWidget()
        lay = QVBoxLayout(box)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(2)
        lay.addWidget(field)
        err = _error_label()
        self.errors[key] = err
        lay.addWidget(err)
        return box

    def _kind_rows(self, kinds: type[PhoneKind] | type[EmailKind], count: int, max_length: int,
                   placeholder: str, key: str, check: Callable[[int], bool],
                   ) -> tuple[QWidget, list[QComboBox], list[QLineEdit]]:
        """COUNT rows of a kind box and a field (checked by CHECK(row) when editing finishes),
        each with its error label (errors[f"{KEY}{row}"]) below the field."""
        grid = QGridLayout()
        grid.setContentsMargins(0, 0, 0, 0)
        kind_boxes: list[QComboBox] = []
        edits: list[QLineEdit] = []
        for i in range(count):
            kind = QComboBox()
            for k in kinds:
                kind.addItem(k.value, k.value)
            edit = QLineEdit()
            edit.setMaxLength(max_length)
            if placeholder:
                edit.setPlaceholderText(placeholder)
            edit.editingFinished.connect(lambda i=i: check(i))
            kind_boxes.append(kind)
            edits.append(edit)
            grid.addWidget(kind, 2 * i, 0)
            grid.addWidget(edit, 2 * i, 1)
            err = _error_label()
            self.errors[f"{key}{i}"] = err
            grid.addWidget(err, 2 * i + 1, 1)
        box = QWidget()
        box.setLayout(grid)
        return box, kind_boxes, edits

    def _fill(self, rec: ContactRecord) -> None:
        self.name.setText(rec.name)
        self.parts.fill(rec)
        self.kind.setCurrentIndex(self.kind.findData(rec.kind.value))
        self.job_title.setText(rec.job_title)
        self.organisation.setText(rec.organisation)
        self.department.setText(rec.department)
        self.account.setText(rec.account_number)
        for i, p in enumerate(rec.phones):
            self.phone_kinds[i].setCurrentIndex(self.phone_kinds[i].findData(p.kind.value))
            self.phones[i].setText(p.raw)
        for i, e in enumerate(rec.emails):
            self.email_kinds[i].setCurrentIndex(self.email_kinds[i].findData(e.kind.value))
            self.emails[i].setText(e.address)
        self.channel.setCurrentIndex(self.channel.findData(rec.preferred_channel.value))
        self.time_zone.setText(rec.time_zone)
        self.tags.setText(", ".join(rec.tags))
        self.notes.setPlainText(rec.notes)
        for i in range(len(rec.phones)):
            self._check_phone(i)
        for i in range(len(rec.emails)):
            self._check_email(i)

    # -- checks at the field -----------------------------------------------------------------
    def _set_error(self, key: str, text: str, *, warning: bool = False) -> None:
        label = self.errors[key]
        label.setText(text)
        label.setStyleSheet("color: #a15c00;" if warning else "color: #c62828;")
        label.setVisible(bool(text))

    def _check_phone(self, i: int) -> bool:
        return self._check_value(f"phone{i}", self.phones[i].text().strip(),
                                 lambda raw: phone_problem(raw, self._region), self._kept_flagged)

    def _check_email(self, i: int) -> bool:
        return self._check_value(f"email{i}", self.emails[i].text().strip(), email_problem,
                                 self._kept_bad_mail)

    def _check_value(self, key: str, text: str, problem_of: Callable[[str], str | None],
                     kept_flagged: set[str]) -> bool:
        """Show TEXT's problem at errors[KEY]; a value imported flagged and left unchanged (in
        KEPT_FLAGGED) passes with a warning. An empty field passes."""
        if not text:
            self._set_error(key, "")
            return True
        problem = problem_of(text)
        if problem and text in kept_flagged:
            self._set_error(key, f"Kept as imported, flagged: {problem}", warning=True)
            return True
        self._set_error(key, problem or "")
        return problem is None

    def _check_all(self) -> QWidget | None:
        """The first field that is refused (all errors are shown), or None."""
        first: QWidget | None = None
        name = " ".join(self.name.text().split())
        if not name and self.parts.display_name():
            name = self.parts.display_name()   # typed only as parts: the name is made of them
            self.name.setText(name)
        self._set_error("name", "" if name else "A contact needs a name (or its given and family name)")
        if not name:
            first = self.name
        for i in range(len(self.phones)):
            if not self._check_phone(i) and first is None:
                first = self.phones[i]
        for i in range(len(self.emails)):
            if not self._check_email(i) and first is None:
                first = self.emails[i]
        zone = self.time_zone.text().strip()
        zone_error = _zone_problem(zone) if zone else ""
        self._set_error("time zone", zone_error)
        if zone_error and first is None:
            first = self.time_zone
        notes = self.notes.toPlainText()
        notes_error = (f"The notes are {len(notes):,} characters long; the limit is {NOTES_MAX:,}"
                       if len(notes) > NOTES_MAX else "")
        self._set_error("notes", notes_error)
        if notes_error and first is None:
            first = self.notes
        return first

    def _try_accept(self) -> None:
        bad = self._check_all()
        if bad is not None:
            bad.setFocus()
            self.general_error.setText("Not saved: correct the fields marked in red. What you typed is "
                                       "still here.")
            self.general_error.show()
            return
        self.accept()

    def show_error(self, text: str) -> None:
        self.general_error.setText(text)
        self.general_error.show()

    def record(self) -> ContactRecord:
        phones: list[Phone] = []
        for kind, edit in zip(self.phone_kinds, self.phones, strict=True):
            raw = edit.text().strip()
            if raw:
                phones.append(normalise_phone(raw, PhoneKind(kind.currentData()), self._region))
        emails: list[Email] = []
        for mkind, medit in zip(self.email_kinds, self.emails, strict=True):
            text = medit.text().strip()
            if text:
                emails.append(normalise_email(text, EmailKind(mkind.currentData())))
        base = self._original or ContactRecord(name="")
        return replace(
            base, name=self.name.text(), kind=ContactKind(self.kind.currentData()),
            job_title=self.job_title.text(),
            organisation=self.organisation.text(), department=self.department.text(),
            account_number=self.account.text(), phones=tuple(phones), emails=tuple(emails),
            preferred_channel=Channel(self.channel.currentData()), time_zone=self.time_zone.text().strip(),
            tags=tuple(t.strip() for t in self.tags.text().split(",") if t.strip()),
            notes=self.notes.toPlainText(), **self.parts.values())

    @classmethod
    def ask(cls, parent: QWidget | None, record: ContactRecord | None, region: str) -> ContactRecord | None:
        dialog = cls(parent, record, region)
        return dialog.record() if dialog.exec() == QDialog.DialogCode.Accepted else None


def _zone_problem(zone: str) -> str:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        ZoneInfo(zone)
    except (ZoneInfoNotFoundError, ValueError):
        return f"{zone!r} is not a time zone name such as Europe/Berlin"
    return ""
