"""A console's desk identity: named by IMDESK_DESK, by the name saved for this user, else the host."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from imdesk.domain.desk import Desk, clean_name
from imdesk.services.desk.identity import current_desk, save_desk_name


def test_without_a_name_the_desk_is_the_host(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("IMDESK_DESK", raising=False)
    desk = current_desk("ana", folder=tmp_path)
    assert desk == Desk(socket.gethostname(), socket.gethostname(), "ana")
    assert desk.label == f"{socket.gethostname()} (ana@{socket.gethostname()})"


def test_a_saved_name_is_kept_for_the_next_start(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("IMDESK_DESK", raising=False)
    save_desk_name("  MIM   laptop ", folder=tmp_path)
    assert current_desk("bo", folder=tmp_path).name == "MIM laptop"


def test_the_environment_wins_over_the_saved_name(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    save_desk_name("MIM laptop", folder=tmp_path)
    monkeypatch.setenv("IMDESK_DESK", "SPOC desk")
    assert current_desk("bo", folder=tmp_path).name == "SPOC desk"


def test_a_damaged_desk_file_falls_back_to_the_host(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("IMDESK_DESK", raising=False)
    (tmp_path / "desk.json").write_text("{not json", encoding="utf-8")
    assert current_desk("bo", folder=tmp_path).name == socket.gethostname()


@pytest.mark.parametrize(("value", "problem"), [("   ", "cannot be empty"), ("x" * 61, "at most 60")])
def test_an_unusable_name_is_refused_with_the_reason(value: str, problem: str) -> None:
    with pytest.raises(ValueError, match=problem):
        clean_name(value)


def test_an_entrys_desk_reads_back_and_old_entries_have_none() -> None:
    desk = Desk("SPOC desk", "ops-1", "ana")
    assert Desk.from_data(desk.as_data()) == desk
    assert Desk.from_data(None) is None and Desk.from_data({}) is None
