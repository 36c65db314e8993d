"""Screenshots of team mode offline: the banner over the panes while offline (on the demo's war
room, where the MIM laptop's lines merged earlier are marked "written offline"), the banner after
the merge, and the conflicts dialog. The demo is a desk's own file, so the banner and the
conflicts are the wiring's own text and dialog fed with a status and conflicts made here.
Called by screenshots.py; `xvfb-run -a python bench/shots_spool.py` takes only these."""

from __future__ import annotations

import sys
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def shoot(window: Any, ctx: Any, out: Path, scheme: str, settle: Callable[..., None]) -> None:
    from imdesk.qt.spool.conflicts_dialog import ConflictsDialog
    from imdesk.qt.spool.wiring import BANNER, STYLE, banner_text
    from imdesk.services.desk.spool import Conflict, SpoolStatus

    now = ctx.now()
    rooms = ctx.war_rooms.open_rooms()
    if rooms:
        window.war_rooms.reload_rooms(select=rooms[0].ref)
        window.show_pane(window.war_rooms)
    status = SpoolStatus(now - timedelta(minutes=13), 17, now - timedelta(minutes=13), 0)
    window.banner.set_fixed(BANNER, banner_text(status, now), STYLE)
    settle(1.0)
    window.grab().save(str(out / f"spool-offline-banner-{scheme}.png"))
    window.banner.set_fixed(BANNER, None)
    window.show_banner("Back online: merged 17 entries written offline; INC-OFF-MIMLAPTOP-1 is "
                       "now INC-1214; 1 conflict to settle (Ctrl+Shift+K).")
    settle(0.5)
    window.grab().save(str(out / f"spool-back-online-{scheme}.png"))
    dialog = ConflictsDialog(window, lambda _id, _apply: None)
    ref = rooms[0].ref if rooms else "INC-1042"
    dialog.show_conflicts([
        Conflict(1, ref, "status", "mail relay fixed by the vendor", "resolved", "Sam Okafor",
                 "MIM laptop (sam@mim-laptop)", now - timedelta(minutes=9),
                 "a cancelled incident is final and cannot become resolved", "open"),
        Conflict(2, "INC-1188", "status", "waiting for the carrier", "on_hold", "Kim Nguyen",
                 "SPOC desk (kim@spoc-1)", now - timedelta(minutes=6),
                 "cannot go from resolved to on_hold (allowed: closed, in_progress)", "open"),
    ])
    dialog.show()
    settle(0.6)
    dialog.grab().save(str(out / f"spool-conflicts-{scheme}.png"))
    dialog.done(0)


def main() -> int:
    from shot_harness import run_alone  # run as a script: bench/ is on the path

    return run_alone(shoot)


if __name__ == "__main__":
    sys.exit(main())
