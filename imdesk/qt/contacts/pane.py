"""The Contacts pane: search-as-you-type over people, teams and services on top (SQL-side,
off the GUI thread), results with on-duty and stale badges on the left, and on the right the
contact's card, a team, or "who do I call" for a service.

Signals: status_message(str); contacts_changed() after any write (the emergency pack follows);
call_logged(str ref) after a call went into an incident's timeline.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QModelIndex, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QLineEdit,
    QListView,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QVBoxLayout,
)

from imdesk.context import AppContext
from imdesk.domain.contact_book import SearchHit
from imdesk.domain.errors import NotFoundError, ValidationError
from imdesk.errors import KnownError
from imdesk.messages import sentence
from imdesk.qt.contacts.card import CardData, ContactCard, card_placeholder, format_card
from imdesk.qt.contacts.list_model import HitDelegate, HitRole, SearchHitModel
from imdesk.qt.contacts.pane_actions import ContactPaneActions
from imdesk.qt.contacts.team_view import TeamView
from imdesk.qt.contacts.who_to_call import WhoData, WhoToCallView, prepare
from imdesk.qt.tasks import TaskRunner
from imdesk.qt.widgets.keys import shortcut

SEARCH_DELAY_MS = 60
DETAIL_DELAY_MS = 150   # the first result's card, once typing pauses
log = logging.getLogger(__name__)


class SearchLine(QLineEdit):
    """Down moves into the results; Enter opens the current (or first) result."""

    down = Signal()

    def keyPressEvent(self, event: Any) -> None:
        if event.key() == Qt.Key.Key_Down:
            self.down.emit()
            return
        super().keyPressEvent(event)


class ContactsPane(ContactPaneActions):
    status_message = Signal(str)
    contacts_changed = Signal()
    call_logged = Signal(str)
    document_requested = Signal(int)  # a stale document in the review queue, opened (Enter)
    documents_review_requested = Signal()  # the stale drill goes on through the stale documents

    def __init__(self, ctx: AppContext, runner: TaskRunner, *, read_only: bool = False) -> None:
        super().__init__()
        self.ctx = ctx
        self.contacts = ctx.contacts
        self.runner = runner
        self.read_only = read_only
        self._generation = 0
        self._incident_ref = ""          # set while "who do I call" was opened from an incident
        self._incident_label = ""
        self._card: CardData | None = None
        outer = QVBoxLayout(self)
        outer.setContentsMargins(8, 8, 8, 8)
        outer.setSpacing(8)
        top = QHBoxLayout()
        self.search = SearchLine()
        self.search.setPlaceholderText("Search people, teams, services…  (Ctrl+F)")
        self.search.setClearButtonEnabled(True)
        self.search.setAccessibleName("search contacts")
        top.addWidget(self.search, 1)
        self.review_button = QPushButton("Review &queue")
        self.review_button.setToolTip("Stale contacts, wrong numbers and values that did not validate")
        self.drill_button = QPushButton("&Drill…")
        self.drill_button.setToolTip("Step through a team, a service's ladder or all stale contacts")
        self.new_button = QPushButton("New &contact…")
        self.org_button = QPushButton("&Organisation…")
        self.org_button.setToolTip("Teams, ladders, rosters, lists and services (Ctrl+Shift+O)")
        self.pack_button = QPushButton("Emergency &pack")
        self.pack_button.setToolTip("Write the printable emergency pack now")
        for b in (self.review_button, self.drill_button, self.new_button, self.org_button, self.pack_button):
            top.addWidget(b)
        outer.addLayout(top)
        self.splitter = QSplitter()
        self.list = QListView()
        self.model = SearchHitModel()
        self.list.setModel(self.model)
        self.list.setItemDelegate(HitDelegate(self.list))
        self.list.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.list.setUniformItemSizes(True)
        self.list.setMinimumWidth(300)
        self.stack = QStackedWidget()
        self.placeholder = card_placeholder()
        self.card = ContactCard()
        self.who = WhoToCallView()
        self.team = TeamView()
        for w in (self.placeholder, self.card, self.who, self.team):
            self.stack.addWidget(w)
        self.splitter.addWidget(self.list)
        self.splitter.addWidget(self.stack)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setSizes([380, 700])
        outer.addWidget(self.splitter, 1)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(SEARCH_DELAY_MS)
        self._timer.timeout.connect(self.run_search)
        self._typing = False
        self._detail_timer = QTimer(self)
        self._detail_timer.setSingleShot(True)
        self._detail_timer.setInterval(DETAIL_DELAY_MS)
        self._detail_timer.timeout.connect(self._show_current)
        self.search.textChanged.connect(lambda _t: self._timer.start())
        self.search.returnPressed.connect(self.open_current)
        self.search.down.connect(self._into_list)
        self.list.selectionModel().currentChanged.connect(self._on_current)
        self.list.activated.connect(self._activated)
        self.card.verify_requested.connect(self.verify)
        self.card.edit_requested.connect(self.edit_contact)
        self.card.call_requested.connect(self.called)
        self.card.open_url_requested.connect(self.open_url)
        self.card.copied.connect(lambda n: self.status_message.emit(f"{n} copied to the clipboard"))
        self.who.call_requested.connect(self.called)
        self.who.open_url_requested.connect(self.open_url)
        self.who.contact_requested.connect(self.show_contact)
        self.team.contact_requested.connect(self.show_contact)
        self.review_button.clicked.connect(self.show_review_queue)
        self.drill_button.clicked.connect(self.start_drill)
        self.new_button.clicked.connect(lambda: self.edit_contact(None))
        self.org_button.clicked.connect(self.edit_organisation)
        self.pack_button.clicked.connect(self.pack_requested)
        for b in (self.new_button, self.org_button):
            b.setEnabled(not read_only)
        within = Qt.ShortcutContext.WidgetWithChildrenShortcut
        shortcut(self, "Ctrl+F", self.focus_search, "Contacts: search", context=within)
        shortcut(self, "Ctrl+E", lambda: self.edit_contact(self.card.detail.id)
                 if self.card.detail and self.stack.currentWidget() is self.card else None,
                 "Contacts: edit the contact on the card", context=within, claim=True)
        shortcut(self, Qt.Key.Key_Escape, self.focus_search, "Contacts: back to the search", context=within)
        self.pack_handler: Callable[[], None] | None = None

    # -- searching ---------------------------------------------------------------------------
    def start(self) -> None:
        self.run_search()
        self.focus_search()

    def focus_default(self) -> None:
        self.search.setFocus()

    def focus_search(self) -> None:
        self.search.setFocus()
        self.search.selectAll()

    def run_search(self) -> None:
        self._generation += 1
        generation, text, service = self._generation, self.search.text(), self.contacts

        def done(hits: list[SearchHit]) -> None:
            if generation == self._generation:      # a later keystroke wins
                self.model.set_hits(hits)
                if hits:
                    # The first result's card follows once typing pauses, not on every keystroke.
                    self._typing = True
                    self.list.setCurrentIndex(self.model.index(0))
                    self._typing = False

        self.runner.run(lambda: service.search(text), done, self._failed)

    def show_review_queue(self) -> None:
        self._generation += 1
        generation, service = self._generation, self.contacts

        def fetch() -> list[SearchHit]:
            from imdesk.domain.contact_book import is_stale

            now, days = service.now(), service.stale_days()
            return [SearchHit(c.kind, c.id, c.name, c.subtitle or c.dial, c.on_duty,
                              is_stale(c.last_verified_at, now, days),
                              c.review or ("a number or address did not validate" if c.flagged else ""))
                    for c in service.summaries(stale_only=True)] + [  # and the stale documents
                SearchHit("document", d.id, d.title, f"{d.scope} · review due", stale=True)
                for d in self.ctx.docs.stale()]

        def done(hits: list[SearchHit]) -> None:
            if generation == self._generation:
                self.model.set_hits(hits)
                self.status_message.emit(f"{len(hits)} contacts and documents to review")
                if hits:
                    self.list.setCurrentIndex(self.model.index(0))
                    self.list.setFocus()

        self.runner.run(fetch, done, self._failed)

    def _into_list(self) -> None:
        self.list.setFocus()
        if not self.list.currentIndex().isValid() and self.model.rowCount():
            self.list.setCurrentIndex(self.model.index(0))

    def open_current(self) -> None:
        if self._timer.isActive():              # Enter before the search ran: run it now
            self._timer.stop()
            self.run_search()
        self._focus_detail()

    def _focus_detail(self) -> None:
        if self._detail_timer.isActive():     # Enter right after typing: show the card now
            self._detail_timer.stop()
            self._show_current()
        current = self.stack.currentWidget()
        if current is self.who:
            self.who.table.setFocus()
        elif current is self.card:
            self.card.dial.call_button.setFocus()
        elif current is self.team:
            self.team.setFocus()

    def _on_current(self, index: QModelIndex, _prev: QModelIndex) -> None:
        if self._typing:
            self._detail_timer.start()
            return
        self._detail_timer.stop()
        self._show_current()

    def _show_current(self) -> None:
        index = self.list.currentIndex()
        hit: SearchHit | None = index.data(HitRole) if index.isValid() else None
        if hit is None:
            return
        if hit.kind == "document":
            self.status_message.emit(f"{hit.title}: Enter opens it in the Documents pane")
        elif hit.kind == "service":
            self.show_who(hit.title)
        elif hit.kind == "team":
            self.show_team(hit.title)
        else:
            self.show_contact(hit.id)

    def _activated(self, index: Any) -> None:
        hit: SearchHit | None = index.data(HitRole) if index.isValid() else None
        if hit is not None and hit.kind == "document":
            self.document_requested.emit(hit.id)
        else:
            self._focus_detail()

    # -- showing -----------------------------------------------------------------------------
    def show_contact(self, contact_id: int) -> None:
        service = self.contacts

        def fetch() -> CardData:
            return format_card(service.get(contact_id), service.now(), service.stale_days())

        def done(data: CardData) -> None:
            self._card = data
            self.card.show_card(data)
            self.stack.setCurrentWidget(self.card)

        self.runner.run(fetch, done, self._failed)

    def show_team(self, name: str) -> None:
        service = self.contacts
        self.runner.run(lambda: self.team.prepare(service, name), self._show_team, self._failed)

    def _show_team(self, data: Any) -> None:
        self.team.show_team(data)
        self.stack.setCurrentWidget(self.team)

    def show_who(self, service_name: str, *, incident_ref: str = "", incident_label: str = "") -> None:
        """Who to call for a service; with an incident, calls made here are logged into it."""
        self._incident_ref = incident_ref
        self._incident_label = incident_label
        service = self.contacts

        def fetch() -> WhoData:
            return prepare(service.who_to_call(service_name), incident_label, service.now())

        def done(data: WhoData) -> None:
            self.who.show_who(data)
            self.stack.setCurrentWidget(self.who)
            if incident_ref and self.isVisible():  # from an incident: Enter dials the first
                self.who.table.setFocus()

        self.runner.run(fetch, done, self._failed)

    def who_for_incident(self, ref: str, service_name: str, label: str) -> None:
        """From an incident (one key): its service's who-to-call, calls logged into ``ref``."""
        self.search.blockSignals(True)
        self.search.setText(service_name)
        self.search.blockSignals(False)
        self._generation += 1
        generation, service = self._generation, self.contacts

        def listed(hits: list[SearchHit]) -> None:
            if generation == self._generation:
                self.list.blockSignals(True)
                self.model.set_hits(hits)
                row = next((i for i, h in enumerate(hits) if h.kind == "service"
                            and h.title.casefold() == service_name.casefold()), -1)
                if row >= 0:
                    self.list.selectionModel().blockSignals(True)
                    self.list.setCurrentIndex(self.model.index(row))
                    self.list.selectionModel().blockSignals(False)
                self.list.blockSignals(False)

        self.runner.run(lambda: service.search(service_name), listed, self._failed)
        self.show_who(service_name, incident_ref=ref, incident_label=label)

    def pack_requested(self) -> None:
        if self.pack_handler is not None:
            self.pack_handler()

    def _after_write(self, *, show: int | None = None) -> None:
        self.contacts_changed.emit()
        if show is not None:
            self.show_contact(show)
        elif self.stack.currentWidget() is self.who and self.who.data is not None:
            self.show_who(self.who.data.who.service, incident_ref=self._incident_ref,
                          incident_label=self._incident_label)
        elif self.stack.currentWidget() is self.card and self.card.detail is not None:
            self.show_contact(self.card.detail.id)
        current = self.list.currentIndex()
        keep = current.row() if current.isValid() else -1
        generation, text, service = self._generation + 1, self.search.text(), self.contacts
        self._generation = generation

        def relist(hits: list[SearchHit]) -> None:
            if generation == self._generation:
                self.list.selectionModel().blockSignals(True)
                self.model.set_hits(hits)
                if 0 <= keep < len(hits):
                    self.list.setCurrentIndex(self.model.index(keep))
                self.list.selectionModel().blockSignals(False)

        self.runner.run(lambda: service.search(text), relist, self._failed)

    def _failed(self, exc: BaseException) -> None:
        if isinstance(exc, ValidationError):
            self.status_message.emit(sentence("", exc.message))
        elif isinstance(exc, (NotFoundError, KnownError)):
            self.status_message.emit(sentence("", exc))
        else:
            log.error("contact book task failed", exc_info=exc)
            self.status_message.emit(sentence("Something went wrong", exc))
