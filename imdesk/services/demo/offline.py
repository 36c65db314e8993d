"""The demo's team mode offline: the MIM laptop lost the network for a few minutes during the
open major incident, kept writing into its replica, and its lines were merged when it came back
— they show in the war room marked "written offline (MIM laptop)", under the merge's line. Made
with the real replica, spool and merge (a throwaway replica in a temp folder)."""

from __future__ import annotations

import tempfile
from datetime import datetime, timedelta
from pathlib import Path

from imdesk.domain.desk import Desk
from imdesk.services.clock import ManualClock
from imdesk.services.desk.merge import merge
from imdesk.services.desk.replica import open_replica, refresh
from imdesk.services.incidents import IncidentService
from imdesk.storage.database import Database

DESK = Desk("MIM laptop", "mim-laptop", "Sam Okafor")
# (minutes before now, kind, text)
LINES = [
    (11, "note", "VPN to the office dropped on the MIM laptop: carrying on from the replica"),
    (8, "decision", "keep outbound mail on the DC2 relay until the vendor confirms the fix"),
    (5, "action", "ask the mail vendor for the queue-drain ETA @Sam"),
]


def seed_demo_offline(db: Database, incidents: IncidentService, now: datetime) -> int:
    """Merge a few lines written offline on the MIM laptop into the open major; returns them."""
    from imdesk.services.demo.links import _open_major

    master = _open_major(incidents)
    if master is None:
        return 0
    with tempfile.TemporaryDirectory(prefix="imdesk-demo-replica-") as folder:
        replica = open_replica(Path(folder) / "replica.sqlite", DESK)
        try:
            refresh(db, replica, now - timedelta(minutes=12), full=True)
            clock = ManualClock(now)
            laptop = IncidentService(replica, clock=clock, author=DESK.user)
            for minutes, kind, text in LINES:
                clock.set(now - timedelta(minutes=minutes))
                laptop.add_entry(master.ref, text, kind)
            return merge(db, replica, now).entries
        finally:
            replica.dispose()
