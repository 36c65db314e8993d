"""Editing the organisation from the keyboard: teams (members, escalation ladder, roster),
services (owner team, business owner, runbook, stakeholders per priority), distribution lists,
and the contact book's settings. Each text box is lines (see domain/org_text.py); Ctrl+S saves
the tab. A refused line is named with its number and every typed line stays."""

from __future__ import annotations

from datetime import timedelta

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from imdesk.domain import org_text
from imdesk.domain.errors import NotFoundError, ValidationError
from imdesk.errors import KnownError
from imdesk.messages import sentence
from imdesk.qt.widgets.keys import shortcut
from imdesk.services.contacts.org import ProfileEdit
from imdesk.services.contacts.service import ContactService

ROSTER_BACK = timedelta(days=1)
ROSTER_AHEAD = timedelta(days=14)
NEW = "— new —"


def _text(height: int = 110, placeholder: str = "") -> QPlainTextEdit:
    edit = QPlainTextEdit()
    edit.setTabChangesFocus(True)
    edit.setMinimumHeight(height)
    edit.setPlaceholderText(placeholder)
    return edit


def _message() -> QLabel:
    label = QLabel()
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setWordWrap(True)
    return label


class OrgEditor(QDialog):
    """Tabs: Teams, Services, Lists, Settings. ``changed`` is True once anything was saved."""

    def __init__(self, parent: QWidget | None, contacts: ContactService) -> None:
        super().__init__(parent)
        self.setWindowTitle("Organisation — teams, services, lists")
        self.setMinimumSize(760, 620)
        self.contacts = contacts
        self.org = contacts.org
        self.changed = False
        self.tz = contacts.now().astimezone().tzinfo
        layout = QVBoxLayout(self)
        self.tabs = QTabWidget()
        layout.addWidget(self.tabs, 1)
        self.message = _message()
        layout.addWidget(self.message)
        row = QHBoxLayout()
        row.addWidget(QLabel("Ctrl+S saves this tab · Ctrl+PgDown next tab · Esc closes"))
        row.addStretch(1)
        self.save_button = QPushButton("&Save")
        close = QPushButton("Close")
        row.addWidget(self.save_button)
        row.addWidget(close)
        layout.addLayout(row)
        self.save_button.clicked.connect(self.save)
        close.clicked.connect(self.accept)
        shortcut(self, QKeySequence.StandardKey.Save, self.save, "Organisation: save the tab")
        self._build_teams()
        self._build_services()
        self._build_lists()
        self._build_settings()
        self.team_combo.setFocus()

    # -- look-ups ----------------------------------------------------------------------------
    def names(self) -> org_text.Names:
        teams = [(t.id, t.name) for t in self.org.all_teams()]
        lists = [(lst.id, lst.name) for lst in self.org.lists()]
        return org_text.Names(org_text.Names.index(self.contacts.names()), org_text.Names.index(teams),
                              org_text.Names.index(lists))

    def _say(self, text: str, *, error: bool = False) -> None:
        self.message.setText(text)
        self.message.setStyleSheet("color: #c62828; font-weight: bold;" if error else "")

    # -- teams -------------------------------------------------------------------------------
    def _build_teams(self) -> None:
        page = QWidget()
        form = QFormLayout(page)
        self.team_combo = QComboBox()
        self.team_name = QLineEdit()
        self.team_description = QLineEdit()
        self.members = _text(90, "Name — role   (one per line; roles such as team lead, engineer)")
        self.ladder = _text(90, "who, minutes to wait before the next step\non duty, 10\nteam lead, 15\n"
                                "Hanse Fibre NOC, 30")
        self.roster = _text(150, "2026-11-27 07:00 → 2026-11-27 19:00  Name  [override]  # note")
        form.addRow("&Team", self.team_combo)
        form.addRow("&Name", self.team_name)
        form.addRow("&Description", self.team_description)
        form.addRow("&Members", self.members)
        form.addRow("&Ladder", self.ladder)
        form.addRow("&Roster (local times)", self.roster)
        self.tabs.addTab(page, "Teams")
        self.team_combo.currentIndexChanged.connect(self._load_team)
        self._fill_teams()

    def _fill_teams(self, select: str = "") -> None:
        self.team_combo.blockSignals(True)
        self.team_combo.clear()
        self.team_combo.addItem(NEW, "")
        for name in self.contacts.teams():
            self.team_combo.addItem(name, name)
        self.team_combo.blockSignals(False)
        index = self.team_combo.findData(select) if select else (1 if self.team_combo.count() > 1 else 0)
        self.team_combo.setCurrentIndex(max(index, 0))
        self._load_team()

    def _load_team(self) -> None:
        name = self.team_combo.currentData()
        if not name:
            for w in (self.team_name, self.team_description):
                w.clear()
            for t in (self.members, self.ladder, self.roster):
                t.clear()
            return
        team = self.org.team(name)
        names_by_id = {i: n for i, n in self.contacts.names()}
        now = self.contacts.now()
        self.team_name.setText(team.name)
        self.team_description.setText(team.description)
        self.members.setPlainText(org_text.format_members(team.members))
        self.ladder.setPlainText(org_text.format_ladder(team.ladder, names_by_id))
        shifts = self.org.shifts(name, now - ROSTER_BACK, now + ROSTER_AHEAD)
        self.roster.setPlainText(org_text.format_roster(shifts, self.tz))  # type: ignore[arg-type]

    def save_team(self) -> None:
        old = self.team_combo.currentData() or None
        names = self.names()
        members = org_text.parse_members(self.members.toPlainText(), names)
        ladder = org_text.parse_ladder(self.ladder.toPlainText(), names)
        roster = org_text.parse_roster(self.roster.toPlainText(), names, self.tz)  # type: ignore[arg-type]
        self.org.save_team(self.team_name.text(), description=self.team_description.text(), old_name=old)
        name = " ".join(self.team_name.text().split())
        self.org.set_members(name, members)
        self.org.set_ladder(name, ladder)
        now = self.contacts.now()
        self.org.replace_shifts(name, now - ROSTER_BACK, now + ROSTER_AHEAD,
                                [(s.contact_id, s.starts_at, s.ends_at, s.override, s.note) for s in roster])
        self._fill_teams(select=name)
        self._say(f"Team {name} saved")

    # -- services ----------------------------------------------------------------------------
    def _build_services(self) -> None:
        page = QWidget()
        form = QFormLayout(page)
        self.service_combo = QComboBox()
        self.owner_team = QComboBox()
        self.business_owner = QLineEdit()
        self.business_owner.setPlaceholderText("a contact's name (empty: none)")
        self.runbook = _text(70, "a link or the first steps")
        self.stakeholders = _text(120, "P1: IT management\nP1: team Network\nP2: Hannah Schulz")
        self.depends_on = _text(70, "one service per line: Network\nActive Directory")
        self.used_by = _message()
        form.addRow("&Service", self.service_combo)
        form.addRow("&Owner team", self.owner_team)
        form.addRow("&Business owner", self.business_owner)
        form.addRow("&Runbook", self.runbook)
        form.addRow("S&takeholders", self.stakeholders)
        form.addRow("&Depends on", self.depends_on)
        form.addRow("Used by", self.used_by)
        self.tabs.addTab(page, "Services")
        for name in self.contacts.services():
            self.service_combo.addItem(name, name)
        self.service_combo.currentIndexChanged.connect(self._load_service)
        self._load_service()

    def _load_service(self) -> None:
        self.owner_team.clear()
        self.owner_team.addItem("(none)", "")
        for t in self.contacts.teams():
            self.owner_team.addItem(t, t)
        name = self.service_combo.currentData()
        if not name:
            return
        svc = self.org.service(name)
        self.owner_team.setCurrentIndex(max(self.owner_team.findData(svc.owner_team), 0))
        self.business_owner.setText(svc.business_owner)
        self.runbook.setPlainText(svc.runbook)
        self.stakeholders.setPlainText(org_text.format_stakeholders(svc.stakeholders))
        deps = self.contacts.dependencies
        self.depends_on.setPlainText("\n".join(deps.depends_on(name)))
        users = deps.impact(name)
        self.used_by.setText(", ".join(u.name if u.level == 1 else f"{u.name} (via {u.via})"
                                       for u in users) or "no service depends on it")

    def save_service(self) -> None:
        name = self.service_combo.currentData()
        if not name:
            raise ValidationError("service", "there is no service to save (add services to the catalogue)")
        names = self.names()
        refs = org_text.parse_stakeholders(self.stakeholders.toPlainText(), names)
        owner_text = self.business_owner.text().strip()
        owner = org_text._contact(names, owner_text, "business owner", 1) if owner_text else None
        deps = [line.strip() for line in self.depends_on.toPlainText().split("\n") if line.strip()]
        self.contacts.dependencies.set_depends_on(name, deps)  # a cycle is refused first
        self.org.set_profile(name, ProfileEdit(owner_team=self.owner_team.currentData() or "",
                                               business_owner_id=owner, runbook=self.runbook.toPlainText()))
        self.org.set_stakeholders(name, refs)
        self._say(f"Service {name} saved")

    # -- lists -------------------------------------------------------------------------------
    def _build_lists(self) -> None:
        page = QWidget()
        form = QFormLayout(page)
        self.list_combo = QComboBox()
        self.list_name = QLineEdit()
        self.list_description = QLineEdit()
        self.list_members = _text(160, "one per line: a contact's name, team NAME, or an address")
        form.addRow("&List", self.list_combo)
        form.addRow("&Name", self.list_name)
        form.addRow("&Description", self.list_description)
        form.addRow("&Members", self.list_members)
        self.tabs.addTab(page, "Lists")
        self.list_combo.currentIndexChanged.connect(self._load_list)
        self._fill_lists()

    def _fill_lists(self, select: str = "") -> None:
        self.list_combo.blockSignals(True)
        self.list_combo.clear()
        self.list_combo.addItem(NEW, "")
        for lst in self.org.lists():
            self.list_combo.addItem(lst.name, lst.name)
        self.list_combo.blockSignals(False)
        index = self.list_combo.findData(select) if select else (1 if self.list_combo.count() > 1 else 0)
        self.list_combo.setCurrentIndex(max(index, 0))
        self._load_list()

    def _load_list(self) -> None:
        name = self.list_combo.currentData()
        found = next((lst for lst in self.org.lists() if lst.name == name), None) if name else None
        self.list_name.setText(found.name if found else "")
        self.list_description.setText(found.description if found else "")
        self.list_members.setPlainText(org_text.format_list_members(found.members) if found else "")

    def save_list(self) -> None:
        members = org_text.parse_list_members(self.list_members.toPlainText(), self.names())
        old = self.list_combo.currentData() or None
        self.org.save_list(self.list_name.text(), members, description=self.list_description.text(),
                           old_name=old)
        name = " ".join(self.list_name.text().split())
        self._fill_lists(select=name)
        self._say(f"List {name} saved")

    # -- settings ----------------------------------------------------------------------------
    def _build_settings(self) -> None:
        page = QWidget()
        form = QFormLayout(page)
        self.stale_days = QSpinBox()
        self.stale_days.setRange(1, 3650)
        self.stale_days.setSuffix(" days")
        self.stale_days.setValue(self.contacts.stale_days())
        self.region = QLineEdit(self.contacts.default_region())
        self.region.setMaxLength(2)
        self.region.setToolTip("For numbers typed without a country code, e.g. DE, GB, FR")
        self.pack_folder = QLineEdit(self.contacts.pack_folder())
        self.pack_folder.setPlaceholderText("empty: the data folder's emergency-pack")
        form.addRow("A contact is &stale after", self.stale_days)
        form.addRow("Default phone &region", self.region)
        form.addRow("Emergency pack &folder", self.pack_folder)
        self.tabs.addTab(page, "Settings")

    def save_settings(self) -> None:
        self.contacts.set_stale_days(self.stale_days.value())
        self.contacts.set_default_region(self.region.text())
        self.contacts.set_pack_folder(self.pack_folder.text())
        self._say("Settings saved")

    # -- saving ------------------------------------------------------------------------------
    def save(self) -> None:
        actions = (self.save_team, self.save_service, self.save_list, self.save_settings)
        action = actions[self.tabs.currentIndex()]
        try:
            action()
        except (ValidationError, NotFoundError, KnownError) as exc:
            self._say(sentence("Not saved", exc, "Everything you typed is still here"), error=True)
            return
        self.changed = True
