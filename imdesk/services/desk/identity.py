"""This console's desk identity: IMDESK_DESK, else the name saved in the user's data folder
(`desk.json`, never in the shared database: each console is its own desk), else the host name."""

from __future__ import annotations

import json
import os
import socket
from pathlib import Path

from imdesk.domain.desk import Desk, clean_name
from imdesk.paths import data_dir

FILE = "desk.json"


def _host() -> str:
    try:
        return socket.gethostname() or "localhost"
    except OSError:
        return "localhost"


def _saved_name(folder: Path) -> str | None:
    try:
        raw = json.loads((folder / FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    name = raw.get("name") if isinstance(raw, dict) else None
    try:
        return clean_name(name) if isinstance(name, str) else None
    except ValueError:
        return None


def current_desk(author: str | None = None, folder: Path | None = None) -> Desk:
    """Who this console is. `author` is the person (default: IMDESK_USER or the login name)."""
    from imdesk.services.clock import default_author

    host = _host()
    env = os.environ.get("IMDESK_DESK", "").strip()
    name: str | None = None
    if env:
        try:
            name = clean_name(env)
        except ValueError:
            name = None
    if name is None:
        name = _saved_name(folder or data_dir())
    return Desk(name=name or host, host=host, user=author or default_author())


def save_desk_name(value: str, folder: Path | None = None) -> Desk:
    """Name this console (kept in the user's data folder); ValueError when the name is unusable."""
    name = clean_name(value)
    target = (folder or data_dir()) / FILE
    tmp = target.with_suffix(".tmp")
    tmp.write_text(json.dumps({"name": name}), encoding="utf-8")
    tmp.replace(target)
    return current_desk(folder=folder)
