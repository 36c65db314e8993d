"""A contact's card: the quick-dial box (the number in large type, copy, tel:/mailto: links),
the other numbers and addresses, when it was last verified, and the verification buttons.

Signals: edit_requested(int id), verify_requested(int id, str outcome),
open_url_requested(str url) — the pane opens links (tests listen instead).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFont, QFontDatabase, QGuiApplication
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from imdesk.domain.contact_book import CheckOutcome
from imdesk.domain.timefmt import exact, friendly
from imdesk.qt.contacts.name_parts import name_parts_line
from imdesk.qt.widgets.labels import heading_label, plain_label
from imdesk.services.contacts.service import ContactDetail


@dataclass(frozen=True)
class Number:
    kind: str
    shown: str        # international format, or the raw text when it does not parse
    dial: str         # E.164 (or raw)
    flagged: bool


@dataclass(frozen=True)
class CardData:
    """A contact as the card shows it, numbers formatted off the GUI thread."""

    detail: ContactDetail
    numbers: tuple[Number, ...]
    now: datetime
    stale_days: int


def format_card(detail: ContactDetail, now: datetime, stale_days: int) -> CardData:
    """Runs in a worker: phonenumbers formats the numbers for reading aloud."""
    from imdesk.services.contacts.values import display_phone

    numbers = tuple(Number(p.kind.value, display_phone(p), p.dial, p.flagged) for p in detail.record.phones)
    return CardData(detail, numbers, now, stale_days)


def big_number_font() -> QFont:
    font = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
    font.setPointSize(22)
    font.setBold(True)
    return font


def verified_text(when: datetime | None, by: str, now: datetime, stale: bool) -> str:
    if when is None:
        return "Never verified"
    days = (now - when).days
    age = "today" if days == 0 else "yesterday" if days == 1 else f"{days} days ago"
    who = f" by {by}" if by else ""
    return f"Verified {age}{who} ({friendly(when, now)})" + (" — stale" if stale else "")


class QuickDial(QFrame):
    """The number to call, large, with copy and dial; and the first email to write to."""

    copy_done = Signal(str)
    open_url_requested = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("quickDial")
        self.setMaximumWidth(640)
        self.setStyleSheet("#quickDial { border: 1px solid palette(mid); border-radius: 6px; "
                           "background: palette(base); }")
        layout = QGridLayout(self)
        layout.setContentsMargins(12, 10, 12, 10)
        layout.setHorizontalSpacing(8)
        self.kind = plain_label(selectable=False)
        self.kind.setStyleSheet("color: palette(placeholder-text);")
        self.number = plain_label()
        self.number.setFont(big_number_font())
        self.number.setAccessibleName("number to call")
        self.problem = plain_label(wrap=True, selectable=False)
        self.problem.setStyleSheet("color: #c62828;")
        self.copy_button = QPushButton("Cop&y number")
        self.copy_button.setToolTip("Copy the number to the clipboard (Alt+Y)")
        self.call_button = QPushButton("&Call…")
        self.mail_button = QPushButton("Write e&mail")
        layout.addWidget(self.kind, 0, 0, 1, 3)
        layout.addWidget(self.number, 1, 0, 1, 3)
        layout.addWidget(self.problem, 2, 0, 1, 3)
        layout.addWidget(self.copy_button, 3, 0)
        layout.addWidget(self.call_button, 3, 1)
        layout.addWidget(self.mail_button, 3, 2)
        self.copy_button.clicked.connect(self.copy)
        self.call_button.clicked.connect(lambda: self._open("tel:"))
        self.mail_button.clicked.connect(lambda: self._open("mailto:"))
        self._dial = ""
        self._mail = ""

    def show_number(self, number: Number | None, mail: str) -> None:
        self._dial = number.dial if number else ""
        self._mail = mail
        self.number.setText(number.shown if number else "no number")
        self.kind.setText(f"{number.kind} · call" if number else "")
        self.problem.setText("Not a valid number: kept as written, check it before dialling"
                             if number and number.flagged else "")
        self.problem.setVisible(bool(number and number.flagged))
        self.copy_button.setEnabled(bool(number))
        self.call_button.setEnabled(bool(number and not number.flagged))
        self.mail_button.setEnabled(bool(mail))
        self.call_button.setToolTip(f"tel:{self._dial}" if number else "")
        self.mail_button.setToolTip(f"mailto:{mail}" if mail else "no email address")

    def copy(self) -> None:
        if self._dial:
            QGuiApplication.clipboard().setText(self._dial)
            self.copy_done.emit(self._dial)

    def _open(self, scheme: str) -> None:
        target = self._dial if scheme == "tel:" else self._mail
        if target:
            self.open_url_requested.emit(f"{scheme}{target}")


class ContactCard(QScrollArea):
    edit_requested = Signal(int)
    verify_requested = Signal(int, str)
    call_requested = Signal(int, str)        # contact id, number dialled
    open_url_requested = Signal(str)
    copied = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        body = QWidget()
        self.setWidget(body)
        outer = QVBoxLayout(body)
        outer.setContentsMargins(16, 12, 16, 12)
        outer.setSpacing(8)
        self.name = heading_label()
        self.names = plain_label(wrap=True)
        self.names.setAccessibleName("name parts")
        self.names.setStyleSheet("color: palette(placeholder-text);")
        self.subtitle = plain_label(wrap=True)
        self.badges = plain_label(selectable=False)
        self.review = plain_label(wrap=True, selectable=False)
        self.review.setStyleSheet("color: #c62828; font-weight: bold;")
        self.dial = QuickDial()
        self.others = plain_label(wrap=True)
        self.others.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.emails = plain_label(wrap=True)
        self.details = plain_label(wrap=True)
        self.verified = plain_label(wrap=True, selectable=False)
        self.notes = plain_label(wrap=True)
        self.notes.setStyleSheet("color: palette(placeholder-text);")
        row = QHBoxLayout()
        self.reached = QPushButton("&Reached")
        self.no_answer = QPushButton("&No answer")
        self.wrong = QPushButton("&Wrong number")
        self.edit = QPushButton("&Edit…")
        self.edit.setToolTip("Edit this contact (Ctrl+E)")
        for b in (self.reached, self.no_answer, self.wrong):
            b.setToolTip("Record that you tried this number")
            row.addWidget(b)
        row.addStretch(1)
        row.addWidget(self.edit)
        for w in (self.name, self.names, self.subtitle, self.badges, self.review, self.dial, self.others,
                  self.emails, self.details, self.verified):
            outer.addWidget(w)
        outer.addLayout(row)
        outer.addWidget(self.notes)
        outer.addStretch(1)
        self.detail: ContactDetail | None = None
        self.reached.clicked.connect(lambda: self._verify(CheckOutcome.REACHED))
        self.no_answer.clicked.connect(lambda: self._verify(CheckOutcome.NOT_REACHED))
        self.wrong.clicked.connect(lambda: self._verify(CheckOutcome.WRONG_NUMBER))
        self.edit.clicked.connect(lambda: self.detail and self.edit_requested.emit(self.detail.id))
        self.dial.open_url_requested.connect(self._open)
        self.dial.copy_done.connect(self.copied)

    def _verify(self, outcome: CheckOutcome) -> None:
        if self.detail is not None:
            self.verify_requested.emit(self.detail.id, outcome.value)

    def _open(self, url: str) -> None:
        self.open_url_requested.emit(url)
        if url.startswith("tel:") and self.detail is not None:
            self.call_requested.emit(self.detail.id, url[4:])

    def show_card(self, data: CardData) -> None:
        d = data.detail
        rec = d.record
        self.detail = d
        self.name.setText(rec.name)
        names = name_parts_line(rec)
        self.names.setText(names)
        self.names.setVisible(bool(names))
        parts = [rec.kind.value if rec.kind.value != "person" else "", rec.job_title, rec.organisation,
                 rec.department]
        if rec.account_number:
            parts.append(f"contract / customer no. {rec.account_number}")
        self.subtitle.setText(" · ".join(p for p in parts if p))
        marks = []
        if d.on_duty:
            marks.append("● on duty now")
        if d.teams:
            marks.append("teams: " + ", ".join(d.teams))
        self.badges.setText("   ".join(marks))
        self.badges.setVisible(bool(marks))
        self.review.setText(f"Check this contact: {d.review}" if d.review else "")
        self.review.setVisible(bool(d.review))
        emails = [e for e in rec.emails]
        first_mail = next((e.address for e in emails if e.valid), "")
        self.dial.show_number(data.numbers[0] if data.numbers else None, first_mail)
        others = [f"{n.kind:<7} {n.shown}" + ("   ⚠ not a valid number, kept as written" if n.flagged else "")
                  for n in data.numbers[1:]]
        self.others.setText("\n".join(others))
        self.others.setVisible(bool(others))
        self.emails.setText("\n".join(f"{e.kind.value}: {e.address}" + ("   ⚠ not a valid address"
                                                                         if e.flagged else "")
                                      for e in emails))
        self.emails.setVisible(bool(emails))
        info = [f"prefers {rec.preferred_channel.value}"]
        if rec.time_zone:
            info.append(f"time zone {rec.time_zone}{_local_time(rec.time_zone, data.now)}")
        if rec.tags:
            info.append("tags: " + ", ".join(rec.tags))
        self.details.setText(" · ".join(info))
        self.verified.setText(verified_text(rec.last_verified_at, rec.verified_by, data.now, d.stale))
        self.verified.setToolTip(exact(rec.last_verified_at))
        self.verified.setStyleSheet("color: #a15c00; font-weight: bold;" if d.stale else "")
        self.notes.setText(rec.notes)
        self.notes.setVisible(bool(rec.notes))


def _local_time(zone: str, now: datetime) -> str:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        there = now.astimezone(ZoneInfo(zone))
    except (ZoneInfoNotFoundError, ValueError):
        return " (unknown zone)"
    return f" — {there:%H:%M} there now"


def card_placeholder() -> QLabel:
    label = QLabel("Type a name, team or service above.\nEnter opens the first result; "
                   "Ctrl+Shift+C from an incident shows who to call for its service.")
    label.setAlignment(Qt.AlignmentFlag.AlignCenter)
    label.setStyleSheet("color: palette(placeholder-text); padding: 40px;")
    label.setWordWrap(True)
    return label
