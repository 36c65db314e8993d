"""The desk's alert settings, kept in the setting table: the mapping (service rules, severity,
auto-resolve) and the listener (on/off, address, port, sound)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from sqlalchemy.orm import Session

from imdesk.domain.alert_rules import AlertMapping, ServiceRule, parse_matchers
from imdesk.domain.errors import ValidationError
from imdesk.domain.priority import Level
from imdesk.storage import incident_repo
from imdesk.storage.database import Database
from imdesk.storage.models import SettingRow

MAPPING_KEY = "alert_mapping"
LISTENER_KEY = "alert_listener"
DEFAULT_PORT = 9464
LOOPBACK = "127.0.0.1"


@dataclass(frozen=True)
class ListenerSettings:
    enabled: bool = True
    host: str = LOOPBACK
    port: int = DEFAULT_PORT
    sound: bool = True  # a beep for a new P1/P2 from an alert

    def to_json(self) -> dict[str, Any]:
        return {"enabled": self.enabled, "host": self.host, "port": self.port, "sound": self.sound}

    @classmethod
    def from_json(cls, raw: Mapping[str, Any]) -> ListenerSettings:
        return cls(enabled=bool(raw.get("enabled", True)), host=str(raw.get("host", LOOPBACK)),
                   port=int(raw.get("port", DEFAULT_PORT)), sound=bool(raw.get("sound", True)))


def check_port(port: int) -> int:
    if not 1 <= port <= 65535:
        raise ValidationError("port", f"the port must be between 1 and 65535, not {port}")
    return port


def load_mapping(s: Session) -> AlertMapping:
    row = s.get(SettingRow, MAPPING_KEY)
    return AlertMapping() if row is None else AlertMapping.from_json(row.value)


def _put(s: Session, key: str, value: Any) -> None:
    row = s.get(SettingRow, key)
    if row is None:
        s.add(SettingRow(key=key, value=value))
    else:
        row.value = value


class AlertSettingsService:
    def __init__(self, db: Database) -> None:
        self._db = db

    def mapping(self) -> AlertMapping:
        with self._db.read() as s:
            return load_mapping(s)

    def set_rules(self, rules: Sequence[tuple[str, str]]) -> AlertMapping:
        """(matchers text, service name) pairs, in order; each checked, the service must exist."""
        with self._db.write() as s:
            parsed = []
            for i, (text, service) in enumerate(rules, 1):
                matchers = parse_matchers(text, f"rule {i} matchers")
                if not matchers:
                    raise ValidationError(f"rule {i} matchers", f"rule {i} needs at least one matcher")
                try:
                    sid = incident_repo.service_id_for(s, service)
                except ValidationError:
                    raise ValidationError(f"rule {i} service",
                                          f"rule {i}: no service named {service!r}") from None
                if sid is None:
                    raise ValidationError(f"rule {i} service", f"rule {i} needs a service")
                parsed.append(ServiceRule(matchers, incident_repo.service_name(s, sid) or service))
            mapping = replace(load_mapping(s), rules=tuple(parsed))
            _put(s, MAPPING_KEY, mapping.to_json())
            return mapping

    def set_severity(self, severity: Mapping[str, tuple[str, str]]) -> AlertMapping:
        levels = {k.strip().lower(): (Level.parse(v[0], f"{k} impact"), Level.parse(v[1], f"{k} urgency"))
                  for k, v in severity.items() if k.strip()}
        with self._db.write() as s:
            mapping = replace(load_mapping(s), severity=levels)
            _put(s, MAPPING_KEY, mapping.to_json())
            return mapping

    def set_auto_resolve(self, on: bool) -> AlertMapping:
        with self._db.write() as s:
            mapping = replace(load_mapping(s), auto_resolve=on)
            _put(s, MAPPING_KEY, mapping.to_json())
            return mapping

    def listener(self) -> ListenerSettings:
        with self._db.read() as s:
            row = s.get(SettingRow, LISTENER_KEY)
            return ListenerSettings() if row is None else ListenerSettings.from_json(row.value)

    def set_listener(self, settings: ListenerSettings) -> ListenerSettings:
        check_port(settings.port)
        if not settings.host.strip():
            raise ValidationError("host", "the listen address must not be empty")
        with self._db.write() as s:
            _put(s, LISTENER_KEY, settings.to_json())
        return settings
