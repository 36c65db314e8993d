"""The contact book in the console: the Contacts pane on the rail (built on first use), the
Contacts menu, who to call for the selected incident, the emergency pack kept current in the
background, and the stale/flagged count in the status bar."""

from __future__ import annotations

from typing import Any

from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QToolButton

from imdesk.messages import sentence
from imdesk.qt.widgets.pane_host import PaneHost


class ContactsWiring:
    """Owned by the main window; `pane` builds the Contacts pane on first use."""

    def __init__(self, window: Any) -> None:
        self.window = window
        self.ctx = window.ctx
        self.host = PaneHost()
        self.built: Any = None  # the pane once built
        self.pack_keeper: Any = None
        self._marker: Any = None
        self.button: QToolButton = window.rail.add(self.host, "☎", "Contacts", lambda: self.pane)

    def install_menu(self) -> None:
        w = self.window
        menu = w.menuBar().addMenu("C&ontacts")
        who = QAction("&Who do I call for this incident's service", w)
        who.setShortcut(QKeySequence("Ctrl+Shift+C"))
        who.triggered.connect(self.who_to_call)
        menu.addAction(who)
        self.who_action = who
        for text, slot, key in (("&Review queue", lambda: self.pane.show_review_queue(), ""),
                                ("Verification &drill…", lambda: self.pane.start_drill(), ""),
                                ("&Organisation: teams, services, lists…",
                                 lambda: self.pane.edit_organisation(), "Ctrl+Shift+O"),
                                ("Write the emergency &pack now", self.write_pack_now, "")):
            action = QAction(text, w)
            if key:
                action.setShortcut(QKeySequence(key))
            action.triggered.connect(lambda _c=False, f=slot: self._open_then(f))
            menu.addAction(action)

    def _open_then(self, act: Any) -> None:
        self.open()
        act()

    @property
    def pane(self) -> Any:
        """The Contacts pane, built on first use."""
        if self.built is None:
            from imdesk.qt.contacts.pane import ContactsPane

            w = self.window
            pane = ContactsPane(self.ctx, w.runner, read_only=self.ctx.read_only)
            pane.status_message.connect(lambda m: w.status.showMessage(m, 6000))
            pane.contacts_changed.connect(self.changed)
            pane.call_logged.connect(lambda _ref: w.incidents.reload())
            pane.document_requested.connect(lambda doc_id: w.documents and w.documents.show_document(doc_id))
            pane.documents_review_requested.connect(lambda: w.documents and w.documents.pane.review_walk())
            pane.pack_handler = self.write_pack_now
            self.host.put(pane)
            self.built = pane
            pane.start()
        return self.built

    def open(self) -> None:
        pane = self.pane
        self.window.show_pane(self.host)
        pane.focus_search()

    def who_to_call(self) -> None:
        """One key from an incident (or its war room): who to call for its service."""
        w = self.window
        state = w.rooms.incident_in_view()
        pane = self.pane
        w.show_pane(self.host)
        if state is None or not state.service:
            reason = "no incident is selected" if state is None else f"{state.ref} has no service"
            w.status.showMessage(sentence("Who do I call", reason, "Search the contact book instead"), 8000)
            pane.focus_search()
            return
        pane.who_for_incident(state.ref, state.service,
                              f"{state.ref} · {state.priority.value} · {state.title}")

    def start(self) -> None:
        """After the first paint: the emergency pack's keeper and the status bar's count."""
        w = self.window
        if not self.ctx.read_only:
            from imdesk.qt.contacts.pack_keeper import PackKeeper

            self.pack_keeper = PackKeeper(self.ctx, w.runner, w)
            self.pack_keeper.written.connect(lambda path, _d: w.status.showMessage(
                f"Emergency pack written: {path}", 6000))
            self.pack_keeper.failed.connect(lambda why: w.show_banner(
                sentence("The emergency pack could not be written", why)))
            self.pack_keeper.schedule()
        self.refresh_counts()

    def changed(self, *, search_again: bool = False) -> None:
        """The book changed here: recount, rewrite the pack (and search again, after an import)."""
        self.refresh_counts()
        if self.pack_keeper is not None:
            self.pack_keeper.schedule()
        if search_again and self.built is not None:
            self.built.run_search()

    def write_pack_now(self) -> None:
        w = self.window
        if self.pack_keeper is None:
            w.status.showMessage("The emergency pack cannot be written from a read-only database", 6000)
            return
        w.status.showMessage("Writing the emergency pack…")
        self.pack_keeper.write_now(force=True)

    def refresh_counts(self) -> None:
        """The status bar's stale count; a change made elsewhere (another desk, the command
        line) also rewrites the emergency pack."""
        ctx = self.ctx  # the contact book's modules load in the worker, not on the GUI thread

        def done(result: tuple[Any, Any]) -> None:
            counts, marker = result
            self.window.status.show_contacts(counts)
            if self._marker is not None and marker != self._marker and self.pack_keeper is not None:
                self.pack_keeper.schedule()
            self._marker = marker

        self.window.runner.run(lambda: (ctx.contacts.review_counts(), ctx.contacts.change_marker()),
                               done, lambda _e: None)
