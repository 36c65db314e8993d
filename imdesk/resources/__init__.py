"""Files shipped with imdesk (icons, demo story, playbooks, message templates).

The files are kept in the checkout's top-level resources/ folder; imdesk/resources/ links to
them (demo, icons, playbooks, templates), so a source checkout, an installed wheel (package
data, copied through the links) and the PyInstaller bundle (imdesk.spec copies resources/ to
_internal/imdesk/resources, where this module's __file__ points) find them the same way:
beside this file.
"""

from __future__ import annotations

from pathlib import Path


def resources_dir() -> Path:
    return Path(__file__).resolve().parent


def resource(*parts: str) -> Path:
    return resources_dir().joinpath(*parts)
