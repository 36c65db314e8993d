"""Screenshots of the Reports pane (figures with definitions, trend, SLA compliance), called by
bench/screenshots.py; `python bench/shots_reports.py` takes only these (under xvfb-run)."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


def shoot(window: Any, out: Path, scheme: str, settle: Callable[[float], None]) -> None:
    reports = window.reports
    reports.show_pane()
    pane = reports.pane
    pane.unit.setCurrentIndex(0)
    pane.refresh()
    settle(1.2)
    for index, name in ((0, "figures"), (1, "trend"), (3, "sla")):
        pane.tabs.setCurrentIndex(index)
        settle(0.4)
        window.grab().save(str(out / f"reports-{name}-{scheme}.png"))


def main() -> int:
    import os
    import tempfile
    import time

    sys.path.insert(0, str(ROOT))
    tmp = Path(tempfile.mkdtemp(prefix="imdesk-shots-"))
    os.environ["IMDESK_DATA_DIR"] = str(tmp)
    from imdesk.app import build_context
    from imdesk.qt import theme
    from imdesk.qt.console import make_app
    from imdesk.qt.main_window import MainWindow
    from imdesk.qt.tasks import TaskRunner
    from imdesk.services.demo.story import ensure_demo_data

    app = make_app()
    ctx = build_context(f"sqlite:///{tmp / 'demo.sqlite'}")
    ensure_demo_data(ctx)

    def settle(seconds: float = 0.6) -> None:
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            app.processEvents()
            time.sleep(0.02)

    out = ROOT / "shots"
    out.mkdir(exist_ok=True)
    for scheme in ("light", "dark"):
        os.environ["IMDESK_THEME"] = scheme
        theme.apply_theme(app)
        window = MainWindow(ctx, TaskRunner(app), demo=True)
        window.persist_layout = False
        window.resize(1400, 860)
        window.show()
        window.start()
        settle(1.0)
        shoot(window, out, scheme, settle)
        window.close()
        settle(0.2)
    ctx.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
