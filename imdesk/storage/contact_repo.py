"""Contact rows ↔ ContactRecord: loading many at once (four queries, not one per contact), writing a
record with its phones, emails, tags and search terms, the prefix search over the terms, and the
book's lists and counts (by name, the review queue, the change marker)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, Table, bindparam, delete, exists, func, insert, or_, select, update
from sqlalchemy.orm import Session

from imdesk.domain.contact import (
    NAME_FIELDS,
    Channel,
    ContactKind,
    ContactRecord,
    Email,
    EmailKind,
    Phone,
    PhoneKind,
)
from imdesk.domain.contact_book import fold, search_terms
from imdesk.domain.errors import NotFoundError
from imdesk.gc_pause import collector_paused
from imdesk.storage.contact_models import (
    ContactEmailRow,
    ContactPhoneRow,
    ContactRow,
    ContactTagRow,
    ContactTermRow,
)

_CONTACT: Table = ContactRow.__table__  # type: ignore[assignment]
_CHILDREN: tuple[Table, ...] = (ContactPhoneRow.__table__, ContactEmailRow.__table__,  # type: ignore[assignment]
                                ContactTagRow.__table__, ContactTermRow.__table__)
_CHUNK = 500  # ids per IN (...) list: well under SQLite's and PostgreSQL's parameter limits


def _chunks(ids: Sequence[int]) -> Iterable[Sequence[int]]:
    for start in range(0, len(ids), _CHUNK):
        yield ids[start:start + _CHUNK]


def load_records(s: Session, ids: Sequence[int] | None = None) -> dict[int, ContactRecord]:
    """Records by id (all contacts when ``ids`` is None), in name order."""
    rows: list[ContactRow] = []
    phones: dict[int, list[Phone]] = defaultdict(list)
    emails: dict[int, list[Email]] = defaultdict(list)
    tags: dict[int, list[str]] = defaultdict(list)
    groups: Iterable[Sequence[int] | None] = [None] if ids is None else _chunks(list(ids))
    for group in groups:
        def where(col: Any, group: Sequence[int] | None = group) -> Any:
            return col.in_(group) if group is not None else col.is_not(None)

        rows.extend(s.scalars(select(ContactRow).where(where(ContactRow.id))))
        for p in s.execute(select(ContactPhoneRow.contact_id, ContactPhoneRow.kind, ContactPhoneRow.raw,
                                  ContactPhoneRow.e164).where(where(ContactPhoneRow.contact_id))
                           .order_by(ContactPhoneRow.contact_id, ContactPhoneRow.position)):
            phones[p[0]].append(Phone(PhoneKind(p[1]), p[2], p[3]))
        for e in s.execute(select(ContactEmailRow.contact_id, ContactEmailRow.kind,
                                  ContactEmailRow.address, ContactEmailRow.valid)
                           .where(where(ContactEmailRow.contact_id))
                           .order_by(ContactEmailRow.contact_id, ContactEmailRow.position)):
            emails[e[0]].append(Email(EmailKind(e[1]), e[2], bool(e[3])))
        for t in s.execute(select(ContactTagRow.contact_id, ContactTagRow.tag)
                           .where(where(ContactTagRow.contact_id)).order_by(ContactTagRow.tag)):
            tags[t[0]].append(t[1])
    rows.sort(key=lambda r: (fold(r.name), r.id))
    return {r.id: to_record(r, phones[r.id], emails[r.id], tags[r.id]) for r in rows}


def to_record(r: ContactRow, phones: Sequence[Phone], emails: Sequence[Email],
              tags: Sequence[str]) -> ContactRecord:
    return ContactRecord(
        name=r.name, kind=ContactKind(r.kind), job_title=r.job_title, organisation=r.organisation,
        department=r.department, phones=tuple(phones), emails=tuple(emails),
        preferred_channel=Channel(r.preferred_channel), time_zone=r.time_zone, notes=r.notes,
        tags=tuple(tags), account_number=r.account_number, last_verified_at=r.last_verified_at,
        verified_by=r.verified_by, review=r.review,
        **{key: getattr(r, key) or "" for key in _NAME_KEYS})


_NAME_KEYS = tuple(key for key, _ in NAME_FIELDS)
_SCALARS = ("name", "kind", "job_title", "organisation", "department", "preferred_channel", "time_zone",
            "notes", "account_number", "last_verified_at", "verified_by", *_NAME_KEYS)


def _scalar_values(rec: ContactRecord) -> tuple[Any, ...]:
    """A record's own columns of the contact row, in the order of ``_SCALARS``."""
    return (rec.name, rec.kind.value, rec.job_title, rec.organisation, rec.department,
            rec.preferred_channel.value, rec.time_zone, rec.notes, rec.account_number,
            rec.last_verified_at, rec.verified_by, *(getattr(rec, key) for key in _NAME_KEYS))


