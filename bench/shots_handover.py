"""Screenshots of the Handover pane: this shift's draft, the previous (taken over) handover, and
the take-over dialog. Called by screenshots.py; `python bench/shots_handover.py` shoots only these
(on a fresh demo database)."""

from __future__ import annotations

import sys
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
    from shot_harness import run_alone  # run as a script: bench/ is on the path

    return run_alone(shoot)


if __name__ == "__main__":
    sys.exit(main())
