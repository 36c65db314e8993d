"""A folder of Markdown files with front matter in and out of the documents, so they can be kept
in a Git repository too. Import reads and checks every file first (UTF-8, at most 1 MB, a
title, a known service or team) and then writes all of them in one transaction — or nothing: a
document with the same service and title gets a new version when its text differs."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from imdesk.domain import doc_files
from imdesk.domain.doc_files import DocFile
from imdesk.domain.docs import MAX_TEXT_BYTES, decode_text
from imdesk.domain.errors import ValidationError
from imdesk.files import PathRefused, read_capped
from imdesk.services.docs.service import DocService
from imdesk.storage import doc_repo, org_repo

MAX_FILES = 10_000


@dataclass(frozen=True)
class ImportResult:
    added: tuple[str, ...]
    updated: tuple[str, ...]
    unchanged: tuple[str, ...]


def _folder(path: Path) -> Path:
    if not path.is_dir():
        raise PathRefused(f"{path}: not a folder")
    return path


def read_folder(folder: Path) -> list[tuple[str, DocFile]]:
    """Every *.md file under FOLDER (sorted), parsed; the first bad one stops it all."""
    files = sorted(p for p in _folder(folder).rglob("*.md") if ".git" not in p.parts)
    if len(files) > MAX_FILES:
        raise ValidationError("folder", f"{folder} holds more than {MAX_FILES:,} Markdown files")
    out: list[tuple[str, DocFile]] = []
    for path in files:
        name = str(path.relative_to(folder))
        try:
            data = read_capped(path, cap=MAX_TEXT_BYTES, what="Markdown file")
        except PathRefused as exc:
            if "at most" in str(exc):
                raise ValidationError("file", f"{name} is larger than 1 MB") from None
            raise
        doc = doc_files.parse(decode_text(data, name), name)
        if not doc.service and not doc.team:
            raise ValidationError("service", f"{name}: the front matter names no service or team")
        out.append((name, doc))
    return out


def import_folder(docs: DocService, folder: Path) -> ImportResult:
    files = read_folder(folder)
    added: list[str] = []
    updated: list[str] = []
    same: list[str] = []
    db, now, author = docs.db, docs.now(), docs.author
    with db.write() as s:
        for name, f in files:
            try:
                sid = org_repo.service_row(s, f.service).id if f.service else None
                tid = org_repo.team_row(s, f.team).id if f.team and sid is None else None
            except LookupError as exc:
                raise ValidationError("service", f"{name}: {exc}") from None
            row = doc_repo.find_row(s, f.title, sid, tid)
            if row is None:
                row = docs.new_row_in(s, f.service, f.team if sid is None else "", f.owner,
                                    f.review_days)
                doc_repo.append_version(s, row, f.title, f.text, author, now)
                added.append(name)
                continue
            current = doc_repo.version(s, row.id, row.current_version)
            changed = current.text.rstrip("\n") != f.text.rstrip("\n")
            if changed:
                doc_repo.append_version(s, row, f.title, f.text, author, now)
            if f.owner and f.owner != row.owner:
                row.owner, changed = f.owner, True
            if f.review_days != row.review_days:
                row.review_days, changed = f.review_days, True
            (updated if changed else same).append(name)
            if changed:
                row.updated_at = now
    return ImportResult(tuple(added), tuple(updated), tuple(same))


def export_folder(docs: DocService, folder: Path) -> list[str]:
    """Every live document as FOLDER/<service>--<title>.md (written whole, then renamed)."""
    if folder.exists() and not folder.is_dir():
        raise PathRefused(f"{folder}: not a folder")
    folder.mkdir(parents=True, exist_ok=True)
    summaries = docs.documents()
    with docs.db.read() as s:
        texts = doc_repo.current_texts(s, [d.id for d in summaries])
    taken: set[str] = set()
    names: list[str] = []
    for d in summaries:
        f = DocFile(title=d.title, text=texts.get(d.id, ""), service=d.service, team=d.team,
                    owner=d.owner, review_days=d.review_days)
        name = doc_files.file_name(f, taken)
        target = folder / name
        tmp = folder / f".{name}.tmp"
        tmp.write_text(doc_files.render(f), encoding="utf-8")
        os.replace(tmp, target)
        names.append(name)
    return names