def _scalar_fields(rec: ContactRecord) -> dict[str, Any]:
    return dict(zip(_SCALARS, _scalar_values(rec), strict=True))


def insert_records(s: Session, records: Sequence[ContactRecord], now: datetime) -> list[int]:
    """Insert many records with their children: one executemany per table (Core, not the ORM:
    an import writes 10,000 contacts and ten times as many child rows). The new ids, in the order
    of ``records``: on PostgreSQL from RETURNING, on SQLite given to the rows (see below)."""
    if not records:
        return []
    with collector_paused():
        return _insert_records(s.connection(), records, now)


def _insert_records(conn: Connection, records: Sequence[ContactRecord], now: datetime) -> list[int]:
    if conn.dialect.name == "sqlite":
        # The write transaction holds SQLite's write lock (BEGIN IMMEDIATE): nobody else inserts
        # before it ends, so the new ids are the ones SQLite itself would give (the largest id
        # plus 1, 2, …). Given explicitly, the rows go in one plain executemany; RETURNING in
        # parameter order costs SQLAlchemy half the write time of 10,000 contacts here.
        start = conn.scalar(select(func.max(_CONTACT.c.id))) or 0
        ids = list(range(start + 1, start + 1 + len(records)))
        rows = [(cid, *_scalar_values(rec), rec.review, now, now)
                for cid, rec in zip(ids, records, strict=True)]
        _insert_many(conn, _CONTACT, ("id", *_SCALARS, "review", "created_at", "updated_at"), rows)
    else:
        stmt = insert(_CONTACT).returning(_CONTACT.c.id, sort_by_parameter_order=True)
        ids = list(conn.execute(stmt, [{**_scalar_fields(rec), "review": rec.review, "created_at": now,
                                        "updated_at": now} for rec in records]).scalars())
    _insert_children(conn, list(zip(ids, records, strict=True)))
    return ids


def replace_records(s: Session, records: Sequence[tuple[int, ContactRecord]], now: datetime) -> None:
    """Overwrite existing contacts (id, record) with their children, in bulk statements: one
    executemany UPDATE, one DELETE per child table and chunk of ids, one executemany INSERT per
    child table. The contacts' review marks and creation times stay."""
    if not records:
        return
    conn = s.connection()
    conn.execute(update(_CONTACT).where(_CONTACT.c.id == bindparam("contact_key")),
                 [{**_scalar_fields(rec), "updated_at": now, "contact_key": cid} for cid, rec in records])
    ids = [cid for cid, _ in records]
    for table in _CHILDREN:
        for group in _chunks(ids):
            conn.execute(delete(table).where(table.c.contact_id.in_(group)))
    _insert_children(conn, records)


def verifications(s: Session, ids: Sequence[int]) -> dict[int, tuple[datetime | None, str]]:
    """(last verified at, by whom) of the contacts with these ids; a missing id is left out."""
    found: dict[int, tuple[datetime | None, str]] = {}
    for group in _chunks(list(ids)):
        stmt = select(ContactRow.id, ContactRow.last_verified_at, ContactRow.verified_by)
        for cid, at, by in s.execute(stmt.where(ContactRow.id.in_(group))):
            found[cid] = (at, by)
    return found


def _insert_children(conn: Connection, pairs: Sequence[tuple[int, ContactRecord]]) -> None:
    phones = [(cid, i, p.kind.value, p.raw, p.e164) for cid, rec in pairs for i, p in enumerate(rec.phones)]
    emails = [(cid, i, e.kind.value, e.address, e.valid)
              for cid, rec in pairs for i, e in enumerate(rec.emails)]
    tags = [(cid, t) for cid, rec in pairs for t in sorted(set(rec.tags))]
    terms = [(t, cid) for cid, rec in pairs for t in sorted(record_terms(rec))]
    _insert_many(conn, _CHILDREN[0], ("contact_id", "position", "kind", "raw", "e164"), phones)
    _insert_many(conn, _CHILDREN[1], ("contact_id", "position", "kind", "address", "valid"), emails)
    _insert_many(conn, _CHILDREN[2], ("contact_id", "tag"), tags)
    _insert_many(conn, _CHILDREN[3], ("term", "contact_id"), terms)


