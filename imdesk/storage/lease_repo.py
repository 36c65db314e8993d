"""Lease rows: read, lock, write. Functions over a session; the services own the transactions."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.orm import Session

from imdesk.domain.lease import LeaseInfo
from imdesk.storage.lease_models import LeaseRow


def info(row: LeaseRow) -> LeaseInfo:
    return LeaseInfo(row.name, row.desk, row.host, row.pid, row.since, row.renewed_at,
                     row.expires_at)


def all_leases(s: Session) -> list[LeaseInfo]:
    return [info(r) for r in s.scalars(select(LeaseRow).order_by(LeaseRow.name))]


def locked(s: Session, name: str, blank: LeaseRow) -> LeaseRow:
    """The lease's row, locked for this transaction (FOR UPDATE on PostgreSQL; a SQLite write
    transaction holds the whole file). A missing row is created from `blank` first; two desks
    creating it at once both end with the one row."""
    if s.get_bind().dialect.name == "postgresql":
        values = {c.name: getattr(blank, c.name) for c in LeaseRow.__table__.columns}
        s.execute(pg_insert(LeaseRow).values(**values).on_conflict_do_nothing())
    elif s.get(LeaseRow, name) is None:
        s.add(blank)
        s.flush()
    return s.scalars(select(LeaseRow).where(LeaseRow.name == name).with_for_update()).one()
