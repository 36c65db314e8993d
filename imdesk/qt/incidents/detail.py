"""The selected incident beside the list: its fields, status actions, timeline and note line."""

from __future__ import annotations

from datetime import datetime

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFont, QFontDatabase, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListView,
    QSizePolicy,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from imdesk.domain.incident import IncidentState
from imdesk.domain.priority import Priority
from imdesk.domain.sla import SlaState, format_duration
from imdesk.domain.timefmt import exact, friendly
from imdesk.domain.timeline import TimelineEntry
from imdesk.qt import theme
from imdesk.qt.incidents.actions import IncidentActions
from imdesk.qt.incidents.timeline_model import TimelineListModel
from imdesk.qt.widgets.labels import plain_label


class IncidentDetail(QWidget):
    """Shows one incident. Signals: note_submitted(str ref, str text); incident_shown(state or
    None) after each show (the alert panel follows it)."""

    note_submitted = Signal(str, str)
    incident_shown = Signal(object)

    def __init__(self, actions: IncidentActions, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._state: IncidentState | None = None
        self._now: datetime | None = None
        self.setMinimumWidth(340)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(12, 8, 12, 8)
        outer.setSpacing(8)

        self.empty = plain_label("Select an incident, or press Ctrl+N to log a new one.", wrap=True,
                                 selectable=False)
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty.setStyleSheet("color: palette(placeholder-text); padding: 40px;")
        outer.addWidget(self.empty)

        self.body = QWidget()
        body = QVBoxLayout(self.body)
        body.setContentsMargins(0, 0, 0, 0)
        body.setSpacing(8)
        outer.addWidget(self.body, 1)

        head = QHBoxLayout()
        head.setSpacing(8)
        self.badge = plain_label(selectable=False)
        self.ref = plain_label()
        self.ref.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.status = plain_label(selectable=False)
        self.major = plain_label(selectable=False)
        for w in (self.badge, self.ref, self.status, self.major):
            head.addWidget(w)
        head.addStretch(1)
        body.addLayout(head)

        self.title = plain_label(wrap=True)
        font = QFont(self.title.font())
        font.setPointSizeF(font.pointSizeF() * 1.35)
        font.setBold(True)
        self.title.setFont(font)
        body.addWidget(self.title)

        self.sla = plain_label(wrap=True, selectable=False)
        sla_font = QFont(self.sla.font())
        sla_font.setBold(True)
        self.sla.setFont(sla_font)
        body.addWidget(self.sla)

        form = QFormLayout()
        form.setHorizontalSpacing(12)
        form.setVerticalSpacing(4)
        self.fields: dict[str, QLabel] = {}
        for key, label in (("service", "Service"), ("impact", "Impact / urgency"),
                           ("origin", "Origin"), ("opened", "Opened"), ("ack", "Acknowledged"),
                           ("respond", "Respond by"), ("resolve", "Resolve by"),
                           ("resolved", "Resolved"), ("closed", "Closed")):
            value = plain_label(wrap=True)
            self.fields[key] = value
            form.addRow(plain_label(label, selectable=False), value)
        body.addLayout(form)

        self.description = plain_label(wrap=True)
        self.description.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Minimum)
        body.addWidget(self.description)

        buttons = QHBoxLayout()
        buttons.setSpacing(6)
        self.buttons: list[QToolButton] = []
        for action in [*actions.status_actions, actions.edit]:
            button = QToolButton()
            button.setDefaultAction(action)
            button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
            action.changed.connect(lambda b=button, a=action: b.setVisible(a.isVisible()))
            button.setVisible(action.isVisible())
            buttons.addWidget(button)
            self.buttons.append(button)
        buttons.addStretch(1)
        body.addLayout(buttons)

        line = QFrame()
        line.setFrameShape(QFrame.Shape.HLine)
        line.setFrameShadow(QFrame.Shadow.Sunken)
        body.addWidget(line)
        self.timeline_title = plain_label("Timeline (newest first)", selectable=False)
        body.addWidget(self.timeline_title)
        self.timeline_model = TimelineListModel(self)
        self.timeline = QListView()
        self.timeline.setModel(self.timeline_model)
        self.timeline.setWordWrap(True)
        self.timeline.setAlternatingRowColors(True)
        self.timeline.setSpacing(1)
        self.timeline.setUniformItemSizes(False)
        self.timeline.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        body.addWidget(self.timeline, 1)

        self.note = QLineEdit()
        self.note.setPlaceholderText("Add a note and press Enter (Ctrl+Shift+N)")
        self.note.setClearButtonEnabled(True)
        self.note.returnPressed.connect(self._submit_note)
        body.addWidget(self.note)
        self.error = plain_label(wrap=True, selectable=True)
        self.error.setStyleSheet("color: #d32f2f;")
        self.error.hide()
        body.addWidget(self.error)
        self.note_shortcut = QKeySequence("Ctrl+Shift+N")
        self.show_incident(None, [], None)

    @property
    def state(self) -> IncidentState | None:
        return self._state

    def show_incident(self, state: IncidentState | None, entries: list[TimelineEntry],
                      now: datetime | None) -> None:
        if state is None or self._state is None or state.ref != self._state.ref:
            self.error.hide()
        self._state = state
        self._now = now
        self.empty.setVisible(state is None)
        self.body.setVisible(state is not None)
        if state is None or now is None:
            self.timeline_model.set_entries([], datetime.now().astimezone())
            self.incident_shown.emit(None)
            return
        color = theme.priority_color(state.priority).name()
        fg = "#1b1b1b" if state.priority == Priority.P3 else "#ffffff"
        self.badge.setText(f" {state.priority.value} ")
        _restyle(self.badge, f"background:{color}; color:{fg}; border-radius:8px; "
                             "padding:2px 8px; font-weight:bold;")
        self.ref.setText(state.ref)
        self.status.setText(state.status.label.upper())
        self.major.setText(" · ".join(
            ([("⚑ MAJOR")] if state.major else []) + (["◎ EXERCISE"] if state.exercise else [])))
        _restyle(self.major, f"color:{color}; font-weight:bold;")
        self.title.setText(state.title)
        f = self.fields
        f["service"].setText(state.service or "—")
        f["impact"].setText(f"{state.impact.value} / {state.urgency.value}")
        f["origin"].setText(state.origin.label)
        self._set_time(f["opened"], state.opened_at, now)
        self._set_time(f["ack"], state.acknowledged_at, now)
        self._set_due(f["respond"], "respond", state.respond_due, state, now)
        self._set_due(f["resolve"], "resolve", state.resolve_due, state, now)
        self._set_time(f["resolved"], state.resolved_at, now)
        self._set_time(f["closed"], state.closed_at, now)
        self.description.setText(state.description or "No description.")
        self.timeline_model.set_entries(entries, now)
        shown = len(entries)
        self.timeline_title.setText(
            "Timeline (newest first)" if shown >= state.last_seq else
            f"Timeline: newest {shown} of {state.last_seq} (all in the war room or "
            f"`imdesk timeline show {state.ref}`)")
        self.tick(now)
        self.incident_shown.emit(state)

    def _set_time(self, label: QLabel, value: datetime | None, now: datetime) -> None:
        label.setText(friendly(value, now))
        label.setToolTip(exact(value))

    def _set_due(self, label: QLabel, clock: str, due: datetime, state: IncidentState,
                 now: datetime) -> None:
        """A due time, or while on hold what will be left when work resumes."""
        reading = state.sla(now)
        if state.hold_started_at is None or reading.clock != clock:
            self._set_time(label, due, now)
            if clock == "respond" and state.acknowledged_at is not None:
                label.setText(f"{label.text()} (met)" if state.acknowledged_at <= due
                              else f"{label.text()} (missed)")
            return
        assert reading.remaining is not None
        label.setText(f"paused — {format_duration(reading.remaining)} left when work resumes")
        label.setToolTip(f"on hold since {exact(state.hold_started_at)}")

    def tick(self, now: datetime) -> None:
        state = self._state
        if state is None:
            return
        reading = state.sla(now)
        if reading.state in (SlaState.MET, SlaState.MISSED):
            kept = "kept" if reading.state == SlaState.MET else "missed"
            text = f"SLA {reading.state.value} — resolve target {kept}"
        else:
            assert reading.remaining is not None
            left = format_duration(reading.remaining)
            words = {SlaState.OK: "left", SlaState.AT_RISK: "left — at risk",
                     SlaState.BREACHED: "— BREACHED", SlaState.PAUSED: "left — paused (on hold)"}
            text = f"{reading.symbol} {reading.clock} SLA: {left} {words[reading.state]}".strip()
        self.sla.setText(text)
        color = theme.sla_color(reading.state)
        self.sla.setStyleSheet(f"color:{color.name()};" if color else "")

    def show_error(self, message: str) -> None:
        self.error.setText(message)
        self.error.show()

    def clear_error(self) -> None:
        self.error.hide()

    def _submit_note(self) -> None:
        if self._state is None:
            return
        text = self.note.text()
        if not text.strip():
            self.show_error("A note needs some text.")
            return
        self.note_submitted.emit(self._state.ref, text)

    def note_saved(self) -> None:
        self.note.clear()
        self.clear_error()


def _restyle(widget: QWidget, sheet: str) -> None:
    """A new style sheet only when it differs (each one is parsed and the widget polished
    again: most incidents shown one after another share their priority's colours)."""
    if widget.styleSheet() != sheet:
        widget.setStyleSheet(sheet)
