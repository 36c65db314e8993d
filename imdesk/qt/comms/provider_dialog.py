"""Message providers (Designer form ui/provider_dialog.ui): SMTP, Twilio and a generic HTTP
gateway. Settings go to the desk settings; the secret to the OS keyring only — or, without
one, for this session only. "Test connection" runs off the GUI thread and says where the
secret is kept. A half-filled form keeps what was typed when saving fails."""

from __future__ import annotations

import dataclasses
from typing import Any

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QWidget

from imdesk.channels.settings import (
    CommsSettings,
    Provider,
    ProviderKind,
    SmtpSettings,
    TwilioSettings,
    parse_provider,
)
from imdesk.credentials.store import CredentialError
from imdesk.messages import sentence
from imdesk.qt.forms import setup_form
from imdesk.qt.forms.ui_provider_dialog import Ui_ProviderDialog
from imdesk.qt.tasks import TaskRunner
from imdesk.qt.widgets.dialog_keys import submit_with_ctrl_enter
from imdesk.services.comms.bundle import Comms

KINDS = ((ProviderKind.SMTP, "Email over SMTP"), (ProviderKind.TWILIO, "SMS via Twilio"),
         (ProviderKind.HTTP, "SMS via an HTTP gateway"))
NEW = "(new provider)"
_ROWS = {
    ProviderKind.SMTP: ("host", "port", "security", "user", "from", "fromName", "ca", "timeout"),
    ProviderKind.TWILIO: ("host", "user", "from", "ca", "timeout"),
    ProviderKind.HTTP: ("host", "method", "headers", "body", "success", "id", "ca", "timeout"),
}
_ALL = ("host", "port", "security", "user", "from", "fromName", "ca", "timeout", "method",
        "headers", "body", "success", "id")
PLAIN_TEXT_WARNING = ("Secrets will be stored in plain text if no real keyring is found: "
                      "anyone who can read your files can read them.")


