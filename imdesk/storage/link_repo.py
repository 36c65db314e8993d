"""Rows of incident links and service dependencies, and the candidate query of similar hints."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, or_, select, text
from sqlalchemy.orm import Session

from imdesk.domain.lifecycle import OPEN_STATUSES
from imdesk.domain.similar import Candidate
from imdesk.storage.link_models import IncidentLinkRow, ServiceDependencyRow
from imdesk.storage.models import IncidentRow, ServiceRow

CALLER, RELATED = "caller", "related"
RECENT_ENTRIES = 20_000  # "recent timeline text": the newest entries across the desk
CANDIDATES = 60


@dataclass(frozen=True)
class LinkView:
    """A link seen from one incident: the other incident and what the link says."""

    kind: str           # caller | related
    role: str           # "master" (the other is my master), "caller" (the other calls me), "related"
    ref: str
    title: str
    status: str
    caller_name: str
    caller_contact: str
    reached_via: str
    author: str
    created_at: datetime


def link_between(s: Session, a: int, b: int) -> IncidentLinkRow | None:
    return s.scalars(select(IncidentLinkRow).where(or_(
        (IncidentLinkRow.incident_id == a) & (IncidentLinkRow.other_id == b),
        (IncidentLinkRow.incident_id == b) & (IncidentLinkRow.other_id == a)))).first()


def master_of(s: Session, incident_id: int) -> IncidentLinkRow | None:
    return s.scalars(select(IncidentLinkRow).where(
        IncidentLinkRow.incident_id == incident_id, IncidentLinkRow.kind == CALLER)).first()


def links_of(s: Session, incident_id: int) -> list[IncidentLinkRow]:
    return list(s.scalars(select(IncidentLinkRow).where(or_(
        IncidentLinkRow.incident_id == incident_id, IncidentLinkRow.other_id == incident_id))
        .order_by(IncidentLinkRow.created_at, IncidentLinkRow.id)))


def caller_rows(s: Session, master_id: int) -> list[IncidentLinkRow]:
    return list(s.scalars(select(IncidentLinkRow).where(
        IncidentLinkRow.other_id == master_id, IncidentLinkRow.kind == CALLER)
        .order_by(IncidentLinkRow.created_at, IncidentLinkRow.id)))


def views(s: Session, incident_id: int) -> list[LinkView]:
    out: list[LinkView] = []
    for link in links_of(s, incident_id):
        other_id = link.other_id if link.incident_id == incident_id else link.incident_id
        other = s.get(IncidentRow, other_id)
        assert other is not None
        mine = link.incident_id == incident_id
        role = ("master" if mine else "caller") if link.kind == CALLER else RELATED
        out.append(LinkView(link.kind, role, other.ref, other.title, other.status,
                            link.caller_name, link.caller_contact, link.reached_via,
                            link.author, link.created_at))
    return out


def caller_counts(s: Session, master_ids: Iterable[int]) -> dict[int, int]:
    ids = [int(i) for i in master_ids]
    if not ids:
        return {}
    rows = s.execute(text(
        f"SELECT other_id, count(*) FROM incident_link WHERE kind = '{CALLER}' AND other_id IN "
        f"({', '.join(map(str, ids))}) GROUP BY other_id"))
    return {int(r[0]): int(r[1]) for r in rows}


def caller_counts_by_ref(s: Session, refs: Iterable[str]) -> dict[str, int]:
    wanted = list(refs)
    if not wanted:
        return {}
    rows = s.execute(select(IncidentRow.ref, func.count()).join(
        IncidentLinkRow, IncidentLinkRow.other_id == IncidentRow.id).where(
        IncidentLinkRow.kind == CALLER, IncidentRow.ref.in_(wanted)).group_by(IncidentRow.ref))
    return {str(r[0]): int(r[1]) for r in rows}


def masters_by_id(s: Session, ids: Iterable[int]) -> dict[int, int]:
    wanted = [int(i) for i in ids]
    if not wanted:
        return {}
    rows = s.execute(text(
        f"SELECT incident_id, other_id FROM incident_link WHERE kind = '{CALLER}' AND "
        f"incident_id IN ({', '.join(map(str, wanted))})"))
    return {int(r[0]): int(r[1]) for r in rows}


def delete_link(s: Session, link: IncidentLinkRow) -> None:
    s.execute(delete(IncidentLinkRow).where(IncidentLinkRow.id == link.id))


# -- similar hints ---------------------------------------------------------------------------
_OPEN = tuple(sorted(st.value for st in OPEN_STATUSES))


def similar_candidates(s: Session, terms: list[str]) -> list[Candidate]:
    """Open incidents whose ref, title, description, service or recent timeline text has a
    word starting with one of `terms` (OR), best full-text rank first, at most CANDIDATES;
    a caller-linked incident stands for its master."""
    if not terms:
        return []
    sqlite = s.get_bind().dialect.name == "sqlite"
    status_in = ", ".join(f"'{v}'" for v in _OPEN)
    params: dict[str, object] = {"n": CANDIDATES}
    if sqlite:  # the open incidents' own index (migration 0009)
        found = _open_fts_candidates(s, terms)
        direct = [(i, title.split(" ", 1)[-1]) for i, title, _notes in found]
        recent = [(i, notes[-300:]) for i, _title, notes in found if notes]
    else:
        from imdesk.storage.models import PG_INCIDENT_TSVECTOR

        newest = s.execute(text("SELECT coalesce(max(id), 0) FROM timeline_entry")).scalar_one()
        params["since"] = int(newest) - RECENT_ENTRIES
        params["q"] = " | ".join(f"{t}:*" for t in terms)
        direct = [(int(r[0]), str(r[1])) for r in s.execute(text(
            f"SELECT incident.id, incident.title FROM incident WHERE {PG_INCIDENT_TSVECTOR} @@ "
            f"to_tsquery('simple', :q) AND incident.status IN ({status_in}) "
            f"AND NOT incident.exercise ORDER BY ts_rank({PG_INCIDENT_TSVECTOR}, "
            "to_tsquery('simple', :q)) DESC LIMIT :n"), params)]
        recent = [(int(r[0]), str(r[1])) for r in s.execute(text(
            "SELECT e.incident_id, e.text FROM timeline_entry e JOIN incident i "
            "ON i.id = e.incident_id WHERE to_tsvector('simple', e.text) @@ "
            f"to_tsquery('simple', :q) AND e.id > :since AND i.status IN ({status_in}) "
            "AND NOT i.exercise ORDER BY e.id DESC LIMIT :n"), params)]
    extra: dict[int, list[str]] = {}
    for incident_id, entry_text in recent:
        extra.setdefault(int(incident_id), []).append(str(entry_text)[-300:])
    titles = {int(i): str(t) for i, t in direct}
    ids = list(dict.fromkeys([*titles, *extra]))
    masters = masters_by_id(s, ids)
    for caller, master in masters.items():  # a caller's wording teaches its master's hint
        if caller in titles:
            extra.setdefault(master, []).append(titles[caller])
    ids = list(dict.fromkeys(masters.get(i, i) for i in ids))
    for caller, master in masters.items():
        extra.setdefault(master, []).extend(extra.pop(caller, []))
    if not ids:
        return []
    counts = caller_counts(s, ids)
    rows = s.execute(text(
        "SELECT id, ref, title, description, service_name, priority, major, status FROM incident "
        f"WHERE id IN ({', '.join(str(int(i)) for i in ids)})")).all()
    by_id = {int(r.id): r for r in rows if r.status in _OPEN}
    return [Candidate(i, r.ref, r.title,
                      " ".join([r.description[:300], r.service_name or "", *extra.get(i, [])]),
                      r.service_name, r.priority, bool(r.major), counts.get(i, 0))
            for i in ids if (r := by_id.get(i)) is not None]


def _open_fts_candidates(s: Session, terms: list[str]) -> list[tuple[int, str, str]]:
    """Bounded work per keystroke, whatever the words: the newest open incidents having every
    word, the newest having any word, and every open major or master (incident with callers).
    Ranking all hits of a common word in the index would cost time in proportion to the hits
    (100 ms at 3,000 hits); the caller ranks these few in Python."""
    fts = ("SELECT rowid, title, notes FROM open_incident_fts WHERE open_incident_fts MATCH :q "
           "ORDER BY rowid DESC LIMIT :n")
    rows: list[Any] = []
    if len(terms) > 1:
        rows += s.execute(text(fts), {"q": " AND ".join(f'"{t}"*' for t in terms), "n": 30}).all()
    rows += s.execute(text(fts), {"q": " OR ".join(f'"{t}"*' for t in terms), "n": 40}).all()
    masters = s.execute(text(  # few: the index on major, the link table's index on other_id
        f"SELECT id FROM incident WHERE major = 1 AND status IN "
        f"({', '.join(repr(v) for v in _OPEN)}) UNION SELECT DISTINCT other_id FROM incident_link "
        f"WHERE kind = '{CALLER}' LIMIT 60")).scalars().all()
    for master in masters:  # by rowid, one at a time: "rowid IN (…)" would scan the table
        rows += s.execute(text("SELECT rowid, title, notes FROM open_incident_fts "
                               "WHERE rowid = :id"), {"id": int(master)}).all()
    seen: dict[int, tuple[int, str, str]] = {}
    for r in rows:
        seen.setdefault(int(r[0]), (int(r[0]), str(r[1]), str(r[2] or "")))
    return list(seen.values())


# -- service dependencies --------------------------------------------------------------------
def dependency_edges(s: Session) -> dict[str, list[str]]:
    """Every service by name with the names of the services it depends on."""
    names = {int(r.id): str(r.name) for r in s.execute(select(ServiceRow.id, ServiceRow.name))}
    edges: dict[str, list[str]] = {n: [] for n in names.values()}
    for r in s.execute(select(ServiceDependencyRow.service_id, ServiceDependencyRow.depends_on_id)
                       .order_by(ServiceDependencyRow.id)):
        edges[names[int(r.service_id)]].append(names[int(r.depends_on_id)])
    return edges


def set_dependencies(s: Session, service_id: int, depends_on: list[int]) -> None:
    s.execute(delete(ServiceDependencyRow).where(ServiceDependencyRow.service_id == service_id))
    for dep in dict.fromkeys(depends_on):
        s.add(ServiceDependencyRow(service_id=service_id, depends_on_id=dep))
    s.flush()
