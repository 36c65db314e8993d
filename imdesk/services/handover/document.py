"""A handover as a report document (the shared report_doc blocks): the window, the counts,
every section (each says "none" when empty), the outgoing manager's if-then lines and notes,
both signatures and the hashes — for the PDF, Markdown and HTML exports and for print."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from imdesk.domain.handover import SECTIONS, counts
from imdesk.domain.report_doc import (
    Block,
    Bullets,
    Fields,
    Heading,
    Paragraph,
    ReportDoc,
    Table,
)
from imdesk.domain.timefmt import readable
from imdesk.services.handover.service import HandoverView

NONE = "none"
COUNT_LABELS = {"open": "open", "opened": "opened", "resolved": "resolved", "closed": "closed",
                "reopened": "reopened", "majors": "major", "sla_at_risk": "SLA at risk",
                "messages_attention": "messages", "actions_open": "action items"}


def when(value: str | None) -> str:
    """An ISO time from the content, as the desk reads it (local, with the day and offset)."""
    if not value:
        return "—"
    return readable(datetime.fromisoformat(value.replace("Z", "+00:00")))


def _lines(items: list[str]) -> Block:
    return Bullets(tuple(items)) if items else Paragraph(NONE)


def _table(headers: Sequence[str], rows: list[tuple[str, ...]]) -> Block:
    return Table(tuple(headers), tuple(rows)) if rows else Paragraph(NONE)


def section_blocks(key: str, content: Mapping[str, Any]) -> list[Block]:
    rows: list[dict[str, Any]] = list(content.get(key, []))
    if key == "open":
        return [_lines([f"{r['ref']} · {r['priority']} · {r['title']} · "
                        f"{r['status'].replace('_', ' ')} · SLA {r['sla'].replace('_', ' ')}"
                        f"{' (due ' + when(r.get('sla_due')) + ')' if r.get('sla_due') else ''}"
                        f" · rated {(r.get('rating') or 'not rated').upper()}" for r in rows])]
    if key in ("opened", "resolved", "closed", "reopened"):
        # one line each, not a table: a busy shift has hundreds, and a line lays out ten times
        # faster than a table row in the PDF
        return [_lines([f"{r['ref']} · {r['priority']} · {r['title']} · {when(r['at'])} · now "
                        f"{r['status'].replace('_', ' ')}" for r in rows])]
    if key == "majors":
        if not rows:
            return [Paragraph(NONE)]
        blocks: list[Block] = []
        for m in rows:
            blocks.append(Heading(f"{m['ref']} — {m['title']}", level=3))
            roles = "; ".join(f"{k}: {v}" for k, v in m["roles"].items()) or NONE
            blocks.append(Fields((("Conditions", m["conditions"] or NONE),
                                  ("Actions", m["actions"] or NONE), ("Needs", m["needs"] or NONE),
                                  ("Business impact", m["impact"] or NONE),
                                  ("Roles", roles), ("Bridge", m["bridge"] or NONE),
                                  ("Next update due", when(m["next_update_due"])))))
            lines = [f"{when(d['at'])} decision: {d['text']}" for d in m["decisions"]]
            lines += [f"{when(d['at'])} action: {d['text']}" for d in m["shift_actions"]]
            blocks.append(Bullets(tuple(lines)) if lines else
                          Paragraph("Decisions and actions of the shift: none"))
        return blocks
    if key == "sla_at_risk":
        return [_table(("Ref", "P", "Title", "Clock", "Due"), [
            (r["ref"], r["priority"], r["title"], r["clock"],
             when(r["due"]) + (" (breached)" if r["breached"] else "")) for r in rows])]
    if key == "messages_attention":
        return [_table(("Ref", "To", "Channel", "State", "Last error"), [
            (r["ref"], r["recipient"], r["channel"], r["why"], r["last_error"] or "—")
            for r in rows])]
    if key == "maintenance":
        return [_table(("Window", "Service", "Ends"), [
            (r["name"], r["service"] or "—", when(r["ends_at"])) for r in rows])]
    if key == "alerts_unlinked":
        return [_table(("Alert", "Severity", "Since"), [
            (r["summary"], r["severity"], when(r["since"])) for r in rows])]
    if key == "heartbeats_late":
        return [_table(("Heartbeat", "Last seen", "Was due"), [
            (r["name"], when(r["last_seen"]), when(r["due"])) for r in rows])]
    if key == "actions_open":
        return [_table(("Ref", "#", "Action", "Owner", "Due"), [
            (r["ref"], str(r["number"]), r["text"], r["owner"] or "—", when(r["due"]))
            for r in rows])]
    if key == "contacts_review":
        return [_lines([f"{r['name']} — {r['why']}" for r in rows])]
    if key == "exercises":
        return [_lines([f"{r['ref']} · {r['title']} · {r['status'].replace('_', ' ')}"
                        for r in rows])]
    raise KeyError(key)  # pragma: no cover


def counts_line(content: Mapping[str, Any]) -> str:
    return " · ".join(f"{n} {COUNT_LABELS[k]}" for k, n in counts(content).items())


def state_line(view: HandoverView) -> str:
    if view.taken is not None:
        return "taken over"
    if view.signed is not None:
        return "signed, not taken over yet (open)"
    return "draft (not signed)"


def handover_doc(view: HandoverView, desk: str = "", *, skip: tuple[str, ...] = (),
                 header: bool = True) -> ReportDoc:
    """The whole handover; `skip` leaves sections out and `header=False` the window, state and
    counts (the pane shows those, and the open incidents, above the report)."""
    c = view.content
    w = view.window
    blocks: list[Block] = [
        Fields((("Shift", f"{readable(w.start)} → {readable(w.end)}"),
                ("State", state_line(view)), ("Compiled", when(c.get("compiled_at"))))),
        Paragraph(counts_line(c)),
    ] if header else []
    for key, title in SECTIONS:
        if key in skip:
            continue
        blocks.append(Heading(title))
        blocks.extend(section_blocks(key, c))
    desk_state = c.get("desk", {})
    blocks.append(Heading("Alert listener and outbox"))
    blocks.append(Fields((("Alert listener", desk_state.get("listener", "—")),
                          ("Outbox", desk_state.get("outbox", "—")))))
    blocks.append(Heading("If this, then that"))
    if_then = list(c.get("if_then", []))
    blocks.append(Bullets(tuple(if_then)) if if_then else Paragraph(NONE))
    blocks.append(Heading("Notes"))
    blocks.append(Paragraph(c.get("notes") or NONE))
    blocks.append(Heading("Signatures"))
    sig_rows: list[tuple[str, str]] = []
    if view.signed:
        sig_rows.append(("Outgoing", f"{view.signed.name}, {readable(view.signed.at)}"))
    else:
        sig_rows.append(("Outgoing", "not signed"))
    if view.taken:
        sig_rows.append(("Incoming", f"{view.taken.name}, {readable(view.taken.at)}"))
        sig_rows.append(("Synthesis", view.taken.text))
    else:
        sig_rows.append(("Incoming", "not taken over"))
    blocks.append(Fields(tuple(sig_rows)))
    blocks.append(Heading("Hashes"))
    hashes: list[tuple[str, str]] = []
    if view.content_hash:
        hashes.append(("Content", view.content_hash))
    if view.signed:
        hashes.append(("Signed step", view.signed.hash))
    if view.taken:
        hashes.append(("Taken-over step", view.taken.hash))
    blocks.append(Fields(tuple(hashes)) if hashes else Paragraph("none (a draft is not signed)"))
    blocks.append(Paragraph("The head hash of every timeline the handover covers (its entry "
                            "number, then the hash):"))
    blocks.append(_lines([f"{ref} #{seq}: {head}" for ref, (seq, head) in view.heads.items()]))
    ident = f"handover {view.id}" if view.id else "handover draft"
    footer = f"{desk + ' · ' if desk else ''}{ident} · {w.start:%Y-%m-%d %H:%M}Z"
    if view.content_hash:
        footer += f" · {view.content_hash[:16]}"
    return ReportDoc(title="Shift handover",
                     subtitle=f"{readable(w.start)} → {readable(w.end)}",
                     blocks=tuple(blocks), footer=footer)
