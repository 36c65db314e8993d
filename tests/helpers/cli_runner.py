"""Running the command line in-process as a user would, reading what it prints."""

from __future__ import annotations

import json
from typing import Any

import pytest

from imdesk.cli import main


class Cli:
    def __init__(self, capsys: pytest.CaptureFixture[str], db: str) -> None:
        self.capsys = capsys
        self.db = db

    def __call__(self, *args: str, db: bool = True) -> tuple[int, str, str]:
        self.capsys.readouterr()
        code = main([*(["--db", self.db] if db else []), *args])
        out, err = self.capsys.readouterr()
        return code, out, err

    def json(self, *args: str) -> Any:
        code, out, err = self(*args, "--json")
        assert (code, err) == (0, ""), err
        return json.loads(out)

    def state(self) -> Any:
        """Everything a user can see: every incident with its timeline."""
        listing = self.json("incident", "list", "--all")
        return [self.json("incident", "show", row["ref"]) for row in listing]

    def timeline(self, ref: str) -> list[dict[str, Any]]:
        result: list[dict[str, Any]] = self.json("timeline", "show", ref)["timeline"]
        return result

    def refused(self, ref: str, reason: str, *args: str) -> None:
        """Exit 2, one line on stderr naming the reason, nothing written."""
        before = self.timeline(ref)
        code, out, err = self(*args)
        assert (code, out) == (2, ""), err
        assert err.startswith("imdesk: ") and err.count("\n") == 1 and reason in err, err
        assert self.timeline(ref) == before
