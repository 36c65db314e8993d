"""`pip install .` (a wheel, not editable) gives a working program, outside the checkout.

Builds the wheel from a copy of the sources, installs it with the project venv's pip into a
fresh virtual environment (made --without-pip, no network: --no-index --no-deps from the
wheel; the dependencies come from the project venv's site-packages through a .pth line, which
adds that folder without its editable-install hooks), and runs the installed `imdesk` script
from a folder outside the checkout: --self-test, the demo story, a notification preview
(templates), `demo seed` and the emergency pack (icons, playbook, demo contacts).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

from imdesk import __version__

ROOT = Path(__file__).resolve().parent.parent
PIP = [sys.executable, "-m", "pip"]


def _run(cmd: list[str], *, cwd: Path, env: dict[str, str],
         timeout: float = 300) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout,
                          check=False)
    assert done.returncode == 0, f"{cmd}\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    return done


def _build_wheel(tmp: Path, env: dict[str, str]) -> Path:
    src = tmp / "src"
    src.mkdir()
    shutil.copytree(ROOT / "imdesk", src / "imdesk",
                    ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(ROOT / name, src / name)
    out = tmp / "wheels"
    _run([*PIP, "wheel", "--no-deps", "--no-index", "--no-build-isolation", "-q", "-w", str(out), str(src)],
         cwd=tmp, env=env)
    (wheel,) = out.glob("imdesk-*.whl")
    return wheel


@pytest.mark.slow
def test_the_installed_wheel_finds_its_resources(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME")}
    env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
    wheel = _build_wheel(tmp_path, env)
    names = zipfile.ZipFile(wheel).namelist()
    for shipped in ("imdesk/resources/templates/initial/business.email.j2",
                    "imdesk/resources/demo/story.json", "imdesk/resources/demo/contacts.json",
                    "imdesk/resources/playbooks/major_incident.json", "imdesk/resources/icons/imdesk.svg",
                    "imdesk/resources/drills/mail-relay-down.yaml",
                    "imdesk/storage/migrations/env.py"):
        assert shipped in names, f"{shipped} is not in {wheel.name}"

    venv = tmp_path / "venv"
    base = getattr(sys, "_base_executable", sys.executable)
    _run([base, "-m", "venv", "--without-pip", str(venv)], cwd=tmp_path, env=env)
    python = venv / "bin" / "python"
    _run([*PIP, "--python", str(python), "install", "--no-index", "--no-deps", "-q", str(wheel)],
         cwd=tmp_path, env=env)
    purelib = _run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                   cwd=tmp_path, env=env).stdout.strip()
    deps = {sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]}
    (Path(purelib) / "imdesk-test-deps.pth").write_text("".join(f"{d}\n" for d in sorted(deps)))

    work = tmp_path / "elsewhere"
    work.mkdir()
    exe = str(venv / "bin" / "imdesk")
    run_env = {**env, "QT_QPA_PLATFORM": "offscreen", "IMDESK_DATA_DIR": str(work / "data"),
               "XDG_CONFIG_HOME": str(work / "config")}

    def imdesk(*args: str) -> str:
        return _run([exe, *args], cwd=work, env=run_env, timeout=180).stdout

    where = _run([str(python), "-c", "import imdesk.resources as r; print(r.resources_dir())"],
                 cwd=work, env=run_env).stdout.strip()
    assert Path(where).is_relative_to(Path(purelib)), where  # the installed copy, not the checkout
    assert imdesk("--version").strip() == f"imdesk {__version__}"
    assert "self-test ok" in imdesk("--self-test")

    demo = str(work / "demo.sqlite")
    refs = [row["ref"] for row in json.loads(imdesk("--db", demo, "--demo", "incident", "list", "--json"))]
    assert refs, "the demo story wrote no open incidents"
    preview = json.loads(imdesk("--db", demo, "notify", refs[0], "--template", "initial", "--json"))
    assert preview["queued"] == [] and refs[0] in preview["subject"] and preview["body"].strip()
    drills = json.loads(imdesk("--db", demo, "drill", "list", "--json"))
    assert len(drills["scenarios"]) == 3 and drills["drills"], drills  # built-in, the demo's drill
    pack = work / "pack.pdf"
    imdesk("--db", demo, "contacts", "pack", "-o", str(pack))
    assert pack.read_bytes().startswith(b"%PDF")

    seeded = json.loads(imdesk("--db", str(work / "seed.sqlite"), "demo", "seed", "--incidents", "20",
                               "--entries", "100", "--json"))
    assert (seeded["incidents"], seeded["entries"]) == (20, 100)
