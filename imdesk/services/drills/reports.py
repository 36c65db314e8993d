"""The after-action report of a drill — overview, scorecard, the timeline against the scenario,
strengths, areas for improvement, corrective actions with owner and due date — editable until
signed off, then frozen with a SHA-256 over its content (a later change shows as tampering);
and the report of the contact book's verification drills."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from imdesk.domain.drill_scenario import t_text
from imdesk.domain.drill_score import Scorecard, duration
from imdesk.domain.errors import ValidationError
from imdesk.domain.report_doc import Bullets, Fields, Heading, Paragraph, ReportDoc, Table
from imdesk.domain.text import clean_text
from imdesk.domain.timefmt import readable
from imdesk.services.drills.scoring import DrillScoring
from imdesk.services.drills.service import DrillService
from imdesk.storage import drill_repo
from imdesk.storage.database import Database
from imdesk.storage.drill_models import DrillReportRow


@dataclass(frozen=True)
class CorrectiveAction:
    action: str
    owner: str
    due: date | None

    def to_json(self) -> dict[str, Any]:
        return {"action": self.action, "owner": self.owner,
                "due": self.due.isoformat() if self.due else None}


@dataclass(frozen=True)
class AfterAction:
    drill_id: int
    strengths: str
    improvements: str
    actions: tuple[CorrectiveAction, ...]
    signed_by: str = ""
    signed_at: datetime | None = None
    digest: str = ""
    intact: bool = True

    @property
    def signed(self) -> bool:
        return self.signed_at is not None


def _actions(raw: Sequence[Any]) -> tuple[CorrectiveAction, ...]:
    out = []
    for a in raw or ():
        due = a.get("due")
        out.append(CorrectiveAction(str(a.get("action", "")), str(a.get("owner", "")),
                                    date.fromisoformat(due) if due else None))
    return tuple(out)


def _digest(drill_id: int, row: DrillReportRow, signed_by: str, signed_at: datetime) -> str:
    content = {"drill": drill_id, "strengths": row.strengths, "improvements": row.improvements,
               "actions": row.actions, "signed_by": signed_by, "signed_at": signed_at.isoformat()}
    text = json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class DrillReports:
    def __init__(self, db: Database, service: DrillService, scoring: DrillScoring) -> None:
        self._db = db
        self._service = service
        self._scoring = scoring

    def after_action(self, drill_id: int) -> AfterAction:
        with self._db.read() as s:
            drill_repo.get(s, drill_id)
            row = drill_repo.report(s, drill_id)
            if row is None:
                return AfterAction(drill_id, "", "", ())
            intact = True
            if row.signed_at is not None:
                intact = _digest(drill_id, row, row.signed_by, row.signed_at) == row.digest
            return AfterAction(drill_id, row.strengths, row.improvements, _actions(row.actions),
                               row.signed_by, row.signed_at, row.digest, intact)

    def edit(self, drill_id: int, *, strengths: str, improvements: str,
             actions: Sequence[CorrectiveAction]) -> AfterAction:
        good = clean_text(strengths, "strengths", max_len=8000)
        better = clean_text(improvements, "areas to improve", max_len=8000)
        items = []
        for i, a in enumerate(actions, 1):
            what = clean_text(a.action, f"action {i}", max_len=500, single_line=True)
            owner = clean_text(a.owner, f"owner of action {i}", max_len=120, single_line=True)
            if not what or not owner or a.due is None:
                raise ValidationError("actions", f"corrective action {i} needs what, an owner and "
                                                 "a due date")
            items.append(CorrectiveAction(what, owner, a.due).to_json())
        with self._db.write() as s:
            drill = drill_repo.get(s, drill_id, for_update=True)
            row = drill_repo.report(s, drill_id)
            if row is not None and row.signed_at is not None:
                raise ValidationError("report", f"the after-action report of drill {drill_id} was "
                                                f"signed off by {row.signed_by}: it is frozen")
            if row is None:
                row = DrillReportRow(drill_id=drill.id, strengths="", improvements="", actions=[],
                                     signed_by="", digest="", updated_at=self._service.now())
                s.add(row)
            row.strengths, row.improvements, row.actions = good, better, items
            row.updated_at = self._service.now()
        return self.after_action(drill_id)

    def sign(self, drill_id: int, by: str | None = None) -> AfterAction:
        who = clean_text(by or self._service.author, "signed by", max_len=120, single_line=True)
        with self._db.write() as s:
            drill = drill_repo.get(s, drill_id, for_update=True)
            if drill.ended_at is None:
                raise ValidationError("report", f"drill {drill_id} is still {drill.status}: "
                                                "finish it before signing the report")
            row = drill_repo.report(s, drill_id)
            if row is None or not (row.strengths or row.improvements or row.actions):
                raise ValidationError("report", "write the report before signing it off")
            if row.signed_at is not None:
                raise ValidationError("report", f"already signed off by {row.signed_by}")
            now = self._service.now()
            row.signed_by, row.signed_at = who, now
            row.digest = _digest(drill_id, row, who, now)
        return self.after_action(drill_id)

    # -- the document ---------------------------------------------------------------------------
    def document(self, drill_id: int, now: datetime | None = None) -> ReportDoc:
        drill = self._service.get(drill_id)
        card = self._scoring.scorecard(drill_id, now)
        aar = self.after_action(drill_id)
        events = self._service.events(drill_id)
        objectives = [i.objective for i in drill.scenario.injects if i.kind == "expectation"]
        blocks: list[Any] = [
            Heading("Overview"),
            Fields((("Scenario", drill.name), ("Date", readable(drill.started_at)),
                    ("Status", drill.status), ("Led by", drill.started_by),
                    ("Participants", ", ".join(drill.participants) or "—"),
                    ("Incidents", ", ".join(card.incidents) or "—"))),
        ]
        if drill.scenario.summary:
            blocks.append(Paragraph(drill.scenario.summary))
        if objectives:
            blocks += [Heading("Objectives", 3), Bullets(tuple(objectives))]
        blocks += [Heading("Scorecard"), scorecard_table(card)]
        if card.missed_steps:
            blocks += [Heading("Playbook steps missed", 3), Bullets(card.missed_steps)]
        blocks += [Heading("Timeline against the scenario"), Table(
            ("Due", "Played", "Kind", "What", "Result"),
            tuple((t_text(e.due_s),
                   readable(e.played_at), e.kind, e.text[:300], e.result) for e in events))]
        blocks += [Heading("Strengths"), Paragraph(aar.strengths or "—"),
                   Heading("Areas for improvement"), Paragraph(aar.improvements or "—"),
                   Heading("Corrective actions"),
                   Table(("Action", "Owner", "Due"),
                         tuple((a.action, a.owner, a.due.isoformat() if a.due else "—")
                               for a in aar.actions)) if aar.actions else Paragraph("—")]
        if aar.signed_at is not None:
            state = "intact" if aar.intact else "CHANGED AFTER SIGN-OFF"
            blocks += [Heading("Sign-off"), Fields((
                ("Signed off by", aar.signed_by), ("On", readable(aar.signed_at)),
                ("SHA-256", aar.digest), ("Content", state)))]
        footer = (f"EXERCISE · drill {drill.id} · {drill.name}"
                  + (f" · signed off by {aar.signed_by}" if aar.signed else " · draft"))
        return ReportDoc(f"After-action report: {drill.name}",
                         f"Drill {drill.id}, {readable(drill.started_at)}", tuple(blocks), footer)


def scorecard_table(card: Scorecard) -> Table:
    def met(value: bool | None) -> str:
        return "—" if value is None else ("met" if value else "MISSED")

    return Table(("Measure", "Achieved", "Expected by", "Result"), tuple(
        (f.label, duration(f.actual_s), duration(f.expected_s) if f.expected_s is not None else "—",
         met(f.met)) for f in card.figures))
