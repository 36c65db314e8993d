"""Dialogs of the alert intake: settings (listener, mapping rules, severity, auto-resolve), a
maintenance window, a heartbeat, and the token shown once for copying. Each keeps what was
typed when something is refused, and offers ask(...) for tests to patch."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from PySide6.QtCore import QDateTime, Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateTimeEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from imdesk.domain.errors import ValidationError
from imdesk.errors import KnownError
from imdesk.messages import sentence
from imdesk.qt.tasks import TaskRunner
from imdesk.qt.widgets.dialog_keys import submit_with_ctrl_enter


def _plain(text: str = "", *, wrap: bool = True) -> QLabel:
    label = QLabel(text)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setWordWrap(wrap)
    return label


class _SavingDialog(QDialog):
    """OK runs `save` off the GUI thread; a refusal shows under the form, the fields stay."""

    def __init__(self, parent: QWidget | None, title: str, runner: TaskRunner) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.runner = runner
        self.layout_ = QVBoxLayout(self)
        self.layout_.setSpacing(8)
        self.form = QFormLayout()
        self.form.setHorizontalSpacing(12)
        self.layout_.addLayout(self.form)
        self.error = _plain()
        self.error.setStyleSheet("color: #d32f2f;")
        self.error.hide()
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save
                                        | QDialogButtonBox.StandardButton.Cancel)
        submit_with_ctrl_enter(self, self.buttons.button(QDialogButtonBox.StandardButton.Save))
        self.buttons.accepted.connect(self._save)
        self.buttons.rejected.connect(self.reject)
        self.save_fn: Callable[[], Any] | None = None
        self.result_value: Any = None

    def finish_layout(self) -> None:
        self.layout_.addWidget(self.error)
        self.layout_.addWidget(self.buttons)

    def show_error(self, message: str) -> None:
        self.error.setText(sentence("Not saved", message, "What you typed is still here"))
        self.error.show()

    def _save(self) -> None:
        try:
            work = self.prepare()
        except ValidationError as exc:
            self.show_error(exc.message)
            return

        def done(value: Any) -> None:
            self.result_value = value
            self.accept()

        def failed(exc: BaseException) -> None:
            text = exc.message if isinstance(exc, ValidationError | KnownError) else str(exc)
            self.show_error(text)

        self.runner.run(work, done, failed)

    def prepare(self) -> Callable[[], Any]:
        raise NotImplementedError


@dataclass(frozen=True)
class AlertSettingsValues:
    enabled: bool
    host: str
    port: int
    sound: bool
    auto_resolve: bool
    rules: list[tuple[str, str]]
    severity: dict[str, tuple[str, str]]


def parse_rule_lines(text: str) -> list[tuple[str, str]]:
    """One rule a line: `matchers => service`."""
    rules = []
    for n, line in enumerate(text.splitlines(), 1):
        if not line.strip() or line.strip().startswith("#"):
            continue
        if "=>" not in line:
            raise ValidationError("rules", f"rule line {n} needs 'matchers => service'")
        matchers, service = line.rsplit("=>", 1)
        rules.append((matchers.strip(), service.strip()))
    return rules


def parse_severity_lines(text: str) -> dict[str, tuple[str, str]]:
    """One a line: `critical = high/high` (impact/urgency)."""
    out = {}
    for n, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        name, sep, levels = line.partition("=")
        impact, slash, urgency = levels.partition("/")
        if not sep or not slash or not name.strip():
            raise ValidationError("severity", f"severity line {n} needs 'name = impact/urgency'")
        out[name.strip().lower()] = (impact.strip(), urgency.strip())
    return out


class AlertSettingsDialog(_SavingDialog):
    """The listener (on/off, address, port, sound), the mapping rules, severity and auto-resolve."""

    def __init__(self, parent: QWidget | None, runner: TaskRunner, initial: AlertSettingsValues,
                 save: Callable[[AlertSettingsValues], Any],
                 token_actions: tuple[Callable[[], None], Callable[[], None]] | None = None) -> None:
        super().__init__(parent, "Alert settings", runner)
        self.setMinimumWidth(620)
        self._save_values = save
        self.enabled = QCheckBox("&Listen for alerts while the console runs")
        self.enabled.setChecked(initial.enabled)
        self.form.addRow(self.enabled)
        self.host = QLineEdit(initial.host)
        self.host.setToolTip("127.0.0.1 accepts only this machine; 0.0.0.0 every network")
        self.form.addRow("&Address", self.host)
        self.port = QSpinBox()
        self.port.setRange(1, 65535)
        self.port.setValue(initial.port)
        self.form.addRow("&Port", self.port)
        self.sound = QCheckBox("&Sound for a new P1/P2 from an alert")
        self.sound.setChecked(initial.sound)
        self.form.addRow(self.sound)
        self.auto_resolve = QCheckBox("&Resolve incidents automatically when all their alerts clear")
        self.auto_resolve.setChecked(initial.auto_resolve)
        self.form.addRow(self.auto_resolve)
        self.rules = QPlainTextEdit("\n".join(f"{m} => {s}" for m, s in initial.rules))
        self.rules.setTabChangesFocus(True)
        self.rules.setPlaceholderText('job=~"vpn.*" => VPN\nservice=erp, env=prod => ERP')
        self.rules.setFixedHeight(96)
        self.form.addRow("Service &rules\n(first match wins)", self.rules)
        self.severity = QPlainTextEdit("\n".join(f"{k} = {v[0]}/{v[1]}"
                                                 for k, v in initial.severity.items()))
        self.severity.setTabChangesFocus(True)
        self.severity.setFixedHeight(110)
        self.form.addRow("Se&verity →\nimpact/urgency", self.severity)
        if token_actions is not None:
            row = QHBoxLayout()
            show, rotate = QPushButton("Show &token…"), QPushButton("Rotate to&ken…")
            show.clicked.connect(token_actions[0])
            rotate.clicked.connect(token_actions[1])
            row.addWidget(show)
            row.addWidget(rotate)
            row.addStretch(1)
            self.form.addRow("Bearer token", row)
        self.form.addRow(_plain("POST to /alertmanager, /grafana, /v2/enqueue (PagerDuty Events v2) "
                                "or /heartbeat/NAME with the header Authorization: Bearer TOKEN."))
        self.finish_layout()

    def values(self) -> AlertSettingsValues:
        return AlertSettingsValues(
            enabled=self.enabled.isChecked(), host=self.host.text().strip(), port=self.port.value(),
            sound=self.sound.isChecked(), auto_resolve=self.auto_resolve.isChecked(),
            rules=parse_rule_lines(self.rules.toPlainText()),
            severity=parse_severity_lines(self.severity.toPlainText()))

    def prepare(self) -> Callable[[], Any]:
        values = self.values()
        return lambda: self._save_values(values)

    @classmethod
    def ask(cls, parent: QWidget | None, runner: TaskRunner, initial: AlertSettingsValues,
            save: Callable[[AlertSettingsValues], Any], token_actions: Any = None) -> Any:
        dialog = cls(parent, runner, initial, save, token_actions)
        return dialog.result_value if dialog.exec() == QDialog.DialogCode.Accepted else None


def _local(dt: datetime) -> QDateTime:
    return QDateTime.fromSecsSinceEpoch(int(dt.timestamp()))


def _utc(edit: QDateTimeEdit) -> datetime:
    return datetime.fromtimestamp(edit.dateTime().toSecsSinceEpoch(), UTC)


class MaintenanceDialog(_SavingDialog):
    """A maintenance window: name, start and end (local time), matchers and/or a service."""

    def __init__(self, parent: QWidget | None, runner: TaskRunner, now: datetime,
                 services: list[str], save: Callable[..., Any]) -> None:
        super().__init__(parent, "New maintenance window", runner)
        self.setMinimumWidth(520)
        self._save_fn = save
        self.name = QLineEdit()
        self.name.setPlaceholderText("e.g. DB patching, change CHG-4411")
        self.form.addRow("&Name", self.name)
        self.start = QDateTimeEdit(_local(now))
        self.end = QDateTimeEdit(_local(now + timedelta(hours=1)))
        for edit in (self.start, self.end):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("ddd d MMM yyyy HH:mm")
        self.form.addRow("&Starts", self.start)
        self.form.addRow("&Ends", self.end)
        self.matchers = QLineEdit()
        self.matchers.setPlaceholderText('instance=~"db-.*", env=prod')
        self.form.addRow("&Label matchers", self.matchers)
        self.service = QComboBox()
        self.service.addItems(["", *services])
        self.form.addRow("Ser&vice", self.service)
        self.form.addRow(_plain("Matching alerts are recorded and marked, and open no incident "
                                "until the window ends."))
        self.finish_layout()

    def prepare(self) -> Callable[[], Any]:
        name, start, end = self.name.text(), _utc(self.start), _utc(self.end)
        matchers, service = self.matchers.text(), self.service.currentText() or None
        return lambda: self._save_fn(name, start, end, matchers=matchers, service=service)

    @classmethod
    def ask(cls, parent: QWidget | None, runner: TaskRunner, now: datetime, services: list[str],
            save: Callable[..., Any]) -> Any:
        dialog = cls(parent, runner, now, services, save)
        dialog.name.setFocus()
        return dialog.result_value if dialog.exec() == QDialog.DialogCode.Accepted else None


class HeartbeatDialog(_SavingDialog):
    def __init__(self, parent: QWidget | None, runner: TaskRunner, save: Callable[[str, int], Any]) -> None:
        super().__init__(parent, "New heartbeat", runner)
        self.setMinimumWidth(440)
        self._save_fn = save
        self.name = QLineEdit()
        self.name.setPlaceholderText("e.g. prometheus-dc1")
        self.form.addRow("&Name", self.name)
        self.minutes = QSpinBox()
        self.minutes.setRange(1, 7 * 24 * 60)
        self.minutes.setValue(5)
        self.minutes.setSuffix(" min")
        self.form.addRow("&Expected every", self.minutes)
        self.form.addRow(_plain("The sender POSTs /heartbeat/NAME with the bearer token; when it "
                                "misses its interval, imdesk opens “monitoring silent: NAME”."))
        self.finish_layout()

    def prepare(self) -> Callable[[], Any]:
        name, minutes = self.name.text(), self.minutes.value()
        return lambda: self._save_fn(name, minutes)

    @classmethod
    def ask(cls, parent: QWidget | None, runner: TaskRunner, save: Callable[[str, int], Any]) -> Any:
        dialog = cls(parent, runner, save)
        return dialog.result_value if dialog.exec() == QDialog.DialogCode.Accepted else None


class TokenDialog(QDialog):
    """The bearer token, shown for copying into the sender's configuration."""

    def __init__(self, parent: QWidget | None, token: str, *, note: str = "") -> None:
        super().__init__(parent)
        self.setWindowTitle("Alert webhook token")
        self.setMinimumWidth(560)
        layout = QVBoxLayout(self)
        layout.setSpacing(8)
        layout.addWidget(_plain("Put this token into Alertmanager, Grafana or your PagerDuty-style "
                                "sender as the bearer credential. It is kept in the keyring only."
                                + (f"\n{note}" if note else "")))
        self.value = QLineEdit(token)
        self.value.setReadOnly(True)
        layout.addWidget(self.value)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        copy = buttons.addButton("&Copy", QDialogButtonBox.ButtonRole.ActionRole)
        copy.clicked.connect(self.copy)
        buttons.rejected.connect(self.reject)
        buttons.accepted.connect(self.accept)
        layout.addWidget(buttons)
        self.value.selectAll()
        self.value.setFocus()

    def copy(self) -> None:
        QGuiApplication.clipboard().setText(self.value.text())
