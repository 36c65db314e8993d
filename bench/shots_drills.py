"""Screenshots of the drills: the Drills pane, a drill running with its banner and a prompt
in the side panel, the trainer's window, and a past drill's scorecard with its signed report.

Called by bench/screenshots.py; on its own: `xvfb-run -a python bench/shots_drills.py`.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def shoot(window: Any, ctx: Any, out: Path, scheme: str, settle: Callable[..., None]) -> None:
    wiring = window.drills
    pane = wiring.pane
    window.show_pane(pane)
    settle(1.0)
    pane.list_view.setCurrentIndex(pane.list_model.index(0, 0))
    settle(0.3)
    window.grab().save(str(out / f"drills-{scheme}.png"))
    # the past drill: scorecard and the signed after-action report
    pane.tabs.setCurrentIndex(1)
    pane.review.reload()
    settle(1.0)
    window.grab().save(str(out / f"drill-scorecard-{scheme}.png"))
    pane.tabs.setCurrentIndex(0)
    # a drill running: the banner, then the call at T+4m as a prompt beside the war room
    pane.speed.setCurrentIndex(pane.speed.findData(60))
    pane.start()
    settle(1.0)
    while wiring.controller.running and not wiring.dock.isVisible():
        wiring.controller.skip()
        settle(0.6)
    wiring.controller.pause()
    settle(0.4)
    window.grab().save(str(out / f"drill-running-{scheme}.png"))
    refs = ctx.drills.service.incident_refs(wiring.controller.player.id)
    if refs:
        window.show_pane(window.incidents)
        window.incidents.reload()
        settle(0.6)
        window.incidents.show_incident(refs[0])
        settle(0.8)
        window.grab().save(str(out / f"drill-incident-{scheme}.png"))
    rooms = ctx.war_rooms.open_rooms()
    if rooms:
        window.war_rooms.reload_rooms(select=rooms[0].ref)
        window.show_pane(window.war_rooms)
        settle(0.8)
        window.grab().save(str(out / f"drill-prompt-war-room-{scheme}.png"))
        window.show_pane(pane)
    wiring.show_trainer()
    settle(0.8)
    wiring.trainer.grab().save(str(out / f"drill-trainer-{scheme}.png"))
    wiring.trainer.close()
    wiring.controller.stop()
    settle(1.0)
    wiring.dock.hide()


def main() -> int:
    from shot_harness import run_alone  # run as a script: bench/ is on the path

    return run_alone(shoot, listener=False)


if __name__ == "__main__":
    raise SystemExit(main())
