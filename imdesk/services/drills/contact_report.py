"""The report of the contact book's verification drills (the drill itself stays as it is): how
many numbers were tried, reached, not answered, wrong; the median time to answer; and the
contacts whose last verification is older than the stale setting.

A drill's tries are the checks made outside an incident. Time to answer is read from the
drill's own rhythm: the drill dialog moves to the next person as each call ends, so a reached
try's time is the time since the try before it in the same session (tries more than 30 minutes
apart start a new session; the first try of a session has no time).
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select

from imdesk.domain.report_doc import Bullets, Fields, Heading, Paragraph, ReportDoc, Table
from imdesk.domain.timefmt import readable
from imdesk.services.settings import load_stale_days
from imdesk.storage.contact_models import ContactCheckRow, ContactRow
from imdesk.storage.database import Database

SESSION_GAP = timedelta(minutes=30)


@dataclass(frozen=True)
class ContactDrillResults:
    since: datetime
    until: datetime
    tried: int
    reached: int
    no_answer: int
    wrong: int
    median_answer_s: float | None
    stale: tuple[tuple[str, datetime | None], ...]
    stale_days: int

    def to_json(self) -> dict[str, Any]:
        return {"since": self.since.isoformat(), "until": self.until.isoformat(),
                "tried": self.tried, "reached": self.reached, "no_answer": self.no_answer,
                "wrong": self.wrong, "median_answer_s": self.median_answer_s,
                "stale_days": self.stale_days,
                "stale": [{"name": n, "last_verified_at": v.isoformat() if v else None}
                          for n, v in self.stale]}


class ContactDrillReport:
    def __init__(self, db: Database) -> None:
        self._db = db

    def results(self, since: datetime, until: datetime) -> ContactDrillResults:
        with self._db.read() as s:
            checks = s.execute(select(ContactCheckRow.outcome, ContactCheckRow.checked_at).where(
                ContactCheckRow.incident_ref.is_(None), ContactCheckRow.checked_at >= since,
                ContactCheckRow.checked_at <= until).order_by(ContactCheckRow.checked_at)).all()
            days = load_stale_days(s)
            limit = until - timedelta(days=days)
            stale = s.execute(select(ContactRow.name, ContactRow.last_verified_at).where(
                (ContactRow.last_verified_at.is_(None)) | (ContactRow.last_verified_at < limit))
                .order_by(ContactRow.name)).all()
        answers: list[float] = []
        previous: datetime | None = None
        for outcome, at in checks:
            if previous is not None and at - previous <= SESSION_GAP and outcome == "reached":
                answers.append((at - previous).total_seconds())
            previous = at
        outcomes = [o for o, _ in checks]
        return ContactDrillResults(
            since, until, len(outcomes), outcomes.count("reached"), outcomes.count("not_reached"),
            outcomes.count("wrong_number"), statistics.median(answers) if answers else None,
            tuple((n, v) for n, v in stale), days)

    def document(self, since: datetime, until: datetime) -> ReportDoc:
        r = self.results(since, until)
        median = "—" if r.median_answer_s is None else f"{round(r.median_answer_s)} s"
        blocks: list[Any] = [
            Heading("Results"),
            Fields((("Period", f"{readable(since)} – {readable(until)}"),
                    ("Numbers tried", str(r.tried)), ("Reached", str(r.reached)),
                    ("No answer", str(r.no_answer)), ("Wrong number", str(r.wrong)),
                    ("Median time to answer", median))),
            Paragraph("Time to answer: the time since the previous try of the same drill session."),
            Heading(f"Not verified within {r.stale_days} days ({len(r.stale)})"),
        ]
        if r.stale:
            blocks.append(Table(("Contact", "Last verified"), tuple(
                (n, readable(v) if v else "never") for n, v in r.stale)))
        else:
            blocks.append(Bullets(("Every contact was verified within the period.",)))
        return ReportDoc("Contact drill results", f"{readable(since)} – {readable(until)}",
                         tuple(blocks), "imdesk · contact drill report")
