"""`imdesk --self-test`: the main window offscreen on a temp database; create and read back."""

from __future__ import annotations

import os
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from imdesk.context import AppContext


def _wait(app: object, condition: Callable[[], bool], seconds: float = 10.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        app.processEvents()  # type: ignore[attr-defined]
        if condition():
            return True
        time.sleep(0.01)
    return False


def run(*, build: Callable[..., AppContext]) -> int:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from imdesk.qt.console import make_app
    from imdesk.qt.main_window import MainWindow
    from imdesk.qt.tasks import TaskRunner
    from imdesk.services.incidents import NewIncident

    with tempfile.TemporaryDirectory(prefix="imdesk-selftest-") as tmp:
        app = make_app()
        ctx = build(f"sqlite:///{Path(tmp) / 'selftest.sqlite'}")
        try:
            window = MainWindow(ctx, TaskRunner(app))
            window.persist_layout = False
            window.resize(1200, 700)
            window.show()
            window.start()
            created = ctx.incidents.create(NewIncident(
                title="Self-test incident", impact="high", urgency="medium"))
            window.incidents.reload()
            model = window.incidents.model
            ok = _wait(app, lambda: model.row_of(created.ref) >= 0)
            read_back = ctx.incidents.detail(created.ref)
            ok = ok and read_back.incident.title == "Self-test incident" and \
                read_back.incident.priority.value == "P2" and len(read_back.timeline) == 1
            window.runner.wait_idle(5000)
            window.close()
        finally:
            ctx.close()
    print("self-test ok" if ok else "self-test FAILED", file=sys.stdout if ok else sys.stderr)
    return 0 if ok else 1
