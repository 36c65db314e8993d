"""The declaration checklist: shipped, copied for the user to edit, damaged copies reported."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from imdesk.errors import KnownError
from imdesk.services.playbook import load_playbook, user_copy


@pytest.fixture(autouse=True)
def _config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("IMDESK_CONFIG_DIR", str(tmp_path / "cfg"))


def test_the_shipped_playbook_has_the_declaration_steps() -> None:
    _name, steps = load_playbook()
    assert [s.id for s in steps] == ["roles", "bridge", "impact", "first_update"]


def test_the_users_copy_wins_once_edited() -> None:
    path = user_copy()
    raw = json.loads(path.read_text())
    raw["steps"] = [{"id": "bridge", "text": "Open the bridge on the Teams channel MI-bridge"}]
    path.write_text(json.dumps(raw))
    _name, steps = load_playbook()
    assert [(s.id, s.text) for s in steps] == [("bridge", "Open the bridge on the Teams channel MI-bridge")]
    assert user_copy() == path and "MI-bridge" in path.read_text()  # not overwritten


def test_a_damaged_copy_is_reported_not_replaced() -> None:
    path = user_copy()
    path.write_text("{ not json")
    with pytest.raises(KnownError, match="cannot be read"):
        load_playbook()
    assert path.read_text() == "{ not json"
