"""Files shipped with imdesk (icons, demo story, playbooks, message templates).

They live inside the package (imdesk/resources/), so a source checkout, an installed wheel
(package data) and the PyInstaller bundle (imdesk.spec copies them to
_internal/imdesk/resources, where this module's __file__ points) find them the same way:
beside this file.
"""

from __future__ import annotations

from pathlib import Path


def resources_dir() -> Path:
    return Path(__file__).resolve().parent


def resource(*parts: str) -> Path:
    return resources_dir().joinpath(*parts)
