"""Compiling a shift's handover from the record: the timelines (opened, resolved, closed,
reopened in the window; open incidents and their SLA clocks; each major incident's room), the
outbox, the alert intake and the contact book. The result is a plain JSON document — what the
pane shows, what signing freezes and what the exports print. Exercises are listed on their own
and counted nowhere else."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from imdesk.domain.lifecycle import OPEN_STATUSES
from imdesk.domain.message import MessageState
from imdesk.domain.shift import ShiftWindow
from imdesk.domain.sla import ClockInputs, SlaState, due_times, read_clock
from imdesk.domain.timeline import iso
from imdesk.domain.war_room import ActionStatus, fold_room
from imdesk.storage import handover_repo, outbox_repo, timeline_repo
from imdesk.storage.alert_models import AlertInboxRow, AlertRow, HeartbeatRow
from imdesk.storage.alert_repo import windows_not_over
from imdesk.storage.models import TimelineEntryRow

AT_RISK_AHEAD = timedelta(hours=4)
ATTENTION_STATES = (MessageState.CALL, MessageState.FAILED, MessageState.EXPIRED,
                    MessageState.SENDING)
LIST_LIMIT = 500  # rows per section; a section cut there says how many more


@dataclass(frozen=True)
class Extras:
    """What the compiler asks other services for (each in its own unit of work)."""

    room: Callable[[str], Any]                      # WarRoomService.room
    contacts_review: Callable[[], list[dict[str, Any]]]
    outbox_online: Callable[[], str]                # the sender's last word, "" when unknown


def _brief(row: Any) -> dict[str, Any]:
    return {"ref": row.ref, "title": row.title, "priority": row.priority, "status": row.status,
            "service": row.service_name or "", "major": bool(row.major)}


def compile_window(s: Session, window: ShiftWindow, now: datetime,
                   extras: Extras) -> tuple[dict[str, Any], dict[str, list[Any]]]:
    """The content of the handover of WINDOW as of NOW, and the timelines it covers
    ({ref: [last seq, head hash]})."""
    covered: dict[str, list[Any]] = {}
    exercises: dict[str, dict[str, Any]] = {}

    def cover(row: Any) -> bool:
        """Note the incident's head; False for an exercise (listed apart, counted nowhere)."""
        if row.exercise:
            exercises.setdefault(row.ref, _brief(row))
            return False
        covered[row.ref] = [row.last_seq, row.head_hash]
        return True

    open_rows = [r for r in handover_repo.open_incidents(s, [st.value for st in OPEN_STATUSES])
                 if cover(r)]
    open_list, at_risk = [], []
    for row in open_rows:
        inputs = ClockInputs(row.opened_at, row.acknowledged_at, row.resolved_at or row.closed_at,
                             row.hold_started_at, row.on_hold_seconds, row.respond_minutes,
                             row.resolve_minutes)
        reading = read_clock(inputs, now)
        respond_due, resolve_due = due_times(inputs)
        due = respond_due if row.acknowledged_at is None else resolve_due
        item = dict(_brief(row), sla=reading.state.value, sla_clock=reading.clock,
                    sla_due=iso(due), opened_at=iso(row.opened_at))
        open_list.append(item)
        if due is not None and reading.state != SlaState.PAUSED and due <= now + AT_RISK_AHEAD:
            at_risk.append({"ref": row.ref, "title": row.title, "priority": row.priority,
                            "clock": reading.clock, "due": iso(due),
                            "breached": due <= now})
    at_risk.sort(key=lambda x: str(x["due"]))

    content: dict[str, Any] = {
        "window": {"start": iso(window.start), "end": iso(window.end)},
        "compiled_at": iso(now),
        "open": open_list,
        "sla_at_risk": at_risk,
    }
    content.update(_moves(s, window, cover))
    majors, actions = _rooms(s, window, open_rows, extras)
    content["majors"] = majors
    content["actions_open"] = actions
    content["messages_attention"] = _messages(s)
    content["maintenance"] = [{"name": w.name, "service": w.service or "",
                               "starts_at": iso(w.starts_at), "ends_at": iso(w.ends_at)}
                              for w in windows_not_over(s, now)]
    content["alerts_unlinked"] = _unlinked_alerts(s)
    content["heartbeats_late"] = _late_heartbeats(s, now)
    content["contacts_review"] = extras.contacts_review()
    content["exercises"] = sorted(exercises.values(), key=lambda x: x["ref"])
    content["desk"] = _desk_state(s, extras)
    return content, dict(sorted(covered.items()))


def _moves(s: Session, window: ShiftWindow,
           cover: Callable[[Any], bool]) -> dict[str, list[dict[str, Any]]]:
    """Opened (the earliest effective time, a backdated line counts), resolved, closed and
    reopened in the window: one row per incident, at the last such change."""
    start, end = window.start, window.end
    candidates = {r.id: r for r in handover_repo.opened_between(s, start, end)}
    late = handover_repo.backdated_into(s, start, end)  # opened later, backdated into the window
    candidates.update(handover_repo.incidents_by_id(s, [i for i, _ in late if i not in candidates]))
    earliest = handover_repo.earliest_backdated(s, list(candidates))
    opened = []
    for inc_id, row in candidates.items():
        at = min(row.opened_at, earliest.get(inc_id, row.opened_at))
        if start <= at < end and cover(row):
            opened.append(dict(_brief(row), at=iso(at)))
    opened.sort(key=lambda x: (x["at"], x["ref"]))

    rows: dict[int, Any] = {}
    found: dict[str, dict[int, datetime]] = {"resolved": {}, "closed": {}, "reopened": {}}
    for row, at, data in handover_repo.status_changes(s, start, end):
        inc_id = row.id
        rows[inc_id] = row
        to, frm = data.get("to"), data.get("from")
        if to == "resolved":
            found["resolved"][inc_id] = at
        elif to in ("closed", "cancelled"):
            found["closed"][inc_id] = at
        elif to == "in_progress" and frm == "resolved":
            found["reopened"][inc_id] = at
    out: dict[str, list[dict[str, Any]]] = {"opened": opened}
    for key, hits in found.items():
        out[key] = sorted((dict(_brief(rows[i]), at=iso(at)) for i, at in hits.items()
                           if cover(rows[i])), key=lambda x: (x["at"], x["ref"]))
    return out


