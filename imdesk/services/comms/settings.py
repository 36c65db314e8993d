"""Provider settings in the desk's shared settings (database), never a secret among them."""

from __future__ import annotations

import json
from pathlib import Path

from imdesk.channels.settings import CommsSettings, Provider, parse_provider
from imdesk.domain.errors import ValidationError
from imdesk.storage.database import Database
from imdesk.storage.models import SettingRow

COMMS_KEY = "comms"


class CommsSettingsService:
    def __init__(self, db: Database) -> None:
        self._db = db

    def load(self) -> CommsSettings:
        with self._db.read() as s:
            row = s.get(SettingRow, COMMS_KEY)
            return CommsSettings.from_json(None if row is None else row.value)

    def save(self, settings: CommsSettings) -> None:
        settings.check()
        with self._db.write() as s:
            row = s.get(SettingRow, COMMS_KEY)
            if row is None:
                s.add(SettingRow(key=COMMS_KEY, value=settings.to_json()))
            else:
                row.value = settings.to_json()

    def set_provider(self, name: str, values: dict[str, object]) -> Provider:
        """Add or change one provider (values merged over what is stored)."""
        current = self.load()
        old = current.providers.get(name)
        merged = {**(old.to_json() if old else {}), **values}
        provider = parse_provider(name, merged)
        self.save(current.with_provider(provider))
        return provider

    def load_file(self, path: Path) -> CommsSettings:
        """Replace the settings with a JSON file's (validated whole before anything is saved)."""
        try:
            raw = json.loads(path.read_text(encoding="utf-8"))
        except OSError as exc:
            raise ValidationError("file", f"cannot read {path}: {exc.strerror or exc}") from None
        except ValueError as exc:
            raise ValidationError("file", f"{path} is not valid JSON: {exc}") from None
        for secretish in ("password", "token", "auth_token", "secret"):
            if _has_key(raw, secretish):
                raise ValidationError("file", f"{path} holds a {secretish!r}: secrets go into the "
                                              "keyring (imdesk credentials set PROVIDER), not a file")
        settings = CommsSettings.from_json(raw)
        self.save(settings)
        return settings


def _has_key(value: object, key: str) -> bool:
    if isinstance(value, dict):
        return any(k == key or _has_key(v, key) for k, v in value.items())
    if isinstance(value, list):
        return any(_has_key(v, key) for v in value)
    return False
