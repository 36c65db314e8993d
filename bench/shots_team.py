"""Screenshots of team mode: the incident detail and the war room with each line's author and
desk, the desk in the status bar, and the Name this desk dialog (with a refused name).
Called by screenshots.py; `xvfb-run -a python bench/shots_team.py` takes only these."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def shoot(window: Any, ctx: Any, out: Path, scheme: str, settle: Callable[..., None]) -> None:
    from imdesk.qt.team.desk_dialog import DeskNameDialog
    from imdesk.qt.team.wiring import TeamWiring

    settle(1.0)  # the late features (team mode among them) are in by now
    if window.findChild(TeamWiring) is None:
        window._start_secondary()
        settle(0.5)
    rooms = ctx.war_rooms.open_rooms()
    if rooms:
        ref = rooms[0].ref
        window.show_pane(window.incidents)
        window.incidents.show_incident(ref)
        settle(1.0)
        window.grab().save(str(out / f"team-detail-desks-{scheme}.png"))
        window.war_rooms.reload_rooms(select=ref)
        window.show_pane(window.war_rooms)
        settle(1.0)
        window.grab().save(str(out / f"team-war-room-desks-{scheme}.png"))
    dialog = DeskNameDialog(window, ctx.desk)
    dialog.edit.setText("x" * 64)
    dialog.show()
    dialog.accept()  # refused: says why, keeps the text
    settle(0.3)
    dialog.grab().save(str(out / f"team-desk-name-{scheme}.png"))
    dialog.done(0)


if __name__ == "__main__":
    from bench.shot_harness import run_alone

    sys.exit(run_alone(shoot))
