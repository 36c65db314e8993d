"""The review pack as a ReportDoc (Markdown and PDF through imdesk.domain.report_doc and the
shared PDF writer). Sections in the order problem management reads them."""

from __future__ import annotations

from datetime import datetime, timedelta, tzinfo

from imdesk.domain.report_doc import (
    Block,
    Bullets,
    Fields,
    Heading,
    Paragraph,
    ReportDoc,
    Table,
)
from imdesk.domain.sla import format_duration
from imdesk.domain.timefmt import readable
from imdesk.domain.timeline import TimelineEntry
from imdesk.domain.war_room import ROLE_LABELS, Role
from imdesk.services.review import ReviewData

SECTIONS = ("Summary", "Business impact", "Durations", "Roles", "Key timeline", "Messages sent",
            "Action items", "Alerts involved", "Review", "Appendix: the full timeline")
REVIEW_QUESTIONS = ("Contributing factors", "What went well", "What went badly",
                    "Where we were lucky", "Follow-ups")
KEY_KINDS = frozenset({"opened", "status", "decision", "communication", "role", "major",
                       "message"})
NONE = "None."


def _t(value: datetime | None, tz: tzinfo | None) -> str:
    return "—" if value is None else readable(value, tz)


def _d(seconds: float | None) -> str:
    return "—" if seconds is None else format_duration(timedelta(seconds=round(seconds)))


def _line(e: TimelineEntry, tz: tzinfo | None) -> tuple[str, ...]:
    mark = " (backdated)" if e.occurred_at is not None else ""
    what = e.text
    if e.kind == "status":
        move = (f"{str(e.data.get('from', '')).replace('_', ' ')} → "
                f"{str(e.data.get('to', '')).replace('_', ' ')}")
        what = f"{move}: {e.text}" if e.text else move
    return (f"{_t(e.effective_at, tz)}{mark}", e.kind.replace("_", " "), e.author, what or "—")


