"""The organisation to and from its text file (domain/org_file.py): teams with members, ladders
and rosters, distribution lists, and services with their catalog entry and contact-book profile.

An import is one transaction, all or nothing: what the file names is created or replaced as a
whole (a team's members, ladder and every shift; a list's members; a service's profile and
stakeholders); what it does not name stays. A refused line is named by its number.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, tzinfo
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy.orm import Session

from imdesk.contacts_io.values import email_problem
from imdesk.domain import org_text
from imdesk.domain.errors import NotFoundError, ValidationError
from imdesk.domain.org_file import (
    OrgFile,
    Section,
    format_org_file,
    line_block,
    parse_org_file,
    section,
    text_block,
)
from imdesk.domain.priority import Level
from imdesk.domain.text import clean_text
from imdesk.services.contacts.org import MAX_WAIT
from imdesk.storage import contact_repo, link_repo, org_repo
from imdesk.storage.contact_models import DistributionListRow, ServiceProfileRow, TeamRow
from imdesk.storage.database import Database
from imdesk.storage.models import ServiceRow

ALL_TIME = (datetime(1970, 1, 1, tzinfo=UTC), datetime(9999, 1, 1, tzinfo=UTC))


@dataclass
class OrgImportReport:
    created: list[str] = field(default_factory=list)   # "team Network", "service VPN", …
    replaced: list[str] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    written: bool = False

    def to_json(self) -> dict[str, Any]:
        return {"created": self.created, "replaced": self.replaced, "counts": self.counts,
                "written": self.written}


class _DryRun(Exception):
    pass


def _zone(name: str) -> tzinfo:
    if name.upper() == "UTC":
        return UTC
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValidationError("timezone", f"unknown time zone {name!r}") from None


def _at(sec: Section, key: str, message: str) -> ValidationError:
    n = sec.values.get(key, (sec.line, ""))[0]
    return ValidationError("organisation", f"line {n}: {message}")


class OrgTransfer:
    def __init__(self, db: Database) -> None:
        self._db = db

    # -- export -----------------------------------------------------------------------------
    def export_text(self) -> str:
        with self._db.read() as s:
            names = {i: n for i, n in contact_repo.names(s)}
            parts: list[list[str]] = []
            for row in org_repo.teams(s):
                team = org_repo.team(s, row)
                shifts = org_repo.shifts_of(s, [row.id], *ALL_TIME)
                parts.append(section("team", team.name, [
                    *text_block("description", team.description),
                    *line_block("members", org_text.format_members(team.members)),
                    *line_block("ladder", org_text.format_ladder(team.ladder, names)),
                    *line_block("roster", org_text.format_roster(shifts, UTC))]))
            for lrow in org_repo.lists(s):
                dl = org_repo.distribution_list(s, lrow)
                parts.append(section("list", dl.name, [
                    *text_block("description", dl.description),
                    *line_block("members", org_text.format_list_members(dl.members))]))
            parts += [_service_section(s, svc) for svc in org_repo.services(s)]
        return format_org_file("UTC", parts)

    def show_service(self, name: str) -> dict[str, Any]:
        """A service as the file writes it, with its owner team's ladder and members."""
        with self._db.read() as s:
            svc = org_repo.service_row(s, name)
            sc = org_repo.service_contacts(s, svc)
            team = org_repo.team(s, org_repo.team_row(s, sc.owner_team)) if sc.owner_team else None
            names = {i: n for i, n in contact_repo.names(s)}
            lines = _service_section(s, svc)[1:]
            if team is not None:
                lines += section("team", team.name, [
                    *line_block("members", org_text.format_members(team.members)),
                    *line_block("ladder", org_text.format_ladder(team.ladder, names))])
            return {
                "service": svc.name, "criticality": svc.criticality, "description": svc.description,
                "owner_team": sc.owner_team, "business_owner": sc.business_owner, "runbook": sc.runbook,
                "stakeholders": [{"priority": r.priority, "kind": "team" if r.team_id else
                                  "list" if r.list_id else "person", "name": r.label}
                                 for r in sc.stakeholders],
                "ladder": org_text.format_ladder(team.ladder, names).split("\n") if team and team.ladder
                else [],
                "members": [{"name": m.name, "role": m.role} for m in team.members] if team else [],
                "text": "\n".join(lines),
            }

    # -- import -----------------------------------------------------------------------------
    def import_text(self, text: str, *, dry_run: bool = False) -> OrgImportReport:
        doc = parse_org_file(text)
        tz = _zone(doc.timezone)
        report = OrgImportReport()
        try:
            with self._db.write() as s:
                self._apply(s, doc, tz, report)
                if dry_run:
                    raise _DryRun
        except _DryRun:
            return report
        report.written = True
        return report

    def _apply(self, s: Session, doc: OrgFile, tz: tzinfo, report: OrgImportReport) -> None:
        # 1. every team, list and service the file names exists (so lines may name any of them)
        teams = {sec.name: self._team_row(s, sec, report) for sec in doc.of("team")}
        lists = {sec.name: self._list_row(s, sec, report) for sec in doc.of("list")}
        for sec in doc.of("service"):
            self._service_row(s, sec, report)
        s.flush()
        names = org_text.Names(org_text.Names.index(contact_repo.names(s)),
                               org_text.Names.index((r.id, r.name) for r in org_repo.teams(s)),
                               org_text.Names.index((r.id, r.name) for r in org_repo.lists(s)))
        counts = report.counts
        # 2. their contents, replaced as a whole
        for sec in doc.of("team"):
            tid = teams[sec.name].id
            members = org_text.parse_members(sec.block("members").text(), names)
            org_repo.replace_members(s, tid, {c: clean_text(r, "role", max_len=60, single_line=True)
                                              for c, r in members})
            steps = org_text.parse_ladder(sec.block("ladder").text(), names)
            for (n, _line), step in zip(sec.block("ladder").items, steps, strict=True):
                if not 0 <= step.wait_minutes <= MAX_WAIT:
                    raise ValidationError("ladder", f"line {n}: wait 0 to {MAX_WAIT} minutes")
            org_repo.replace_ladder(s, tid, [
                {"position": i, "contact_id": st.contact_id,
                 "role": "" if st.contact_id is not None else st.role, "wait_minutes": st.wait_minutes}
                for i, st in enumerate(steps, start=1)])
            shifts = org_text.parse_roster(sec.block("roster").text(), names, tz)
            org_repo.replace_shifts(s, tid, *ALL_TIME, [
                {"contact_id": sh.contact_id, "starts_at": sh.starts_at.astimezone(UTC),
                 "ends_at": sh.ends_at.astimezone(UTC), "override": sh.override,
                 "note": clean_text(sh.note, "note", max_len=200, single_line=True)} for sh in shifts])
            counts["members"] = counts.get("members", 0) + len(members)
            counts["ladder steps"] = counts.get("ladder steps", 0) + len(steps)
            counts["shifts"] = counts.get("shifts", 0) + len(shifts)
        for sec in doc.of("list"):
            rows: list[dict[str, object]] = []
            members_block = sec.block("members")
            for (n, _line), m in zip(members_block.items,
                                     org_text.parse_list_members(members_block.text(), names), strict=True):
                if m.contact_id is None and m.team_id is None:
                    problem = email_problem(m.address)
                    if problem:
                        raise ValidationError("members", f"line {n}: {problem}")
                rows.append({"address": m.address, "contact_id": m.contact_id, "team_id": m.team_id})
            org_repo.replace_list_members(s, lists[sec.name].id, rows)
            counts["list members"] = counts.get("list members", 0) + len(rows)
        for sec in doc.of("service"):
            self._profile(s, sec, names, report)
        _dependencies(s, doc.of("service"), report)

    def _team_row(self, s: Session, sec: Section, report: OrgImportReport) -> TeamRow:
        name = clean_text(sec.name, "team name", max_len=120, required=True, single_line=True)
        tid = org_repo.team_id_named(s, name)
        row = s.get(TeamRow, tid) if tid is not None else None
        (report.replaced if row else report.created).append(f"team {name}")
        row = row or TeamRow(name=name)
        row.description = clean_text(sec.block("description").joined(), "description", max_len=2000)
        s.add(row)
        return row

    def _list_row(self, s: Session, sec: Section, report: OrgImportReport) -> DistributionListRow:
        name = clean_text(sec.name, "list name", max_len=120, required=True, single_line=True)
        lid = org_repo.list_id_named(s, name)
        row = s.get(DistributionListRow, lid) if lid is not None else None
        (report.replaced if row else report.created).append(f"list {name}")
        row = row or DistributionListRow(name=name)
        row.description = clean_text(sec.block("description").joined(), "description", max_len=2000)
        s.add(row)
        return row

    def _service_row(self, s: Session, sec: Section, report: OrgImportReport) -> None:
        name = clean_text(sec.name, "service name", max_len=120, required=True, single_line=True)
        try:
            row: ServiceRow | None = org_repo.service_row(s, name)
        except NotFoundError:
            row = None
        (report.replaced if row else report.created).append(f"service {name}")
        try:
            level = Level.parse(sec.value("criticality") or "medium", "criticality")
        except ValidationError as exc:
            raise _at(sec, "criticality", exc.message) from None
        row = row or ServiceRow(name=name)
        row.criticality = level.value
        row.description = clean_text(sec.block("description").joined(), "description")
        s.add(row)

    def _profile(self, s: Session, sec: Section, names: org_text.Names, report: OrgImportReport) -> None:
        svc = org_repo.service_row(s, sec.name)
        team_name = sec.value("owner team")
        team_id = names.teams.get(team_name.casefold()) if team_name else None
        if team_name and (team_id is None or team_id == -1):
            raise _at(sec, "owner team", f"no team named {team_name!r}")
        owner_name = sec.value("business owner")
        owner_id = _contact(names, owner_name, sec.values["business owner"][0]) if owner_name else None
        refs = org_text.parse_stakeholders(sec.block("stakeholders").text(), names)
        row = s.get(ServiceProfileRow, svc.id) or ServiceProfileRow(service_id=svc.id)
        row.owner_team_id, row.business_owner_id = team_id, owner_id
        row.runbook = clean_text(sec.block("runbook").joined(), "runbook", max_len=20_000)
        s.add(row)
        org_repo.replace_stakeholders(s, svc.id, refs)
        report.counts["stakeholders"] = report.counts.get("stakeholders", 0) + len(refs)


