"""Runbooks and documents: add, save (always a new version), show any version, the diff between
two, review (still right), retire, the stale list for the review queue, search, and the runbooks
of every service for the emergency pack. Each public method is one unit of work."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from imdesk.domain.docs import (
    DocHit,
    DocSummary,
    Document,
    check_review_days,
    check_text,
    check_title,
    diff_lines,
)
from imdesk.domain.errors import ValidationError
from imdesk.services.clock import Clock, SystemClock, default_author
from imdesk.services.docs.settings import DocSettings
from imdesk.storage import doc_repo, org_repo
from imdesk.storage.database import Database
from imdesk.storage.doc_models import DocumentRow


@dataclass(frozen=True)
class Runbook:
    title: str
    text: str
    owner: str
    version: int
    last_reviewed_at: datetime | None


class DocService:
    def __init__(self, db: Database, clock: Clock | None = None, author: str | None = None) -> None:
        self.db = db
        self._clock = clock or SystemClock()
        self.author = author or default_author()
        self.settings = DocSettings(db)

    def now(self) -> datetime:
        return self._clock.now()

    # -- reading --------------------------------------------------------------------------------
    def documents(self, *, service: str = "", team: str = "", stale: bool = False,
             include_retired: bool = False) -> list[DocSummary]:
        with self.db.read() as s:
            sid = org_repo.service_row(s, service).id if service else None
            tid = org_repo.team_row(s, team).id if team else None
            return doc_repo.summaries(s, service_id=sid, team_id=tid, include_retired=include_retired,
                                      due_before=self.now() if stale else None)

    def stale(self) -> list[DocSummary]:
        """Live documents whose review interval has run out, the longest overdue first."""
        return sorted(self.documents(stale=True), key=lambda d: d.due_at)

    def stale_count(self) -> int:
        return len(self.documents(stale=True))

    def get(self, doc_id: int, version: int | None = None) -> Document:
        """The document with its newest version (or VERSION) and the list of all versions."""
        with self.db.read() as s:
            summary = doc_repo.summary(s, doc_id)
            number = summary.version if version is None else version
            return Document(summary, doc_repo.version(s, doc_id, number),
                            tuple(doc_repo.version_list(s, doc_id)))

    def diff(self, doc_id: int, old: int, new: int) -> list[tuple[str, str]]:
        with self.db.read() as s:
            a, b = doc_repo.version(s, doc_id, old), doc_repo.version(s, doc_id, new)
        lines = diff_lines(a.text, b.text)
        if a.title != b.title:
            lines[:0] = [("@", "title"), ("-", a.title), ("+", b.title)]
        return lines

    def search(self, query: str, limit: int = 20) -> list[DocHit]:
        with self.db.read() as s:
            return doc_repo.search(s, query, limit)

    def runbooks(self) -> dict[str, list[Runbook]]:
        """Every live document of every service, by service name: the emergency pack's pages."""
        with self.db.read() as s:
            docs = [d for d in doc_repo.summaries(s) if d.service]
            texts = doc_repo.current_texts(s, [d.id for d in docs])
        out: dict[str, list[Runbook]] = {}
        for d in docs:
            out.setdefault(d.service, []).append(Runbook(d.title, texts.get(d.id, ""), d.owner,
                                                         d.version, d.last_reviewed_at))
        return out

    def change_marker(self) -> tuple[int, datetime | None]:
        with self.db.read() as s:
            count, last = s.execute(select(func.count(DocumentRow.id),
                                           func.max(DocumentRow.updated_at))).one()
            return int(count), last

    # -- writing --------------------------------------------------------------------------------
    def add(self, service: str, title: str, text: str, *, owner: str = "", team: str = "",
            review_days: int | None = None) -> DocSummary:
        """A new document for SERVICE (or TEAM) with its first version; reviewed now."""
        clean_title, body = check_title(title), check_text(text)
        days = check_review_days(review_days) if review_days is not None else self.settings.review_days()
        with self.db.write() as s:
            row = self.new_row_in(s, service, team, owner, days)
            doc_repo.append_version(s, row, clean_title, body, self.author, self.now())
            s.flush()
            return doc_repo.summary(s, row.id)

    def new_row_in(self, s: Session, service: str, team: str, owner: str, days: int) -> DocumentRow:
        if not service.strip() and not team.strip():
            raise ValidationError("service", "a document belongs to a service or a team")
        now = self.now()
        row = DocumentRow(
            title="", owner=" ".join(owner.split())[:120], review_days=days, last_reviewed_at=now,
            reviewed_by=self.author, current_version=0, retired_by="", created_at=now, updated_at=now,
            service_id=org_repo.service_row(s, service).id if service.strip() else None,
            team_id=org_repo.team_row(s, team).id if team.strip() and not service.strip() else None)
        s.add(row)
        s.flush()
        return row

    def save(self, doc_id: int, title: str, text: str) -> DocSummary:
        """A new version (who, when); the earlier ones stay. Editing counts as a review."""
        clean_title, body = check_title(title), check_text(text)
        with self.db.write() as s:
            row = doc_repo.get_row(s, doc_id)
            if row.retired_at is not None:
                raise ValidationError("document", f"document {doc_id} is retired")
            now = self.now()
            current = doc_repo.version(s, doc_id, row.current_version)
            if (current.title, current.text) != (clean_title, body):
                doc_repo.append_version(s, row, clean_title, body, self.author, now)
            row.last_reviewed_at, row.reviewed_by, row.updated_at = now, self.author, now
            s.flush()
            return doc_repo.summary(s, doc_id)

    def set_details(self, doc_id: int, *, owner: str | None = None,
                    review_days: int | None = None) -> DocSummary:
        with self.db.write() as s:
            row = doc_repo.get_row(s, doc_id)
            if owner is not None:
                row.owner = " ".join(owner.split())[:120]
            if review_days is not None:
                row.review_days = check_review_days(review_days)
            row.updated_at = self.now()
            s.flush()
            return doc_repo.summary(s, doc_id)

    def reviewed(self, doc_id: int) -> DocSummary:
        """Still right: reviewed now, by the person at the desk."""
        with self.db.write() as s:
            row = doc_repo.get_row(s, doc_id)
            if row.retired_at is not None:
                raise ValidationError("document", f"document {doc_id} is retired")
            now = self.now()
            row.last_reviewed_at, row.reviewed_by, row.updated_at = now, self.author, now
            s.flush()
            return doc_repo.summary(s, doc_id)

    def retire(self, doc_id: int) -> DocSummary:
        """No longer in use: out of lists, search and the pack; its versions stay."""
        with self.db.write() as s:
            row = doc_repo.get_row(s, doc_id)
            now = self.now()
            row.retired_at, row.retired_by, row.updated_at = now, self.author, now
            s.flush()
            return doc_repo.summary(s, doc_id)
