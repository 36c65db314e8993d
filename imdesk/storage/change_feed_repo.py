"""The change feed: written in the transaction of the change it announces, read by other desks
from their last counter.

On PostgreSQL one statement inserts the row and queues `NOTIFY imdesk_changes,
'<counter>:<desk>'` (delivered by the server on commit, dropped on rollback): one round trip per
commit. SQLite files have one desk and keep their cheap change detection (PRAGMA data_version),
so nothing is written there.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import bindparam, func, select, text
from sqlalchemy.orm import Session

from imdesk.domain.desk import Change, parse_change
from imdesk.storage.models import UTCDateTime
from imdesk.storage.team_models import ChangeFeedRow

__all__ = ["CHANNEL", "Change", "latest", "parse_change", "record"]

CHANNEL = "imdesk_changes"
KEEP = 20_000  # rows kept; a desk further behind than this reloads everything
PRUNE_EVERY = 1_000

_INSERT_AND_NOTIFY = text(
    "WITH c AS (INSERT INTO change_feed (desk, what, at) VALUES (:desk, :what, :at) "
    "RETURNING counter) "
    f"SELECT counter, pg_notify('{CHANNEL}', counter || ':' || :desk) FROM c"
).bindparams(bindparam("at", type_=UTCDateTime()))


def record(s: Session, *, desk: str, what: Iterable[str], at: datetime) -> int:
    """Add the row for this commit and announce it (PostgreSQL); its counter."""
    names = ",".join(sorted(set(what)))[:4000]
    counter = int(s.execute(_INSERT_AND_NOTIFY, {"desk": desk, "what": names, "at": at})
                  .scalar_one())
    if counter % PRUNE_EVERY == 0:
        s.execute(text("DELETE FROM change_feed WHERE counter <= :old"), {"old": counter - KEEP})
    return counter


def latest(s: Session) -> int:
    """The newest counter (0 when nothing was recorded)."""
    return int(s.scalar(select(func.coalesce(func.max(ChangeFeedRow.counter), 0))) or 0)


SINCE_SQL = "SELECT counter, desk, what FROM change_feed WHERE counter > %s ORDER BY counter LIMIT %s"
