"""The contact book's use cases: contacts (get, add, update, import), search, freshness and
verification, "who do I call", stakeholders of a service. Each public method is one transaction.

Teams, ladders, rosters, lists and service profiles are edited through ``ContactService.org``
(services/contact_org.py); the read side that resolves them lives in services/contact_directory.py.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import exists, func, or_, select
from sqlalchemy.orm import Session

from imdesk.contacts_io.values import DEFAULT_REGION
from imdesk.domain.contact import ContactKind, ContactRecord
from imdesk.domain.contact_book import (
    DEFAULT_STALE_DAYS,
    CheckOutcome,
    ContactSummary,
    ImportOutcome,
    Recipients,
    SearchHit,
    WhoToCall,
    fold,
    is_stale,
)
from imdesk.domain.contact_clean import CleanRecord, clean_record
from imdesk.domain.errors import NotFoundError, ValidationError
from imdesk.domain.timeline import EntryDraft, EntryKind
from imdesk.services.clock import Clock, SystemClock, default_author
from imdesk.services.contacts import directory
from imdesk.services.contacts.org import OrgService
from imdesk.services.journal import write_entry
from imdesk.storage import contact_repo, incident_repo
from imdesk.storage.contact_models import (
    ContactCheckRow,
    ContactEmailRow,
    ContactPhoneRow,
    ContactRow,
    TeamRow,
)
from imdesk.storage.database import Database
from imdesk.storage.models import ServiceRow, SettingRow

STALE_DAYS_KEY = "contacts.stale_days"
REGION_KEY = "contacts.default_region"
PACK_FOLDER_KEY = "contacts.pack_folder"
SEARCH_LIMIT = 50


@dataclass(frozen=True)
class ReviewCounts:
    stale: int          # not verified within the stale period
    to_check: int       # fresh, but marked or holding a value that did not validate

    @property
    def total(self) -> int:
        return self.stale + self.to_check


@dataclass(frozen=True)
class ContactDetail:
    id: int
    record: ContactRecord
    review: str
    stale: bool
    on_duty: bool
    teams: tuple[str, ...]


class ContactService:
    """The contact book. ``org`` edits teams, ladders, rosters, lists and service profiles."""

    def __init__(self, db: Database, clock: Clock | None = None, author: str | None = None) -> None:
        self._db = db
        self._clock = clock or SystemClock()
        self.author = author or default_author()
        self.org = OrgService(db, self._clock)

    def now(self) -> datetime:
        return self._clock.now()

    # -- settings ----------------------------------------------------------------------------
    def stale_days(self) -> int:
        with self._db.read() as s:
            return int(_setting(s, STALE_DAYS_KEY) or DEFAULT_STALE_DAYS)

    def set_stale_days(self, days: int) -> None:
        if not 1 <= days <= 3650:
            raise ValidationError("stale after", "a contact goes stale after 1 to 3650 days")
        self._put(STALE_DAYS_KEY, days)

    def default_region(self) -> str:
        with self._db.read() as s:
            return str(_setting(s, REGION_KEY) or DEFAULT_REGION)

    def set_default_region(self, region: str) -> None:
        from imdesk.contacts_io.values import _phonenumbers

        code = region.strip().upper()
        if code not in _phonenumbers().SUPPORTED_REGIONS:
            raise ValidationError("default region", f"{region!r} is not a region code such as DE or GB")
        self._put(REGION_KEY, code)

    def pack_folder(self) -> str:
        """Where the emergency pack is written ("" = the data folder's ``emergency-pack``)."""
        with self._db.read() as s:
            return str(_setting(s, PACK_FOLDER_KEY) or "")

    def set_pack_folder(self, folder: str) -> None:
        self._put(PACK_FOLDER_KEY, folder.strip())

    def _put(self, key: str, value: Any) -> None:
        with self._db.write() as s:
            row = s.get(SettingRow, key)
            if row is None:
                s.add(SettingRow(key=key, value=value))
            else:
                row.value = value

    # -- reading -----------------------------------------------------------------------------
    def all_records(self) -> list[tuple[int, ContactRecord]]:
        """Every contact with its id, in name order (what an export writes)."""
        with self._db.read() as s:
            return list(contact_repo.load_records(s).items())

    def get(self, contact_id: int) -> ContactDetail:
        now = self._clock.now()
        with self._db.read() as s:
            row = s.get(ContactRow, contact_id)
            if row is None:
                raise NotFoundError(f"no contact with id {contact_id}")
            rec = contact_repo.load_records(s, [contact_id])[contact_id]
            days = int(_setting(s, STALE_DAYS_KEY) or DEFAULT_STALE_DAYS)
            return ContactDetail(contact_id, rec, row.review, is_stale(rec.last_verified_at, now, days),
                                 contact_id in directory.on_duty_ids(s, now),
                                 tuple(directory.team_names_of(s, contact_id)))

    def find(self, name: str) -> int:
        """The id of the contact with exactly this name (case-insensitive)."""
        with self._db.read() as s:
            ids = list(s.scalars(select(ContactRow.id)
                                 .where(func.lower(ContactRow.name) == name.strip().lower())))
        if not ids:
            raise NotFoundError(f"no contact named {name!r}")
        if len(ids) > 1:
            raise ValidationError("name", f"{len(ids)} contacts are named {name!r}")
        return ids[0]

    def names(self) -> list[tuple[int, str]]:
        """(id, name) of every contact: for resolving names typed into the organisation editor."""
        with self._db.read() as s:
            return [(i, n) for i, n in s.execute(select(ContactRow.id, ContactRow.name))]

    def search(self, query: str, limit: int = SEARCH_LIMIT) -> list[SearchHit]:
        """Prefix search over people (every word of the query starts a word of the name,
        organisation, department, title or tags), teams and services. Services and teams first."""
        now = self._clock.now()
        words = fold(query).split()
        with self._db.read() as s:
            hits = directory.search_services_and_teams(s, words, limit)
            days = int(_setting(s, STALE_DAYS_KEY) or DEFAULT_STALE_DAYS)
            ids = contact_repo.prefix_ids(s, query, limit) if words else []
            hits.extend(self._summaries_as_hits(s, ids, now, days))
        return hits

    def summaries(self, *, stale_only: bool = False, kind: ContactKind | None = None,
                  limit: int | None = None) -> list[ContactSummary]:
        """Contacts for a list, in name order. ``stale_only`` gives the review queue: contacts
        not verified within the stale period, marked (a wrong number), or holding a number or
        address that did not validate."""
        now = self._clock.now()
        with self._db.read() as s:
            stmt = select(ContactRow)
            if stale_only:
                stmt = stmt.where(or_(_stale_clause(s, now), _look_clause()))
            if kind is not None:
                stmt = stmt.where(ContactRow.kind == kind.value)
            stmt = stmt.order_by(func.lower(ContactRow.name), ContactRow.id)
            if limit is not None:
                stmt = stmt.limit(limit)
            rows = list(s.scalars(stmt))
            return directory.summaries(s, rows, now)

    def review_counts(self) -> ReviewCounts:
        """How many contacts are stale, and how many need a look for another reason only
        (marked as a wrong number, or a value that did not validate)."""
        now = self._clock.now()
        with self._db.read() as s:
            stale = _stale_clause(s, now)
            n_stale = s.scalar(select(func.count(ContactRow.id)).where(stale)) or 0
            n_look = s.scalar(select(func.count(ContactRow.id)).where(~stale, _look_clause())) or 0
            return ReviewCounts(int(n_stale), int(n_look))

    def change_marker(self) -> tuple[int, datetime | None]:
        """Changes when any contact changes (count, newest update): a cheap poll for the pack."""
        with self._db.read() as s:
            count, newest = s.execute(select(func.count(ContactRow.id),
                                             func.max(ContactRow.updated_at))).one()
            return int(count), newest

    def _summaries_as_hits(self, s: Session, ids: list[int], now: datetime, days: int) -> list[SearchHit]:
        if not ids:
            return []
        cols = (ContactRow.id, ContactRow.kind, ContactRow.name, ContactRow.job_title,
                ContactRow.organisation, ContactRow.department, ContactRow.account_number,
                ContactRow.last_verified_at, ContactRow.review)
        rows = {r.id: r for r in s.execute(select(*cols).where(ContactRow.id.in_(ids)))}
        duty = directory.on_duty_ids(s, now)
        return [SearchHit(rows[i].kind, i, rows[i].name, directory.subtitle(rows[i]), i in duty,
                          is_stale(rows[i].last_verified_at, now, days), rows[i].review)
                for i in ids if i in rows]

    # -- writing -----------------------------------------------------------------------------
    def add(self, record: ContactRecord) -> int:
        rec = clean_record(record)
        with self._db.write() as s:
            return contact_repo.add_record(s, rec, self._clock.now())

    def update(self, contact_id: int, record: ContactRecord) -> None:
        """Replace a contact's fields, phones, emails and tags. Verification stays as it was
        unless the record carries a newer one."""
        rec = clean_record(record)
        with self._db.write() as s:
            row = self._row(s, contact_id)
            contact_repo.update_record(s, row, _keep_newer_verification(row, rec), self._clock.now())

    def delete(self, contact_id: int) -> None:
        with self._db.write() as s:
            s.delete(self._row(s, contact_id))

    def import_records(self, new: Sequence[ContactRecord | CleanRecord],
                       merges: Sequence[tuple[int, ContactRecord | CleanRecord]],
                       *, author: str) -> ImportOutcome:
        """Add ``new`` contacts and overwrite the contacts named by id in ``merges`` with the
        given records — in ONE transaction: everything is written or nothing is. A record that
        cannot be stored is refused with its position and name (ValidationError, field
        "record N": the new records are 1..len(new), the merges follow). A merge keeps the
        contact's own verification when it is newer than the record's. ``author`` is recorded
        as the one who verified imported contacts that carry a verification time without a
        name.

        A plain ContactRecord is cleaned first (contact_clean.clean_record); a CleanRecord —
        what the file importer builds — is stored as it is, since cleaning it again changes
        nothing and costs a third of a 10,000-contact import's write time."""
        cleaned_new = [_clean_at(i, r, author) for i, r in enumerate(new, start=1)]
        cleaned_merges = [(cid, _clean_at(len(new) + i, r, author))
                          for i, (cid, r) in enumerate(merges, start=1)]
        now = self._clock.now()
        with self._db.write() as s:
            merge_ids = [cid for cid, _ in cleaned_merges]
            found = contact_repo.verifications(s, merge_ids)
            missing = next((cid for cid in merge_ids if cid not in found), None)
            if missing is not None:
                raise NotFoundError(f"the contact to merge into (id {missing}) no longer exists")
            contact_repo.replace_records(
                s, [(cid, _keep_newer(found[cid], rec)) for cid, rec in cleaned_merges], now)
            added = contact_repo.insert_records(s, cleaned_new, now)
        return ImportOutcome(tuple(added), tuple(merge_ids))

    def duplicates_of(self, e164: Sequence[str], addresses: Sequence[str]) -> dict[str, int]:
        """Existing contacts with any of these numbers (E.164) or addresses (any case): for an
        import preview. Keys are the E.164 numbers and the lower-cased addresses."""
        with self._db.read() as s:
            return contact_repo.ids_by_phone_or_email(s, e164, addresses)

    # -- verification ------------------------------------------------------------------------
    def verify(self, contact_id: int, outcome: CheckOutcome | str, *,
               incident_ref: str | None = None) -> ContactDetail:
        """Record a try of the contact's number. Reached: verified now by the desk user (and a
        wrong-number mark is cleared). Wrong number: marked for review. No answer: noted only."""
        result = CheckOutcome(outcome)
        with self._db.write() as s:
            self._check(s, self._row(s, contact_id), result, incident_ref)
        return self.get(contact_id)

    def log_call(self, ref: str, contact_id: int, outcome: CheckOutcome | str, *,
                 number: str = "") -> None:
        """A call made from an incident: a timeline entry of the incident and the contact's
        check, in one transaction (a wrong number marks the contact for review)."""
        result = CheckOutcome(outcome)
        with self._db.write() as s:
            row = incident_repo.get_row(s, ref, for_update=True)
            state = incident_repo.row_state(s, row)
            contact = self._row(s, contact_id)
            now = self._clock.now()
            dialled = f" on {number}" if number else ""
            draft = EntryDraft(EntryKind.COMMUNICATION,
                               f"called {contact.name}{dialled}: {result.label}",
                               {"call": {"contact_id": contact_id, "name": contact.name,
                                         "number": number, "outcome": result.value}})
            write_entry(s, row, state, draft, service_id=row.service_id, author=self.author, now=now)
            self._check(s, contact, result, state.ref)

    def _check(self, s: Session, row: ContactRow, result: CheckOutcome, ref: str | None) -> None:
        now = self._clock.now()
        s.add(ContactCheckRow(contact_id=row.id, outcome=result.value, checked_at=now,
                              checked_by=self.author, incident_ref=ref))
        if result is CheckOutcome.REACHED:
            row.last_verified_at = now
            row.verified_by = self.author
            row.review = ""
        elif result is CheckOutcome.WRONG_NUMBER:
            row.review = f"wrong number reported by {self.author}"
        row.updated_at = now

    def clear_review(self, contact_id: int) -> None:
        with self._db.write() as s:
            row = self._row(s, contact_id)
            row.review = ""
            row.updated_at = self._clock.now()

    def drill_ids(self, *, team: str | None = None, service: str | None = None,
                  stale: bool = False) -> list[int]:
        """Who a verification drill steps through: a team's members, a service's ladder (in
        ladder order), or every contact in the review queue."""
        if sum(x is not None and x is not False for x in (team, service, stale)) != 1:
            raise ValidationError("drill", "a drill goes through one team, one service or the stale")
        if stale:
            return [c.id for c in self.summaries(stale_only=True)]
        with self._db.read() as s:
            if team is not None:
                return directory.team_member_ids(s, directory.team_row(s, team).id)
            return directory.ladder_ids(s, directory.service_row(s, service or ""), self._clock.now())

    # -- who do I call -----------------------------------------------------------------------
    def who_to_call(self, service: str) -> WhoToCall:
        """For a service: its owner team, who of that team is on duty now (and the next
        shift), then the team's escalation ladder with the minutes after the first call at which
        each step begins."""
        now = self._clock.now()
        with self._db.read() as s:
            return directory.who_to_call(s, directory.service_row(s, service), now,
                                         int(_setting(s, STALE_DAYS_KEY) or DEFAULT_STALE_DAYS))

    def stakeholders(self, service: str, priority: str) -> Recipients:
        """Who to inform about an incident of ``service`` at ``priority`` (P1..P5): the service's
        stakeholders for that priority, expanded — a team to its members, a distribution list to
        its people, its teams' members and its plain addresses. Each person once, in name order,
        with their full record (phones, emails, preferred channel); ``addresses`` are list
        addresses that are nobody's email in the book. Use this to pick message recipients."""
        now = self._clock.now()
        with self._db.read() as s:
            return directory.recipients(s, directory.service_row(s, service), priority.strip().upper(),
                                        now, int(_setting(s, STALE_DAYS_KEY) or DEFAULT_STALE_DAYS))

    def on_duty(self, team: str) -> directory.Duty:
        """Who of ``team`` is on duty now, and the next shift after now."""
        with self._db.read() as s:
            return directory.duty(s, directory.team_row(s, team).id, self._clock.now())

    def services(self) -> list[str]:
        with self._db.read() as s:
            return list(s.scalars(select(ServiceRow.name).order_by(func.lower(ServiceRow.name))))

    def teams(self) -> list[str]:
        with self._db.read() as s:
            return list(s.scalars(select(TeamRow.name).order_by(func.lower(TeamRow.name))))

    def _row(self, s: Session, contact_id: int) -> ContactRow:
        row = s.get(ContactRow, contact_id)
        if row is None:
            raise NotFoundError(f"no contact with id {contact_id}")
        return row


def _keep_newer_verification(row: ContactRow, rec: ContactRecord) -> ContactRecord:
    return _keep_newer((row.last_verified_at, row.verified_by), rec)


def _keep_newer(book: tuple[datetime | None, str], rec: ContactRecord) -> ContactRecord:
    """An edit or a merge never makes a contact look less recently verified than it was."""
    at, by = book
    if at is not None and (rec.last_verified_at is None or rec.last_verified_at < at):
        return replace(rec, last_verified_at=at, verified_by=by)
    return rec


def _clean_at(position: int, rec: ContactRecord | CleanRecord, author: str) -> ContactRecord:
    if isinstance(rec, CleanRecord):
        cleaned = rec.record
    else:
        try:
            cleaned = clean_record(rec)
        except ValidationError as exc:
            name = " ".join(rec.name.split())[:60] or "(no name)"
            raise ValidationError(f"record {position}",
                                  f"record {position} ({name}): {exc.field}: {exc.message}") from exc
    if cleaned.last_verified_at is not None and not cleaned.verified_by:
        cleaned = replace(cleaned, verified_by=author[:120])
    return cleaned


def _stale_clause(s: Session, now: datetime) -> Any:
    days = int(_setting(s, STALE_DAYS_KEY) or DEFAULT_STALE_DAYS)
    return or_(ContactRow.last_verified_at.is_(None),
               ContactRow.last_verified_at < now - timedelta(days=days))


def _look_clause() -> Any:
    bad_phone = exists().where(ContactPhoneRow.contact_id == ContactRow.id, ContactPhoneRow.e164.is_(None))
    bad_email = exists().where(ContactEmailRow.contact_id == ContactRow.id, ContactEmailRow.valid.is_(False))
    return or_(ContactRow.review != "", bad_phone, bad_email)


def _setting(s: Session, key: str) -> Any:
    row = s.get(SettingRow, key)
    return None if row is None else row.value