def _rooms(s: Session, window: ShiftWindow, open_rows: list[Any],
           extras: Extras) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    majors = []
    for row in open_rows:
        if not row.major:
            continue
        room = extras.room(row.ref)
        st = room.state
        lines = handover_repo.lines_of(s, row.id, ("decision", "action"), window.start, window.end)
        majors.append({
            "ref": row.ref, "title": row.title, "priority": row.priority,
            "conditions": st.situation.conditions, "actions": st.situation.actions,
            "needs": st.situation.needs, "impact": st.situation.impact, "bridge": st.bridge,
            "roles": {role.label: holder.name for role, holder in st.roles.items()},
            "next_update_due": iso(room.update.due),
            "decisions": [{"at": iso(e.occurred_at or e.recorded_at), "text": e.text}
                          for e in lines if e.kind == "decision"],
            "shift_actions": [{"at": iso(e.occurred_at or e.recorded_at), "text": e.text}
                              for e in lines if e.kind == "action"],
        })
    by_id = {r.id: r for r in open_rows}
    actions = []
    items: dict[int, list[TimelineEntryRow]] = {}
    if by_id:
        for e in s.scalars(select(TimelineEntryRow).where(
                TimelineEntryRow.incident_id.in_(list(by_id)),
                TimelineEntryRow.kind == "action_item").order_by(TimelineEntryRow.incident_id,
                                                                 TimelineEntryRow.seq)):
            items.setdefault(e.incident_id, []).append(e)
    for inc_id, entries in items.items():
        ref = by_id[inc_id].ref
        state = fold_room(ref, (timeline_repo.to_entry(e, ref) for e in entries))
        for item in state.actions.values():
            if item.status == ActionStatus.OPEN:
                actions.append({"ref": ref, "number": item.number, "text": item.text,
                                "owner": item.owner, "due": iso(item.due)})
    actions.sort(key=lambda a: (a["due"] or "9999", a["ref"], a["number"]))
    return majors, actions


def _messages(s: Session) -> list[dict[str, Any]]:
    out = []
    for row, ref in outbox_repo.newest(s, states=ATTENTION_STATES, limit=LIST_LIMIT):
        if row.state == MessageState.SENDING and row.sending_since is None:
            continue
        why = {"sending": "in doubt", "call": "waiting on the call list"}.get(row.state, row.state)
        out.append({"id": row.id, "ref": ref, "recipient": row.recipient, "channel": row.channel,
                    "state": row.state, "why": why, "last_error": row.last_error,
                    "updated_at": iso(row.updated_at)})
    return out


def _unlinked_alerts(s: Session) -> list[dict[str, Any]]:
    rows = s.scalars(select(AlertRow).where(AlertRow.status == "firing",
                                            AlertRow.incident_id.is_(None),
                                            AlertRow.suppressed.is_(False))
                     .order_by(AlertRow.first_seen).limit(LIST_LIMIT))
    return [{"summary": r.summary, "severity": r.severity, "source": r.source,
             "since": iso(r.starts_at or r.first_seen)} for r in rows]


def _late_heartbeats(s: Session, now: datetime) -> list[dict[str, Any]]:
    out = []
    for hb in s.scalars(select(HeartbeatRow).order_by(HeartbeatRow.name)):
        due = (hb.last_seen or hb.created_at) + timedelta(minutes=hb.interval_minutes)
        if hb.state == "missed" or due < now:
            out.append({"name": hb.name, "last_seen": iso(hb.last_seen), "due": iso(due)})
    return out


def _desk_state(s: Session, extras: Extras) -> dict[str, str]:
    from imdesk.services.alerts.settings import LISTENER_KEY, ListenerSettings
    from imdesk.services.settings import _get

    raw = _get(s, LISTENER_KEY)
    listener = ListenerSettings.from_json(raw) if isinstance(raw, dict) else ListenerSettings()
    pending = s.scalars(select(AlertInboxRow.id).where(AlertInboxRow.processed_at.is_(None))
                        .limit(1000)).all()
    last = s.scalars(select(AlertInboxRow.received_at).order_by(AlertInboxRow.id.desc())
                     .limit(1)).first()
    lst = (f"on, {listener.host}:{listener.port}" if listener.enabled else "off")
    lst += f"; {len(pending)} waiting in the inbox" if pending else "; inbox empty"
    lst += f"; last payload {iso(last)}" if last else "; no payload yet"
    states = dict(outbox_repo.state_counts(s))
    waiting = sum(states.get(k, 0) for k in ("queued", "sending"))
    out = f"{waiting} waiting, {states.get('call', 0)} to call, {states.get('failed', 0)} failed, " \
          f"{states.get('expired', 0)} expired"
    online = extras.outbox_online()
    return {"listener": lst, "outbox": f"{online}; {out}" if online else out}
