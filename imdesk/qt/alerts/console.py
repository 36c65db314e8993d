"""The alert intake inside the console: runs the listener in a process of its own (it stores
and processes; see alert_process.py), checks the heartbeats on a timer, and turns outcomes
into a reloaded list, a desktop notification (tray, or an in-window notice), a beep for P1/P2
and an offer to resolve when every alert cleared.

Signals: changed() — incidents changed through alerts; state_changed(str) — listener status
text for the status bar; token_ready(object) — a new token to show once for copying;
problem(str) — something the user should read (banner).
"""

from __future__ import annotations

import logging
import os
from typing import Any

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtWidgets import QApplication, QSystemTrayIcon, QWidget

from imdesk.context import AppContext
from imdesk.domain.priority import Priority
from imdesk.messages import clause, sentence
from imdesk.qt import theme
from imdesk.qt.tasks import TaskRunner

log = logging.getLogger(__name__)

HEARTBEAT_CHECK_MS = 30_000
COALESCE_MS = 300
LOUD = (Priority.P1, Priority.P2)
PORT_OVERRIDE = "IMDESK_ALERT_PORT"  # a second console or a test run: another port (0: any free)


class AlertConsole(QObject):
    changed = Signal()
    state_changed = Signal(str)
    token_ready = Signal(object)
    problem = Signal(str)
    notice = Signal(str, str)  # text, ref — the in-window notice when no tray exists
    all_clear = Signal(str)  # ref whose alerts have all cleared: offer to resolve
    _outcome = Signal(object)  # from the processor thread, queued to the GUI thread
    _failed = Signal(str)

    def __init__(self, ctx: AppContext, runner: TaskRunner, parent: QWidget) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.runner = runner
        self.listener: Any = None  # the AlertProcess once it listens
        self._process: Any = None
        self.holds_listener = True  # until the listener process says another desk holds it
        self._token_shown = False
        self.sound = True
        self.status_text = "Alerts: starting…"
        self.tray: QSystemTrayIcon | None = None
        self._outcome.connect(self.handle_outcome)
        self._failed.connect(lambda m: self._set_state(f"Alerts: processing failed — {m}"))
        self._pending: Any = None
        self._flush_timer = QTimer(self)
        self._flush_timer.setSingleShot(True)
        self._flush_timer.setInterval(COALESCE_MS)
        self._flush_timer.timeout.connect(self.flush)
        self._timer = QTimer(self)
        self._timer.setInterval(HEARTBEAT_CHECK_MS)
        self._timer.timeout.connect(self.check_heartbeats)

    # -- starting and stopping ----------------------------------------------------------------
    def start(self) -> None:
        """Read the settings and the token in a worker, then start the listener process; the
        status bar says where it listens once it does (or why it cannot)."""
        if self.ctx.db.read_only:
            self._set_state("Alerts: off (read-only database)")
            return
        ctx = self.ctx

        def work() -> tuple[Any, Any]:
            from imdesk.credentials.webhook_token import load_or_create_token

            settings = ctx.alerts.settings.listener()
            if not settings.enabled:
                return settings, ctx.alerts.intake.process_pending()
            return settings, load_or_create_token()

        self.runner.run(work, self._loaded, self._not_started)
        self._timer.start()
        QTimer.singleShot(2000, self, self.check_heartbeats)

    def _loaded(self, result: tuple[Any, Any]) -> None:
        settings, extra = result
        self.sound = settings.sound
        if not settings.enabled:
            self._set_state("Alerts: listener off (settings)")
            self.handle_outcome(extra)
            return
        from imdesk.qt.alerts.listener_process import AlertProcess

        token = extra
        path = self.ctx.info.path
        url = str(path) if path is not None else \
            self.ctx.db.engine.url.render_as_string(hide_password=False)
        port = int(os.environ.get(PORT_OVERRIDE, settings.port))
        process = AlertProcess(url, token.value, settings.host, port, self)
        process.listening.connect(lambda where: self._listening(process, token))
        process.outcome.connect(self.handle_outcome)
        process.failed.connect(lambda text: self._process_failed(process, text))
        process.processing_failed.connect(self._failed.emit)
        process.lease.connect(lambda held, info: self._lease(process, held, info))
        self._process = process
        process.start()  # its processor takes first what a killed console left in the inbox

    def _listening(self, process: Any, token: Any) -> None:
        if process is not self._process:
            return
        self.listener = process
        self._set_state(f"Alerts: listening on {process.url}")
        if self._token_shown:
            return
        self._token_shown = True
        if token.problem:
            self.problem.emit(sentence("No keyring for the alert webhook token", token.problem,
                                       "this session's token works only while the console runs"))
        if token.new:
            self.token_ready.emit(token)

    def _lease(self, process: Any, held: bool, info: Any) -> None:
        """Team mode: the listener runs on one desk. Standing by, this desk neither listens nor
        checks heartbeats; it takes over when the holder's lease expires."""
        if process is not self._process:
            return
        self.holds_listener = held
        if held:
            self._set_state("Alerts: this desk takes the listener over…")
        else:
            self.listener = None
            self._set_state(f"Alerts: standing by — {info.line(self.ctx.now())}")

    def _process_failed(self, process: Any, text: str) -> None:
        if process is not self._process:
            return
        self.listener = self._process = None
        process.stop(2000)  # it is exiting already (it said why)
        self._set_state(f"Alerts: not listening — {clause(text)}")
        log.warning("alert listener not started: %s", text)

    def _not_started(self, exc: BaseException) -> None:
        from imdesk.errors import KnownError

        text = exc.message if isinstance(exc, KnownError) else str(exc)
        self._set_state(f"Alerts: not listening — {clause(text)}")
        log.warning("alert listener not started: %s", text)

    def restart(self) -> None:
        """After the settings changed: stop the listener process (without waiting for it here)
        and start again once it has ended (its port is free then)."""
        self._set_state("Alerts: restarting…")
        process, self._process, self.listener = self._process, None, None
        if process is None:
            self.start()
            return
        process.stopped.connect(self.start)
        process.stopped.connect(process.deleteLater)
        process.stop_later()

    def set_token(self, token: str) -> None:
        """A rotated token: the listener checks it from now on."""
        if self._process is not None:
            self._process.set_token(token)

    def stop(self) -> None:
        self._timer.stop()
        self._stop_process()

    def _stop_process(self) -> None:
        process, self._process, self.listener = self._process, None, None
        if process is not None:
            process.stop()

    def _set_state(self, text: str) -> None:
        self.status_text = text
        self.state_changed.emit(text)

    # -- outcomes ---------------------------------------------------------------------------
    def check_heartbeats(self) -> None:
        if self.ctx.db.read_only or not self.holds_listener:
            return  # the desk holding the listener lease checks them for the team
        self.runner.run(self.ctx.alerts.watch.check_heartbeats, self.handle_outcome,
                        lambda exc: log.warning("heartbeat check failed: %s", exc))

    def handle_outcome(self, outcome: Any) -> None:
        """Outcomes arrive per processing transaction; the window hears of them at most every
        COALESCE_MS (a storm must not reload the list a hundred times a second)."""
        if outcome is None:
            return
        if self._pending is None:
            from imdesk.services.alerts.apply import Outcome

            self._pending = Outcome()
        self._pending.merge(outcome)
        if not self._flush_timer.isActive():
            self._flush_timer.start()

    def flush(self) -> None:
        outcome, self._pending = self._pending, None
        if outcome is None:
            return
        if outcome.opened or outcome.changed or outcome.cleared or outcome.resolved or outcome.failed:
            self.changed.emit()
        if outcome.failed:
            self._failed.emit(f"{outcome.failed} payload(s) kept in the inbox (Alt+5, Inbox)")
        if len(outcome.opened) == 1:
            opened = outcome.opened[0]
            self.notify(f"{opened.ref} {opened.priority.value}: {opened.title}", opened.ref,
                        loud=opened.priority in LOUD)
        elif outcome.opened:
            loud = [o for o in outcome.opened if o.priority in LOUD]
            self.notify(f"{len(outcome.opened)} new incidents from alerts"
                        + (f", {len(loud)} of them P1/P2" if loud else "")
                        + f" (first {outcome.opened[0].ref})", outcome.opened[0].ref,
                        loud=bool(loud))
        for ref in outcome.cleared[-3:]:
            self.all_clear.emit(ref)

    def notify(self, text: str, ref: str, *, loud: bool) -> None:
        """A desktop notification when the desktop has a tray, else a notice in the window."""
        if QSystemTrayIcon.isSystemTrayAvailable():
            if self.tray is None:
                self.tray = QSystemTrayIcon(theme.app_icon(), self)
                self.tray.setToolTip("imdesk")
                self.tray.show()
            icon = (QSystemTrayIcon.MessageIcon.Critical if loud
                    else QSystemTrayIcon.MessageIcon.Information)
            self.tray.showMessage("New incident from an alert", text, icon, 15_000)
        else:
            self.notice.emit(f"New incident from an alert: {text}", ref)
        if loud and self.sound:
            QApplication.beep()
