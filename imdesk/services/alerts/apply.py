"""Applying one stored notification to alerts and incidents, inside the processor's transaction.

Rules (FORMATS.md): an exact replay changes nothing; a repeat of a firing alert bumps its
last-seen time and count without a timeline entry; state changes write one entry per
notification; a firing alert outside maintenance opens an incident for its group when the
group has no open one; a resolved group without an incident opens nothing. PagerDuty: after
resolve a new trigger is a new alert, and acknowledge/resolve for a resolved key are dropped.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from imdesk.domain.alert_outcome import OpenedIncident as OpenedIncident
from imdesk.domain.alert_outcome import Outcome as Outcome
from imdesk.domain.alert_payload import AlertEvent, AlertNotice
from imdesk.domain.alert_rules import AlertMapping, Window, covering_window
from imdesk.domain.errors import ValidationError
from imdesk.domain.lifecycle import OPEN_STATUSES, Status
from imdesk.domain.priority import Level
from imdesk.domain.text import TEXT_MAX, TITLE_MAX, clean_text
from imdesk.domain.timeline import EntryDraft, EntryKind
from imdesk.services.alerts.bumps import Bumps
from imdesk.services.incidents import IncidentService, NewIncident
from imdesk.storage import alert_repo, deferred_writes, locked_incident, milestone_repo
from imdesk.storage.alert_models import AlertGroupRow, AlertRow
from imdesk.storage.locked_incident import LockedIncident

_RANK = {Level.HIGH: 3, Level.MEDIUM: 2, Level.LOW: 1}


# A drill's alerts carry this label (custom detail for PagerDuty): the incident they open is an
# exercise (the drill player sets it; its group keys are the drill's own, never a real group).
DRILL_LABEL = "imdesk_drill"


def _drill_running(s: Session, alerts: list[AlertRow]) -> bool:
    """Only a drill that is being played makes an exercise: a stray label on a real alert
    must not turn a real outage into a drill whose messages are held back."""
    from imdesk.storage.drill_models import DrillRow

    for a in alerts:
        mark = str(a.labels.get(DRILL_LABEL) or a.annotations.get(DRILL_LABEL) or "")
        if mark.isdigit():
            drill = s.get(DrillRow, int(mark))
            if drill is not None and drill.ended_at is None:
                return True
    return False


def key_hash(group_key: str) -> str:
    return hashlib.sha256(group_key.encode("utf-8")).hexdigest()


@dataclass
class _Change:
    alert: AlertRow
    what: str  # firing, firing again, resolved, acknowledged, firing (maintenance over)


LABEL_LINE_MAX = 400
CUT_MARK = " … [cut]"


def _cut(text: str, limit: int) -> str:
    """TEXT within LIMIT characters; a cut one ends with a mark that says so."""
    return text if len(text) <= limit else text[: limit - len(CUT_MARK)] + CUT_MARK


class NoticeApplier:
    """Applies notices with the desk's mapping and maintenance windows, via IncidentService."""

    def __init__(self, incidents: IncidentService, mapping: AlertMapping,
                 windows: Sequence[Window]) -> None:
        self._incidents = incidents
        self._mapping = mapping
        self._windows = windows
        # Groups and the newest alert per key as loaded or made: kept from one transaction to
        # the next while `begin` is told they are still as stored (only processors write them)
        self._groups: dict[tuple[str, str], AlertGroupRow] = {}
        self._alerts: dict[tuple[int, str], AlertRow | None] = {}
        self._complete: set[int] = set()  # groups whose every alert key is in _alerts
        self._hashes: dict[str, str] = {}  # group key → key_hash
        self._touched: dict[int, AlertRow] = {}  # alerts used in this transaction, by id()
        # incidents locked here, written without ORM objects (services/incident_plain.py)
        self._rows: dict[int, LockedIncident | None] = {}
        self._bumps = Bumps()

    CACHE_MAX = 50_000  # alerts kept across transactions at most (then loaded afresh)

    def begin(self, s: Session, mapping: AlertMapping, windows: Sequence[Window],
              keep: bool) -> None:
        """A new transaction with these settings; KEEP: the groups and alerts this applier
        holds are still as stored (no other processor wrote since its last commit). Its
        entries, projections and milestone rows are written together at `finish`."""
        deferred_writes.begin(s)
        self._mapping, self._windows = mapping, windows
        if not keep or len(self._alerts) > self.CACHE_MAX:
            self._groups.clear()
            self._alerts.clear()
            self._complete.clear()
        self._touched, self._rows = {}, {}
        self._bumps = Bumps()

    def finish(self, s: Session) -> None:
        """Write the plain-SQL changes (before the commit)."""
        deferred_writes.end(s)
        self._bumps.write(s)

    def _hash(self, group_key: str) -> str:
        digest = self._hashes.get(group_key)
        if digest is None:
            if len(self._hashes) > self.CACHE_MAX:
                self._hashes.clear()
            digest = self._hashes[group_key] = key_hash(group_key)
        return digest

    @staticmethod
    def _attach(s: Session, row: object) -> None:
        """A row kept from an earlier transaction joins this one's session (no query): rows
        kept are changed through Bumps, which needs no session; this one's deferred columns
        are to be read."""
        if row not in s:
            s.add(row)

    def prefetch(self, s: Session, notices: Sequence[tuple[AlertNotice, datetime]]) -> None:
        """Load what a batch of (notice, received at) needs set-wise: its groups in one query,
        their newest alert per key in one, the incidents they map to (locked) in one; the groups
        seen for the first time are added together (one flush). Applying then asks the database
        nothing but what an all-clear needs."""
        keys = {(n.source, self._hash(n.group_key)) for n, _ in notices}
        found = alert_repo.groups(s, keys - self._groups.keys())
        for g in found:
            self._groups[(g.source, g.key_hash)] = g
        new: list[AlertGroupRow] = []
        for notice, at in notices:
            digest = self._hash(notice.group_key)
            if (notice.source, digest) not in self._groups:
                group = AlertGroupRow(source=notice.source, key_hash=digest,
                                      group_key=notice.group_key, title=notice.title[:200],
                                      last_digest="", created_at=at)
                self._groups[(notice.source, digest)] = group
                new.append(group)
        if new:
            s.add_all(new)
            s.flush()
            self._complete.update(g.id for g in new)  # a new group has no alerts yet
        ids = [g.id for g in found if g.id not in self._complete]
        for a in alert_repo.newest_alerts(s, ids):
            self._alerts.setdefault((a.group_id, a.alert_key), a)
            self._touched[id(a)] = a
        self._complete.update(ids)
        mine = [self._groups[k] for k in keys if k in self._groups]
        if s.get_bind().dialect.name == "sqlite":  # (a server locks them all, in id order)
            mine = [self._groups[(n.source, self._hash(n.group_key))] for n, _ in notices
                    if self._may_change(n, self._groups[(n.source, self._hash(n.group_key))])]
        incidents = {g.incident_id for g in mine if g.incident_id is not None} - self._rows.keys()
        locked = locked_incident.lock_ids(s, incidents)
        for incident in locked:
            self._rows[incident.id] = incident
        milestone_repo.preload(s, locked)  # read with them: an append then reads nothing

    def _may_change(self, notice: AlertNotice, group: AlertGroupRow) -> bool:
        """Could the notice change an alert's state (and so write to the group's incident)? A
        repeat of what the group's alerts are does not: its incident is not loaded up front
        (should it change one after all, it is loaded then)."""
        if group.id not in self._complete or notice.pd_action is not None:
            return True
        for event in notice.events:
            alert = self._alerts.get((group.id, event.key[:255]))
            if alert is None or alert.suppressed or alert.status != event.status:
                return True
        return False

    def apply(self, s: Session, notice: AlertNotice, digest: str, at: datetime) -> Outcome:
        with s.no_autoflush:
            return self._apply(s, notice, digest, at)

    def _apply(self, s: Session, notice: AlertNotice, digest: str, at: datetime) -> Outcome:
        out = Outcome()
        group = self._group(s, notice, at)
        window = timedelta(seconds=self._mapping.replay_window_seconds)
        if (group.last_digest == digest and group.last_digest_at is not None
                and at - group.last_digest_at < window):
            out.notes.append("an exact replay: nothing changed")
            return out
        self._bumps.group(group, last_digest=digest, last_digest_at=at)
        changes: list[_Change] = []
        for event in notice.events:
            change = self._apply_event(s, group, notice, event, at, out)
            if change is not None:
                changes.append(change)
        if changes:  # no flush: the batch's changes go in together at its end
            self._to_incident(s, group, notice, changes, at, out)
        return out

    # -- alerts ---------------------------------------------------------------------------
    def _group(self, s: Session, notice: AlertNotice, at: datetime) -> AlertGroupRow:
        digest = self._hash(notice.group_key)
        group = self._groups.get((notice.source, digest))
        if group is None:
            group = alert_repo.group(s, notice.source, digest)
        if group is None:
            group = AlertGroupRow(source=notice.source, key_hash=digest, group_key=notice.group_key,
                                  title=notice.title[:200], last_digest="", created_at=at)
            s.add(group)
            s.flush()
            self._complete.add(group.id)  # a new group has no alerts yet
        self._groups[(notice.source, digest)] = group
        return group

    def _current(self, s: Session, group: AlertGroupRow, key: str) -> AlertRow | None:
        """The newest alert with this key in the group (cached for the transaction)."""
        if (group.id, key) not in self._alerts:
            found = None if group.id in self._complete else alert_repo.newest_alert(s, group.id, key)
            self._alerts[(group.id, key)] = found
        found = self._alerts[(group.id, key)]
        if found is not None and id(found) not in self._touched:
            self._touched[id(found)] = found
        return found

    def _apply_event(self, s: Session, group: AlertGroupRow, notice: AlertNotice, event: AlertEvent,
                     at: datetime, out: Outcome) -> _Change | None:
        current = self._current(s, group, event.key[:255])
        pd = notice.pd_action is not None
        if event.status == "firing":
            if current is None or (pd and current.status == "resolved"):
                alert = self._new_alert(s, group, notice, event, at)
                return _Change(alert, "firing")
            self._refresh(current, event, at)
            if current.status == "resolved":
                self._bumps.alert(current, status="firing", resolved_at=None)
                self._suppress(current, notice, event, at)
                return _Change(current, "firing again")
            if current.suppressed and self._covering(notice, event, at) is None:
                self._bumps.alert(current, suppressed=False, maintenance_id=None)
                return _Change(current, "firing (maintenance over)")
            return None
        if current is None or current.status == "resolved":
            if pd:
                out.notes.append(f"{notice.pd_action} for {event.key!r} dropped: no open alert "
                                 "with that dedup_key")
                return None
            if current is None:  # recorded, opens nothing
                alert = self._new_alert(s, group, notice, event, at)
                alert.resolved_at = at
            else:
                self._bumps.alert(current, last_seen=at)
            return None
        if event.status == current.status:  # acknowledged again
            self._bumps.alert(current, last_seen=at)
            return None
        self._bumps.alert(current, status=event.status, last_seen=at)
        if event.status == "resolved":
            self._bumps.alert(current, resolved_at=at)
        return _Change(current, event.status)

    def _new_alert(self, s: Session, group: AlertGroupRow, notice: AlertNotice, event: AlertEvent,
                   at: datetime) -> AlertRow:
        alert = AlertRow(group_id=group.id, source=notice.source, alert_key=event.key[:255],
                         status=event.status, summary=event.summary[:200],
                         severity=event.severity[:20], labels=dict(event.labels),
                         annotations=dict(event.annotations), links=[list(x) for x in event.links],
                         starts_at=event.starts_at, first_seen=at, last_seen=at, count=1,
                         suppressed=False)
        self._suppress(alert, notice, event, at)
        s.add(alert)
        self._alerts[(group.id, alert.alert_key)] = alert
        self._touched[id(alert)] = alert
        return alert

    def _refresh(self, alert: AlertRow, event: AlertEvent, at: datetime) -> None:
        self._bumps.alert(alert, count=alert.count + 1, last_seen=at)
        if dict(event.annotations) != alert.annotations:
            self._bumps.alert(alert, annotations=dict(event.annotations))
        if event.summary[:200] != alert.summary:
            self._bumps.alert(alert, summary=event.summary[:200])

    def _covering(self, notice: AlertNotice, event: AlertEvent, at: datetime) -> Window | None:
        labels = {**notice.group_labels, **event.labels}
        return covering_window(self._windows, at, labels, self._mapping.service_for(labels))

    def _suppress(self, alert: AlertRow, notice: AlertNotice, event: AlertEvent, at: datetime) -> None:
        window = self._covering(notice, event, at) if event.status == "firing" else None
        self._bumps.alert(alert, suppressed=window is not None,
                          maintenance_id=window.id if window else None)

    # -- incidents ------------------------------------------------------------------------
    def _open_incident(self, s: Session, group: AlertGroupRow) -> LockedIncident | None:
        if group.incident_id is None:
            return None
        if group.incident_id not in self._rows:
            self._rows[group.incident_id] = locked_incident.lock_id(s, group.incident_id)
        incident = self._rows[group.incident_id]
        return incident if incident and incident.state.status in OPEN_STATUSES else None

    def _to_incident(self, s: Session, group: AlertGroupRow, notice: AlertNotice,
                     changes: list[_Change], at: datetime, out: Outcome) -> None:
        live = [c for c in changes if not c.alert.suppressed]
        if not live:
            return
        incident = self._open_incident(s, group)
        firing = [c for c in live if c.alert.status == "firing"]
        if incident is None:
            if not firing:
                return  # clearing alerts of a closed incident, or of none: opens nothing
            incident = self._create(s, group, notice, [c.alert for c in firing], out)
            for c in firing:
                self._bumps.alert(c.alert, incident_id=incident.id)
            self._entry(s, incident, firing, notice, out)
            return
        for c in firing:
            self._bumps.alert(c.alert, incident_id=incident.id)
        mine = [c for c in live if c.alert.incident_id == incident.id]
        if not mine:
            return
        self._entry(s, incident, mine, notice, out)
        if any(c.what == "resolved" for c in mine):
            self._check_all_clear(s, incident, out)

    def _create(self, s: Session, group: AlertGroupRow, notice: AlertNotice, alerts: list[AlertRow],
                out: Outcome) -> LockedIncident:
        for alert in alerts:  # their labels may not be loaded yet
            self._attach(s, alert)
        mapping = self._mapping
        levels = max((mapping.levels_for(a.severity) for a in alerts),
                     key=lambda lv: (_RANK[lv[0]], _RANK[lv[1]]))
        labels = {**notice.group_labels, **alerts[0].labels}
        service = mapping.service_for(labels)
        lines = [f"Opened from {notice.source} alert group {notice.group_key[:300]}"]
        lines += [_cut(f"{k}={v}", LABEL_LINE_MAX) for k, v in sorted(labels.items())][:40]
        title = clean_text(notice.title or alerts[0].summary, "title", max_len=10**9,
                           single_line=True)[:TITLE_MAX]
        if not title:  # only blanks or invisible controls: still an incident, named by its source
            title = _cut(f"Alert from {notice.source}: {alerts[0].alert_key}", TITLE_MAX)
        drill = _drill_running(s, alerts)
        new = NewIncident(title=title, impact=levels[0].value,
                          urgency=levels[1].value, service=service, origin="monitoring",
                          description=_cut("\n".join(lines), TEXT_MAX), exercise=drill)
        plain = self._incidents.plain
        try:
            incident = plain.create(s, new)
        except ValidationError as exc:
            if exc.field != "service":
                raise
            out.notes.append(f"mapping rule names a service that does not exist ({service}); "
                             "opened without a service")
            incident = plain.create(s, replace(new, service=None))
        self._bumps.group(group, incident_id=incident.id)
        self._rows[incident.id] = incident
        state = incident.state
        out.opened.append(OpenedIncident(state.ref, state.title, state.priority))
        return incident

    def _entry(self, s: Session, incident: LockedIncident, changes: list[_Change],
               notice: AlertNotice, out: Outcome) -> None:
        parts = [f"{c.what}: {c.alert.summary}" for c in changes[:10]]
        if len(changes) > 10:
            parts.append(f"and {len(changes) - 10} more")
        text = (f"alert {parts[0]}" if len(changes) == 1 else
                f"{len(changes)} alerts changed — " + "; ".join(parts))
        data: dict[str, Any] = {"source": notice.source, "alerts": [
            {"key": c.alert.alert_key, "status": c.alert.status, "change": c.what}
            for c in changes[:200]]}
        out.changed.add(incident.ref)
        self._incidents.plain.append(s, incident, EntryDraft(EntryKind.ALERT, text, data))

    def _any_unresolved(self, s: Session, incident_id: int) -> bool:
        """Has the incident an alert that is not resolved? The alerts this transaction holds
        are judged as they are in memory (not flushed yet), the others as stored."""
        mine = self._touched.values()
        if any(a.incident_id == incident_id and a.status != "resolved" for a in mine):
            return True
        held = {a.id for a in mine if a.id is not None}
        return any(i not in held for i in alert_repo.unresolved_ids(s, incident_id))

    def _check_all_clear(self, s: Session, incident: LockedIncident, out: Outcome) -> None:
        if self._any_unresolved(s, incident.id):
            return
        plain = self._incidents.plain
        plain.append(s, incident, EntryDraft(EntryKind.ALERT, "all alerts cleared",
                                             {"all_clear": True}))
        if self._mapping.auto_resolve and incident.state.status in OPEN_STATUSES:
            s.flush()  # the status change follows links: they read what is stored
            crossed = plain.change_status(s, incident, Status.RESOLVED,
                                          "resolved automatically: every alert has cleared",
                                          {"auto": True})[1]
            if crossed:  # its callers were written through the ORM: read them again
                self._rows = {incident.id: incident}
            out.resolved.append(incident.ref)
        else:
            out.cleared.append(incident.ref)
