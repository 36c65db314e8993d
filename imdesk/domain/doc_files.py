"""Markdown files with front matter, for importing and exporting documents (so they can live in
a Git repository too):

    ---
    title: Restart the VPN gateway
    service: VPN
    owner: Priya Nair
    review_days: 180
    ---
    The Markdown text…

Only simple `key: value` lines are read (no YAML library: nothing in a file can run code or
build objects)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from imdesk.domain.docs import DEFAULT_REVIEW_DAYS, check_review_days, check_text, check_title
from imdesk.domain.errors import ValidationError

KEYS = ("title", "service", "team", "owner", "review_days")
_SLUG = re.compile(r"[^a-z0-9]+")


@dataclass(frozen=True)
class DocFile:
    title: str
    text: str
    service: str = ""
    team: str = ""
    owner: str = ""
    review_days: int = DEFAULT_REVIEW_DAYS


def parse(content: str, source: str = "the file") -> DocFile:
    """A file's front matter and text; the title falls back to the first '# heading'."""
    meta: dict[str, str] = {}
    body = content
    lines = content.split("\n")
    if lines and lines[0].strip() == "---":
        try:
            end = next(i for i in range(1, len(lines)) if lines[i].strip() == "---")
        except StopIteration:
            raise ValidationError("front matter", f"{source}: the front matter has no closing ---") from None
        for line in lines[1:end]:
            if not line.strip() or line.lstrip().startswith("#"):
                continue
            key, sep, value = line.partition(":")
            key = key.strip().lower()
            if not sep or key not in KEYS:
                raise ValidationError("front matter",
                                      f"{source}: {line.strip()!r} is not one of {', '.join(KEYS)}")
            meta[key] = value.strip().strip("\"'")
        body = "\n".join(lines[end + 1:]).lstrip("\n")
    title = meta.get("title", "")
    if not title:
        heading = next((ln for ln in body.split("\n") if ln.startswith("# ")), "")
        title = heading[2:]
    try:
        days = int(meta.get("review_days") or DEFAULT_REVIEW_DAYS)
    except ValueError:
        raise ValidationError("review_days", f"{source}: review_days must be a number of days") from None
    try:
        return DocFile(title=check_title(title), text=check_text(body),
                       service=meta.get("service", ""), team=meta.get("team", ""),
                       owner=meta.get("owner", "")[:120], review_days=check_review_days(days))
    except ValidationError as exc:
        raise ValidationError(exc.field, f"{source}: {exc.message}") from None


def render(doc: DocFile) -> str:
    """The file for DOC: front matter, a blank line, the text (ending in a newline)."""
    head = ["---", f"title: {doc.title}"]
    if doc.service:
        head.append(f"service: {doc.service}")
    if doc.team:
        head.append(f"team: {doc.team}")
    if doc.owner:
        head.append(f"owner: {doc.owner}")
    head += [f"review_days: {doc.review_days}", "---", ""]
    text = doc.text if doc.text.endswith("\n") else doc.text + "\n"
    return "\n".join(head) + "\n" + text


def slug(value: str) -> str:
    return _SLUG.sub("-", value.lower()).strip("-")[:60] or "document"


def file_name(doc: DocFile, taken: set[str]) -> str:
    """A stable, readable file name (service--title.md), unique among TAKEN (which it joins)."""
    base = f"{slug(doc.service or doc.team or 'desk')}--{slug(doc.title)}"
    name, n = f"{base}.md", 2
    while name in taken:
        name, n = f"{base}-{n}.md", n + 1
    taken.add(name)
    return name
