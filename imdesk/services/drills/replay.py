"""A closed real incident replayed as a scenario: its alerts (rebuilt in their sender's form)
and the calls logged in its timeline become injects at the times they happened (T+0 is the
opening); its milestones become the expectations to beat; the names of real people — callers,
contacts called, role holders, authors — are replaced by the drill's role names."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from imdesk.domain.drill_scenario import Scenario, check, t_text
from imdesk.domain.errors import ValidationError
from imdesk.domain.lifecycle import Status
from imdesk.domain.milestones import milestones_of
from imdesk.domain.timeline import EntryKind, TimelineEntry
from imdesk.services.alerts.intake import AlertService, AlertView
from imdesk.services.incidents import IncidentService

PD_SEVERITY = {"critical": "critical", "error": "error", "warning": "warning", "info": "info"}


class Names:
    """Real names → role names, the same role for the same person throughout."""

    def __init__(self) -> None:
        self.roles: dict[str, str] = {}

    def role(self, name: str, kind: str = "Contact") -> str:
        key = name.strip()
        if not key:
            return kind
        if key not in self.roles:
            n = sum(1 for r in self.roles.values() if r.startswith(kind)) + 1
            self.roles[key] = f"{kind} {n}"
        return self.roles[key]

    def scrub(self, text: str) -> str:
        for real in sorted(self.roles, key=len, reverse=True):
            text = re.sub(re.escape(real), self.roles[real], text, flags=re.IGNORECASE)
        return text


def _at(start: datetime, when: datetime) -> str:
    return t_text(max(0, int((when - start).total_seconds())))


def _alert_payload(a: AlertView, names: Names, index: int) -> tuple[str, dict[str, Any]]:
    labels = {k: names.scrub(str(v)) for k, v in a.labels.items()}
    notes = {k: names.scrub(str(v)) for k, v in a.annotations.items()}
    summary = names.scrub(a.summary) or a.alert_key
    if a.source == "pagerduty":
        return "pagerduty", {
            "routing_key": labels.get("routing_key", "replay"), "event_action": "trigger",
            "dedup_key": f"replay-{index}-{a.alert_key}"[:200],
            "payload": {"summary": summary[:1000], "source": labels.get("source", "replay"),
                        "severity": PD_SEVERITY.get(a.severity, "error"),
                        "custom_details": notes}}
    labels.setdefault("alertname", summary[:100] or "Replayed")
    return "alertmanager", {
        "version": "4", "groupKey": f"replay/{a.group_key}"[:500], "truncatedAlerts": 0,
        "status": "firing", "receiver": "imdesk", "groupLabels": {}, "commonLabels": {},
        "commonAnnotations": {}, "externalURL": "http://alertmanager:9093",
        "alerts": [{"status": "firing", "labels": labels,
                    "annotations": {**notes, "summary": summary},
                    "startsAt": "2026-01-01T00:00:00Z", "endsAt": "0001-01-01T00:00:00Z",
                    "generatorURL": "http://prometheus:9090/graph"}]}


def replay(incidents: IncidentService, alerts: AlertService, ref: str) -> Scenario:
    detail = incidents.detail(ref)
    state = detail.incident
    if state.exercise:
        raise ValidationError("ref", f"{state.ref} is an exercise: replay a real incident")
    if state.status not in (Status.RESOLVED, Status.CLOSED):
        raise ValidationError("ref", f"{state.ref} is {state.status.label}: only a resolved or "
                                     "closed incident can be replayed")
    entries: list[TimelineEntry] = detail.timeline
    m = milestones_of(entries)
    start = m.opened_at
    names = Names()
    for e in entries:  # everybody whose name could appear, first
        call = e.data.get("call") if e.kind == EntryKind.COMMUNICATION else None
        if isinstance(call, dict):
            names.role(str(call.get("name", "")))
        if e.kind == EntryKind.ROLE and ":" in e.text:
            names.role(e.text.rsplit(":", 1)[1].split(" to ")[-1].strip(), "Responder")
        names.role(e.author, "Desk")
    injects: list[tuple[datetime, dict[str, Any]]] = []
    opened = entries[0]
    if str(opened.data.get("origin", "")) in ("phone", "walk_in", "email", "chat"):
        injects.append((start, {"kind": "call", "who": "Caller",
                                "says": names.scrub(state.title),
                                "asks": names.scrub(state.description[:300]) or "Please help."}))
    for i, a in enumerate(sorted(alerts.alerts(ref=ref), key=lambda a: a.first_seen)):
        fmt, payload = _alert_payload(a, names, i)
        injects.append((max(a.first_seen, start), {"kind": "alert", "format": fmt,
                                                   "payload": payload}))
    for e in entries:
        call = e.data.get("call") if e.kind == EntryKind.COMMUNICATION else None
        if isinstance(call, dict):
            who = names.role(str(call.get("name", "")))
            outcome = str(call.get("outcome", "")).replace("_", " ")
            injects.append((e.effective_at, {
                "kind": "call", "who": who,
                "says": f"In the real incident the desk called {who} at this point ({outcome})."}))
    for what, when, why in (("acknowledged", m.acknowledged_at, "as fast as the real desk"),
                            ("major", m.major_at, "declared as early as the real desk"),
                            ("first_update", m.first_communication_at, "first update as early"),
                            ("resolved", m.resolved_at, "resolved as fast as the real desk")):
        if when is not None:
            injects.append((when, {"kind": "expectation", "id": what, "expect": what,
                                   "objective": f"{why} ({_at(start, when)})"}))
    injects.sort(key=lambda pair: pair[0])
    items = [{"at": _at(start, when), **item} for when, item in injects]
    if not any(i["kind"] in ("alert", "call") for i in items):
        raise ValidationError("ref", f"{state.ref} has no alerts and no logged calls to replay")
    data: dict[str, Any] = {
        "version": 1, "name": f"Replay of {state.ref}: {names.scrub(state.title)}"[:120],
        "summary": (f"{state.ref} replayed: its alerts and logged calls at the times they "
                    "happened, its milestones as the times to beat. Real names are replaced by "
                    "role names."),
        "roles": {role: role for role in names.roles.values()},
        "injects": items}
    scenario, problems = check(data, {}, f"replay:{state.ref}")
    if scenario is None:
        raise ValidationError("ref", "; ".join(str(p) for p in problems))
    return scenario


def to_yaml(scenario: Scenario) -> str:
    import yaml

    from imdesk.domain.drill_scenario_data import to_data

    return yaml.safe_dump(to_data(scenario), sort_keys=False, allow_unicode=True, width=100)
