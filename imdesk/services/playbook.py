"""The declaration checklist: the user's copy in the config folder, else the one shipped."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

from imdesk.errors import KnownError
from imdesk.resources import resource


@dataclass(frozen=True)
class PlaybookStep:
    id: str
    text: str


def user_playbook_path() -> Path:
    import platformdirs

    base = os.environ.get("IMDESK_CONFIG_DIR") or platformdirs.user_config_dir("imdesk", "imdesk")
    return Path(base) / "playbooks" / "major_incident.json"


def load_playbook() -> tuple[str, list[PlaybookStep]]:
    """(name, steps); a damaged user copy is reported, never silently replaced."""
    path = user_playbook_path()
    source = path if path.exists() else resource("playbooks", "major_incident.json")
    try:
        raw = json.loads(source.read_text(encoding="utf-8"))
        steps = [PlaybookStep(str(s["id"]), str(s["text"])) for s in raw["steps"]]
        return str(raw.get("name", "Major incident declaration")), steps
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise KnownError(f"the playbook {source} cannot be read ({exc})",
                         hint="Fix or delete it to use the one that comes with imdesk.") from exc


def user_copy() -> Path:
    """The user's own playbook file, created from the shipped one the first time."""
    path = user_playbook_path()
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(resource("playbooks", "major_incident.json").read_text(encoding="utf-8"),
                        encoding="utf-8")
    return path
