"""Runbooks and documents, the pure parts: what a document and a version look like to a front
end, when a document is due for review, the line diff between two versions, and the limits a
document's text must keep. Front matter for the Markdown files lives in domain/doc_files.py."""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from datetime import datetime, timedelta

from imdesk.domain.errors import ValidationError

DEFAULT_REVIEW_DAYS = 180
MAX_TEXT_BYTES = 1_000_000  # a Markdown file over 1 MB is refused
TITLE_MAX = 200


@dataclass(frozen=True)
class DocSummary:
    """A document as lists show it (no text)."""

    id: int
    title: str
    service: str  # "" when it belongs to a team
    team: str  # "" when it belongs to a service
    owner: str
    review_days: int
    last_reviewed_at: datetime | None
    reviewed_by: str
    version: int
    updated_at: datetime
    created_at: datetime
    retired: bool = False

    @property
    def due_at(self) -> datetime:
        return review_due(self.last_reviewed_at or self.created_at, self.review_days)

    def stale(self, now: datetime) -> bool:
        return not self.retired and is_stale_doc(self.last_reviewed_at or self.created_at,
                                                 self.review_days, now)

    @property
    def scope(self) -> str:
        return self.service or (f"team {self.team}" if self.team else "")


@dataclass(frozen=True)
class DocVersion:
    """One saved version of a document: never changed after it is written."""

    document_id: int
    number: int
    title: str
    text: str
    author: str
    saved_at: datetime


@dataclass(frozen=True)
class Document:
    summary: DocSummary
    current: DocVersion
    versions: tuple[tuple[int, str, datetime], ...]  # (number, author, saved_at), newest first


@dataclass(frozen=True)
class DocHit:
    """A search hit in a document's newest version; the snippet marks hits with « »."""

    document_id: int
    title: str
    service: str
    snippet: str


def review_due(reviewed: datetime, days: int) -> datetime:
    return reviewed + timedelta(days=days)


def is_stale_doc(reviewed: datetime, days: int, now: datetime) -> bool:
    """Stale from the moment the review interval has run out."""
    return now >= review_due(reviewed, days)


def check_title(title: str) -> str:
    cleaned = " ".join(title.split())
    if not cleaned:
        raise ValidationError("title", "a document needs a title")
    if len(cleaned) > TITLE_MAX:
        raise ValidationError("title", f"a title has at most {TITLE_MAX} characters")
    return cleaned


def check_text(text: str) -> str:
    size = len(text.encode("utf-8", "surrogatepass"))
    if size > MAX_TEXT_BYTES:
        raise ValidationError("text", f"the document is {size:,} bytes; at most 1 MB is kept")
    if "\x00" in text:
        raise ValidationError("text", "the document holds a NUL character; it is not text")
    return text.replace("\r\n", "\n")


def check_review_days(days: int) -> int:
    if not 1 <= days <= 3650:
        raise ValidationError("review interval", "a review interval is 1 to 3650 days")
    return days


def decode_text(data: bytes, source: str = "the file") -> str:
    """Bytes of a Markdown file as text: UTF-8 (a BOM is dropped), at most 1 MB."""
    if len(data) > MAX_TEXT_BYTES:
        raise ValidationError("file", f"{source} is {len(data):,} bytes; at most 1 MB is read")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ValidationError("file", f"{source} is not UTF-8 text") from None
    return check_text(text)


def diff_lines(old: str, new: str, context: int = 3) -> list[tuple[str, str]]:
    """The changes from OLD to NEW as (mark, line): '+' added, '-' removed, ' ' unchanged
    context, '@' the start of a hunk ("lines 12–18")."""
    out: list[tuple[str, str]] = []
    a, b = old.splitlines(), new.splitlines()
    for group in difflib.SequenceMatcher(None, a, b, autojunk=False).get_grouped_opcodes(context):
        first, last = group[0], group[-1]
        out.append(("@", f"lines {first[3] + 1}–{last[4]}"))
        for tag, i1, i2, j1, j2 in group:
            if tag == "equal":
                out.extend((" ", line) for line in a[i1:i2])
                continue
            out.extend(("-", line) for line in a[i1:i2])
            out.extend(("+", line) for line in b[j1:j2])
    return out


def unified_diff(old: str, new: str, old_name: str, new_name: str) -> str:
    return "".join(difflib.unified_diff(old.splitlines(keepends=True), new.splitlines(keepends=True),
                                        old_name, new_name))
