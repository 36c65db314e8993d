"""How an alert becomes an incident: label matchers, service rules, the severity mapping and
maintenance windows. Pure rules; the settings live in the database."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from imdesk.domain import safe_regex
from imdesk.domain.errors import ValidationError
from imdesk.domain.priority import Level

_MATCHER = re.compile(r"^\s*([A-Za-z_][A-Za-z0-9_]*)\s*(=~|!~|!=|=)\s*(.*?)\s*$")


@dataclass(frozen=True)
class Matcher:
    """One Alertmanager-style label matcher: name=value, name!=value, name=~regex, name!~regex."""

    name: str
    op: str
    value: str

    def matches(self, labels: Mapping[str, str]) -> bool:
        actual = labels.get(self.name, "")
        if self.op == "=":
            return actual == self.value
        if self.op == "!=":
            return actual != self.value
        hit = safe_regex.fullmatch(self.value, actual)
        return hit if self.op == "=~" else not hit

    def __str__(self) -> str:
        return f"{self.name}{self.op}{_quote(self.value)}"


def _quote(value: str) -> str:
    return f'"{value}"' if (not value or "," in value or value != value.strip()) else value


def parse_matchers(text: str, field_name: str = "matchers") -> tuple[Matcher, ...]:
    """`severity=critical, job=~"api.*"` → matchers (all must hold). Empty text matches nothing."""
    out = []
    for part in _split(text):
        m = _MATCHER.match(part)
        if m is None:
            raise ValidationError(field_name, f"{part.strip()!r} is not a matcher like "
                                              "name=value, name!=value, name=~regex or name!~regex")
        name, op, value = m.group(1), m.group(2), m.group(3)
        if len(value) >= 2 and value[0] == value[-1] == '"':
            value = value[1:-1]
        if op in ("=~", "!~"):
            try:
                safe_regex.check(value)
            except re.error as exc:
                raise ValidationError(field_name, f"{name}{op}{value}: not a regular expression "
                                                  f"({exc})") from None
            except safe_regex.UnsafeRegex as exc:
                raise ValidationError(field_name, f"{name}{op}{value}: refused, {exc}") from None
        out.append(Matcher(name, op, value))
    return tuple(out)


def _split(text: str) -> list[str]:
    """Split on commas outside double quotes."""
    parts: list[str] = []
    current: list[str] = []
    quoted = False
    for ch in text.strip().strip("{}"):
        if ch == '"':
            quoted = not quoted
        if ch == "," and not quoted:
            parts.append("".join(current))
            current = []
        else:
            current.append(ch)
    parts.append("".join(current))
    return [p for p in parts if p.strip()]


def matchers_text(matchers: Sequence[Matcher]) -> str:
    return ", ".join(str(m) for m in matchers)


def all_match(matchers: Sequence[Matcher], labels: Mapping[str, str]) -> bool:
    return bool(matchers) and all(m.matches(labels) for m in matchers)


@dataclass(frozen=True)
class ServiceRule:
    """Alerts whose labels match go to this service (the first matching rule wins)."""

    matchers: tuple[Matcher, ...]
    service: str

    def to_json(self) -> dict[str, str]:
        return {"matchers": matchers_text(self.matchers), "service": self.service}


DEFAULT_SEVERITY: dict[str, tuple[Level, Level]] = {
    "critical": (Level.HIGH, Level.HIGH),
    "error": (Level.HIGH, Level.MEDIUM),
    "major": (Level.HIGH, Level.MEDIUM),
    "high": (Level.HIGH, Level.MEDIUM),
    "warning": (Level.MEDIUM, Level.MEDIUM),
    "minor": (Level.MEDIUM, Level.LOW),
    "info": (Level.LOW, Level.LOW),
}
FALLBACK_LEVELS = (Level.MEDIUM, Level.LOW)  # no or unknown severity: P4


@dataclass(frozen=True)
class AlertMapping:
    """The desk's settings for alerts: service rules, severity → impact/urgency, auto-resolve."""

    rules: tuple[ServiceRule, ...] = ()
    severity: Mapping[str, tuple[Level, Level]] = field(default_factory=lambda: dict(DEFAULT_SEVERITY))
    fallback: tuple[Level, Level] = FALLBACK_LEVELS
    auto_resolve: bool = False
    replay_window_seconds: int = 60

    def service_for(self, labels: Mapping[str, str]) -> str | None:
        for rule in self.rules:
            if all_match(rule.matchers, labels):
                return rule.service
        return None

    def levels_for(self, severity: str) -> tuple[Level, Level]:
        return self.severity.get(severity.strip().lower(), self.fallback)

    def to_json(self) -> dict[str, Any]:
        return {
            "rules": [r.to_json() for r in self.rules],
            "severity": {k: [v[0].value, v[1].value] for k, v in self.severity.items()},
            "fallback": [self.fallback[0].value, self.fallback[1].value],
            "auto_resolve": self.auto_resolve,
            "replay_window_seconds": self.replay_window_seconds,
        }

    @classmethod
    def from_json(cls, raw: Mapping[str, Any]) -> AlertMapping:
        rules = tuple(ServiceRule(parse_matchers(str(r["matchers"])), str(r["service"]))
                      for r in raw.get("rules", []))
        severity = {str(k).lower(): (Level(v[0]), Level(v[1]))
                    for k, v in raw.get("severity", {}).items()} or dict(DEFAULT_SEVERITY)
        fb = raw.get("fallback") or [FALLBACK_LEVELS[0].value, FALLBACK_LEVELS[1].value]
        return cls(rules=rules, severity=severity, fallback=(Level(fb[0]), Level(fb[1])),
                   auto_resolve=bool(raw.get("auto_resolve", False)),
                   replay_window_seconds=int(raw.get("replay_window_seconds", 60)))


@dataclass(frozen=True)
class Window:
    """A maintenance window or silence: matching alerts are recorded but open nothing."""

    id: int
    name: str
    starts_at: datetime
    ends_at: datetime
    matchers: tuple[Matcher, ...] = ()
    service: str | None = None
    ended_at: datetime | None = None  # ended early by hand

    @property
    def until(self) -> datetime:
        return min(self.ends_at, self.ended_at) if self.ended_at else self.ends_at

    def active(self, at: datetime) -> bool:
        return self.starts_at <= at < self.until

    def state(self, now: datetime) -> str:
        if now < self.starts_at:
            return "upcoming"
        return "active" if now < self.until else ("ended" if self.ended_at else "expired")

    def covers(self, at: datetime, labels: Mapping[str, str], service: str | None) -> bool:
        if not self.active(at):
            return False
        if self.service is not None:
            if service is None or service.lower() != self.service.lower():
                return False
            return not self.matchers or all_match(self.matchers, labels)
        return all_match(self.matchers, labels)


def covering_window(windows: Sequence[Window], at: datetime, labels: Mapping[str, str],
                    service: str | None) -> Window | None:
    return next((w for w in windows if w.covers(at, labels, service)), None)
