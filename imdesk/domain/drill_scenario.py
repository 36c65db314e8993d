"""A drill scenario: its schema (version 1), scenario times and the checks a file must pass.

A scenario is read from YAML or JSON (JSON is YAML) into plain values plus the line of every
field (services/drills/scenario_file.py does the reading); `check()` here turns those values
into a Scenario or into a list of Problems, each with its line, field and what is wrong.

Schema, version 1::

    version: 1
    name: Data-centre power loss          # shown in lists
    summary: one paragraph for the trainer
    service: Payments                     # optional: the service the drill is about
    roles: {caller: Plant manager}        # optional: role names (replayed incidents use them)
    allow_list: [drill-desk@example.com]  # optional: this drill's sandbox addresses / numbers
    injects:
      - at: T+0                            # T+90s, T+7m, T+1h30m
        kind: alert                        # alert | call | request | expectation | contingency
        format: alertmanager               # alertmanager | grafana | pagerduty
        payload: {...}                     # the body as that sender posts it
      - {at: T+3m, kind: call, who: Plant manager, says: "...", asks: "..."}
      - {at: T+10m, kind: expectation, id: declared, expect: major, objective: "..."}
      - {at: T+11m, kind: contingency, if_missed: declared, who: ..., says: "..."}

Expectations: acknowledged, major, first_update, contact_reached (optionally naming the
`contact` and the `service` whose escalation ladder counts), resolved.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from imdesk.domain.alert_accept import accept
from imdesk.domain.alert_payload import PayloadError, detect

VERSION = 1
KINDS = ("alert", "call", "request", "expectation", "contingency")
FORMATS = ("alertmanager", "grafana", "pagerduty")
EXPECTS = ("acknowledged", "major", "first_update", "contact_reached", "resolved")
PROMPT_KINDS = ("call", "request", "contingency")
MAX_INJECTS = 500
MAX_SECONDS = 24 * 3600
_TIME = re.compile(r"^T\+(?:0|(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?)$")
_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")

Path = tuple[str | int, ...]


@dataclass(frozen=True)
class Problem:
    line: int
    field: str
    problem: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.field}: {self.problem}"


@dataclass(frozen=True)
class Inject:
    index: int
    at_s: int
    kind: str
    id: str
    line: int = 0
    fmt: str = ""
    payload: Mapping[str, Any] = field(default_factory=dict)
    who: str = ""
    says: str = ""
    asks: str = ""
    expect: str = ""
    objective: str = ""
    contact: str = ""
    service: str = ""
    if_missed: str = ""

    @property
    def at_text(self) -> str:
        return t_text(self.at_s)

    def describe(self) -> str:
        if self.kind == "alert":
            return f"{self.fmt} alert: {alert_title(self.fmt, self.payload)}"
        if self.kind == "expectation":
            return f"expected by now: {self.expect.replace('_', ' ')} — {self.objective}"
        text = f"{self.who}: {self.says}" if self.who else self.says
        return f"{self.kind}: {text}" + (f" (asks: {self.asks})" if self.asks else "")


@dataclass(frozen=True)
class Scenario:
    version: int
    name: str
    summary: str
    injects: tuple[Inject, ...]
    service: str = ""
    roles: Mapping[str, str] = field(default_factory=dict)
    allow_list: tuple[str, ...] = ()
    source: str = ""
    service_line: int = 1

    @property
    def length_s(self) -> int:
        return max((i.at_s for i in self.injects), default=0)

    def expectation(self, ident: str) -> Inject | None:
        return next((i for i in self.injects if i.kind == "expectation" and i.id == ident), None)

    def expected_s(self, what: str) -> int | None:
        found = [i.at_s for i in self.injects if i.kind == "expectation" and i.expect == what]
        return min(found) if found else None


def parse_t(text: str) -> int | None:
    """`T+7m` → 420; None when it is not a scenario time."""
    m = _TIME.match(text.strip())
    if m is None or text.strip() == "T+":
        return None
    h, mi, s = (int(g or 0) for g in m.groups())
    return h * 3600 + mi * 60 + s


def t_text(seconds: float) -> str:
    s = int(seconds)
    h, rest = divmod(s, 3600)
    m, sec = divmod(rest, 60)
    text = (f"{h}h" if h else "") + (f"{m}m" if m else "") + (f"{sec}s" if sec else "")
    return "T+" + (text or "0")


def alert_title(fmt: str, payload: Mapping[str, Any]) -> str:
    if fmt == "pagerduty":
        inner = payload.get("payload")
        return str(inner.get("summary", "")) if isinstance(inner, dict) else str(
            payload.get("dedup_key", ""))
    alerts = payload.get("alerts")
    first = alerts[0] if isinstance(alerts, list) and alerts else {}
    labels = first.get("labels", {}) if isinstance(first, dict) else {}
    notes = first.get("annotations", {}) if isinstance(first, dict) else {}
    name = labels.get("alertname", "") if isinstance(labels, dict) else ""
    summary = notes.get("summary", "") if isinstance(notes, dict) else ""
    return str(summary or name or payload.get("title", ""))


class _Checker:
    def __init__(self, lines: Mapping[Path, int]) -> None:
        self.lines = lines
        self.problems: list[Problem] = []

    def line(self, path: Path) -> int:
        while path and path not in self.lines:
            path = path[:-1]
        return self.lines.get(path, 1)

    def add(self, path: Path, problem: str) -> None:
        name = ".".join(f"[{p}]" if isinstance(p, int) else p for p in path).replace(".[", "[")
        self.problems.append(Problem(self.line(path), name or "scenario", problem))

    def text(self, data: Mapping[str, Any], key: str, path: Path, *, required: bool = False,
             limit: int = 2000) -> str:
        value = data.get(key)
        if value is None:
            if required:
                self.add((*path, key), "is required")
            return ""
        if not isinstance(value, str):
            self.add((*path, key), f"must be text, not {_kind(value)}")
            return ""
        if len(value) > limit:
            self.add((*path, key), f"is longer than {limit} characters")
        if required and not value.strip():
            self.add((*path, key), "must not be empty")
        return value.strip()[:limit]

    def choice(self, data: Mapping[str, Any], key: str, path: Path, allowed: tuple[str, ...]) -> str:
        value = self.text(data, key, path, required=True, limit=40)
        if value and value not in allowed:
            self.add((*path, key), f"{value!r} is not one of {', '.join(allowed)}")
            return ""
        return value


def _kind(value: Any) -> str:
    return {bool: "true/false", int: "a number", float: "a number", str: "text", list: "a list",
            dict: "a mapping", type(None): "nothing"}.get(type(value), type(value).__name__)


def check(data: Any, lines: Mapping[Path, int], source: str = "") -> tuple[Scenario | None,
                                                                              list[Problem]]:
    """The scenario in `data`, or every problem found (never both)."""
    c = _Checker(lines)
    if not isinstance(data, dict):
        c.add((), f"a scenario is a mapping with version, name and injects, not {_kind(data)}")
        return None, c.problems
    for key in data:
        if key not in ("version", "name", "summary", "service", "roles", "allow_list", "injects"):
            c.add((str(key),), "is not a field of a scenario (version, name, summary, service, "
                               "roles, allow_list, injects)")
    version = data.get("version")
    if version is None:
        c.add(("version",), "is required (this imdesk reads version 1)")
    elif type(version) is not int or version != VERSION:
        c.add(("version",), f"{version!r} is not a version this imdesk reads (1)")
    name = c.text(data, "name", (), required=True, limit=120)
    summary = c.text(data, "summary", (), limit=4000)
    service = c.text(data, "service", (), limit=120)
    roles = _roles(c, data.get("roles"))
    allow = _allow(c, data.get("allow_list"))
    raw = data.get("injects")
    injects: list[Inject] = []
    if not isinstance(raw, list) or not raw:
        c.add(("injects",), "is required: a list of at least one inject" if raw is None
              else f"must be a non-empty list, not {_kind(raw)}")
    elif len(raw) > MAX_INJECTS:
        c.add(("injects",), f"has {len(raw)} injects; at most {MAX_INJECTS}")
    else:
        last = 0
        for i, item in enumerate(raw):
            inject = _inject(c, item, i)
            if inject is None:
                continue
            if inject.at_s < last:
                c.add(("injects", i, "at"), f"{inject.at_text} is before the inject above it "
                                            f"({t_text(last)}): times must not go back")
            last = max(last, inject.at_s)
            injects.append(inject)
        _cross(c, injects)
    if c.problems:
        return None, c.problems
    return Scenario(VERSION, name, summary, tuple(injects), service, roles, allow, source,
                    c.line(("service",))), []


def _roles(c: _Checker, raw: Any) -> dict[str, str]:
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        c.add(("roles",), f"must be a mapping of role to name, not {_kind(raw)}")
        return {}
    return {str(k): c.text(raw, k, ("roles",), required=True, limit=120) for k in raw}


def _allow(c: _Checker, raw: Any) -> tuple[str, ...]:
    if raw is None:
        return ()
    if not isinstance(raw, list) or not all(isinstance(a, str) and a.strip() for a in raw):
        c.add(("allow_list",), "must be a list of email addresses and phone numbers")
        return ()
    return tuple(a.strip() for a in raw)


def _inject(c: _Checker, item: Any, i: int) -> Inject | None:
    path: Path = ("injects", i)
    if not isinstance(item, dict):
        c.add(path, f"an inject is a mapping with at and kind, not {_kind(item)}")
        return None
    before = len(c.problems)
    at_raw = item.get("at")
    at: int | None = None
    if not isinstance(at_raw, str):
        c.add((*path, "at"), "is required: a scenario time such as T+0 or T+7m"
              if at_raw is None else f"must be a scenario time such as T+7m, not {_kind(at_raw)}")
    else:
        at = parse_t(at_raw)
        if at is None:
            c.add((*path, "at"), f"{at_raw!r} is not a scenario time (T+0, T+90s, T+7m, T+1h30m)")
        elif at > MAX_SECONDS:
            c.add((*path, "at"), f"{at_raw} is later than T+24h")
    kind = c.choice(item, "kind", path, KINDS)
    ident = c.text(item, "id", path, limit=64)
    if ident and not _ID.match(ident):
        c.add((*path, "id"), "use letters, digits, '.', '-' and '_' (at most 64)")
    allowed = {"at", "kind", "id"} | {
        "alert": {"format", "payload"}, "call": {"who", "says", "asks"},
        "request": {"who", "says", "asks"},
        "expectation": {"expect", "objective", "contact", "service"},
        "contingency": {"if_missed", "who", "says", "asks"}}.get(kind, set(item))
    for key in item:
        if key not in allowed:
            c.add((*path, str(key)), f"is not a field of a{'n' if kind[:1] in 'aeiou' else ''} "
                                      f"{kind} inject ({', '.join(sorted(allowed))})")
    values: dict[str, Any] = {}
    if kind == "alert":
        values["fmt"] = c.choice(item, "format", path, FORMATS)
        values["payload"] = _payload(c, item.get("payload"), values["fmt"], (*path, "payload"))
    elif kind in PROMPT_KINDS:
        values["who"] = c.text(item, "who", path, required=kind != "contingency", limit=120)
        values["says"] = c.text(item, "says", path, required=True)
        values["asks"] = c.text(item, "asks", path)
        if kind == "contingency":
            values["if_missed"] = c.text(item, "if_missed", path, required=True, limit=64)
    elif kind == "expectation":
        values["expect"] = c.choice(item, "expect", path, EXPECTS)
        values["objective"] = c.text(item, "objective", path, required=True, limit=500)
        values["contact"] = c.text(item, "contact", path, limit=120)
        values["service"] = c.text(item, "service", path, limit=120)
        if not ident:
            c.add((*path, "id"), "an expectation needs an id (a contingency names it)")
    if len(c.problems) > before or at is None:
        return None
    return Inject(i, at, kind, ident or f"{kind}-{i + 1}", c.line(path), **values)


def _payload(c: _Checker, payload: Any, fmt: str, path: Path) -> dict[str, Any]:
    if not isinstance(payload, dict):
        c.add(path, "is required: the alert body as its sender posts it" if payload is None
              else f"must be a mapping (the JSON body), not {_kind(payload)}")
        return {}
    if not fmt:
        return payload
    try:
        body = json.dumps(payload, ensure_ascii=False, default=str).encode("utf-8")
        accept(body, fmt)
        found = detect(payload)
    except PayloadError as exc:
        c.add(path, f"the alert intake would refuse it: {exc}")
        return {}
    if found != fmt and not (fmt == "grafana" and found == "alertmanager"):
        c.add(path, f"is a {found} payload, not {fmt}")
    return payload


def _cross(c: _Checker, injects: list[Inject]) -> None:
    expectations = {i.id: i for i in injects if i.kind == "expectation"}
    seen: set[str] = set()
    for i in injects:
        if i.id in seen:
            c.add(("injects", i.index, "id"), f"{i.id!r} is used by an inject above")
        seen.add(i.id)
        if i.kind == "contingency":
            target = expectations.get(i.if_missed)
            if target is None:
                c.add(("injects", i.index, "if_missed"), f"no expectation with id {i.if_missed!r}")
            elif target.at_s > i.at_s:
                c.add(("injects", i.index, "at"), f"plays before {i.if_missed!r} is due "
                                                  f"({target.at_text})")
    if not c.problems and injects and not any(i.kind == "alert" for i in injects) and not any(
            i.kind in ("call", "request") for i in injects):
        c.add(("injects",), "nothing starts the drill: add an alert, call or request")


def names_to_check(scenario: Scenario) -> list[tuple[int, str, str, str]]:
    """(line, field, kind, name) of every contact and service the database must know."""
    found: list[tuple[int, str, str, str]] = []
    if scenario.service:
        found.append((scenario.service_line, "service", "service", scenario.service))
    for i in scenario.injects:
        if i.contact:
            found.append((i.line, f"injects[{i.index}].contact", "contact", i.contact))
        if i.service:
            found.append((i.line, f"injects[{i.index}].service", "service", i.service))
    return found


def check_names(scenario: Scenario, known: Callable[[str, str], bool]) -> list[Problem]:
    return [Problem(line, fld, f"no {kind} named {name!r} in the contact book")
            for line, fld, kind, name in names_to_check(scenario) if not known(kind, name)]


def check_speed_text(speed: float) -> None:
    from imdesk.domain.errors import ValidationError

    if not 1 <= speed <= 60:
        raise ValidationError("speed", f"speed must be between 1 and 60, not {speed:g}")
