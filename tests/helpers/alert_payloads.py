"""Payloads as real senders post them (shapes from FORMATS.md), for the alert tests and benches."""

from __future__ import annotations

import http.client
import json
from typing import Any

ROUTING_KEY = "0123456789abcdef0123456789abcdef"


def am_alert(name: str, status: str = "firing", *, severity: str = "critical",
             fingerprint: str | None = None, **labels: str) -> dict[str, Any]:
    alert: dict[str, Any] = {
        "status": status,
        "labels": {"alertname": name, "severity": severity, **labels},
        "annotations": {"summary": f"{name} on {labels.get('instance', 'host1')}",
                        "runbook_url": f"https://wiki.example.com/runbooks/{name}"},
        "startsAt": "2026-11-02T08:55:00Z",
        # Real senders post resolved alerts whose endsAt is still the zero time.
        "endsAt": "0001-01-01T00:00:00Z",
        "generatorURL": f"http://prometheus:9090/graph?g0.expr={name}",
    }
    if fingerprint is not None:
        alert["fingerprint"] = fingerprint
    return alert


def alertmanager(group: str, *alerts: dict[str, Any], **extra: Any) -> dict[str, Any]:
    status = "firing" if any(a["status"] == "firing" for a in alerts) else "resolved"
    return {"version": "4", "groupKey": group, "truncatedAlerts": 0, "status": status,
            "receiver": "imdesk", "groupLabels": {}, "commonLabels": {}, "commonAnnotations": {},
            "externalURL": "http://alertmanager:9093", "alerts": list(alerts), **extra}


def grafana(group: str, *alerts: dict[str, Any]) -> dict[str, Any]:
    body = alertmanager(group, *alerts)
    body.update(version="1", orgId=1, title="[FIRING:1] test", state="alerting", message="m")
    for a in body["alerts"]:
        a.update(silenceURL="http://grafana/alerting/silence/new", dashboardURL="http://grafana/d/x",
                 panelURL="http://grafana/d/x?viewPanel=2", values={"B": 44.2}, imageURL="")
    return body


def pagerduty(action: str, dedup_key: str | None = "db-1-disk", *, summary: str = "disk full on db-1",
              severity: str = "critical", routing_key: str = ROUTING_KEY) -> dict[str, Any]:
    body: dict[str, Any] = {"routing_key": routing_key, "event_action": action}
    if dedup_key is not None:
        body["dedup_key"] = dedup_key
    if action == "trigger":
        body["payload"] = {"summary": summary, "source": "db-1", "severity": severity,
                           "component": "postgres", "custom_details": {"free": "0 %"}}
        body["links"] = [{"href": "https://wiki.example.com/db", "text": "runbook"}]
    return body


def encode(body: dict[str, Any]) -> bytes:
    return json.dumps(body).encode("utf-8")


def post(port: int, token: str, body: bytes, *, path: str = "/alertmanager",
         timeout: float = 30) -> int:
    """POST BODY as JSON with the bearer TOKEN to a listener on 127.0.0.1; the reply's status."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request("POST", path, body=body, headers={
            "Content-Type": "application/json", "Authorization": f"Bearer {token}"})
        resp = conn.getresponse()
        resp.read()
        return resp.status
    finally:
        conn.close()