def _insert_many(conn: Connection, table: Table, columns: Sequence[str],
                 rows: list[tuple[Any, ...]]) -> None:
    """One executemany of ``rows`` (values in the order of ``columns``; in the table's own order
    they need no reordering) handed straight to the driver: the statement is compiled once by
    SQLAlchemy for the connection's dialect, and each value goes through its column type's own
    bind processor (a UTC time to what the dialect stores) — without SQLAlchemy's general per-row
    parameter handling, which took as long as the driver's own insert of 100,000 search terms."""
    if not rows:
        return
    compiled = insert(table).compile(dialect=conn.dialect, column_keys=list(columns))
    convert = [(i, proc) for i, name in enumerate(columns)
               if (proc := table.c[name].type.bind_processor(conn.dialect)) is not None]
    if convert:
        rows = [_converted(row, convert) for row in rows]
    order = compiled.positiontup
    if order is not None:       # qmark / format: values by position
        index = [columns.index(name) for name in order]
        params: list[Any] = rows if index == list(range(len(columns))) else [
            tuple(row[i] for i in index) for row in rows]
    else:                       # named / pyformat: values by name
        params = [dict(zip(columns, row, strict=True)) for row in rows]
    conn.exec_driver_sql(str(compiled), params)


def _converted(row: tuple[Any, ...], convert: list[tuple[int, Any]]) -> tuple[Any, ...]:
    values = list(row)
    for i, proc in convert:
        values[i] = proc(values[i])
    return tuple(values)


def add_record(s: Session, rec: ContactRecord, now: datetime) -> int:
    row = ContactRow(**_scalar_fields(rec), review=rec.review, created_at=now, updated_at=now)
    s.add(row)
    s.flush()
    _insert_children(s.connection(), [(row.id, rec)])
    return row.id


def update_record(s: Session, row: ContactRow, rec: ContactRecord, now: datetime) -> None:
    for key, value in _scalar_fields(rec).items():
        setattr(row, key, value)
    row.updated_at = now
    s.flush()
    conn = s.connection()
    for table in _CHILDREN:
        conn.execute(delete(table).where(table.c.contact_id == row.id))
    _insert_children(conn, [(row.id, rec)])


def record_terms(rec: ContactRecord) -> set[str]:
    """The words a contact is found by: its name and the name's parts (given, family, middle,
    nickname, phonetic, …), organisation, department, title, contract number and tags."""
    return search_terms(rec.name, rec.organisation, rec.department, rec.job_title, rec.account_number,
                        *rec.tags, *(getattr(rec, key) for key in _NAME_KEYS))


def prefix_ids(s: Session, query: str, limit: int) -> list[int]:
    """Contacts with, for every word of ``query``, a term starting with it; in name order."""
    words = sorted(search_terms(query), key=len, reverse=True)[:4]
    if not words:
        return []
    # SQLite: walk the name index and probe the matches, stopping at ``limit`` — a short prefix
    # matches thousands of contacts, and sorting them all first is what costs (3× slower).
    stmt = select(ContactRow.id).with_hint(ContactRow, "INDEXED BY ix_contact_name", "sqlite")
    for word in words:
        hit = (select(ContactTermRow.contact_id)
               .where(ContactTermRow.term >= word, ContactTermRow.term < word + "\uffff",
                      ContactTermRow.term.startswith(word, autoescape=True)))
        stmt = stmt.where(ContactRow.id.in_(hit))
    stmt = stmt.order_by(func.lower(ContactRow.name), ContactRow.id).limit(limit)
    return list(s.scalars(stmt))


def ids_by_phone_or_email(s: Session, e164: Iterable[str], addresses: Iterable[str]) -> dict[str, int]:
    """Existing contacts sharing a number (E.164) or an address (lower-case): key → contact id."""
    found: dict[str, int] = {}
    numbers = sorted(set(e164))
    for group in _chunks_str(numbers):
        for num, cid in s.execute(select(ContactPhoneRow.e164, ContactPhoneRow.contact_id)
                                  .where(ContactPhoneRow.e164.in_(group))):
            if num is not None:
                found.setdefault(num, cid)
    lowered = sorted({a.lower() for a in addresses})
    for group in _chunks_str(lowered):
        for addr, cid in s.execute(select(func.lower(ContactEmailRow.address), ContactEmailRow.contact_id)
                                   .where(func.lower(ContactEmailRow.address).in_(group))):
            found.setdefault(addr, cid)
    return found


def _chunks_str(values: Sequence[str]) -> Iterable[Sequence[str]]:
    for start in range(0, len(values), _CHUNK):
        yield values[start:start + _CHUNK]


