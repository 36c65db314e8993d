"""Link, unlink, promote (a timeline entry on both incidents each), the master's callers,
similar open incidents for what is being typed, and which incidents form one outage."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from imdesk.domain.errors import ValidationError
from imdesk.domain.lifecycle import FINAL_STATUSES
from imdesk.domain.similar import Hint, candidate_terms, rank
from imdesk.domain.text import clean_text
from imdesk.domain.timeline import EntryDraft, EntryKind
from imdesk.services.incidents import IncidentService, NewIncident, parse_origin
from imdesk.storage import incident_repo, link_repo
from imdesk.storage.database import Database
from imdesk.storage.link_models import IncidentLinkRow
from imdesk.storage.link_repo import CALLER, RELATED, LinkView
from imdesk.storage.models import IncidentRow

KINDS = (CALLER, RELATED)


@dataclass(frozen=True)
class Caller:
    """A person who reported the master's outage: their incident and how they came in."""

    ref: str
    name: str
    contact: str
    reached_via: str
    linked_at: datetime
    status: str

    def to_json(self) -> dict[str, Any]:
        return {"ref": self.ref, "name": self.name, "contact": self.contact,
                "reached_via": self.reached_via, "linked_at": self.linked_at.isoformat(),
                "status": self.status}


def link_json(v: LinkView) -> dict[str, Any]:
    return {"kind": v.kind, "role": v.role, "ref": v.ref, "title": v.title, "status": v.status,
            "caller_name": v.caller_name, "caller_contact": v.caller_contact,
            "reached_via": v.reached_via, "author": v.author,
            "created_at": v.created_at.isoformat()}


def _parse_kind(kind: str) -> str:
    k = kind.strip().lower()
    if k not in KINDS:
        raise ValidationError("as", f"a link is caller or related, not {kind!r}")
    return k


