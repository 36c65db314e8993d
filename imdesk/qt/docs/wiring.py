"""Documents in the console: the Documents pane on the rail (built on first use), the service's
documents one key away (Ctrl+Shift+B) from the selected incident, its war room and who to call,
the stale documents' count in the status bar, and the awareness board kept current in the
background (failures in the status bar)."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QToolButton

from imdesk.qt.widgets.keys import shortcut
from imdesk.qt.widgets.labels import plain_label
from imdesk.qt.widgets.pane_host import PaneHost

SERVICE_DOCS_KEY = "Ctrl+Shift+B"


class DocsWiring:
    """Owned by the main window; `pane` builds the Documents pane on first use."""

    def __init__(self, window: Any) -> None:
        self.window = window
        self.ctx = window.ctx
        self.host = PaneHost()
        self.built: Any = None
        self.board: Any = None
        self.button: QToolButton = window.rail.add(self.host, "▤", "Documents", lambda: self.pane)
        shortcut(window, SERVICE_DOCS_KEY, self.service_documents,
                 "Runbooks and documents of the service in view (incident, war room, who to call)")
        window.incidents.data_changed.connect(self.changed)
        window._counts_timer.timeout.connect(self.refresh)
        self._detail_line()
        self.start()

    def _detail_line(self) -> None:
        """The incident detail names its service's documents, under the description."""
        detail = self.window.incidents.detail
        self.detail_docs = plain_label(wrap=True, selectable=False)
        self.detail_docs.hide()
        layout = detail.body.layout()
        layout.insertWidget(layout.indexOf(detail.description) + 1, self.detail_docs)
        detail.incident_shown.connect(self._incident_shown)
        if detail.state is not None:
            self._incident_shown(detail.state)

    def _incident_shown(self, state: Any) -> None:
        service = str(state.service or "") if state is not None else ""
        if not service:
            self.detail_docs.hide()
            return
        docs = self.ctx.docs

        def titles() -> list[str]:
            try:
                return [d.title for d in docs.documents(service=service)]
            except LookupError:  # a service renamed or removed meanwhile
                return []

        def show(found: list[str]) -> None:
            current = self.window.incidents.detail.state
            if current is None or (current.service or "") != service:
                return  # another incident is on screen by now
            key = SERVICE_DOCS_KEY
            self.detail_docs.setText(f"Documents for {service} ({key}): " + " · ".join(found) if found
                                     else f"No documents for {service} yet ({key} opens the Documents pane)")
            self.detail_docs.show()

        self.window.runner.run(titles, show, lambda _e: None)

    @property
    def pane(self) -> Any:
        if self.built is None:
            from imdesk.qt.docs.pane import DocsPane

            w = self.window
            pane = DocsPane(self.ctx, w.runner, read_only=self.ctx.read_only)
            pane.status_message.connect(lambda m: w.status.showMessage(m, 6000))
            pane.docs_changed.connect(self.docs_changed)
            pane.settings_changed.connect(self.changed)
            self.host.put(pane)
            self.built = pane
            pane.start()
        return self.built

    def open(self) -> None:
        pane = self.pane
        self.window.show_pane(self.host)
        pane.focus_default()

    def show_document(self, doc_id: int) -> None:
        """One document on screen (a Ctrl+K hit)."""
        pane = self.pane
        self.window.show_pane(self.host)
        pane.show_document(doc_id)

    def service_in_view(self) -> str:
        """The service of what is on screen: who to call's service, else the incident in view
        (the open war room's, else the one selected in the list)."""
        w = self.window
        contacts = getattr(w, "contact_book", None)
        pane = getattr(contacts, "built", None)
        if pane is not None and w.current_pane() is pane and pane.stack.currentWidget() is pane.who:
            data = getattr(pane.who, "data", None)
            if data is not None:
                return str(data.who.service)
        state = w.rooms.incident_in_view()
        return str(state.service or "") if state is not None else ""

    def service_documents(self) -> None:
        service = self.service_in_view()
        pane = self.pane
        self.window.show_pane(self.host)
        if not service:
            self.window.status.showMessage("Documents: nothing on screen names a service; "
                                           "all documents are listed", 6000)
            pane.focus_default()
            return
        pane.show_service(service)

    def start(self) -> None:
        if not self.ctx.read_only:
            from imdesk.qt.docs.board_keeper import BoardKeeper

            w = self.window
            self.board = BoardKeeper(self.ctx, w.runner, w)
            self.board.failed.connect(lambda why: w.status.showMessage(
                f"The awareness board could not be written: {why}", 15000))
            self.board.written.connect(lambda path: w.status.showMessage(
                f"The awareness board is written again: {path}", 6000))
            self.board.schedule()
        self.refresh()

    def docs_changed(self) -> None:
        """A document changed here: the count, and the emergency pack (it prints the runbooks)."""
        self.refresh()
        keeper = getattr(getattr(self.window, "contact_book", None), "pack_keeper", None)
        if keeper is not None:
            keeper.schedule()

    def changed(self) -> None:
        """An incident changed here: the board follows."""
        if self.board is not None:
            self.board.schedule()

    def refresh(self) -> None:
        """The stale documents' count (beside the stale contacts); a change elsewhere
        rewrites the board."""
        docs = self.ctx.docs
        status = self.window.status
        self.window.runner.run(docs.stale_count, status.show_documents, lambda _e: None)
        if self.board is not None:
            self.board.check_marker()
