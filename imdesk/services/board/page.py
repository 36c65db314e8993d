"""The awareness board as one HTML page: plain HTML with its CSS inline (a <style> element), no
JavaScript, every value escaped. It says what the business templates would say — the service,
what users notice, what we do, what they should do, when they hear next — and how to reach the
desk. A <meta refresh> reloads it in a browser every minute (no script needed)."""

from __future__ import annotations

from html import escape

from imdesk.domain.timefmt import friendly, readable
from imdesk.services.board.collect import BoardData, BoardIncident

CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0;
background:#f4f5f7;color:#1d2329}
.top{background-color:#1d2f4a;color:#ffffff;padding:18px 28px}
.top h1{margin:0;font-size:1.6em;color:#ffffff}
.top p{margin:4px 0 0;color:#dfe6ef}
.main{max-width:980px;margin:0 auto;padding:16px 28px 32px}
h2{font-size:1.2em;margin:26px 0 10px}
.ok{background:#e3f4e6;border-left:6px solid #2e7d32;padding:14px 18px;border-radius:4px}
.card{background:#fff;border-left:6px solid #c62828;padding:14px 18px;margin:0 0 12px;border-radius:4px;
box-shadow:0 1px 2px rgba(0,0,0,.08)}
.card.P2{border-left-color:#ef6c00}
.card h3{margin:0 0 6px;font-size:1.1em}
.tag{display:inline-block;font-size:.8em;font-weight:bold;padding:1px 7px;border-radius:3px;
background:#c62828;color:#fff;margin-right:6px}
.tag.P2{background:#ef6c00}
.facts{margin:6px 0 0;border:0;background:transparent}
.facts th{background:transparent;border:0;padding:2px 14px 2px 0;color:#48525c;white-space:nowrap}
.facts td{border:0;padding:2px 0}
table{border-collapse:collapse;width:100%;background:#fff}
th,td{text-align:left;padding:7px 10px;border-bottom:1px solid #e1e4e8;vertical-align:top}
th{background:#eceff3;font-weight:600}
.desk{background:#fff;border:2px solid #1d2f4a;padding:14px 18px;border-radius:4px}
.desk .phone{font-size:1.6em;font-weight:bold}
.foot{color:#6a737d;font-size:.85em;margin-top:26px}
"""


def _incident(i: BoardIncident, data: BoardData) -> str:
    now = data.generated_at
    rows = [("Service", i.service or "IT service"),
            ("What you may notice", i.impact or i.title),
            ("Status", i.conditions or i.status)]
    if i.actions:
        rows.append(("What we are doing", i.actions))
    if i.needs:
        rows.append(("What you should do", i.needs))
    rows.append(("Next update", friendly(i.next_update, now) if i.next_update
                 else "we will update this page as things change"))
    if i.since is not None:
        rows.append(("Since", friendly(i.since, now)))
    label = "Major incident" if i.major else "Disruption"
    cells = "".join(f"<tr><th>{escape(k)}</th><td>{escape(v)}</td></tr>" for k, v in rows)
    return (f'<div class="card {escape(i.priority)}"><h3><span class="tag {escape(i.priority)}">'
            f"&nbsp;{escape(i.priority)}&nbsp;</span> {escape(label)}: "
            f"{escape(i.service or 'IT service')} — {escape(i.title)}</h3>"
            f'<table class="facts">{cells}</table>'
            f"<p>Reference {escape(i.ref)}</p></div>")


def render_board(data: BoardData) -> str:
    now = data.generated_at
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        '<meta http-equiv="refresh" content="60">',
        f"<title>IT service status · {escape(data.desk)}</title>",
        f"<style>{CSS}</style></head><body>",
        f'<div class="top"><h1>IT service status</h1><p>{escape(data.desk)} · as of '
        f'{escape(readable(now))}</p></div><div class="main">',
        "<h2>Current disruptions</h2>",
    ]
    if data.current:
        parts += [_incident(i, data) for i in data.current]
        if data.more_current:
            parts.append("<p>… and more: the desk is working on further disruptions; if yours is "
                         "not listed here, please call.</p>")
    else:
        parts.append('<p class="ok">All IT services are running normally. '
                     "No major disruption is known to the incident desk.</p>")
    parts.append("<h2>Recently resolved</h2>")
    if data.resolved:
        parts.append("<table><thead><tr><th>Service</th><th>What happened</th><th>Resolved</th>"
                     "<th>Reference</th></tr></thead><tbody>")
        parts += [f"<tr><td>{escape(r.service or 'IT service')}</td><td>{escape(r.title)}</td>"
                  f"<td>{escape(friendly(r.resolved_at, now))}</td><td>{escape(r.ref)}</td></tr>"
                  for r in data.resolved]
        parts.append("</tbody></table>")
    else:
        parts.append("<p>Nothing resolved in the last 24 hours.</p>")
    parts.append("<h2>Planned maintenance</h2>")
    if data.maintenance:
        parts.append("<table><thead><tr><th>Service</th><th>Work</th><th>From</th><th>Until</th>"
                     "</tr></thead><tbody>")
        parts += [f"<tr><td>{escape(m.service or 'several services')}</td><td>{escape(m.name)}</td>"
                  f"<td>{escape(friendly(m.starts_at, now))}</td>"
                  f"<td>{escape(friendly(m.ends_at, now))}</td></tr>" for m in data.maintenance]
        parts.append("</tbody></table>")
    else:
        parts.append("<p>No maintenance planned for the next two weeks.</p>")
    c = data.contact
    lines = []
    if c.phone:
        lines.append(f'<p class="phone">☎ {escape(c.phone)}</p>')
    if c.mail:
        lines.append(f'<p>✉ <a href="mailto:{escape(c.mail)}">{escape(c.mail)}</a></p>')
    if c.hours:
        lines.append(f"<p>{escape(c.hours)}</p>")
    if not lines:
        lines.append("<p>Call the service desk.</p>")
    parts += ["<h2>How to reach the incident desk</h2>",
              f'<div class="desk"><p><strong>{escape(data.desk)}</strong></p>{"".join(lines)}</div>',
              '<p class="foot">This page is written by the incident desk\'s console and updated on every '
              "change. Please check it before calling: if your problem is listed, we are on it."
              "</p></div></body></html>"]
    return "\n".join(parts) + "\n"
