"""Outbox queries: what the sender picks, polls, expires and recovers, and what the outbox
screens list. Functions over a session; the services own the transactions."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import and_, func, select, update
from sqlalchemy.orm import Session

from imdesk.domain.message import MessageChannel, MessageState
from imdesk.storage.models import IncidentRow
from imdesk.storage.outbox_models import OutboxMessageRow

_LOAD_CHUNK = 500

# What a list of messages shows of each, compared to tell a changed message from a known one
# (services/comms/outbox.py builds the same tuple from an item).
MARK_COLUMNS = (OutboxMessageRow.state, OutboxMessageRow.attempts, OutboxMessageRow.step,
                OutboxMessageRow.channel, OutboxMessageRow.address, OutboxMessageRow.last_error,
                OutboxMessageRow.possible_duplicate, OutboxMessageRow.sending_since.is_not(None),
                OutboxMessageRow.updated_at, OutboxMessageRow.next_attempt_at,
                OutboxMessageRow.not_after)


# -- the sender ---------------------------------------------------------------------------------
def load(s: Session, ids: list[int]) -> dict[int, OutboxMessageRow]:
    """Rows by id in one query per 500 (not one query and one flush per message)."""
    rows: dict[int, OutboxMessageRow] = {}
    for start in range(0, len(ids), _LOAD_CHUNK):
        chunk = ids[start:start + _LOAD_CHUNK]
        rows.update((m.id, m) for m in s.scalars(select(OutboxMessageRow).where(
            OutboxMessageRow.id.in_(chunk))))
    return rows


def sending_claims(s: Session) -> list[tuple[int, str, datetime | None, datetime]]:
    """(id, claim holder, claim expiry, last change) of every message "sending"."""
    m = OutboxMessageRow
    rows = s.execute(select(m.id, m.lease_holder, m.lease_expires, m.updated_at).where(
        m.state == MessageState.SENDING.value).order_by(m.id)).all()
    return [(r[0], r[1], r[2], r[3]) for r in rows]


def sending_locked(s: Session, ids: list[int]) -> Sequence[OutboxMessageRow]:
    """These messages if still "sending", locked (others taking them over right now skipped)."""
    return s.scalars(select(OutboxMessageRow).where(
        OutboxMessageRow.id.in_(ids), OutboxMessageRow.state == MessageState.SENDING.value)
        .order_by(OutboxMessageRow.id).with_for_update(skip_locked=True)).all()


def renew_claims(s: Session, holder: str, until: datetime) -> int:
    """Extend the claims this holder has on messages it is sending."""
    result = s.execute(update(OutboxMessageRow).where(
        OutboxMessageRow.state == MessageState.SENDING.value,
        OutboxMessageRow.lease_holder == holder).values(lease_expires=until)
        .execution_options(synchronize_session=False))
    return int(getattr(result, "rowcount", 0) or 0)


def queued(s: Session) -> Sequence[OutboxMessageRow]:
    """Every queued message (due or not)."""
    return s.scalars(select(OutboxMessageRow).where(
        OutboxMessageRow.state == MessageState.QUEUED.value)).all()


def expired_queued(s: Session, now: datetime) -> Sequence[OutboxMessageRow]:
    """Queued messages whose not-after time has passed, in id order."""
    return s.scalars(select(OutboxMessageRow).where(
        OutboxMessageRow.state == MessageState.QUEUED.value,
        OutboxMessageRow.not_after <= now).order_by(OutboxMessageRow.id)).all()


def next_due(s: Session) -> datetime | None:
    """When the next queued message or delivery check is due."""
    value: datetime | None = s.scalar(select(func.min(OutboxMessageRow.next_attempt_at)).where(
        OutboxMessageRow.state.in_((MessageState.QUEUED.value, MessageState.SENT.value)),
        OutboxMessageRow.next_attempt_at.is_not(None)))
    return value


def sms_to_poll(s: Session, now: datetime, limit: int) -> list[tuple[int, list[dict[str, Any]], int, str]]:
    """(id, route, step, provider id) of sent SMS whose delivery check is due, in id order."""
    rows = s.execute(select(OutboxMessageRow.id, OutboxMessageRow.route,
                            OutboxMessageRow.step, OutboxMessageRow.provider_id).where(
        OutboxMessageRow.state == MessageState.SENT.value,
        OutboxMessageRow.channel == MessageChannel.SMS.value,
        OutboxMessageRow.next_attempt_at <= now).order_by(OutboxMessageRow.id)
        .limit(limit)).all()
    return [(r[0], r[1], r[2], r[3]) for r in rows]


def due_heads(s: Session, now: datetime, limit: int) -> Sequence[OutboxMessageRow]:
    """Due queued messages (not the manual lane) that are first in line for their incident and
    recipient among those queued or sending: per incident and recipient, one after the other."""
    blocker = (select(OutboxMessageRow.incident_id, OutboxMessageRow.recipient,
                      func.min(OutboxMessageRow.id).label("first"))
               .where(OutboxMessageRow.state.in_((MessageState.QUEUED.value,
                                                  MessageState.SENDING.value)))
               .group_by(OutboxMessageRow.incident_id, OutboxMessageRow.recipient).subquery())
    return s.scalars(select(OutboxMessageRow).join(blocker, and_(
        blocker.c.incident_id == OutboxMessageRow.incident_id,
        blocker.c.recipient == OutboxMessageRow.recipient,
        blocker.c.first == OutboxMessageRow.id)).where(
        OutboxMessageRow.state == MessageState.QUEUED.value,
        OutboxMessageRow.next_attempt_at <= now,
        OutboxMessageRow.channel != MessageChannel.MANUAL.value,
    ).order_by(OutboxMessageRow.id).limit(limit)).all()


def email_threads(s: Session, incident_ids: Iterable[int],
                  recipients: Iterable[str] | None = None) -> dict[tuple[int, str], list[tuple[int, str]]]:
    """(incident id, recipient) → (id, Message-ID) of its messages on the email channel, in
    order: the mail thread each new email to that person about that incident joins (only these
    recipients' threads when they are given)."""
    out: dict[tuple[int, str], list[tuple[int, str]]] = {}
    query = (select(OutboxMessageRow.incident_id, OutboxMessageRow.recipient, OutboxMessageRow.id,
                    OutboxMessageRow.message_id)
             .where(OutboxMessageRow.incident_id.in_(set(incident_ids)),
                    OutboxMessageRow.channel == MessageChannel.EMAIL.value))
    if recipients is not None:
        query = query.where(OutboxMessageRow.recipient.in_(set(recipients)))
    for inc, who, ident, mid in s.execute(query.order_by(OutboxMessageRow.id)):
        out.setdefault((inc, who), []).append((ident, mid))
    return out


def incident_refs(s: Session, incident_ids: Iterable[int]) -> dict[int, str]:
    return dict(s.execute(select(IncidentRow.id, IncidentRow.ref).where(
        IncidentRow.id.in_(set(incident_ids)))).all())


def provider_ids_by_address(s: Session, addresses: Iterable[str]) -> dict[str, set[str]]:
    """The provider ids every message to these addresses was given (to recognise a send that
    went out before an interruption)."""
    known: dict[str, set[str]] = {}
    for addr, pid in s.execute(select(OutboxMessageRow.address, OutboxMessageRow.provider_id).where(
            OutboxMessageRow.address.in_(set(addresses)),
            OutboxMessageRow.provider_id != "")).all():
        known.setdefault(addr, set()).add(pid)
    return known


# -- the outbox screens -------------------------------------------------------------------------
def marks(s: Session, states: Sequence[MessageState], limit: int) -> Sequence[Any]:
    """(id, *MARK_COLUMNS) of the newest messages, optionally in some states."""
    m = OutboxMessageRow
    q = select(m.id, *MARK_COLUMNS)
    if states:
        q = q.where(m.state.in_([st.value for st in states]))
    return s.execute(q.order_by(m.id.desc()).limit(limit)).all()


def with_refs(s: Session, ids: Sequence[int]) -> list[tuple[OutboxMessageRow, str]]:
    """These messages with their incident's ref."""
    m = OutboxMessageRow
    rows = s.execute(select(m, IncidentRow.ref).join(
        IncidentRow, IncidentRow.id == m.incident_id).where(m.id.in_(ids))).all()
    return [(row, ref) for row, ref in rows]


def newest(s: Session, *, states: Sequence[MessageState] = (), ref: str | None = None,
           limit: int = 1000) -> list[tuple[OutboxMessageRow, str]]:
    """Messages with their incident's ref, newest first."""
    q = select(OutboxMessageRow, IncidentRow.ref).join(
        IncidentRow, IncidentRow.id == OutboxMessageRow.incident_id)
    if states:
        q = q.where(OutboxMessageRow.state.in_([st.value for st in states]))
    if ref:
        q = q.where(IncidentRow.ref == ref)
    rows = s.execute(q.order_by(OutboxMessageRow.id.desc()).limit(limit)).all()
    return [(row, r) for row, r in rows]


def one_with_ref(s: Session, message_id: int) -> tuple[OutboxMessageRow, str] | None:
    found = s.execute(select(OutboxMessageRow, IncidentRow.ref).join(
        IncidentRow, IncidentRow.id == OutboxMessageRow.incident_id)
        .where(OutboxMessageRow.id == message_id)).first()
    return None if found is None else (found[0], found[1])


def state_counts(s: Session) -> list[tuple[str, int]]:
    rows = s.execute(select(OutboxMessageRow.state, func.count())
                     .group_by(OutboxMessageRow.state)).all()
    return [(state, int(n)) for state, n in rows]


def pending_count(s: Session) -> int:
    """Messages the sender still has work for: waiting, in flight, or an SMS whose delivery is
    still being checked."""
    return int(s.scalar(select(func.count()).select_from(OutboxMessageRow).where(
        OutboxMessageRow.state.in_((MessageState.QUEUED.value, MessageState.SENDING.value,
                                    MessageState.SENT.value)),
        OutboxMessageRow.next_attempt_at.is_not(None)
        | (OutboxMessageRow.state == MessageState.SENDING.value))) or 0)