class LinkService:
    def __init__(self, db: Database, incidents: IncidentService) -> None:
        self._db = db
        self._incidents = incidents

    # -- writing ---------------------------------------------------------------------------
    def link(self, ref: str, to: str, kind: str = CALLER, *, caller_name: str = "",
             caller_contact: str = "", reached_via: str = "") -> LinkView:
        """Link REF to TO (its master for a caller link); an entry on both timelines."""
        with self._db.write() as s:
            row = incident_repo.get_row(s, ref, for_update=True)
            other = incident_repo.get_row(s, to, for_update=True)
            self.link_in(s, row, other, _parse_kind(kind), caller_name=caller_name,
                         caller_contact=caller_contact, reached_via=reached_via)
            return next(v for v in link_repo.views(s, row.id) if v.ref == other.ref)

    def link_in(self, s: Session, row: IncidentRow, other: IncidentRow, kind: str, *,
                caller_name: str = "", caller_contact: str = "", reached_via: str = "") -> None:
        name = clean_text(caller_name, "caller name", max_len=200, single_line=True)
        contact = clean_text(caller_contact, "caller contact", max_len=200, single_line=True)
        via = parse_origin(reached_via).value if reached_via.strip() else row.origin
        if row.id == other.id:
            raise ValidationError("to", f"{row.ref} cannot be linked to itself")
        if link_repo.link_between(s, row.id, other.id) is not None:
            raise ValidationError("to", f"{row.ref} and {other.ref} are already linked")
        for r in (row, other):
            if r.status in FINAL_STATUSES:
                raise ValidationError("to", f"{r.ref} is {r.status}: its record is final")
        if kind == CALLER:
            master = link_repo.master_of(s, other.id)
            if master is not None:
                top = s.get(IncidentRow, master.other_id)
                raise ValidationError("to", f"{other.ref} is itself a caller of "
                                            f"{top.ref if top else '?'}: link to that master")
            if link_repo.master_of(s, row.id) is not None:
                raise ValidationError("ref", f"{row.ref} already has a master: unlink it first")
            if link_repo.caller_rows(s, row.id):
                raise ValidationError("ref", f"{row.ref} has callers of its own: it cannot "
                                             "become a caller")
        now = self._incidents.now()
        s.add(IncidentLinkRow(incident_id=row.id, other_id=other.id, kind=kind,
                              caller_name=name, caller_contact=contact, reached_via=via,
                              author=self._incidents.author, created_at=now))
        who = f" ({', '.join(x for x in (name, contact, via) if x)})" if kind == CALLER else ""
        if kind == CALLER:
            mine, theirs = f"linked as a caller of {other.ref}", f"caller {row.ref} linked{who}"
        else:
            mine, theirs = f"linked as related to {other.ref}", f"{row.ref} linked as related"
        data = {"link": "added", "kind": kind, "caller_name": name, "caller_contact": contact,
                "reached_via": via}
        self._entry(s, row, mine, {**data, "other": other.ref, "role": "caller" if kind == CALLER
                                   else RELATED})
        self._entry(s, other, theirs, {**data, "other": row.ref, "role": "master" if kind == CALLER
                                       else RELATED})

    def unlink(self, ref: str, other: str | None = None) -> list[str]:
        """Remove REF's link to OTHER (or its only link / its master link); the refs unlinked."""
        with self._db.write() as s:
            row = incident_repo.get_row(s, ref, for_update=True)
            links = link_repo.links_of(s, row.id)
            if other is not None:
                target = incident_repo.get_row(s, other)
                links = [x for x in links if target.id in (x.incident_id, x.other_id)]
            elif len(links) > 1:
                master = link_repo.master_of(s, row.id)
                links = [master] if master is not None else links
            if not links:
                raise ValidationError("ref", f"{row.ref} is not linked"
                                             + (f" to {other.upper()}" if other else ""))
            if len(links) > 1:
                refs = ", ".join(sorted(self._other(s, row, x).ref for x in links))
                raise ValidationError("ref", f"{row.ref} has several links ({refs}): name one")
            link = links[0]
            peer = self._other(s, row, link)
            incident_repo.locked_by_id(s, peer.id)
            link_repo.delete_link(s, link)
            data = {"link": "removed", "kind": link.kind}
            self._entry(s, row, f"unlinked from {peer.ref}", {**data, "other": peer.ref})
            self._entry(s, peer, f"{row.ref} unlinked", {**data, "other": row.ref})
            return [peer.ref]

    def promote(self, ref: str) -> str:
        """Make a caller the master of its outage: the old master and every other caller
        become its callers. Returns the old master's ref."""
        with self._db.write() as s:
            row = incident_repo.get_row(s, ref, for_update=True)
            link = link_repo.master_of(s, row.id)
            if link is None:
                raise ValidationError("ref", f"{row.ref} is not a caller of any master")
            old = incident_repo.locked_by_id(s, link.other_id)
            assert old is not None
            now = self._incidents.now()
            moved = []
            for c in link_repo.caller_rows(s, old.id):
                if c.incident_id == row.id:
                    link_repo.delete_link(s, c)
                    continue
                c.other_id = row.id
                moved.append(c.incident_id)
            s.add(IncidentLinkRow(incident_id=old.id, other_id=row.id, kind=CALLER,
                                  caller_name="", caller_contact="", reached_via=old.origin,
                                  author=self._incidents.author, created_at=now))
            s.flush()
            self._entry(s, row, f"promoted to master (was a caller of {old.ref}); "
                                f"{len(moved) + 1} callers now", {"link": "promoted",
                                                                  "other": old.ref})
            self._entry(s, old, f"{row.ref} promoted to master: this incident is now its "
                                "caller", {"link": "demoted", "other": row.ref})
            for cid in moved:
                c_row = incident_repo.locked_by_id(s, cid)
                assert c_row is not None
                self._entry(s, c_row, f"master is now {row.ref} (promoted; was {old.ref})",
                            {"link": "moved", "other": row.ref, "was": old.ref})
            return old.ref

    def open_as_caller(self, new: NewIncident, master: str, *, caller_name: str = "",
                       caller_contact: str = "") -> str:
        """The call recorded and linked to MASTER in one transaction (the dialog's Enter on a
        hint): nothing is written when the link is refused. Returns the new ref."""
        with self._db.write() as s:
            other = incident_repo.get_row(s, master, for_update=True)
            if new.service is None and other.service_name:  # the call is about the same service
                new = replace(new, service=other.service_name)
            row, _state = self._incidents.create_in(s, new)
            self.link_in(s, row, other, CALLER, caller_name=caller_name,
                         caller_contact=caller_contact, reached_via=new.origin)
            return row.ref

    # -- reading ---------------------------------------------------------------------------
    def links(self, ref: str) -> list[LinkView]:
        with self._db.read() as s:
            return link_repo.views(s, incident_repo.get_row(s, ref).id)

    def callers(self, ref: str) -> list[Caller]:
        with self._db.read() as s:
            return self.callers_in(s, incident_repo.get_row(s, ref))

    def callers_in(self, s: Session, master: IncidentRow) -> list[Caller]:
        out = []
        for link in link_repo.caller_rows(s, master.id):
            r = s.get(IncidentRow, link.incident_id)
            assert r is not None
            out.append(Caller(r.ref, link.caller_name, link.caller_contact, link.reached_via,
                              link.created_at, r.status))
        return out

    def caller_counts(self, refs: Iterable[str]) -> dict[str, int]:
        """How many callers each of these incidents has (absent: none), for the list."""
        with self._db.read() as s:
            return link_repo.caller_counts_by_ref(s, refs)

    def similar(self, text: str, service: str | None = None, limit: int = 5) -> list[Hint]:
        """Open incidents that look like TEXT (and SERVICE), best first; callers stand for
        their master."""
        terms = candidate_terms(text)
        if not terms:
            return []
        with self._db.read() as s:
            candidates = link_repo.similar_candidates(s, terms)
        return [Hint(r.candidate.ref, r.candidate.title, r.candidate.priority, r.candidate.major,
                     r.candidate.callers, r.candidate.service, r.score)
                for r in rank(text, service, candidates, limit)]

    def outage_masters(self, incident_ids: Iterable[int]) -> dict[int, int]:
        """For metrics: each of these incidents that is a caller, mapped to its master's id
        (an incident not in the result is its own outage). Count an outage once by
        counting distinct `masters.get(i, i)`; callers per outage are the values' tally."""
        ids = list(incident_ids)
        out: dict[int, int] = {}
        with self._db.read() as s:
            for start in range(0, len(ids), 500):
                out.update(link_repo.masters_by_id(s, ids[start:start + 500]))
        return out

    def outage_masters_by_ref(self, refs: Iterable[str]) -> dict[str, str]:
        """The same by ref: caller ref → master ref."""
        wanted = [r.strip().upper() for r in refs]
        with self._db.read() as s:
            rows = s.execute(select(IncidentRow.id, IncidentRow.ref)
                             .where(IncidentRow.ref.in_(wanted))).all()
            by_id = {int(r.id): str(r.ref) for r in rows}
            masters = link_repo.masters_by_id(s, list(by_id))
            names = {int(r.id): str(r.ref) for r in s.execute(
                select(IncidentRow.id, IncidentRow.ref).where(
                    IncidentRow.id.in_(list(masters.values()))))}
        return {by_id[c]: names[m] for c, m in masters.items()}

    # -- helpers ---------------------------------------------------------------------------
    def _other(self, s: Session, row: IncidentRow, link: IncidentLinkRow) -> IncidentRow:
        other = s.get(IncidentRow, link.other_id if link.incident_id == row.id
                      else link.incident_id)
        assert other is not None
        return other

    def _entry(self, s: Session, row: IncidentRow, text: str, data: dict[str, Any]) -> None:
        state = incident_repo.row_state(s, row)
        self._incidents.append_in(s, row, state, EntryDraft(EntryKind.LINK, text, data))
