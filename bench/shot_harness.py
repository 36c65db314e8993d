"""Running one feature's screenshots on its own (`xvfb-run -a python bench/shots_X.py [light|dark]`):
the demo database in a temp folder, the console in each colour scheme, the feature's
`shoot(window, ctx, out, scheme, settle)`, the files in shots/. bench/screenshots.py calls the
same `shoot` functions for all panes in one run."""

from __future__ import annotations

import os
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

Shoot = Callable[[Any, Any, Path, str, Callable[..., None]], None]


def run_alone(shoot: Shoot, *, listener: bool = True) -> int:
    out = ROOT / "shots"
    out.mkdir(exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix="imdesk-shots-"))
    os.environ["IMDESK_DATA_DIR"] = str(tmp)
    os.environ.setdefault("XDG_CONFIG_HOME", str(tmp / "config"))
    from dataclasses import replace

    from imdesk.app import build_context
    from imdesk.qt import theme
    from imdesk.qt.console import make_app
    from imdesk.qt.main_window import MainWindow
    from imdesk.qt.tasks import TaskRunner
    from imdesk.services.demo.story import ensure_demo_data

    app = make_app()
    ctx = build_context(f"sqlite:///{tmp / 'demo.sqlite'}")
    ensure_demo_data(ctx)
    if not listener:
        settings = ctx.alerts.settings
        settings.set_listener(replace(settings.listener(), enabled=False))

    def settle(seconds: float = 0.6) -> None:
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            app.processEvents()
            time.sleep(0.02)

    for scheme in sys.argv[1:] or ["light", "dark"]:
        os.environ["IMDESK_THEME"] = scheme
        theme.apply_theme(app)
        window = MainWindow(ctx, TaskRunner(app), demo=True)
        window.persist_layout = False
        window.resize(1400, 860)
        window.show()
        window.start()
        settle(1.5)
        shoot(window, ctx, out, scheme, settle)
        window.close()
        settle(0.2)
    ctx.close()
    print(f"screenshots in {out}")
    return 0
