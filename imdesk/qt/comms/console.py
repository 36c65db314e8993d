"""Communications in the console: the Messages pane on the rail (built on first use), one key
to inform people from an incident or its war room, provider settings, message templates,
connectivity and the outbox count in the status bar, and the sender running off the GUI
thread from the first paint on."""

from __future__ import annotations

import gc
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QLabel

from imdesk.messages import sentence
from imdesk.qt.widgets.labels import set_label
from imdesk.qt.widgets.pane_host import PaneHost

if TYPE_CHECKING:
    from imdesk.credentials.store import CredentialState
    from imdesk.services.comms.status import RunReport

INFORM_KEY = "Ctrl+Shift+I"
COUNTS_EVERY_MS = 2000

# Keyed by value (the enums are string enums): nothing of the outbox loads before it is used.
_CONNECTIVITY_COLOR = {"online": None, "unknown": None, "provider unreachable": "#a15c00",
                       "offline": "#c62828"}
ATTENTION = ("call", "failed", "expired")


class CommsConsole(QObject):
    """Signals: queued() — messages were queued (from any thread; handled on the GUI thread)."""

    queued = Signal()

    def __init__(self, window: Any) -> None:
        super().__init__(window)
        self.window = window
        self.ctx = window.ctx
        self._host = PaneHost()
        self._pane: Any = None
        self.button = window.rail.add(self._host, "✉", "Messages", lambda: self.pane)
        self.worker: Any = None
        self.started = False  # after the first paint: communications are loaded from then on
        self.connectivity = "unknown"
        self.waiting: dict[str, CredentialState] = {}
        self.counts: dict[str, int] = {}
        self._counts_due = False
        self._attention_seen = -1
        self._counts_timer = QTimer(self)
        self._counts_timer.setSingleShot(True)
        self._counts_timer.setInterval(COUNTS_EVERY_MS)
        self._counts_timer.timeout.connect(self.refresh_counts)

    def install(self) -> None:
        """Menus, the key and the status bar (after the window built its own)."""
        w = self.window
        self.label = QLabel("✉ outbox")
        self.label.setTextFormat(Qt.TextFormat.PlainText)
        self.label.setToolTip("Outbox: connectivity, messages waiting, people to call")
        w.status.addPermanentWidget(self.label)
        self.inform_action = QAction("&Inform people…", w)
        self.inform_action.setShortcut(QKeySequence(INFORM_KEY))
        self.inform_action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        self.inform_action.setToolTip(f"Send an initial, update or resolved message ({INFORM_KEY})")
        self.inform_action.triggered.connect(self.inform_people)
        self.inform_action.setEnabled(not self.ctx.read_only)
        w.addAction(self.inform_action)
        # queue() runs on a worker thread: the signal brings the news to the GUI thread
        self.queued.connect(lambda: self._ensure_worker(wake=True))
        providers = QAction("Message &providers…", w)
        providers.triggered.connect(self.edit_providers)
        templates = QAction("Edit message &templates…", w)
        templates.setToolTip("Opens the folder with your copies of the message templates")
        templates.triggered.connect(self.edit_templates)
        for action in w.menuBar().actions():
            menu = action.menu()
            if menu is None:
                continue
            if action.text() == "&Incident":
                menu.insertAction(menu.actions()[3] if len(menu.actions()) > 3 else None,
                                  self.inform_action)
            elif action.text() == "&File":
                before = menu.actions()[-2] if len(menu.actions()) > 1 else None
                menu.insertAction(before, providers)
                menu.insertAction(before, templates)

    # -- the pane ------------------------------------------------------------------------------
    @property
    def pane(self) -> Any:
        if self._pane is None:
            from imdesk.qt.comms.outbox_pane import OutboxPane

            pane = OutboxPane(self.ctx.comms.outbox, self.window.runner,
                              now=self.ctx.comms.clock.now, send_now=self.send_now,
                              read_only=self.ctx.read_only)
            pane.status_message.connect(lambda m: self.window.status.showMessage(m, 6000))
            pane.attention_changed.connect(self._attention)
            self._host.put(pane)
            self._pane = pane
            self._show_connectivity()
            pane.reload()
            self.refresh_lease()
        return self._pane

    def _attention(self, count: int) -> None:
        """A pane load found a different number of messages needing a person: recount (the
        sender's reports recount on their own timer, so an unchanged number asks nothing)."""
        if count != self._attention_seen:
            self._attention_seen = count
            self.refresh_counts()

    def show(self) -> None:
        _ = self.pane
        self.window.show_pane(self._host)
        self.refresh_lease()

    # -- the sender ----------------------------------------------------------------------------
    def start(self) -> None:
        """After the first paint: counts now; the sender process once there is work for it
        (messages waiting from before, or the first one queued now)."""
        self.started = True
        # What start-up built (modules, the window, its panes) lives as long as the console:
        # out of the collector's reach from here on, a full collection — in whichever thread
        # it falls, holding the interpreter lock — scans only what is new, not the whole heap.
        gc.freeze()
        self.refresh_counts()
        if self.ctx.read_only:
            return
        self.ctx.comms.notify.on_queued = lambda _ids: self.queued.emit()
        self.window.runner.run(self.ctx.comms.outbox.pending,
                               lambda n: self._ensure_worker() if n else None, lambda _e: None)

    def _ensure_worker(self, *, wake: bool = False) -> None:
        if self.worker is None and not self.ctx.read_only:
            from imdesk.qt.comms.sender_process import SenderProcess

            # a SQLite file as its path (any character in it survives); else the full URL
            path = self.ctx.info.path
            url = str(path) if path is not None else \
                self.ctx.db.engine.url.render_as_string(hide_password=False)
            # And what was built since (the whole heap took ~100 ms to scan, holding the lock).
            gc.freeze()
            self.worker = SenderProcess(url, self)
            self.worker.report.connect(self._report)
            self.worker.failed.connect(lambda m: self.window.status.showMessage(m, 8000))
            self.worker.lease.connect(lambda _held, _info: self.refresh_lease())
            self.worker.start()
            for name in self.ctx.comms.secrets.session_only():
                secret = self.ctx.comms.secrets.get(name).secret
                if secret:
                    self.worker.give_secret(name, secret)
        elif wake and self.worker is not None:
            self.worker.wake()

    def stop(self) -> None:
        if self.worker is not None:
            self.worker.stop()
            self.worker = None

    def send_now(self) -> None:
        self._ensure_worker()
        if self.worker is not None:
            self.worker.send_now()

    def _report(self, report: RunReport) -> None:
        self.connectivity = report.connectivity
        self.waiting = report.waiting
        self._show_connectivity()
        if (report.picked or report.delivered or report.expired) and self._pane is not None:
            self._pane.reload_soon()
        if not self._counts_timer.isActive():
            self._counts_timer.start()

    def _show_connectivity(self) -> None:
        text = str(self.connectivity)
        if self.connectivity == "unknown":
            text = "not checked yet (nothing sent since start)"
        color = _CONNECTIVITY_COLOR[self.connectivity]
        if self.waiting:
            names = ", ".join(f"{n}: {s.label}" for n, s in self.waiting.items())
            text += f" · paused — {names}"
            color = "#a15c00"
        if self._pane is not None:
            self._pane.show_connectivity(text, color)
        self._status_text()

    def refresh_lease(self) -> None:
        """Which desk sends for the team, read off the GUI thread (team mode only)."""
        if self._pane is None or self.ctx.info.path is not None:
            return
        ctx = self.ctx

        def read() -> str:
            from imdesk.domain.lease import SENDER, lease_line
            from imdesk.services.desk.leases import lease_holders

            return lease_line(lease_holders(ctx.db), SENDER, ctx.now())

        self.window.runner.run(read, self._pane.show_lease, lambda _e: None)

    def refresh_counts(self) -> None:
        self.window.runner.run(self.ctx.comms.outbox.counts, self._counts, lambda _e: None)

    def _counts(self, counts: dict[Any, int]) -> None:
        self.counts = {str(k): v for k, v in counts.items()}
        self._status_text()
        attention = sum(self.counts.get(s, 0) for s in ATTENTION)
        self.window.set_rail_badge(self.button, attention)

    def _status_text(self) -> None:
        if not hasattr(self, "label"):
            return
        waiting = self.counts.get("queued", 0) + self.counts.get("sending", 0)
        calls = self.counts.get("call", 0)
        state = {"unknown": "", "online": "online"}.get(str(self.connectivity),
                                                        str(self.connectivity))
        parts = [p for p in (state, f"{waiting} waiting" if waiting else "",
                             f"{calls} to call" if calls else "",
                             "paused: credentials" if self.waiting else "") if p]
        bad = str(self.connectivity) in ("offline", "provider unreachable") or self.waiting or calls
        set_label(self.label, "✉ " + (" · ".join(parts) or "outbox empty"),
                   "color:#a15c00; font-weight:bold;" if bad else "")

    # -- actions -------------------------------------------------------------------------------
    def current_incident(self) -> tuple[str, str] | None:
        state = self.window.rooms.incident_in_view()
        return (state.ref, state.title) if state is not None else None

    def inform_people(self) -> None:
        current = self.current_incident()
        if current is None or self.ctx.read_only:
            self.window.status.showMessage("Select an incident first", 4000)
            return
        from imdesk.qt.comms.send_dialog import SendDialog

        ref, title = current
        from imdesk.services.situation_draft import draft_situation

        incidents, ctx = self.ctx.incidents, self.ctx

        def dependants() -> list[str]:  # own stakeholders, then the dependent services' ones
            state = incidents.get(ref)
            if not state.service:
                return []
            prio = state.priority.value
            own = [r.label for r in ctx.contacts.org.service(state.service).stakeholders
                   if r.priority == prio]
            deps = ctx.dependencies.impact(state.service, prio)
            return list(dict.fromkeys(own + [n for d in deps for n in d.stakeholders]))

        ids = SendDialog.ask(self.window, self.ctx.comms.notify, self.window.runner, ref, title,
                             drafter=lambda r: draft_situation(incidents, r),
                             dependants=dependants)
        if ids is None:
            return
        self.window.status.showMessage(f"{len(ids)} message(s) queued for {ref}", 6000)
        self.window.incidents.reload()
        self.window.rooms.reload(select=ref)
        if self._pane is not None:
            self._pane.reload()
        self.refresh_counts()

    def edit_providers(self) -> None:
        from imdesk.qt.comms.provider_dialog import ProviderDialog

        comms = self.ctx.comms

        def opened(settings: Any) -> None:
            saved = ProviderDialog.ask(self.window, comms, self.window.runner, settings)
            session = comms.secrets.session_only()
            for name in saved:
                if self.worker is not None:  # else it reads them when it starts
                    self.worker.credentials_changed(name)
                    secret = comms.secrets.get(name).secret if name in session else None
                    if secret:
                        self.worker.give_secret(name, secret)
            if session:
                self.window.show_banner(
                    "No usable keyring: the secret for " + ", ".join(session) + " is kept for "
                    "this session only and must be entered again after a restart.",
                    key="no-keyring-providers")
            if saved:
                self.send_now()

        self.window.runner.run(comms.load_settings, opened,
                               lambda exc: self.window.show_banner(sentence("Provider settings", exc)))

    def edit_templates(self) -> None:
        from PySide6.QtCore import QUrl
        from PySide6.QtGui import QDesktopServices

        from imdesk.services.comms.templates import user_copies

        folder = user_copies()
        if not QDesktopServices.openUrl(QUrl.fromLocalFile(str(folder))):
            self.window.show_banner(f"Edit the message templates in any text editor: {folder}")
        else:
            self.window.status.showMessage(f"Your templates: {folder}", 8000)