# -- the book's lists and counts ---------------------------------------------------------------
def get_row(s: Session, contact_id: int) -> ContactRow:
    row = s.get(ContactRow, contact_id)
    if row is None:
        raise NotFoundError(f"no contact with id {contact_id}")
    return row


def ids_named(s: Session, name: str) -> list[int]:
    """Contacts with exactly this name, any case."""
    return list(s.scalars(select(ContactRow.id).where(func.lower(ContactRow.name) == name.strip().lower())))


def names(s: Session) -> list[tuple[int, str]]:
    return [(i, n) for i, n in s.execute(select(ContactRow.id, ContactRow.name))]


def ids_of_kinds(s: Session, kinds: Sequence[str]) -> list[int]:
    return list(s.scalars(select(ContactRow.id).where(ContactRow.kind.in_(kinds))))


def reviews(s: Session, ids: Sequence[int]) -> dict[int, str]:
    """The review mark of these contacts ("" when none)."""
    return dict(s.execute(select(ContactRow.id, ContactRow.review)  # type: ignore[arg-type]
                          .where(ContactRow.id.in_(ids))).all())


def _stale_clause(now: datetime, days: int) -> Any:
    """Not verified within ``days`` before ``now``."""
    return or_(ContactRow.last_verified_at.is_(None),
               ContactRow.last_verified_at < now - timedelta(days=days))


def _look_clause() -> Any:
    """Marked for review, or holding a number or address that did not validate."""
    bad_phone = exists().where(ContactPhoneRow.contact_id == ContactRow.id, ContactPhoneRow.e164.is_(None))
    bad_email = exists().where(ContactEmailRow.contact_id == ContactRow.id, ContactEmailRow.valid.is_(False))
    return or_(ContactRow.review != "", bad_phone, bad_email)


def listed(s: Session, *, review_queue: tuple[datetime, int] | None, kind: str | None,
           limit: int | None) -> list[ContactRow]:
    """Contacts in name order, of ``kind`` if given. With ``review_queue`` (now, stale days) only
    those in the review queue: not verified within the stale days, marked, or holding a number
    or address that did not validate."""
    stmt = select(ContactRow)
    if review_queue is not None:
        stmt = stmt.where(or_(_stale_clause(*review_queue), _look_clause()))
    if kind is not None:
        stmt = stmt.where(ContactRow.kind == kind)
    stmt = stmt.order_by(func.lower(ContactRow.name), ContactRow.id)
    if limit is not None:
        stmt = stmt.limit(limit)
    return list(s.scalars(stmt))


def review_counts(s: Session, now: datetime, days: int) -> tuple[int, int]:
    """(stale, fresh but marked or holding a value that did not validate)."""
    stale = _stale_clause(now, days)
    n_stale = s.scalar(select(func.count(ContactRow.id)).where(stale)) or 0
    n_look = s.scalar(select(func.count(ContactRow.id)).where(~stale, _look_clause())) or 0
    return int(n_stale), int(n_look)


def change_marker(s: Session) -> tuple[int, datetime | None]:
    """(count, newest update) of all contacts."""
    count, newest = s.execute(select(func.count(ContactRow.id), func.max(ContactRow.updated_at))).one()
    return int(count), newest


def hit_rows(s: Session, ids: Sequence[int]) -> dict[int, Any]:
    """What a search hit shows of each of these contacts, by id."""
    cols = (ContactRow.id, ContactRow.kind, ContactRow.name, ContactRow.job_title,
            ContactRow.organisation, ContactRow.department, ContactRow.account_number,
            ContactRow.last_verified_at, ContactRow.review)
    return {r.id: r for r in s.execute(select(*cols).where(ContactRow.id.in_(ids)))}


def first_phones_and_flags(s: Session, ids: Sequence[int]) -> tuple[dict[int, str], set[int]]:
    """The first number of each contact (E.164, else as written), and the contacts holding a
    number or address that did not validate."""
    first: dict[int, str] = {}
    flagged: set[int] = set()
    for group in _chunks(list(ids)):
        for cid, e164, raw in s.execute(select(ContactPhoneRow.contact_id, ContactPhoneRow.e164,
                                               ContactPhoneRow.raw)
                                        .where(ContactPhoneRow.contact_id.in_(group))
                                        .order_by(ContactPhoneRow.contact_id, ContactPhoneRow.position)):
            first.setdefault(cid, e164 or raw)
            if e164 is None:
                flagged.add(cid)
        flagged.update(s.scalars(select(ContactEmailRow.contact_id).where(
            ContactEmailRow.contact_id.in_(group), ContactEmailRow.valid.is_(False))))
    return first, flagged
