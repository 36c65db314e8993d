"""Screenshots of the Handover pane: this shift's draft, the previous (taken over) handover, and
the take-over dialog. Called by screenshots.py; `python bench/shots_handover.py` shoots only these
(on a fresh demo database)."""

from __future__ import annotations

import os
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


def shoot(window: Any, ctx: Any, out: Path, scheme: str, settle: Callable[[float], None]) -> None:
    from imdesk.qt.handover.dialogs import TakeOverDialog

    wiring = window.handover
    if wiring is None:
        return
    wiring.show_pane()
    pane = wiring.pane
    pane.show_current()
    settle(1.2)
    window.grab().save(str(out / f"handover-{scheme}.png"))
    pane.show_previous()
    settle(1.2)
    window.grab().save(str(out / f"handover-previous-{scheme}.png"))
    dialog = TakeOverDialog(window, "Kim Nguyen", "Sam Okafor")
    dialog.synthesis.setPlainText("INC-1197 is mine: the queue drains; I send the next update at "
                                  "14:30 and call the vendor if it grows again.")
    dialog.show()
    settle(0.3)
    dialog.grab().save(str(out / f"handover-take-over-{scheme}.png"))
    dialog.done(0)
    pane.show_current()


def main() -> int:
    sys.path.insert(0, str(ROOT))
    out = ROOT / "shots"
    out.mkdir(exist_ok=True)
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

    for scheme in ("light", "dark"):
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
    return 0


if __name__ == "__main__":
    sys.exit(main())
