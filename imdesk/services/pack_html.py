"""The emergency pack as HTML for Qt's rich-text engine (QTextDocument → PDF): every service's
escalation ladder with the numbers, who is on duty now and for the next 7 days, vendors and
facilities, the date and the hash of the data. Every value is escaped: names print literally."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, tzinfo
from html import escape

from imdesk.domain.contact import ContactRecord
from imdesk.domain.contact_book import Callee, Rung
from imdesk.domain.contact_values import display_phone
from imdesk.services.pack_data import PackData, PackService, PackTeam

_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")

_STYLE = """
body { font-family: 'DejaVu Sans', sans-serif; font-size: 9pt; }
h1 { font-size: 18pt; margin: 0; }
h2 { font-size: 13pt; margin-top: 14pt; border-bottom: 1px solid #888; }
h3 { font-size: 10.5pt; margin-top: 10pt; margin-bottom: 2pt; }
table { border-collapse: collapse; }
td, th { padding: 2pt 6pt 2pt 0; vertical-align: top; }
th { text-align: left; color: #444; font-weight: normal; }
.num { font-family: 'DejaVu Sans Mono', monospace; font-weight: bold; }
.meta { color: #444; }
.warn { color: #a00; }
"""


def when(value: datetime, tz: tzinfo | None = None) -> str:
    """Absolute local time with the date and the offset: paper has no 'today'."""
    local = value.astimezone(tz) if tz else value.astimezone()
    off = local.strftime("%z")
    return (f"{_DAYS[local.weekday()]} {local.day} {_MONTHS[local.month - 1]} {local.year} "
            f"{local:%H:%M} (UTC{off[:3]}:{off[3:]})")


def _short(value: datetime, tz: tzinfo | None) -> str:
    local = value.astimezone(tz) if tz else value.astimezone()
    return f"{_DAYS[local.weekday()]} {local.day} {_MONTHS[local.month - 1]} {local:%H:%M}"


def _numbers(rec: ContactRecord) -> str:
    parts = [f"<span class='num'>{escape(display_phone(p))}</span> {escape(p.kind.value)}"
             for p in rec.phones]
    return "<br>".join(parts) or "<span class='warn'>no number</span>"


def _mark(c: Callee) -> str:
    marks = []
    if c.review:
        marks.append(escape(c.review))
    elif c.stale:
        marks.append("not verified recently")
    return f" <span class='warn'>({'; '.join(marks)})</span>" if marks else ""


def _people(cs: Iterable[Callee]) -> str:
    rows = [f"{escape(c.name)}{_mark(c)}<br>{_numbers(c.record)}" for c in cs]
    return "<br>".join(rows) or "<span class='warn'>nobody</span>"


def _ladder(rungs: tuple[Rung, ...]) -> str:
    if not rungs:
        return "<p class='meta'>No escalation ladder recorded.</p>"
    rows = ["<tr><th>step</th><th>from</th><th>who</th><th>numbers</th><th>then wait</th></tr>"]
    for r in rungs:
        rows.append(f"<tr><td>{r.position}</td><td>+{r.starts_after_minutes} min</td>"
                    f"<td>{escape(r.label)}</td><td>{_people(r.callees)}</td>"
                    f"<td>{r.wait_minutes} min</td></tr>")
    return f"<table width='100%'>{''.join(rows)}</table>"


def _service(s: PackService) -> str:
    head = f"<h3>{escape(s.name)} <span class='meta'>· {escape(s.criticality)} criticality</span></h3>"
    if not s.owner_team:
        return head + "<p class='warn'>No owner team recorded.</p>"
    parts = [head, f"<p>Owner team <b>{escape(s.owner_team)}</b> — on duty now: {_people(s.on_duty)}</p>",
             _ladder(s.ladder)]
    if s.business_owner:
        parts.append(f"<p>Business owner: {_people([s.business_owner])}</p>")
    if s.runbook:
        parts.append(f"<p class='meta'>Runbook: {escape(s.runbook.splitlines()[0][:200])}</p>")
    return "".join(parts)


def _roster(t: PackTeam, tz: tzinfo | None) -> str:
    if not t.shifts:
        return f"<h3>{escape(t.name)}</h3><p class='warn'>No shifts in the next 7 days.</p>"
    rows = "".join(
        f"<tr><td>{_short(sh.starts_at, tz)}</td><td>→ {_short(sh.ends_at, tz)}</td>"
        f"<td>{escape(sh.name)}</td><td>{'override' if sh.override else ''}"
        f"{' — ' + escape(sh.note) if sh.note else ''}</td></tr>" for sh in t.shifts)
    return f"<h3>{escape(t.name)}</h3><table>{rows}</table>"


def _external(cs: tuple[Callee, ...], title: str) -> str:
    if not cs:
        return f"<h2>{title}</h2><p class='meta'>None recorded.</p>"
    rows = ["<tr><th>name</th><th>contract / customer no.</th><th>numbers</th><th>email</th></tr>"]
    for c in cs:
        r = c.record
        rows.append(f"<tr><td><b>{escape(r.name)}</b>{_mark(c)}"
                    f"{'<br>' + escape(r.organisation) if r.organisation else ''}</td>"
                    f"<td class='num'>{escape(r.account_number)}</td><td>{_numbers(r)}</td>"
                    f"<td>{'<br>'.join(escape(e.address) for e in r.emails)}</td></tr>")
    return f"<h2>{title}</h2><table width='100%'>{''.join(rows)}</table>"


def render(data: PackData, tz: tzinfo | None = None) -> str:
    parts = [f"<html><head><style>{_STYLE}</style></head><body>",
             f"<h1>Emergency pack — {escape(data.desk)}</h1>",
             f"<p class='meta'>Made {when(data.made_at, tz)} · data hash "
             f"<span class='num'>{data.digest}</span></p>",
             "<p>Call the first step; if nobody answers within its wait, go to the next step.</p>",
             "<h2>Services: who to call</h2>"]
    parts += [_service(s) for s in data.services] or ["<p class='meta'>No services recorded.</p>"]
    parts.append("<h2 style='page-break-before: always'>On duty: now and the next 7 days</h2>")
    parts += [_roster(t, tz) for t in data.teams] or ["<p class='meta'>No teams recorded.</p>"]
    parts.append(_external(data.vendors, "Vendors and providers"))
    parts.append(_external(data.facilities, "Facilities"))
    parts.append("</body></html>")
    return "".join(parts)
