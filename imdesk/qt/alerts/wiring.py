"""Puts the alert intake into the main window (after the first paint): the listener controller,
the status-bar state, the alerts in the incident detail, the list badge, notices, the Alerts
rail pane (built on first use), the settings and token dialogs."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton

from imdesk.domain.lifecycle import Status
from imdesk.messages import sentence
from imdesk.qt.alerts.console import AlertConsole
from imdesk.qt.alerts.panel import AlertPanel
from imdesk.qt.widgets.pane_host import PaneHost


class NoticeBar(QFrame):
    """One line above the panes for what came from the monitoring: a new incident (when the
    desktop has no tray) or every alert of an incident cleared (with the offer to resolve)."""

    def __init__(self) -> None:
        super().__init__()
        self.setObjectName("alertNotice")
        self.setStyleSheet("#alertNotice { background: palette(highlight); }"
                           " QLabel { color: palette(highlighted-text); }")
        row = QHBoxLayout(self)
        row.setContentsMargins(12, 4, 12, 4)
        row.setSpacing(8)
        self.text = QLabel()
        self.text.setTextFormat(Qt.TextFormat.PlainText)
        row.addWidget(self.text, 1)
        self.action = QPushButton()
        self.dismiss = QPushButton("&Dismiss")
        row.addWidget(self.action)
        row.addWidget(self.dismiss)
        self.dismiss.clicked.connect(self.hide)
        self.ref = ""
        self.kind = ""
        self.hide()

    def show_notice(self, text: str, ref: str, kind: str) -> None:
        self.text.setText(text)
        self.ref, self.kind = ref, kind
        self.action.setText({"clear": "&Resolve…", "token": "Show &token…"}.get(kind, "&Show"))
        self.show()


class AlertWiring:
    def __init__(self, window: Any) -> None:
        self.window = window
        ctx, runner = window.ctx, window.runner
        self.console = AlertConsole(ctx, runner, window)
        self.status_label = QLabel("Alerts: starting…")
        self.status_label.setTextFormat(Qt.TextFormat.PlainText)
        window.status.add_feature_widget(self.status_label)
        self.console.state_changed.connect(self._state)

        detail = window.incidents.detail
        self.panel = AlertPanel(ctx.alerts.intake, runner)
        body = detail.body.layout()
        body.insertWidget(max(0, body.indexOf(detail.timeline_title) - 1), self.panel)
        detail.incident_shown.connect(lambda st: self.panel.show_for(st.ref if st else None))
        if detail.state is not None:
            self.panel.show_for(detail.state.ref)
        window.incidents.model.badge_source = ctx.alerts.intake.alert_counts
        window.incidents.reload()  # the first page came before alerts were wired: badges now

        self.notice = NoticeBar()
        central = window.centralWidget().layout()
        central.insertWidget(central.indexOf(window.banner) + 1, self.notice)
        self.notice.action.clicked.connect(self._notice_action)
        self.console.notice.connect(lambda text, ref: self.notice.show_notice(text, ref, "new"))
        self.console.all_clear.connect(self._offer_resolve)
        self.console.changed.connect(self._changed)
        # no keyring comes back on every start: that one may be hidden for good
        self.console.problem.connect(lambda text: window.show_banner(
            text, key="no-keyring-webhook" if "keyring" in text.lower() else None))
        self.console.token_ready.connect(self._token_made)

        self._pane: Any = None
        self._new_token: Any = None
        self.host = PaneHost()
        self.rail_button = window.add_lazy_pane(self.host, "⚠", "Alerts", lambda: self.pane)
        settings = QAction("&Alert settings…", window)
        settings.triggered.connect(self.edit_settings)
        settings.setEnabled(not ctx.db.read_only)
        window.menuBar().actions()[0].menu().insertAction(
            window.menuBar().actions()[0].menu().actions()[-2], settings)
        self.settings_action = settings
        show_alerts = QAction("&Alerts, maintenance, heartbeats", window)
        show_alerts.setShortcut(QKeySequence("Ctrl+Shift+A"))
        show_alerts.triggered.connect(self.show_pane)
        window.addAction(show_alerts)
        self.console.start()

    @property
    def pane(self) -> Any:
        if self._pane is None:
            from imdesk.qt.alerts.pane import AlertsPane

            w = self.window
            pane = AlertsPane(w.ctx, w.runner, read_only=w.ctx.db.read_only)
            pane.open_incident.connect(self.open_incident)
            pane.settings_requested.connect(self.edit_settings)
            pane.token_requested.connect(self.ask_token)
            pane.status_message.connect(lambda m: w.status.showMessage(m, 6000))
            pane.set_state(self.console.status_text)
            self.host.put(pane)
            self._pane = pane
        return self._pane

    def show_pane(self) -> None:
        _ = self.pane
        self.window.show_pane(self.host)

    def _state(self, text: str) -> None:
        self.status_label.setText(text)
        self.status_label.setToolTip("The alert webhook listener (settings in File ▸ Alert settings)")
        if self._pane is not None:
            self._pane.set_state(text)

    def _changed(self) -> None:
        self.window.incidents.reload()
        self.panel.reload()
        self.window.refresh_counts()
        if self._pane is not None and self._pane.isVisible():
            self._pane.reload()

    def open_incident(self, ref: str) -> None:
        self.window.show_pane(self.window.incidents)
        self.window.incidents.show_incident(ref)

    # -- notices ------------------------------------------------------------------------------
    def _offer_resolve(self, ref: str) -> None:
        self.notice.show_notice(f"{ref}: every alert has cleared. Resolve it?", ref, "clear")

    def _token_made(self, token: Any) -> None:
        """A new token: offered once for copying (not popped up over the desk)."""
        self._new_token = token
        self.notice.show_notice("A bearer token for alert senders was created"
                                + (" for this session only" if token.problem else "")
                                + ": copy it into their configuration.", "", "token")

    def _notice_action(self) -> None:
        ref, kind = self.notice.ref, self.notice.kind
        self.notice.hide()
        if kind == "token":
            token, self._new_token = self._new_token, None
            if token is not None:
                self.show_token(token.value, token.problem)
            return
        self.open_incident(ref)
        if kind != "clear":
            return
        pane = self.window.incidents
        note = pane.ask_note(f"Resolve {ref}", "Every alert has cleared. The resolution note:",
                             "Resolve")
        if note is None:
            return
        service = self.window.ctx.incidents
        self.window.runner.run(lambda: service.change_status(ref, Status.RESOLVED, note),
                               lambda st: (pane.reload(), self.window.status.showMessage(
                                   f"{st.ref} is now {st.status.label}", 6000)),
                               lambda exc: self.window.show_banner(sentence(f"{ref} was not resolved", exc)))

    # -- settings and token -------------------------------------------------------------------
    def edit_settings(self) -> None:
        from imdesk.domain.alert_rules import matchers_text
        from imdesk.qt.alerts.dialogs import AlertSettingsDialog, AlertSettingsValues

        ctx = self.window.ctx
        listener, mapping = ctx.alerts.settings.listener(), ctx.alerts.settings.mapping()
        initial = AlertSettingsValues(
            enabled=listener.enabled, host=listener.host, port=listener.port, sound=listener.sound,
            auto_resolve=mapping.auto_resolve,
            rules=[(matchers_text(r.matchers), r.service) for r in mapping.rules],
            severity={k: (v[0].value, v[1].value) for k, v in mapping.severity.items()})
        saved = AlertSettingsDialog.ask(self.window, self.window.runner, initial, self._save_settings,
                                        (self.ask_token, self.rotate_token))
        if saved is None:
            return
        self.console.sound = saved.sound
        if (saved.enabled, saved.host, saved.port) != (listener.enabled, listener.host, listener.port):
            self.console.restart()
        self.window.status.showMessage("Alert settings saved", 6000)

    def _save_settings(self, values: Any) -> Any:
        from imdesk.services.alerts.settings import ListenerSettings

        settings = self.window.ctx.alerts.settings
        settings.set_rules(values.rules)
        settings.set_severity(values.severity)
        settings.set_auto_resolve(values.auto_resolve)
        settings.set_listener(ListenerSettings(values.enabled, values.host, values.port, values.sound))
        return values

    def ask_token(self) -> None:
        from imdesk.credentials.webhook_token import load_or_create_token

        self.window.runner.run(load_or_create_token,
                               lambda t: self.show_token(t.value, t.problem),
                               lambda exc: self.window.show_banner(sentence("No token", exc)))

    def rotate_token(self) -> None:
        from imdesk.credentials.webhook_token import rotate_token

        def done(token: Any) -> None:
            self.console.set_token(token.value)
            self.show_token(token.value, "The old token no longer works: update every sender.")

        self.window.runner.run(rotate_token, done,
                               lambda exc: self.window.show_banner(sentence("Token not rotated", exc)))

    def show_token(self, value: str, note: str = "") -> None:
        from imdesk.qt.alerts.dialogs import TokenDialog

        dialog = TokenDialog(self.window, value, note=note)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.show()
        self.token_dialog = dialog

    def stop(self) -> None:
        self.console.stop()
