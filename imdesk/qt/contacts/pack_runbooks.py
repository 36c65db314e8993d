"""The emergency pack's last part: every service's runbooks and documents printed whole (their
Markdown as plain lines: headings bold, lists and steps as written), so the printed pack on the
desk is enough when every screen is dark."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import tzinfo

from imdesk.qt.contacts.pack_painter import BLACK, GREY, PackPainter, short
from imdesk.services.contacts.pack_data import PackRunbook

_LINK = re.compile(r"\[([^\]]+)\]\(([^)\s]+)\)")
_MARKS = re.compile(r"(\*\*|__|`|(?<!\w)\*(?=\S)|(?<=\S)\*(?!\w))")


def printable(line: str) -> str:
    """A Markdown line as it reads on paper: links as "text (address)", no emphasis marks."""
    return _MARKS.sub("", _LINK.sub(lambda m: f"{m.group(1)} ({m.group(2)})", line))


def paint_runbooks(pp: PackPainter, runbooks: Sequence[PackRunbook], tz: tzinfo | None = None) -> None:
    if not runbooks:
        return
    pp.new_page()
    pp.heading("Runbooks and documents per service")
    service = ""
    for r in runbooks:
        if r.service != service:
            service = r.service
            pp.ensure(pp.line_height("h3") * 2 + pp.line_height() * 3)
            pp.y += pp.line_height() * 0.5
            pp.row([(0, 1, service, "h3", BLACK)], "h3")
        pp.ensure(pp.line_height() * 4)
        pp.row([(0, 1, r.title, "bold", BLACK)], "bold")
        reviewed = short(r.reviewed_at, tz) if r.reviewed_at else "never"
        pp.row([(0, 1, f"owner {r.owner or '—'} · version {r.version} · last reviewed {reviewed}",
                 "small", GREY)], "small")
        for line in r.text.splitlines():
            text = line.rstrip()
            if not text.strip():
                pp.y += pp.line_height() * 0.4
                continue
            if text.startswith("#"):
                heading = text.lstrip("#").strip()
                if heading and heading != r.title:
                    pp.ensure(pp.line_height() * 2)
                    pp.row([(0, 1, heading, "bold", BLACK)], "bold")
                continue
            pp.paragraph(printable(text))
        pp.y += pp.line_height() * 0.6
