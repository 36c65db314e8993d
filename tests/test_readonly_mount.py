"""A database on a read-only mount (issue 17, item 19) opens read-only: reads work, a write is
refused in one line. The mount is made in a private mount namespace (unshare; skipped where
that is not allowed)."""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from imdesk.cli import main

ROOT = Path(__file__).resolve().parents[1]


def _can_unshare() -> bool:
    if shutil.which("unshare") is None:
        return False
    done = subprocess.run(["unshare", "-m", "true"], capture_output=True, timeout=10, check=False)
    return done.returncode == 0


@pytest.mark.skipif(not _can_unshare(), reason="no private mount namespace here (needs root)")
def test_every_read_works_on_a_read_only_mount_and_a_write_is_one_line(tmp_path: Path) -> None:
    src, mnt = tmp_path / "src", tmp_path / "mnt"
    src.mkdir()
    mnt.mkdir()
    db = src / "desk.sqlite"
    assert main(["--db", str(db), "incident", "add", "--title", "Mail down", "--impact", "high",
                 "--urgency", "high"]) == 0
    py = shlex.join([sys.executable, "-m", "imdesk", "--db", str(mnt / "desk.sqlite")])
    script = " ; ".join([
        f"mount --bind {shlex.quote(str(src))} {shlex.quote(str(mnt))}",
        f"mount -o remount,bind,ro {shlex.quote(str(mnt))}",
        *(f"{py} {args}; echo rc=$?" for args in (
            "incident list", "incident show INC-1001", "db check", "timeline verify",
            "incident note INC-1001 x")),
    ])
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run(["unshare", "-m", "sh", "-c", script], capture_output=True, text=True,
                          env=env, timeout=120, check=False)
    codes = [line for line in done.stdout.splitlines() if line.startswith("rc=")]
    assert codes == ["rc=0"] * 4 + ["rc=1"], (done.stdout, done.stderr)
    assert "Mail down" in done.stdout and "Traceback" not in done.stderr
    assert done.stderr.strip().splitlines() == [
        "imdesk: the database is open read-only; nothing can be saved"]
