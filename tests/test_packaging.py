"""The PyInstaller one-folder bundle built from imdesk.spec starts, migrates and works headless.

Builds into tmp_path with the venv's pyinstaller, then runs the bundled executable:
`--version`, `--self-test` (offscreen, migrations run from the bundle) and `incident add`.
Bundle size and build time are printed (see them with `pytest -s`).
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from imdesk import __version__

ROOT = Path(__file__).resolve().parent.parent
SPEC = ROOT / "imdesk.spec"
PYINSTALLER = Path(sys.executable).parent / "pyinstaller"
EXE_NAME = "imdesk.exe" if sys.platform == "win32" else "imdesk"


def _size_mb(folder: Path) -> float:
    total = sum(p.lstat().st_size for p in folder.rglob("*") if p.is_file() and not p.is_symlink())
    return total / 1_000_000


def _run(exe: Path, *args: str, env: dict[str, str], timeout: float = 60) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(exe), *args], capture_output=True, text=True, env=env, timeout=timeout,
                          check=False)


@pytest.mark.slow
def test_bundle_builds_and_runs(tmp_path: Path) -> None:
    assert PYINSTALLER.exists(), f"pyinstaller not in the venv: {PYINSTALLER}"
    dist, work = tmp_path / "dist", tmp_path / "build"
    started = time.monotonic()
    build = subprocess.run(
        [str(PYINSTALLER), "--noconfirm", "--clean", "--log-level", "WARN",
         "--distpath", str(dist), "--workpath", str(work), str(SPEC)],
        cwd=ROOT, capture_output=True, text=True, timeout=900, check=False)
    build_seconds = time.monotonic() - started
    assert build.returncode == 0, (build.stdout + build.stderr)[-4000:]

    bundle = dist / "imdesk"
    exe = bundle / EXE_NAME
    assert exe.is_file()
    print(f"\nimdesk bundle: {_size_mb(bundle):.1f} MB, built in {build_seconds:.1f} s ({bundle})")

    # What is read from files at run time is there as files (STYLE.md point 14).
    internal = bundle / "_internal"
    migrations = internal / "imdesk" / "storage" / "migrations"
    assert (migrations / "env.py").is_file()
    assert (migrations / "script.py.mako").is_file()
    assert sorted(p.name for p in (migrations / "versions").glob("0*.py")) == sorted(
        p.name for p in (ROOT / "imdesk" / "storage" / "migrations" / "versions").glob("0*.py"))
    assert (internal / "imdesk" / "resources" / "demo" / "story.json").is_file()
    assert (internal / "ui").is_dir()
    assert list(internal.glob("keyring-*.dist-info")), "keyring metadata (backend entry points) missing"
    assert not list(internal.glob("libgtk-*")), "the build host's GTK was bundled"

    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}

    version = _run(exe, "--version", env=env)
    assert version.returncode == 0, version.stderr
    assert version.stdout.strip() == f"imdesk {__version__}"

    self_test = _run(exe, "--self-test", env={**env, "IMDESK_DATA_DIR": str(tmp_path / "selftest-data")},
                     timeout=120)
    assert self_test.returncode == 0, self_test.stdout + self_test.stderr
    assert "self-test ok" in self_test.stdout

    data = tmp_path / "data"
    added = _run(exe, "incident", "add", "--title", "T", "--impact", "high", "--urgency", "low",
                 env={**env, "IMDESK_DATA_DIR": str(data)})
    assert added.returncode == 0, added.stderr
    assert added.stdout.strip() == "INC-1001"
    assert (data / "imdesk.sqlite").is_file()

    # The contact import's libraries (vobject, phonenumbers with its per-region data, and
    # email-validator) are imported lazily: the bundle must carry them all the same.
    vcards = Path(__file__).parent / "data" / "contacts" / "outlook_2016.vcf"
    imported = _run(exe, "contacts", "import", str(vcards), env={**env, "IMDESK_DATA_DIR": str(data)})
    assert imported.returncode == 0, imported.stderr
    listed = _run(exe, "contacts", "list", "--json", env={**env, "IMDESK_DATA_DIR": str(data)})
    assert listed.returncode == 0, listed.stderr
    assert "+49301234567" in listed.stdout  # "+49 (30) 1234567" parsed to E.164 in the bundle