def _service_section(s: Session, svc: ServiceRow) -> list[str]:
    sc = org_repo.service_contacts(s, svc)
    return section("service", svc.name, [
        f"criticality: {svc.criticality}",
        *([f"owner team: {sc.owner_team}"] if sc.owner_team else []),
        *([f"business owner: {sc.business_owner}"] if sc.business_owner else []),
        *text_block("description", svc.description),
        *text_block("runbook", sc.runbook),
        *line_block("stakeholders", org_text.format_stakeholders(sc.stakeholders)),
        *line_block("depends on", "\n".join(link_repo.dependency_edges(s).get(svc.name, [])))])


def _dependencies(s: Session, sections: list[Section], report: OrgImportReport) -> None:
    """Each service the file names depends on exactly what its `depends on` lines say; the
    whole graph is checked at once (a cycle is named with the line of a service on it)."""
    from imdesk.services.links.dependencies import DependencyService

    changes = {sec.name: [line.strip() for _n, line in sec.block("depends on").items
                          if line.strip()] for sec in sections}
    try:
        DependencyService.set_in_session(s, changes)
    except ValidationError as exc:
        named = [sec for sec in sections if sec.name in exc.message]
        sec = named[0] if named else sections[0]
        items = sec.block("depends on").items
        raise ValidationError("organisation", f"line {items[0][0] if items else sec.line}: "
                                              f"{exc.message}") from None
    total = sum(len(v) for v in changes.values())
    if total:
        report.counts["dependencies"] = report.counts.get("dependencies", 0) + total


def _contact(names: org_text.Names, name: str, n: int) -> int:
    ident = names.contacts.get(name.casefold())
    if ident is None:
        raise ValidationError("business owner", f"line {n}: no contact named {name!r}")
    if ident == -1:
        raise ValidationError("business owner", f"line {n}: more than one contact is named {name!r}")
    return ident
