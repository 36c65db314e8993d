"""Alert payloads as senders post them (Alertmanager, Grafana, PagerDuty Events v2), checked and
turned into one shape. Pure: bytes in, an AlertNotice out, or a PayloadError naming the problem.

Semantics (FORMATS.md): each alert's own `status` says firing or resolved (never `endsAt`);
`groupKey` names the group (one incident), `fingerprint` one alert in it (derived from the sorted
labels when absent). A PagerDuty event is one alert keyed by routing_key + dedup_key.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from itertools import accumulate
from typing import Any

FORMATS = ("alertmanager", "grafana", "pagerduty")
MAX_DEPTH = 32
ROUTING_KEY_MAX = 256
MAX_ALERTS = 1000
PD_MAX_BYTES = 512 * 1024
PD_SEVERITIES = ("critical", "error", "warning", "info")
PD_ACTIONS = ("trigger", "acknowledge", "resolve")
ZERO_TIME = "0001-01-01T00:00:00Z"


class PayloadError(ValueError):
    """A payload refused with the reason (HTTP 400; the CLI exits 2)."""


@dataclass(frozen=True)
class AlertEvent:
    """One alert as this notification reports it."""

    key: str  # the fingerprint (Alertmanager/Grafana) or dedup_key (PagerDuty)
    status: str  # firing | resolved | acknowledged
    labels: Mapping[str, str]
    annotations: Mapping[str, str]
    summary: str
    severity: str
    starts_at: datetime | None = None
    links: tuple[tuple[str, str], ...] = ()  # (label, url): runbook, generator, dashboard…


@dataclass(frozen=True)
class AlertNotice:
    """One notification: a group of alerts (Alertmanager/Grafana) or one PagerDuty event."""

    source: str  # alertmanager | grafana | pagerduty
    group_key: str
    title: str
    events: tuple[AlertEvent, ...]
    group_labels: Mapping[str, str] = field(default_factory=dict)
    truncated: int = 0
    pd_action: str | None = None  # trigger | acknowledge | resolve (PagerDuty only)

    @property
    def firing(self) -> bool:
        return any(e.status == "firing" for e in self.events)


def load_json(body: bytes, *, depth_checked: bool = False) -> dict[str, Any]:
    """The body as a JSON object, or a PayloadError saying why not. DEPTH_CHECKED: the body is
    one accepted before (its nesting was checked then; the processor's read of the inbox)."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise PayloadError(f"the body is not UTF-8 (byte {exc.start})") from None
    if not text.strip():
        raise PayloadError("the body is empty")
    try:
        data = json.loads(text, parse_constant=_refuse_constant)
    except RecursionError:
        raise PayloadError(f"the JSON is nested more than {MAX_DEPTH} levels deep") from None
    except json.JSONDecodeError as exc:
        raise PayloadError(f"malformed JSON: {exc.msg} at line {exc.lineno} column {exc.colno}") from None
    if not isinstance(data, dict):
        raise PayloadError(f"the body must be a JSON object, not {_kind(data)}")
    if not depth_checked and _nesting_bound(text) >= MAX_DEPTH and _depth(data) > MAX_DEPTH:
        raise PayloadError(f"the JSON is nested more than {MAX_DEPTH} levels deep")
    if _SURROGATE.search(text):
        cleaned: dict[str, Any] = _clean(data)
        return cleaned
    return data


# An escaped lone surrogate ("\\ud800") is valid JSON but cannot be stored as UTF-8: it becomes
# U+FFFD, so the alert is kept and shows where the value was damaged.
_SURROGATE = re.compile(r"\\u[dD][89a-fA-F][0-9a-fA-F]{2}")


def _clean(value: Any) -> Any:
    if isinstance(value, str):
        return value.encode("utf-16", "surrogatepass").decode("utf-16", "replace")
    if isinstance(value, dict):
        return {_clean(k): _clean(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_clean(v) for v in value]
    return value


def _refuse_constant(name: str) -> Any:
    raise PayloadError(f"malformed JSON: {name} is not a JSON number")


_JSON_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"')
_BRACKET = re.compile(r"[\[\]{}]")
_STEP = {"[": 1, "{": 1, "]": -1, "}": -1}


def _nesting_bound(text: str) -> int:
    """How deep the brackets of valid JSON TEXT nest, or more (never less): `_depth` is at most
    one more, so a bound below MAX_DEPTH spares the walk. Counting every opening bracket is
    bound enough for a small payload; a larger one is measured on its text with the strings
    taken out (C-speed regular expressions, not a walk of its values)."""
    opens = text.count("{") + text.count("[")
    if opens < MAX_DEPTH:
        return opens
    brackets = _BRACKET.findall(_JSON_STRING.sub("", text))
    return max(accumulate(_STEP[b] for b in brackets)) if brackets else 0


def _depth(value: Any) -> int:
    """How deep VALUE nests (a scalar counts one level below its container); past MAX_DEPTH
    it stops early. Only containers are walked: a payload's many strings cost nothing."""
    deepest = 1
    stack = [(value, 1)] if isinstance(value, (dict, list)) else []
    while stack:
        item, level = stack.pop()
        children = item.values() if isinstance(item, dict) else item
        if not children:
            continue
        if level + 1 > MAX_DEPTH:
            return level + 1
        deepest = max(deepest, level + 1)
        stack.extend((v, level + 1) for v in children if isinstance(v, (dict, list)))
    return deepest


def detect(data: Mapping[str, Any]) -> str:
    """Which sender's shape this is; the legacy Grafana webhook is named and refused."""
    if "event_action" in data or "routing_key" in data:
        return "pagerduty"
    if "alerts" not in data and ("evalMatches" in data or "ruleId" in data or "ruleName" in data):
        raise PayloadError("this is the legacy Grafana webhook (ruleId, evalMatches, state), which "
                           "imdesk does not support: use a Grafana alerting contact point of type "
                           "webhook (Grafana 8 or newer)")
    if "alerts" in data or "groupKey" in data:
        return "grafana" if "orgId" in data else "alertmanager"
    raise PayloadError("unknown payload: expected Alertmanager or Grafana (groupKey, alerts) or a "
                       "PagerDuty Events v2 event (routing_key, event_action)")


def parse(data: Mapping[str, Any], fmt: str = "auto", *, assigned_key: str | None = None) -> AlertNotice:
    """Check a payload against its format and normalise it. `assigned_key` is the dedup_key the
    receiver generated for a PagerDuty trigger that came without one."""
    found = detect(data)
    if fmt not in ("auto", *FORMATS):
        raise PayloadError(f"unknown format {fmt!r} (auto, {', '.join(FORMATS)})")
    if fmt != "auto" and fmt != found:
        raise PayloadError(f"expected a {fmt} payload but this is {_article(found)} {found} payload")
    if found == "pagerduty":
        return _parse_pagerduty(data, assigned_key)
    return _parse_group(data, found)


def _article(word: str) -> str:
    return "an" if word[0] in "aeiou" else "a"


# -- Alertmanager and Grafana --------------------------------------------------------------------
def _parse_group(data: Mapping[str, Any], source: str) -> AlertNotice:
    version = data.get("version")
    want = "1" if source == "grafana" else "4"
    if version != want:
        raise PayloadError(f"{source} webhook version {version!r} is not supported (expected {want!r})")
    group_key = _string(data, "groupKey", required=True, limit=4096)
    _choice(data, "status", ("firing", "resolved"), required=True)
    truncated = data.get("truncatedAlerts", 0)
    if not isinstance(truncated, int) or isinstance(truncated, bool) or truncated < 0:
        raise PayloadError("truncatedAlerts must be a whole number ≥ 0")
    common_labels = _str_map(data, "commonLabels")
    common_ann = _str_map(data, "commonAnnotations")
    group_labels = _str_map(data, "groupLabels")
    for name in ("receiver", "externalURL"):
        _string(data, name)
    alerts = data.get("alerts")
    if not isinstance(alerts, list):
        raise PayloadError(f"alerts must be a list, not {_kind(alerts)}")
    if not alerts:
        raise PayloadError("alerts is empty")
    if len(alerts) > MAX_ALERTS:
        raise PayloadError(f"{len(alerts)} alerts in one payload; the limit is {MAX_ALERTS}")
    events = tuple(_parse_alert(a, i, source) for i, a in enumerate(alerts))
    first = events[0]
    name = group_labels.get("alertname") or common_labels.get("alertname") or ""
    if common_ann.get("summary"):
        title = common_ann["summary"]
    elif len(events) > 1 and name:
        title = f"{name} ({len(events)} alerts)"
    else:
        title = first.summary or name or group_key
    return AlertNotice(source=source, group_key=group_key, title=_one_line(title),
                       events=events, group_labels=group_labels or common_labels,
                       truncated=truncated)


def _parse_alert(raw: Any, i: int, source: str) -> AlertEvent:
    where = f"alerts[{i}]"
    if not isinstance(raw, dict):
        raise PayloadError(f"{where} must be an object, not {_kind(raw)}")
    status = _choice(raw, "status", ("firing", "resolved"), required=True, where=where)
    labels = _str_map(raw, "labels", where=where)
    annotations = _str_map(raw, "annotations", where=where)
    starts = _time(raw, "startsAt", where)
    _time(raw, "endsAt", where)  # checked for type only: status decides, not endsAt
    fingerprint = _string(raw, "fingerprint", where=where, limit=200) or derive_fingerprint(labels)
    links: list[tuple[str, str]] = []
    for label, value in (("runbook", annotations.get("runbook_url") or annotations.get("runbook")),
                         ("source", _string(raw, "generatorURL", where=where)),
                         ("dashboard", _string(raw, "dashboardURL", where=where)),
                         ("panel", _string(raw, "panelURL", where=where)),
                         ("silence", _string(raw, "silenceURL", where=where))):
        if value and _is_web_url(value):
            links.append((label, value))
    summary = annotations.get("summary") or annotations.get("description") or labels.get(
        "alertname", "") or fingerprint
    return AlertEvent(key=fingerprint, status=status, labels=labels, annotations=annotations,
                      summary=_one_line(summary), severity=labels.get("severity", "").lower(),
                      starts_at=starts, links=tuple(links))


def derive_fingerprint(labels: Mapping[str, str]) -> str:
    """Older Alertmanagers omit the fingerprint: a hash of the sorted label set stands in."""
    canonical = json.dumps(sorted(labels.items()), ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:16]


# -- PagerDuty Events v2 -------------------------------------------------------------------------
def _parse_pagerduty(data: Mapping[str, Any], assigned_key: str | None) -> AlertNotice:
    # PagerDuty's keys are 32 characters, but its own examples use short placeholders: any
    # non-empty key up to ROUTING_KEY_MAX, kept as the label routing_key for the mapping rules.
    routing_key = _string(data, "routing_key", required=True, limit=ROUTING_KEY_MAX).strip()
    action = _choice(data, "event_action", PD_ACTIONS, required=True)
    dedup_key = _string(data, "dedup_key", limit=255) or (assigned_key or "")
    if not dedup_key:
        if action != "trigger":
            raise PayloadError(f"dedup_key is required for {action}")
        raise PayloadError("dedup_key is missing (the receiver assigns one to a trigger)")
    summary, severity, labels, details = "", "", {}, {}
    if action == "trigger" or "payload" in data:
        payload = data.get("payload")
        if not isinstance(payload, dict):
            raise PayloadError(f"payload must be an object, not {_kind(payload)}")
        summary = _string(payload, "summary", required=True, limit=1024, where="payload")
        _string(payload, "source", required=True, limit=1024, where="payload")
        severity = _choice(payload, "severity", PD_SEVERITIES, required=True, where="payload")
        _time(payload, "timestamp", "payload")
        for name in ("source", "component", "group", "class"):
            value = _string(payload, name, where="payload", limit=1024)
            if value:
                labels[name] = value
        custom = payload.get("custom_details", {})
        if custom is not None and not isinstance(custom, dict):
            raise PayloadError(f"payload.custom_details must be an object, not {_kind(custom)}")
        details = {str(k): v if isinstance(v, str) else json.dumps(v, ensure_ascii=False)
                   for k, v in (custom or {}).items()}
        labels["severity"] = severity
    labels["routing_key"] = routing_key
    links = _pd_links(data)
    _string(data, "client")
    client_url = _string(data, "client_url")
    if client_url and _is_web_url(client_url):
        links.append(("source", client_url))
    status = {"trigger": "firing", "acknowledge": "acknowledged", "resolve": "resolved"}[action]
    event = AlertEvent(key=dedup_key, status=status, labels=labels, annotations=details,
                       summary=_one_line(summary or dedup_key), severity=severity,
                       starts_at=None, links=tuple(links))
    return AlertNotice(source="pagerduty", group_key=f"{routing_key}/{dedup_key}",
                       title=event.summary, events=(event,), pd_action=action)


def _pd_links(data: Mapping[str, Any]) -> list[tuple[str, str]]:
    raw = data.get("links", [])
    if not isinstance(raw, list):
        raise PayloadError(f"links must be a list, not {_kind(raw)}")
    if not isinstance(data.get("images", []), list):
        raise PayloadError(f"images must be a list, not {_kind(data.get('images'))}")
    links = []
    for i, link in enumerate(raw):
        if not isinstance(link, dict):
            raise PayloadError(f"links[{i}] must be an object, not {_kind(link)}")
        href = _string(link, "href", required=True, where=f"links[{i}]")
        label = _string(link, "text", where=f"links[{i}]") or "link"
        if _is_web_url(href):
            links.append((_one_line(label)[:80], href))
    return links


# -- field checks --------------------------------------------------------------------------------
def _kind(value: Any) -> str:
    return {dict: "an object", list: "a list", str: "a string", bool: "true/false",
            int: "a number", float: "a number", type(None): "null"}.get(type(value), "a value")


def _label(where: str, name: str) -> str:
    return f"{where}.{name}" if where else name


def _string(data: Mapping[str, Any], name: str, *, required: bool = False, limit: int = 8192,
            where: str = "") -> str:
    value = data.get(name)
    if value is None:
        if required:
            raise PayloadError(f"{_label(where, name)} is missing")
        return ""
    if not isinstance(value, str):
        raise PayloadError(f"{_label(where, name)} must be a string, not {_kind(value)}")
    if required and not value.strip():
        raise PayloadError(f"{_label(where, name)} is empty")
    if len(value) > limit:
        raise PayloadError(f"{_label(where, name)} is {len(value):,} characters long; the limit "
                           f"is {limit:,}")
    return value


def _choice(data: Mapping[str, Any], name: str, allowed: tuple[str, ...], *, required: bool = False,
            where: str = "") -> str:
    value = _string(data, name, required=required, where=where, limit=40)
    if value and value not in allowed:
        raise PayloadError(f"{_label(where, name)} must be one of {', '.join(allowed)}, "
                           f"not {value!r}")
    return value


def _str_map(data: Mapping[str, Any], name: str, *, where: str = "") -> dict[str, str]:
    value = data.get(name, {})
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise PayloadError(f"{_label(where, name)} must be an object of strings, not {_kind(value)}")
    for key, item in value.items():
        if not isinstance(item, str):
            raise PayloadError(f"{_label(where, name)}.{key} must be a string, not {_kind(item)}")
    return dict(value)


def _time(data: Mapping[str, Any], name: str, where: str) -> datetime | None:
    raw = _string(data, name, where=where, limit=64)
    if not raw or raw.startswith("0001-01-01"):
        return None
    try:
        parsed = datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError:
        raise PayloadError(f"{where}.{name} is not an RFC 3339 time: {raw[:40]!r}") from None
    if parsed.tzinfo is None:
        raise PayloadError(f"{where}.{name} needs a UTC offset or Z: {raw[:40]!r}")
    return parsed.astimezone(UTC)


def _is_web_url(value: str) -> bool:
    return value.startswith(("https://", "http://")) and len(value) <= 2048


def _one_line(text: str) -> str:
    line = " ".join(text.split())
    return line if len(line) <= 190 else line[:189] + "…"