class ProviderDialog(QDialog):
    """Signals: none; `saved` lists the providers saved while it was open."""

    def __init__(self, parent: QWidget | None, comms: Comms, runner: TaskRunner,
                 settings: CommsSettings) -> None:
        super().__init__(parent)
        self.ui = Ui_ProviderDialog()
        setup_form(self.ui, self)
        self.comms = comms
        self.runner = runner
        self.settings = settings
        self.saved: list[str] = []
        ui = self.ui
        for kind, label in KINDS:
            ui.kindCombo.addItem(label, kind.value)
        ui.securityCombo.addItem("STARTTLS (port 587)", "starttls")
        ui.securityCombo.addItem("TLS from the start (port 465)", "tls")
        for method in ("POST", "PUT", "GET"):
            ui.methodCombo.addItem(method, method)
        ui.providerCombo.addItem(NEW, "")
        for name in settings.providers:
            ui.providerCombo.addItem(name, name)
        ui.providerCombo.currentIndexChanged.connect(self._pick)
        ui.kindCombo.currentIndexChanged.connect(lambda _i: self._show_rows())
        ui.securityCombo.currentIndexChanged.connect(self._default_port)
        ui.testButton.clicked.connect(self.test_connection)
        ui.buttons.button(QDialogButtonBox.StandardButton.Save).clicked.connect(self.save)
        submit_with_ctrl_enter(self, ui.buttons.button(QDialogButtonBox.StandardButton.Save))
        ui.buttons.rejected.connect(self.reject)
        ui.plaintextCheck.setChecked(settings.allow_plaintext_keyring)
        ui.plaintextCheck.toggled.connect(self._plaintext_toggled)
        ui.formError.setStyleSheet("color:#c62828;")
        self._pick(1 if settings.providers else 0)
        if settings.providers:
            ui.providerCombo.setCurrentIndex(1)
        self._show_order()
        self._where()

    @classmethod
    def ask(cls, parent: QWidget | None, comms: Comms, runner: TaskRunner,
            settings: CommsSettings) -> list[str]:
        dialog = cls(parent, comms, runner, settings)
        dialog.exec()
        return dialog.saved

    # -- the form ------------------------------------------------------------------------------
    def kind(self) -> ProviderKind:
        return ProviderKind(self.ui.kindCombo.currentData())

    def _show_rows(self) -> None:
        ui = self.ui
        kind = self.kind()
        visible = set(_ROWS[kind])
        for key in _ALL:
            for widget in (getattr(ui, f"{key}Label"), _field(ui, key)):
                widget.setVisible(key in visible)
        ui.hostLabel.setText({ProviderKind.SMTP: "&Host", ProviderKind.TWILIO: "&Base URL",
                              ProviderKind.HTTP: "&URL"}[kind])
        ui.userLabel.setText("&User" if kind == ProviderKind.SMTP else "&Account SID")
        ui.fromLabel.setText("&From address" if kind == ProviderKind.SMTP else "&From number")
        ui.secretLabel.setText("Pass&word" if kind == ProviderKind.SMTP else "Auth &token")
        if kind == ProviderKind.TWILIO and not ui.hostEdit.text():
            ui.hostEdit.setText(TwilioSettings.base_url)

    def _default_port(self) -> None:
        port = self.ui.portSpin.value()
        if port in (465, 587):
            self.ui.portSpin.setValue(465 if self.ui.securityCombo.currentData() == "tls" else 587)

    def _pick(self, index: int) -> None:
        ui = self.ui
        name = ui.providerCombo.itemData(index) or ""
        provider = self.settings.providers.get(name)
        ui.nameEdit.setText(name)
        ui.nameEdit.setReadOnly(bool(provider))
        ui.secretEdit.clear()
        ui.testResult.clear()
        ui.formError.clear()
        if provider is None:
            self._show_rows()
            return
        ui.kindCombo.setCurrentIndex(ui.kindCombo.findData(provider.kind.value))
        s = provider.settings
        if isinstance(s, SmtpSettings):
            ui.hostEdit.setText(s.host)
            ui.portSpin.setValue(s.port)
            ui.securityCombo.setCurrentIndex(ui.securityCombo.findData(s.security))
            ui.userEdit.setText(s.username)
            ui.fromEdit.setText(s.from_address)
            ui.fromNameEdit.setText(s.from_name)
        elif isinstance(s, TwilioSettings):
            ui.hostEdit.setText(s.base_url)
            ui.userEdit.setText(s.account_sid)
            ui.fromEdit.setText(s.from_number)
        else:
            ui.hostEdit.setText(s.url)
            ui.methodCombo.setCurrentIndex(ui.methodCombo.findData(s.method))
            ui.headersEdit.setPlainText("\n".join(f"{k}: {v}" for k, v in s.headers.items()))
            ui.bodyEdit.setPlainText(s.body_template)
            ui.successSpin.setValue(s.success_status)
            ui.idEdit.setText(s.id_field)
        ui.caEdit.setText(s.ca_file)
        ui.timeoutSpin.setValue(s.timeout)
        self._show_rows()
        self._where()

    def values(self) -> dict[str, Any]:
        ui = self.ui
        kind = self.kind()
        common = {"kind": kind.value, "ca_file": ui.caEdit.text().strip(),
                  "timeout": ui.timeoutSpin.value()}
        if kind == ProviderKind.SMTP:
            return {**common, "host": ui.hostEdit.text().strip(), "port": ui.portSpin.value(),
                    "security": ui.securityCombo.currentData(),
                    "username": ui.userEdit.text().strip(),
                    "from_address": ui.fromEdit.text().strip(),
                    "from_name": ui.fromNameEdit.text().strip()}
        if kind == ProviderKind.TWILIO:
            return {**common, "base_url": ui.hostEdit.text().strip(),
                    "account_sid": ui.userEdit.text().strip(),
                    "from_number": ui.fromEdit.text().strip()}
        headers = {}
        for line in ui.headersEdit.toPlainText().splitlines():
            key, sep, value = line.partition(":")
            if sep and key.strip():
                headers[key.strip()] = value.strip()
        return {**common, "url": ui.hostEdit.text().strip(), "method": ui.methodCombo.currentData(),
                "headers": headers, "body_template": ui.bodyEdit.toPlainText(),
                "success_status": ui.successSpin.value(), "id_field": ui.idEdit.text().strip()}

    def provider(self) -> Provider:
        """The provider as typed; a ValidationError names the field."""
        return parse_provider(self.ui.nameEdit.text().strip(), self.values())

    # -- saving and testing --------------------------------------------------------------------
    def _plaintext_toggled(self, on: bool) -> None:
        self.settings = dataclasses.replace(self.settings, allow_plaintext_keyring=on)
        self.ui.secretWhere.setText(PLAIN_TEXT_WARNING if on else "")
        self._where()

    def _where(self) -> None:
        comms = self.comms
        comms.secrets.allow_plaintext = self.settings.allow_plaintext_keyring
        name = self.ui.nameEdit.text().strip()

        provider = self.settings.providers.get(name)

        def ask() -> str:
            from imdesk.services.comms.sender import needs_secret

            if provider is not None and not needs_secret(provider):
                return "No password needed (no user is set)."
            if provider is not None:
                lookup = comms.secrets.get(name)
                if lookup.state.usable:
                    return f"Secret: {lookup.state.label} ({lookup.where})"
                return f"Secret: {lookup.state.label}. A new one goes to: {comms.secrets.where()}"
            return f"A secret set here is stored in: {comms.secrets.where()}"

        prefix = PLAIN_TEXT_WARNING + "\n" if self.settings.allow_plaintext_keyring else ""
        self.runner.run(ask, lambda text: self.ui.secretWhere.setText(prefix + text),
                        lambda exc: self.ui.secretWhere.setText(prefix + sentence("Keyring", exc)))

    def _show_order(self) -> None:
        s = self.settings
        steps = [f"SMS via {name}" for name in s.sms_order]
        steps += [f"email via {s.email_provider}"] if s.email_provider else []
        steps += ["the call list"] if s.manual_lane else []
        self.ui.orderLabel.setText("Each recipient is tried in this order: "
                                   + (" → ".join(steps) or "nothing configured yet"))

    def save(self) -> None:
        from imdesk.domain.errors import ValidationError

        ui = self.ui
        try:
            provider = self.provider()
        except ValidationError as exc:
            ui.formError.setText(sentence("Not saved", exc, "What you typed is still here"))
            return
        secret = ui.secretEdit.text()
        comms, settings = self.comms, self.settings.with_provider(provider)

        def work() -> str:
            comms.settings.save(settings)
            if not secret:
                return "saved"
            try:
                return f"saved; secret stored in {comms.secrets.set(provider.name, secret)}"
            except CredentialError as exc:
                comms.secrets.set_for_session(provider.name, secret)
                return (f"saved; {exc.state.label}: the secret is kept for this session only "
                        "and must be entered again after a restart")

        def done(text: str) -> None:
            self.settings = settings
            self.saved.append(provider.name)
            ui.secretEdit.clear()
            ui.formError.setStyleSheet("")
            ui.formError.setText(f"{provider.name}: {text}")
            if ui.providerCombo.findData(provider.name) < 0:
                ui.providerCombo.addItem(provider.name, provider.name)
            self._show_order()
            self._where()

        def failed(exc: BaseException) -> None:
            ui.formError.setStyleSheet("color:#c62828;")
            ui.formError.setText(sentence("Not saved", exc, "What you typed is still here"))

        self.runner.run(work, done, failed)

    def test_connection(self) -> None:
        from imdesk.domain.errors import ValidationError
        from imdesk.services.comms.provider_check import check_provider

        ui = self.ui
        try:
            provider = self.provider()
        except ValidationError as exc:
            ui.testResult.setText(sentence("Cannot test", exc))
            return
        secret = ui.secretEdit.text()
        comms = self.comms
        ui.testButton.setEnabled(False)
        ui.testResult.setText("Testing…")

        def work() -> Any:
            return check_provider(provider, comms.secrets, typed_secret=secret)

        def done(result: Any) -> None:
            ui.testButton.setEnabled(True)
            where = f"\nSecret: {result.secret_where}" if result.secret_where else ""
            ui.testResult.setText(f"{'✔ OK' if result.ok else '✖ Failed'}: {result.text}{where}")

        def failed(exc: BaseException) -> None:
            ui.testButton.setEnabled(True)
            ui.testResult.setText("✖ " + sentence("Failed", exc))

        self.runner.run(work, done, failed)


def _field(ui: Ui_ProviderDialog, key: str) -> QWidget:
    names = {"host": "hostEdit", "port": "portSpin", "security": "securityCombo",
             "user": "userEdit", "from": "fromEdit", "fromName": "fromNameEdit", "ca": "caEdit",
             "timeout": "timeoutSpin", "method": "methodCombo", "headers": "headersEdit",
             "body": "bodyEdit", "success": "successSpin", "id": "idEdit"}
    widget: QWidget = getattr(ui, names[key])
    return widget
