"""Where imdesk keeps its files (platformdirs), computed on demand, never at import time."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

from imdesk import APP_AUTHOR, APP_NAME

if TYPE_CHECKING:
    pass


def data_dir() -> Path:
    """The user's data folder; IMDESK_DATA_DIR overrides it (tests, portable installs)."""
    override = os.environ.get("IMDESK_DATA_DIR")
    if override:
        path = Path(override)
    else:
        import platformdirs

        path = Path(platformdirs.user_data_dir(APP_NAME, APP_AUTHOR))
    path.mkdir(parents=True, exist_ok=True)
    return path


def cache_dir() -> Path:
    """Disposable files (start-up plans): the user's cache folder, or beside IMDESK_DATA_DIR."""
    override = os.environ.get("IMDESK_DATA_DIR")
    if override:
        path = Path(override) / "cache"
    else:
        import platformdirs

        path = Path(platformdirs.user_cache_dir(APP_NAME, APP_AUTHOR))
    path.mkdir(parents=True, exist_ok=True)
    return path


def default_db_path() -> Path:
    return data_dir() / "imdesk.sqlite"


def demo_db_path() -> Path:
    """The demo database lives in its own folder: never mixed with the user's own data."""
    path = data_dir() / "demo"
    path.mkdir(parents=True, exist_ok=True)
    return path / "imdesk-demo.sqlite"


def backups_dir(db_path: Path) -> Path:
    path = db_path.parent / "backups"
    path.mkdir(parents=True, exist_ok=True)
    return path


def resolve_db_url(cli_value: str | None) -> str | Path:
    """--db beats IMDESK_DB beats the default file. A bare path means a SQLite file (a Path:
    no SQLAlchemy needed to know where it is)."""
    value = cli_value or os.environ.get("IMDESK_DB") or ""
    if not value:
        return default_db_path()
    if "://" in value:
        return value
    return Path(value).expanduser().resolve()
