"""A team in the Contacts pane: who is on duty now and next, its members (Enter opens one), its
escalation ladder and the roster for the next 7 days.

Signals: contact_requested(int contact id).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from PySide6.QtCore import QModelIndex, Qt, Signal
from PySide6.QtWidgets import QAbstractItemView, QListView, QVBoxLayout, QWidget

from imdesk.domain.contact_book import ON_DUTY_ROLE, Member, Shift, Team
from imdesk.domain.timefmt import friendly
from imdesk.qt.widgets.labels import heading_label, plain_label
from imdesk.qt.widgets.models import RowsListModel
from imdesk.services.contacts.directory import Duty
from imdesk.services.contacts.service import ContactService


@dataclass(frozen=True)
class TeamData:
    team: Team
    duty: Duty
    shifts: tuple[Shift, ...]
    numbers: dict[int, str]
    names: dict[int, str]
    now: datetime


class MemberModel(RowsListModel):
    """A team's members with their number, on duty marked."""

    def __init__(self) -> None:
        super().__init__()
        self.on_duty: set[int] = set()
        self.numbers: dict[int, str] = {}

    def set_members(self, members: list[Member], on_duty: set[int], numbers: dict[int, str]) -> None:
        self.on_duty, self.numbers = on_duty, numbers
        self.set_rows(members)

    def cell(self, m: Member, column: int, role: int) -> Any:
        if role == Qt.ItemDataRole.DisplayRole:
            duty = "  ● on duty" if m.contact_id in self.on_duty else ""
            role_text = f" — {m.role}" if m.role else ""
            return f"{m.name}{role_text}   {self.numbers.get(m.contact_id, '')}{duty}"
        return None


class TeamView(QWidget):
    contact_requested = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(16, 12, 16, 12)
        outer.setSpacing(8)
        self.title = heading_label()
        self.description = plain_label(wrap=True)
        self.duty = plain_label(wrap=True)
        self.members = QListView()
        self.model = MemberModel()
        self.members.setModel(self.model)
        self.members.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.members.setMaximumHeight(110)
        self.ladder = plain_label(wrap=True)
        self.roster = plain_label(wrap=True)
        for w in (self.title, self.description, self.duty, plain_label("Members (Enter opens)",
                                                                        selectable=False),
                  self.members, self.ladder, self.roster):
            outer.addWidget(w)
        outer.addStretch(1)
        self.members.activated.connect(self._open)
        self.setFocusProxy(self.members)

    @staticmethod
    def prepare(service: ContactService, name: str) -> TeamData:
        """Runs in a worker: the team, who is on duty, the next 7 days, numbers formatted."""
        from imdesk.services.contacts.values import display_phone

        team = service.org.team(name)
        duty = service.on_duty(name)
        now = service.now()
        shifts = tuple(service.org.shifts(name, now, now + timedelta(days=7)))
        ids = [m.contact_id for m in team.members] + [st.contact_id for st in team.ladder if st.contact_id]
        numbers: dict[int, str] = {}
        names: dict[int, str] = {}
        for cid in dict.fromkeys(ids):
            rec = service.get(cid).record
            names[cid] = rec.name
            if rec.phones:
                numbers[cid] = display_phone(rec.phones[0])
        return TeamData(team, duty, shifts, numbers, names, now)

    def show_team(self, data: TeamData) -> None:
        team, now = data.team, data.now
        self.title.setText(f"Team {team.name}")
        self.description.setText(team.description)
        on = ", ".join(f"{c.name} {data.numbers.get(c.contact_id, '')}" for c in data.duty.now) or "nobody"
        nxt = data.duty.next
        later = f"\nNext: {nxt.name} from {friendly(nxt.starts_at, now)}" if nxt else ""
        self.duty.setText(f"On duty now: {on}{later}")
        self.model.set_members(list(team.members), {c.contact_id for c in data.duty.now}, data.numbers)
        steps = []
        minute = 0
        for i, st in enumerate(team.ladder, start=1):
            who = data.names.get(st.contact_id, "?") if st.contact_id else (st.role or ON_DUTY_ROLE)
            steps.append(f"{i}. +{minute} min  {who}  (then wait {st.wait_minutes} min)")
            minute += st.wait_minutes
        self.ladder.setText("Escalation ladder:\n" + ("\n".join(steps) or "none recorded"))
        lines = [f"{friendly(s.starts_at, now)} – {friendly(s.ends_at, now)}  {s.name}"
                 + ("  (override)" if s.override else "") + (f"  {s.note}" if s.note else "")
                 for s in data.shifts[:28]]
        self.roster.setText("Roster, next 7 days:\n" + ("\n".join(lines) or "no shifts"))
        if team.members:
            self.members.setCurrentIndex(self.model.index(0))

    def _open(self, index: QModelIndex) -> None:
        if index.isValid():
            self.contact_requested.emit(self.model.rows[index.row()].contact_id)
