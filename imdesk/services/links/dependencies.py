"""Service dependencies: what a service depends on (cycles refused with the path named), and
the impact of an incident on a service — every service that depends on it, all levels, with
criticality and stakeholders."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select

from imdesk.domain.errors import NotFoundError, ValidationError
from imdesk.domain.service_graph import check_acyclic, dependants
from imdesk.storage import link_repo, org_repo
from imdesk.storage.database import Database
from imdesk.storage.models import ServiceRow


@dataclass(frozen=True)
class Impacted:
    """A service that depends on the incident's service (level 1 directly, 2 through one…)."""

    name: str
    level: int
    via: str
    criticality: str
    stakeholders: tuple[str, ...]  # names for the priority asked, or "P1: name" for all

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "level": self.level, "via": self.via,
                "criticality": self.criticality, "stakeholders": list(self.stakeholders)}


class DependencyService:
    def __init__(self, db: Database) -> None:
        self._db = db

    def edges(self) -> dict[str, list[str]]:
        """Every service with the services it depends on."""
        with self._db.read() as s:
            return link_repo.dependency_edges(s)

    def depends_on(self, service: str) -> list[str]:
        edges = self.edges()
        for name, deps in edges.items():
            if name.casefold() == service.strip().casefold():
                return deps
        raise NotFoundError(f"no service named {service!r}")

    def set_depends_on(self, service: str, depends_on: list[str]) -> None:
        """SERVICE depends on exactly these services; a cycle is refused naming it."""
        with self._db.write() as s:
            self.set_in(s, {service: depends_on})

    def set_in(self, s: Any, changes: dict[str, list[str]]) -> None:
        self.set_in_session(s, changes)

    @staticmethod
    def set_in_session(s: Any, changes: dict[str, list[str]]) -> None:
        """Replace the dependencies of each named service inside the caller's transaction
        (the organisation import); the whole graph is checked for cycles first."""
        ids = {str(r.name).casefold(): (int(r.id), str(r.name))
               for r in s.execute(select(ServiceRow.id, ServiceRow.name))}
        edges = link_repo.dependency_edges(s)
        resolved: dict[int, list[int]] = {}
        for service, deps in changes.items():
            if service.strip().casefold() not in ids:
                raise ValidationError("service", f"no service named {service!r}")
            sid, name = ids[service.strip().casefold()]
            dep_ids = []
            for d in deps:
                if d.strip().casefold() not in ids:
                    raise ValidationError("depends_on", f"{name}: no service named {d.strip()!r}")
                if d.strip().casefold() == name.casefold():
                    raise ValidationError("depends_on", f"{name} cannot depend on itself")
                dep_ids.append(ids[d.strip().casefold()][0])
            edges[name] = [ids[d.strip().casefold()][1] for d in deps]
            resolved[sid] = dep_ids
        check_acyclic(edges)
        for sid, dep_ids in resolved.items():
            link_repo.set_dependencies(s, sid, dep_ids)

    def impact(self, service: str, priority: str | None = None) -> list[Impacted]:
        """Every service depending on SERVICE (all levels), with criticality and the
        stakeholders (for PRIORITY when given)."""
        with self._db.read() as s:
            edges = link_repo.dependency_edges(s)
            root = next((n for n in edges if n.casefold() == service.strip().casefold()), None)
            if root is None:
                raise NotFoundError(f"no service named {service!r}")
            out = []
            for d in dependants(edges, root):
                row = s.scalars(select(ServiceRow).where(
                    func.lower(ServiceRow.name) == d.name.lower())).one()
                contacts = org_repo.service_contacts(s, row)
                names = tuple(dict.fromkeys(
                    (r.label if priority else f"{r.priority}: {r.label}")
                    for r in contacts.stakeholders
                    if r.label and (priority is None or r.priority == priority.upper())))
                out.append(Impacted(d.name, d.level, d.via, row.criticality, names))
            return out
