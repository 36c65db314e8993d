"""Contact name parts: given, family, middle, prefix, suffix, nickname and phonetic name as columns.

Before this revision an import kept name parts the display name lacks in the notes, as an
"Also known as: …" line, a nickname as "Nickname: …" and Apple's phonetic names as "Phonetic first
name: …" lines (all searchable). Those lines move into the new columns here, and go from the notes;
the downgrade writes them back.

Revision ID: 0011
Revises: 0006
Create Date: 2026-12-05
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

PARTS = ("given_name", "family_name", "middle_name", "name_prefix", "name_suffix", "nickname",
         "phonetic_name")
_PHONETIC = ("phonetic first name:", "phonetic middle name:", "phonetic last name:")


def parts_from_notes(notes: str) -> tuple[dict[str, str], str]:
    """The name parts the notes hold as "label: value" lines, and the notes without those lines.

    "Also known as: Jörg Peter Müller" was written as prefix, given, middle, family and suffix
    joined by blanks; read back, the first word is the given name, the last the family name and
    any between the middle name (a prefix or suffix cannot be told apart from them any more)."""
    found: dict[str, str] = {}
    phonetic: dict[str, str] = {}
    kept: list[str] = []
    for line in notes.split("\n"):
        label, sep, value = line.partition(":")
        key = label.strip().lower() + ":"
        value = value.strip()
        if not sep or not value:
            kept.append(line)
        elif key == "also known as:" and "given_name" not in found and "family_name" not in found:
            words = value.split()
            found["given_name"] = words[0][:100]
            if len(words) > 1:
                found["family_name"] = words[-1][:100]
            if len(words) > 2:
                found["middle_name"] = " ".join(words[1:-1])[:100]
        elif key == "nickname:" and "nickname" not in found:
            found["nickname"] = value[:100]
        elif key in _PHONETIC and key not in phonetic:
            phonetic[key] = value
        else:
            kept.append(line)
    if phonetic:
        found["phonetic_name"] = " ".join(phonetic[k] for k in _PHONETIC if k in phonetic)[:200]
    text = "\n".join(kept)
    while "\n\n\n" in text:
        text = text.replace("\n\n\n", "\n\n")
    return found, text.strip("\n")


def notes_from_parts(parts: dict[str, str], notes: str) -> str:
    """The downgrade: the parts back as notes lines."""
    lines = []
    aka = " ".join(parts.get(k) or "" for k in ("name_prefix", "given_name", "middle_name",
                                                 "family_name", "name_suffix")).split()
    if aka:
        lines.append("Also known as: " + " ".join(aka))
    if parts.get("nickname"):
        lines.append("Nickname: " + str(parts["nickname"]))
    if parts.get("phonetic_name"):
        lines.append("Phonetic name: " + str(parts["phonetic_name"]))
    return "\n\n".join(p for p in (notes, "\n".join(lines)) if p)


_contact = sa.table("contact", sa.column("id", sa.Integer), sa.column("notes", sa.Text),
                    *(sa.column(p, sa.String) for p in PARTS))
_term = sa.table("contact_term", sa.column("term", sa.String), sa.column("contact_id", sa.Integer))


def upgrade() -> None:
    with op.batch_alter_table("contact") as batch:
        for part in PARTS:
            size = 200 if part == "phonetic_name" else 100
            batch.add_column(sa.Column(part, sa.String(size), nullable=False, server_default=""))
    conn = op.get_bind()
    like = sa.or_(*(sa.func.lower(_contact.c.notes).like(f"%{label}%")
                    for label in ("also known as:", "nickname:", "phonetic ")))
    rows = conn.execute(sa.select(_contact.c.id, _contact.c.notes).where(like)).all()
    from imdesk.domain.contact_book import search_terms

    for cid, notes in rows:
        found, rest = parts_from_notes(notes or "")
        if not found:
            continue
        conn.execute(sa.update(_contact).where(_contact.c.id == cid).values(notes=rest, **found))
        have = set(conn.scalars(sa.select(_term.c.term).where(_term.c.contact_id == cid)))
        new = sorted(search_terms(*found.values()) - have)
        if new:
            conn.execute(sa.insert(_term), [{"term": t, "contact_id": cid} for t in new])


def downgrade() -> None:
    conn = op.get_bind()
    rows = conn.execute(sa.select(_contact.c.id, _contact.c.notes,
                                  *(_contact.c[p] for p in PARTS))).all()
    for row in rows:
        parts = {p: getattr(row, p) for p in PARTS if getattr(row, p)}
        if parts:
            conn.execute(sa.update(_contact).where(_contact.c.id == row.id)
                         .values(notes=notes_from_parts(parts, row.notes or "")))
    with op.batch_alter_table("contact") as batch:
        for part in reversed(PARTS):
            batch.drop_column(part)
