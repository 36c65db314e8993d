"""The checks a payload passes before it is stored: size, JSON, a known format that parses.
The listener and `imdesk alerts ingest` share them; nothing here touches the database."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from imdesk.domain.alert_payload import PD_MAX_BYTES, PayloadError, detect, load_json, parse

MAX_BODY = 1024 * 1024
ENDPOINTS = ("alertmanager", "grafana", "pagerduty", "auto")


@dataclass(frozen=True)
class Accepted:
    """A payload that passed the checks, ready to store."""

    endpoint: str  # the format it is (alertmanager, grafana, pagerduty) or heartbeat
    body: str
    assigned_key: str | None = None  # the dedup_key generated for a keyless PagerDuty trigger


def accept(body: bytes, fmt: str = "auto") -> Accepted:
    """Check a payload as the listener and the command line do; PayloadError says why not."""
    if fmt not in ENDPOINTS:
        raise PayloadError(f"unknown format {fmt!r} (auto, alertmanager, grafana, pagerduty)")
    data = load_json(body)
    found = detect(data)
    if found == "pagerduty" and len(body) > PD_MAX_BYTES:
        raise PayloadError(f"a PagerDuty event may be at most {PD_MAX_BYTES // 1024} KB")
    assigned = None
    if found == "pagerduty" and not data.get("dedup_key") and data.get("event_action") == "trigger":
        assigned = uuid.uuid4().hex
    parse(data, fmt, assigned_key=assigned)
    return Accepted(found, body.decode("utf-8"), assigned)
