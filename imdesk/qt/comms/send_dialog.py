"""Inform people: pick the template and audience, see who gets what on which channel (and
who cannot be reached), read the preview with the SMS length, send.

The plan (recipients, rendered texts) is computed off the GUI thread; what was picked stays
when sending fails.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QFont, QFontDatabase
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from imdesk.messages import sentence
from imdesk.qt.tasks import TaskRunner
from imdesk.qt.widgets.dialog_keys import submit_with_ctrl_enter
from imdesk.services.comms.notify import NotifyPlan, NotifyService

TEMPLATES = (("update", "Update"), ("initial", "Initial notification"), ("resolved", "Resolved"))
AUDIENCES = (("business", "Business (plain language, email)"),
             ("technical", "Technical (short, SMS)"),
             ("callers", "The master's callers (email)"))
CHANNELS = (("", "As the audience suggests"), ("email", "Email"), ("sms", "SMS"))


def _plain(text: str = "") -> QLabel:
    label = QLabel(text)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setWordWrap(True)
    return label


def recipients_text(plan: NotifyPlan) -> str:
    lines: list[str] = []
    for channel, messages in plan.by_channel().items():
        label = {"email": "✉ Email", "sms": "✆ SMS", "manual": "☎ Call by hand"}[channel.value]
        lines.append(f"{label} ({len(messages)})")
        for m in messages:
            then = " → ".join("call" if s.channel.value == "manual" else s.channel.value
                              for s in m.route[1:])
            lines.append(f"   {m.recipient.name}  <{m.address}>"
                         + (f"   then {then}" if then else ""))
    if plan.unreachable:
        lines.append("")
        lines.append(f"⚠ Cannot be reached as planned ({len(plan.unreachable)})")
        lines += [f"   {u.name}: {u.reason}" for u in plan.unreachable]
    if plan.unknown:
        lines.append("")
        lines.append("⚠ Not in the contact book: " + ", ".join(plan.unknown))
    if plan.captured:
        lines.append("")
        lines.append(f"⊘ Captured, never sent: not on the drill's allow-list ({len(plan.captured)})")
        lines += [f"   {m.recipient.name}  <{m.address}>" for m in plan.captured]
    if not plan.messages and not plan.captured:
        lines.insert(0, "Nobody to send to: add names above, or stakeholders to the service.")
    if plan.exercise:
        lines[:0] = ["EXERCISE: messages go only to the drill's allow-list; the rest are captured.",
                     ""]
    return "\n".join(lines)


class SendDialog(QDialog):
    def __init__(self, parent: QWidget | None, notify: NotifyService, runner: TaskRunner,
                 ref: str, title: str, *, template: str = "update",
                 drafter: Callable[[str], dict[str, str]] | None = None,
                 dependants: Callable[[], list[str]] | None = None) -> None:
        super().__init__(parent)
        self.dependants = dependants
        self.notify = notify
        self.drafter = drafter
        self.situation: dict[str, str] | None = None  # a draft used instead of the room's
        self.runner = runner
        self.ref = ref
        self.plan: NotifyPlan | None = None
        self.queued: list[int] | None = None
        self._generation = 0
        self.setWindowTitle(f"Inform people — {ref}")
        self.resize(980, 640)
        outer = QVBoxLayout(self)
        outer.setSpacing(8)
        heading = _plain(f"{ref} · {title}")
        font = QFont(heading.font())
        font.setBold(True)
        heading.setFont(font)
        outer.addWidget(heading)

        form = QFormLayout()
        form.setHorizontalSpacing(12)
        self.template = QComboBox()
        for value, label in TEMPLATES:
            self.template.addItem(label, value)
        self.template.setCurrentIndex(max(0, self.template.findData(template)))
        self.audience = QComboBox()
        for value, label in AUDIENCES:
            self.audience.addItem(label, value)
        self.channel = QComboBox()
        for value, label in CHANNELS:
            self.channel.addItem(label, value)
        self.to = QLineEdit()
        self.to.setPlaceholderText("Empty: the service's stakeholders for this priority. "
                                   "Or names of people, teams, lists — comma separated")
        pick = QHBoxLayout()
        pick.setSpacing(6)
        for label, widget in (("&Template", self.template), ("&Audience", self.audience),
                              ("C&hannel", self.channel)):
            caption = QLabel(label)
            caption.setBuddy(widget)
            pick.addWidget(caption)
            pick.addWidget(widget)
            pick.addSpacing(12)
        pick.addStretch(1)
        form.addRow(pick)
        to_label = QLabel("&To:")
        to_label.setBuddy(self.to)
        to_label.setMinimumWidth(to_label.fontMetrics().horizontalAdvance("To:") + 12)
        form.addRow(to_label, self.to)
        if dependants is not None:
            self.add_dependants = QPushButton("Add the stakeholders of the services that depend "
                                              "on this one (Alt+&P)")
            self.add_dependants.setToolTip("The service's own stakeholders and those of every "
                                           "service depending on it, all levels")
            self.add_dependants.clicked.connect(self.use_dependants)
            form.addRow("", self.add_dependants)
        outer.addLayout(form)

        split = QSplitter(Qt.Orientation.Horizontal)
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addWidget(_plain("Who gets what"))
        self.recipients = QPlainTextEdit()
        self.recipients.setReadOnly(True)
        left_layout.addWidget(self.recipients, 1)
        split.addWidget(left)
        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        self.subject = _plain()
        self.subject.setFont(font)
        right_layout.addWidget(self.subject)
        self.body = QPlainTextEdit()
        self.body.setReadOnly(True)
        right_layout.addWidget(self.body, 1)
        right_layout.addWidget(_plain("SMS"))
        self.sms = QPlainTextEdit()
        self.sms.setReadOnly(True)
        self.sms.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.sms.setMaximumHeight(90)
        right_layout.addWidget(self.sms)
        self.sms_size = _plain()
        right_layout.addWidget(self.sms_size)
        split.addWidget(right)
        split.setSizes([380, 600])
        outer.addWidget(split, 1)

        self.empty_warning = _plain()
        self.empty_warning.setWordWrap(True)
        self.empty_warning.setStyleSheet("color:#a15c00; font-weight:bold;")
        self.empty_warning.hide()
        self.draft_button = QPushButton("Use a &draft from the latest notes and decisions")
        self.draft_button.setToolTip("Fills Conditions and Actions for this message from the timeline "
                                     "(Alt+D); read it in the preview before sending")
        self.draft_button.clicked.connect(self.use_draft)
        self.draft_button.hide()
        outer.addWidget(self.empty_warning)
        outer.addWidget(self.draft_button)
        self.error = _plain()
        self.error.setStyleSheet("color:#c62828;")
        outer.addWidget(self.error)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.send_button = self.buttons.addButton("&Send", QDialogButtonBox.ButtonRole.AcceptRole)
        submit_with_ctrl_enter(self, self.send_button)
        self.send_button.setToolTip("Queue the messages (Ctrl+Enter); they go out at once "
                                    "or as soon as the network allows")
        self.send_button.setEnabled(False)
        self.buttons.accepted.connect(self.send)
        self.buttons.rejected.connect(self.reject)
        outer.addWidget(self.buttons)

        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(250)
        self._debounce.timeout.connect(self.refresh)
        for combo in (self.template, self.audience, self.channel):
            combo.currentIndexChanged.connect(lambda _i: self.refresh())
        self.to.textChanged.connect(lambda _t: self._debounce.start())
        self.template.setFocus()
        self.refresh()

    @classmethod
    def ask(cls, parent: QWidget | None, notify: NotifyService, runner: TaskRunner, ref: str,
            title: str, **kw: Any) -> list[int] | None:
        """The outbox ids queued, or None when cancelled."""
        dialog = cls(parent, notify, runner, ref, title, **kw)
        return dialog.queued if dialog.exec() == QDialog.DialogCode.Accepted else None

    def use_dependants(self) -> None:
        """Append (off the GUI thread) the stakeholders of the dependent services to To."""
        if self.dependants is None:
            return

        def done(names: list[str]) -> None:
            merged = list(dict.fromkeys([*self.names(), *names]))
            self.to.setText(", ".join(merged))
            self.error.setText("" if names else "No service depends on this one.")

        self.runner.run(self.dependants, done, lambda exc: self.error.setText(str(exc)))

    def names(self) -> list[str]:
        return [n.strip() for n in self.to.text().split(",") if n.strip()]

    def refresh(self) -> None:
        """Plan again (off the GUI thread); only the newest answer is shown."""
        self._generation += 1
        generation = self._generation
        self.send_button.setEnabled(False)
        notify, ref = self.notify, self.ref
        template, audience = self.template.currentData(), self.audience.currentData()
        channel, names = self.channel.currentData() or None, self.names()
        situation = self.situation
        self.runner.run(lambda: notify.plan(ref, template, audience=audience, to=names,
                                            channel=channel, situation=situation),
                        lambda plan: self._planned(generation, plan),
                        lambda exc: self._plan_failed(generation, exc))

    def _planned(self, generation: int, plan: NotifyPlan) -> None:
        if generation != self._generation:
            return
        self.plan = plan
        self.error.setText("")
        self.recipients.setPlainText(recipients_text(plan))
        self.subject.setText(f"Subject: {plan.rendered.subject}")
        self.body.setPlainText(plan.rendered.body)
        self.sms.setPlainText(plan.rendered.sms)
        self.sms_size.setText(plan.sms_size.describe())
        warn = plan.sms_size.segments > 2
        self.sms_size.setStyleSheet("color:#a15c00; font-weight:bold;" if warn else "")
        self.send_button.setEnabled(bool(plan.messages or plan.captured) and not plan.unknown)
        self._warn_if_empty(plan)

    def _warn_if_empty(self, plan: NotifyPlan) -> None:
        """An initial message or an update without Conditions/Actions/Needs says next to
        nothing: say so, and offer a draft from the timeline."""
        empty = [k.capitalize() for k in ("conditions", "actions", "needs") if not plan.fields.get(k)]
        show = plan.template in ("initial", "update") and len(empty) == 3
        self.empty_warning.setText("Conditions, Actions and Needs are empty: this message would say "
                                   "little more than the status. Edit the situation in the war room "
                                   "(Ctrl+Shift+E), or use a draft." if show else "")
        self.empty_warning.setVisible(show)
        self.draft_button.setVisible(show and self.drafter is not None)

    def use_draft(self) -> None:
        drafter, ref = self.drafter, self.ref
        if drafter is None:
            return

        def drafted(draft: dict[str, str]) -> None:
            self.situation = {k: v for k, v in draft.items() if v}
            self.refresh()

        self.runner.run(lambda: drafter(ref), drafted,
                        lambda exc: self.error.setText(sentence("No draft", exc)))

    def _plan_failed(self, generation: int, exc: BaseException) -> None:
        if generation != self._generation:
            return
        self.plan = None
        self.error.setText(sentence("Cannot prepare this message", exc))

    def send(self) -> None:
        plan = self.plan
        if plan is None or not self.send_button.isEnabled():
            return
        self.send_button.setEnabled(False)
        notify = self.notify

        def done(ids: list[int]) -> None:
            self.queued = ids
            self.accept()

        def failed(exc: BaseException) -> None:
            self.error.setText(sentence("Not sent", exc, "Nothing was queued; your choices are kept"))
            self.send_button.setEnabled(True)

        self.runner.run(lambda: notify.queue(plan), done, failed)