def build_review(d: ReviewData, tz: tzinfo | None = None) -> ReportDoc:
    i, m, room = d.incident, d.milestones, d.room
    blocks: list[Block] = [Heading("Summary"), Fields((
        ("Incident", f"{i.ref} — {i.title}"), ("Service", i.service or "—"),
        ("Priority", f"{i.priority} (impact {i.impact}, urgency {i.urgency})"),
        ("Status", i.status.label), ("Major incident", "yes" if i.major else "no"),
        ("Origin", i.origin.label), ("Exercise", "yes" if i.exercise else "no"),
        ("Outage start", _t(m.opened_at, tz)), ("Resolved", _t(m.resolved_at, tz)),
    ))]
    if i.description:
        blocks.append(Paragraph(i.description))
    sit = room.situation
    blocks += [Heading("Business impact"),
               Paragraph(sit.impact or "No business impact was written in the war room."),
               Fields((("Conditions", sit.conditions or "—"), ("Actions", sit.actions or "—"),
                       ("Needs", sit.needs or "—"), ("Written", _t(sit.written_at, tz))))]
    declare_update = (None if m.major_at is None or m.first_communication_at is None
                      else max(0.0, (m.first_communication_at - m.major_at).total_seconds()))
    blocks += [Heading("Durations"), Fields((
        ("Outage start (earliest on the timeline)", _t(m.opened_at, tz)),
        ("Reported to the desk", _t(m.reported_at, tz)),
        ("Acknowledged (first in progress)", _t(m.acknowledged_at, tz)),
        ("Declared major", _t(m.major_at, tz)),
        ("First stakeholder update", _t(m.first_communication_at, tz)),
        ("First resolved", _t(m.first_resolved_at, tz)),
        ("Resolved (standing)", _t(m.resolved_at, tz)),
        ("Closed" if not m.cancelled else "Cancelled", _t(m.closed_at, tz)),
        ("Reopened", f"{m.reopened} time{'s' if m.reopened != 1 else ''}"),
        ("Time on hold", _d(m.hold_seconds)),
        ("Time to acknowledge", _d(m.seconds(m.acknowledged_at))),
        ("Time to resolve", _d(m.seconds(m.resolved_at))),
        ("Time to resolve without hold", _d(m.seconds(m.resolved_at, excluding_hold=True))),
        ("Declared major → first update", _d(declare_update)),
    ))]
    blocks += [Heading("Roles"), *_roles(d, tz)]
    key = [e for e in d.timeline if e.kind in KEY_KINDS]
    rest = [e for e in d.timeline if e.kind not in KEY_KINDS]
    blocks += [Heading("Key timeline"), _table(("Time", "Kind", "By", "What"),
                                               [_line(e, tz) for e in key])]
    blocks += [Heading("Messages sent"), _table(
        ("Requested", "Template", "Recipient", "Channel", "Address", "Outcome", "Attempts",
         "Last error"),
        [(_t(x.requested_at, tz), x.template, x.recipient, x.channel, x.address or "—", x.state,
          str(x.attempts), x.last_error or "—") for x in d.messages])]
    actions = sorted(room.actions.values(), key=lambda a: a.number)
    blocks += [Heading("Action items"), _table(
        ("#", "Action", "Owner", "Due", "Status"),
        [(str(a.number), a.text, a.owner or "—", _t(a.due, tz), a.status.value)
         for a in actions])]
    blocks += [Heading("Alerts involved"), _table(
        ("Source", "Summary", "Severity", "Status", "First seen", "Last seen", "Count"),
        [(a.source, a.summary, a.severity or "—", a.status, _t(a.first_seen, tz),
          _t(a.last_seen, tz), str(a.count)) for a in d.alerts])]
    blocks.append(Heading("Review"))
    blocks.append(Paragraph("To be filled in by the review meeting."))
    for question in REVIEW_QUESTIONS[:-1]:
        blocks += [Heading(question, 3), Bullets(("…",))]
    blocks += [Heading(REVIEW_QUESTIONS[-1], 3),
               Table(("Follow-up", "Owner", "Due"), (("", "", ""), ("", "", "")))]
    blocks += [Heading("Appendix: the full timeline"),
               Paragraph("Every entry not in the key timeline (notes, actions, edits, people, "
                         "alerts, situation reports)."),
               _table(("Seq", "Time", "Kind", "By", "What"),
                      [(str(e.seq), *_line(e, tz)) for e in rest])]
    return ReportDoc(
        title=f"Post-incident review: {i.ref}",
        subtitle=f"{i.title} · {i.priority}{' · major' if i.major else ''} · "
                 f"made {_t(d.made_at, tz)}",
        blocks=tuple(blocks),
        footer=f"{i.ref} review pack · head {i.head_hash[:12]}")


def _table(headers: tuple[str, ...], rows: list[tuple[str, ...]]) -> Block:
    return Table(headers, tuple(rows)) if rows else Paragraph(NONE)


def _roles(d: ReviewData, tz: tzinfo | None) -> list[Block]:
    """Who held which role and when (from the role entries), until the next holder."""
    rows: list[tuple[str, ...]] = []
    current: dict[str, tuple[str, datetime]] = {}
    for e in d.timeline:
        if e.kind != "role":
            continue
        role = str(e.data.get("role", ""))
        name = str(e.data.get("name") or "")
        if role in current:
            who, since = current.pop(role)
            rows.append((_role_label(role), who, _t(since, tz), _t(e.recorded_at, tz)))
        if name:
            current[role] = (name, e.recorded_at)
    for role, (who, since) in current.items():
        rows.append((_role_label(role), who, _t(since, tz), "still"))
    rows.sort(key=lambda r: r[0])
    return [_table(("Role", "Held by", "From", "Until"), rows)]


def _role_label(value: str) -> str:
    try:
        return ROLE_LABELS[Role(value)]
    except ValueError:
        return value
