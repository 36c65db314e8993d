"""The contact book's use cases: contacts (get, add, update, import), search, freshness,
"who do I call", stakeholders of a service. Each public method is one transaction.

Teams, ladders, rosters, lists and service profiles are edited through ``ContactService.org``
(services/contacts/org.py); the read side that resolves them lives in services/contacts/directory.py;
verification and the call log in services/contacts/checks.py, and the book's settings (stale
days, default region, pack folder) in the settings service (services/settings.py). The methods
of the same names here hand over to those.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime

from sqlalchemy.orm import Session

from imdesk.domain.contact import ContactKind, ContactRecord
from imdesk.domain.contact_book import (
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
from imdesk.services.clock import Clock, SystemClock, default_author
from imdesk.services.contacts import directory
from imdesk.services.contacts.checks import ContactChecks
from imdesk.services.contacts.org import OrgService
from imdesk.services.links.dependencies import DependencyService
from imdesk.services.settings import SettingsService, load_stale_days
from imdesk.storage import contact_repo, org_repo
from imdesk.storage.contact_models import ContactRow
from imdesk.storage.database import Database

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

    def __init__(self, db: Database, clock: Clock | None = None, author: str | None = None,
                 settings: SettingsService | None = None) -> None:
        self._db = db
        self._clock = clock or SystemClock()
        self._settings = settings or SettingsService(db)
        self.checks = ContactChecks(db, self._clock, author or default_author())
        self.org = OrgService(db, self._clock)
        self.dependencies = DependencyService(db)  # services depend on services (org editor)

    @property
    def author(self) -> str:
        return self.checks.author

    @author.setter
    def author(self, value: str) -> None:
        self.checks.author = value

    def now(self) -> datetime:
        return self._clock.now()

    # -- settings (kept in the settings service) ---------------------------------------------
    def stale_days(self) -> int:
        return self._settings.contact_stale_days()

    def set_stale_days(self, days: int) -> None:
        self._settings.set_contact_stale_days(days)

    def default_region(self) -> str:
        return self._settings.contact_region()

    def set_default_region(self, region: str) -> None:
        self._settings.set_contact_region(region)

    def pack_folder(self) -> str:
        """Where the emergency pack is written ("" = the data folder's ``emergency-pack``)."""
        return self._settings.pack_folder()

    def set_pack_folder(self, folder: str) -> None:
        self._settings.set_pack_folder(folder)

    # -- reading -----------------------------------------------------------------------------
    def all_records(self) -> list[tuple[int, ContactRecord]]:
        """Every contact with its id, in name order (what an export writes)."""
        with self._db.read() as s:
            return list(contact_repo.load_records(s).items())

    def get(self, contact_id: int) -> ContactDetail:
        now = self._clock.now()
        with self._db.read() as s:
            row = contact_repo.get_row(s, contact_id)
            rec = contact_repo.load_records(s, [contact_id])[contact_id]
            days = load_stale_days(s)
            return ContactDetail(contact_id, rec, row.review, is_stale(rec.last_verified_at, now, days),
                                 contact_id in directory.on_duty_ids(s, now),
                                 tuple(org_repo.team_names_of(s, contact_id)))

    def find(self, name: str) -> int:
        """The id of the contact with exactly this name (case-insensitive)."""
        with self._db.read() as s:
            ids = contact_repo.ids_named(s, name)
        if not ids:
            raise NotFoundError(f"no contact named {name!r}")
        if len(ids) > 1:
            raise ValidationError("name", f"{len(ids)} contacts are named {name!r}")
        return ids[0]

    def names(self) -> list[tuple[int, str]]:
        """(id, name) of every contact: for resolving names typed into the organisation editor."""
        with self._db.read() as s:
            return contact_repo.names(s)

    def search(self, query: str, limit: int = SEARCH_LIMIT) -> list[SearchHit]:
        """Prefix search over people (every word of the query starts a word of the name,
        organisation, department, title or tags), teams and services. Services and teams first."""
        now = self._clock.now()
        words = fold(query).split()
        with self._db.read() as s:
            hits = directory.search_services_and_teams(s, words, limit)
            days = load_stale_days(s)
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
            queue = (now, load_stale_days(s)) if stale_only else None
            rows = contact_repo.listed(s, review_queue=queue,
                                       kind=kind.value if kind is not None else None, limit=limit)
            return directory.summaries(s, rows, now)

    def review_counts(self) -> ReviewCounts:
        """How many contacts are stale, and how many need a look for another reason only
        (marked as a wrong number, or a value that did not validate)."""
        now = self._clock.now()
        with self._db.read() as s:
            return ReviewCounts(*contact_repo.review_counts(s, now, load_stale_days(s)))

    def change_marker(self) -> tuple[int, datetime | None]:
        """Changes when any contact changes (count, newest update): a cheap poll for the pack."""
        with self._db.read() as s:
            return contact_repo.change_marker(s)

    def _summaries_as_hits(self, s: Session, ids: list[int], now: datetime, days: int) -> list[SearchHit]:
        if not ids:
            return []
        rows = contact_repo.hit_rows(s, ids)
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
            row = contact_repo.get_row(s, contact_id)
            contact_repo.update_record(s, row, _keep_newer_verification(row, rec), self._clock.now())

    def delete(self, contact_id: int) -> None:
        with self._db.write() as s:
            s.delete(contact_repo.get_row(s, contact_id))

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

    # -- verification (services/contacts/checks.py) -------------------------------------------
    def verify(self, contact_id: int, outcome: CheckOutcome | str, *,
               incident_ref: str | None = None) -> ContactDetail:
        """Record a try of the contact's number. Reached: verified now by the desk user (and a
        wrong-number mark is cleared). Wrong number: marked for review. No answer: noted only."""
        self.checks.record(contact_id, outcome, incident_ref=incident_ref)
        return self.get(contact_id)

    def log_call(self, ref: str, contact_id: int, outcome: CheckOutcome | str, *,
                 number: str = "") -> None:
        """A call made from an incident: a timeline entry of the incident and the contact's
        check, in one transaction (a wrong number marks the contact for review)."""
        self.checks.log_call(ref, contact_id, outcome, number=number)

    def clear_review(self, contact_id: int) -> None:
        self.checks.clear_review(contact_id)

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
                return directory.team_member_ids(s, org_repo.team_row(s, team).id)
            return directory.ladder_ids(s, org_repo.service_row(s, service or ""), self._clock.now())

    # -- who do I call -----------------------------------------------------------------------
    def who_to_call(self, service: str) -> WhoToCall:
        """For a service: its owner team, who of that team is on duty now (and the next
        shift), then the team's escalation ladder with the minutes after the first call at which
        each step begins."""
        now = self._clock.now()
        with self._db.read() as s:
            return directory.who_to_call(s, org_repo.service_row(s, service), now, load_stale_days(s))

    def stakeholders(self, service: str, priority: str) -> Recipients:
        """Who to inform about an incident of ``service`` at ``priority`` (P1..P5): the service's
        stakeholders for that priority, expanded — a team to its members, a distribution list to
        its people, its teams' members and its plain addresses. Each person once, in name order,
        with their full record (phones, emails, preferred channel); ``addresses`` are list
        addresses that are nobody's email in the book. Use this to pick message recipients."""
        now = self._clock.now()
        with self._db.read() as s:
            return directory.recipients(s, org_repo.service_row(s, service), priority.strip().upper(),
                                        now, load_stale_days(s))

    def on_duty(self, team: str) -> directory.Duty:
        """Who of ``team`` is on duty now, and the next shift after now."""
        with self._db.read() as s:
            return directory.duty(s, org_repo.team_row(s, team).id, self._clock.now())

    def services(self) -> list[str]:
        with self._db.read() as s:
            return org_repo.service_names(s)

    def teams(self) -> list[str]:
        with self._db.read() as s:
            return org_repo.team_names(s)


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
