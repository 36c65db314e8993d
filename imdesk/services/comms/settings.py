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

    def load_file(self, path: Path, *, allow_empty: bool = False) -> CommsSettings:
        """Replace the settings with a JSON file's (validated whole before anything is saved):
        a regular file of at most 1 MB, a JSON object with only the settings' keys and a
        ``providers`` object; one without providers only when ALLOW_EMPTY."""
        from imdesk.files import read_capped

        try:
            raw = json.loads(read_capped(path, cap=SETTINGS_FILE_CAP, what="settings file")
                             .decode("utf-8"))
        except UnicodeDecodeError:
            raise ValidationError("file", f"{path} is not UTF-8 text") from None
        except RecursionError:
            raise ValidationError("file", f"{path} nests its JSON too deeply") from None
        except ValueError as exc:
            if exc.__class__.__name__ == "PathRefused":
                raise
            raise ValidationError("file", f"{path} is not valid JSON: {exc}") from None
        _check_shape(path, raw, allow_empty)
        for secretish in ("password", "token", "auth_token", "secret"):
            if _has_key(raw, secretish):
                raise ValidationError("file", f"{path} holds a {secretish!r}: secrets go into the "
                                              "keyring (imdesk credentials set PROVIDER), not a file")
        settings = CommsSettings.from_json(raw)
        self.save(settings)
        return settings


SETTINGS_FILE_CAP = 1024 * 1024
SETTINGS_KEYS = frozenset({"providers", "sms_order", "email_provider", "manual_lane",
                           "allow_plaintext_keyring", "concurrency"})


def _check_shape(path: Path, raw: object, allow_empty: bool) -> None:
    """The file is provider settings as a whole, before any of it is used."""
    if not isinstance(raw, dict):
        raise ValidationError("file", f"{path} is not provider settings (a JSON object with "
                                      "\"providers\")")
    unknown = sorted(str(k) for k in raw if k not in SETTINGS_KEYS)
    if unknown or "providers" not in raw:
        what = f"unknown keys {', '.join(unknown[:5])}" if unknown else "no \"providers\""
        raise ValidationError("file", f"{path} is not provider settings ({what})")
    providers = raw["providers"]
    if not isinstance(providers, dict):
        raise ValidationError("file", f"{path}: \"providers\" must be an object of name: settings")
    if not providers and not allow_empty:
        raise ValidationError("file", f"{path} names no providers; loading it would remove every "
                                      "provider (say --allow-empty if that is meant)")


def _has_key(value: object, key: str) -> bool:
    if isinstance(value, dict):
        return any(k == key or _has_key(v, key) for k, v in value.items())
    if isinstance(value, list):
        return any(_has_key(v, key) for v in value)
    return False
