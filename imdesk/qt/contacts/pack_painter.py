"""The emergency pack drawn straight onto Qt's PDF writer with QPainter: A4 pages, columns,
page numbers and the data hash in every footer. (A QTextDocument with tables took 4 s for 500
services; painting lines takes a fraction, and every call is short, so a worker thread doing it
never holds up the GUI thread.) Text is drawn as text: names print literally."""

from __future__ import annotations

import time
from collections.abc import Sequence
from datetime import datetime, tzinfo

from PySide6.QtCore import QMarginsF, QPointF, Qt
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QPageLayout, QPageSize, QPainter, QPdfWriter, QPen

from imdesk.domain.contact import ContactRecord
from imdesk.domain.contact_book import Callee, Rung
from imdesk.services.contacts.pack_data import PackData, PackService, PackTeam
from imdesk.services.contacts.values import display_phone

_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
GREY = QColor("#555555")
RED = QColor("#a00000")
BLACK = QColor("#000000")


def when(value: datetime, tz: tzinfo | None = None) -> str:
    """Absolute local time with the date and the offset: paper has no 'today'."""
    local = value.astimezone(tz) if tz else value.astimezone()
    off = local.strftime("%z")
    return (f"{_DAYS[local.weekday()]} {local.day} {_MONTHS[local.month - 1]} {local.year} "
            f"{local:%H:%M} (UTC{off[:3]}:{off[3:]})")


def short(value: datetime, tz: tzinfo | None = None) -> str:
    local = value.astimezone(tz) if tz else value.astimezone()
    return f"{_DAYS[local.weekday()]} {local.day} {_MONTHS[local.month - 1]} {local:%H:%M}"


def mark(c: Callee) -> str:
    """Short, for a narrow column: the reason is in the console's review queue."""
    if c.review:
        return "reported wrong" if c.review.startswith("wrong number") else "check"
    return "unverified" if c.stale else ""


def numbers(rec: ContactRecord) -> list[str]:
    return [f"{display_phone(p)}  {p.kind.value}" for p in rec.phones] or ["no number"]


# A thread that calls QPainter.drawText in a loop keeps the interpreter lock from the others: the
# GUI thread waited up to 0.8 s for it while a pack was drawn in a worker (bench/bench_pack.py),
# although the loop is Python. A sleep(0) — a release that hands the lock to a waiting thread —
# every 20 texts costs nothing measurable and keeps the window's gaps to a few milliseconds.
YIELD_EVERY = 20


class PackPainter:
    """Lines and columns down A4 pages; a new page when the next block does not fit."""

    def __init__(self, writer: QPdfWriter, footer: str) -> None:
        self.writer = writer
        self.p = QPainter(writer)
        self.dpi = writer.resolution()
        page = writer.pageLayout().paintRectPixels(self.dpi)
        self.left, self.top = float(page.left()), float(page.top())
        self.width, self.bottom = float(page.width()), float(page.bottom()) - self.mm(10)
        self.y = self.top
        self.page_no = 1
        self.footer = footer
        self.drawn = 0
        self.fonts = {
            "title": self._font(17, bold=True), "h2": self._font(12.5, bold=True),
            "h3": self._font(10.5, bold=True), "body": self._font(9), "small": self._font(7.5),
            "num": self._font(9, bold=True, mono=True), "bold": self._font(9, bold=True),
        }
        self.metrics = {k: QFontMetricsF(f, writer) for k, f in self.fonts.items()}

    def mm(self, value: float) -> float:
        return value * self.dpi / 25.4

    def _font(self, size: float, *, bold: bool = False, mono: bool = False) -> QFont:
        font = QFont("DejaVu Sans Mono" if mono else "DejaVu Sans")
        if mono:
            font.setStyleHint(QFont.StyleHint.Monospace)
        font.setPointSizeF(size)
        font.setBold(bold)
        return font

    def line_height(self, style: str = "body") -> float:
        return self.metrics[style].height() * 1.15

    def ensure(self, height: float) -> None:
        if self.y + height > self.bottom and self.y > self.top:
            self.new_page()

    def new_page(self) -> None:
        self._draw_footer()
        self.writer.newPage()
        self.page_no += 1
        self.y = self.top

    def _draw_footer(self) -> None:
        self.p.setFont(self.fonts["small"])
        self.p.setPen(GREY)
        y = self.bottom + self.mm(6)
        self.p.drawText(QPointF(self.left, y), self.footer)
        text = f"page {self.page_no}"
        right = self.left + self.width - self.metrics["small"].horizontalAdvance(text)
        self.p.drawText(QPointF(right, y), text)

    def text(self, x: float, width: float, value: str, style: str = "body", color: QColor = BLACK) -> None:
        """One line at the cursor, elided to ``width`` (a fraction of the page width)."""
        self.drawn += 1
        if self.drawn % YIELD_EVERY == 0:
            time.sleep(0)  # let a waiting thread (the GUI's) take the interpreter lock
        metrics = self.metrics[style]
        w = width * self.width
        shown = metrics.elidedText(value, Qt.TextElideMode.ElideRight, w)
        self.p.setFont(self.fonts[style])
        self.p.setPen(color)
        self.p.drawText(QPointF(self.left + x * self.width, self.y + metrics.ascent()), shown)

    def row(self, cells: Sequence[tuple[float, float, str, str, QColor]], style: str = "body") -> None:
        for x, width, value, cell_style, color in cells:
            self.text(x, width, value, cell_style or style, color)
        self.y += self.line_height(style)

    def heading(self, value: str, style: str = "h2") -> None:
        self.ensure(self.line_height(style) * 3)
        self.y += self.line_height(style) * 0.4
        self.text(0, 1, value, style)
        self.y += self.line_height(style)
        if style == "h2":
            self.p.setPen(QPen(GREY, self.mm(0.2)))
            self.p.drawLine(QPointF(self.left, self.y - self.mm(1)),
                            QPointF(self.left + self.width, self.y - self.mm(1)))

    def paragraph(self, value: str, style: str = "body", color: QColor = BLACK) -> None:
        """Word-wrapped text."""
        metrics = self.metrics[style]
        words, line = value.split(), ""
        for word in words:
            candidate = f"{line} {word}".strip()
            if metrics.horizontalAdvance(candidate) > self.width and line:
                self.ensure(self.line_height(style))
                self.text(0, 1, line, style, color)
                self.y += self.line_height(style)
                line = word
            else:
                line = candidate
        if line:
            self.ensure(self.line_height(style))
            self.text(0, 1, line, style, color)
            self.y += self.line_height(style)

    def finish(self) -> None:
        self._draw_footer()
        self.p.end()


# Columns of a ladder: step, from, who, name, number, wait (fractions of the page width).
LADDER = ((0.0, 0.05), (0.05, 0.09), (0.14, 0.2), (0.34, 0.27), (0.61, 0.29), (0.9, 0.1))


def _ladder_lines(rungs: Sequence[Rung]) -> list[list[tuple[float, float, str, str, QColor]]]:
    lines = []
    for r in rungs:
        first = True
        for c in r.callees or [None]:  # type: ignore[list-item]
            nums = numbers(c.record) if c else ["nobody in this role"]
            for k, num in enumerate(nums):
                head = first and k == 0
                cells = []
                if head:
                    cells += [(*LADDER[0], f"{r.position}", "", BLACK),
                              (*LADDER[1], f"+{r.starts_after_minutes} min", "", BLACK),
                              (*LADDER[2], c.record.kind.value if c and c.name == r.label else r.label,
                               "", BLACK),
                              (*LADDER[5], f"{r.wait_minutes} min" if r.wait_minutes else "last", "", BLACK)]
                if k == 0 and c is not None:
                    note = mark(c)
                    cells.append((*LADDER[3], c.name + (f"  ({note})" if note else ""), "",
                                  RED if note else BLACK))
                cells.append((*LADDER[4], num, "num" if c else "", BLACK if c else RED))
                lines.append(cells)
            first = False
    return lines


def paint_service(pp: PackPainter, s: PackService) -> None:
    lines = _ladder_lines(s.ladder)
    height = pp.line_height("h3") * 2 + pp.line_height() * (len(lines) + 4 + bool(s.depends_on))
    pp.ensure(height)
    pp.y += pp.line_height() * 0.5
    pp.row([(0, 0.6, s.name, "h3", BLACK), (0.6, 0.4, f"{s.criticality} criticality", "small", GREY)], "h3")
    if s.depends_on:
        pp.row([(0, 1, f"Depends on: {', '.join(s.depends_on)}", "small", GREY)], "small")
    if not s.owner_team:
        pp.row([(0, 1, "No owner team recorded.", "", RED)])
        return
    on = ", ".join(c.name for c in s.on_duty) or "nobody on the roster"
    first = numbers(s.on_duty[0].record)[0] if s.on_duty else ""
    pp.row([(0, 0.34, f"Owner team {s.owner_team}", "bold", BLACK),
            (0.34, 0.27, f"on duty now: {on}", "", BLACK), (0.61, 0.29, first, "num", BLACK)])
    pp.row([(x, w, t, "small", GREY) for (x, w), t in zip(LADDER, ("step", "from", "who", "name", "number",
                                                                    "then wait"), strict=True)], "small")
    for cells in lines:
        pp.ensure(pp.line_height())
        pp.row(cells)
    if s.business_owner:
        pp.row([(0, 0.34, "Business owner", "", GREY), (0.34, 0.27, s.business_owner.name, "", BLACK),
                (0.61, 0.29, numbers(s.business_owner.record)[0], "num", BLACK)])
    if s.runbook:
        pp.row([(0, 1, f"Runbook: {s.runbook.splitlines()[0]}", "small", GREY)], "small")


def paint_roster(pp: PackPainter, t: PackTeam, tz: tzinfo | None) -> None:
    pp.ensure(pp.line_height("h3") + pp.line_height() * min(4, len(t.shifts) + 1))
    pp.row([(0, 1, t.name, "h3", BLACK)], "h3")
    if not t.shifts:
        pp.row([(0, 1, "No shifts in the next 7 days.", "", RED)])
    for sh in t.shifts:
        pp.ensure(pp.line_height())
        extra = ("override" if sh.override else "") + (f" — {sh.note}" if sh.note else "")
        pp.row([(0, 0.2, short(sh.starts_at, tz), "", BLACK),
                (0.2, 0.2, f"→ {short(sh.ends_at, tz)}", "", BLACK),
                (0.4, 0.3, sh.name, "", BLACK), (0.7, 0.3, extra, "", GREY)])


def paint_external(pp: PackPainter, title: str, people: Sequence[Callee]) -> None:
    pp.heading(title)
    if not people:
        pp.row([(0, 1, "None recorded.", "", GREY)])
        return
    pp.row([(0, 0.3, "name", "small", GREY), (0.3, 0.22, "contract / customer no.", "small", GREY),
            (0.52, 0.26, "number", "small", GREY), (0.78, 0.22, "email", "small", GREY)], "small")
    for c in people:
        rec = c.record
        nums = numbers(rec)
        pp.ensure(pp.line_height() * len(nums))
        note = mark(c)
        for k, num in enumerate(nums):
            cells = [(0.52, 0.26, num, "num", BLACK)]
            if k == 0:
                cells += [(0, 0.3, rec.name + (f" ({note})" if note else ""), "bold", RED if note else BLACK),
                          (0.3, 0.22, rec.account_number, "", BLACK),
                          (0.78, 0.22, rec.emails[0].address if rec.emails else "", "", BLACK)]
            pp.row(cells)


def paint_pack(data: PackData, writer: QPdfWriter, tz: tzinfo | None = None) -> int:
    """Draw the whole pack; returns the number of pages."""
    writer.setPageLayout(QPageLayout(QPageSize(QPageSize.PageSizeId.A4), QPageLayout.Orientation.Portrait,
                                     QMarginsF(16, 14, 16, 14), QPageLayout.Unit.Millimeter))
    footer = f"Emergency pack — {data.desk} — made {when(data.made_at, tz)} — data {data.digest[:16]}"
    pp = PackPainter(writer, footer)
    pp.row([(0, 1, f"Emergency pack — {data.desk}", "title", BLACK)], "title")
    pp.row([(0, 1, f"Made {when(data.made_at, tz)}", "", GREY)])
    pp.row([(0, 0.2, "Data hash", "", GREY), (0.2, 0.8, data.digest, "num", BLACK)])
    pp.paragraph("Call the first step; if nobody answers within its wait, go to the next step. "
                 "Numbers marked in red were not verified recently or were reported wrong: "
                 "try them, but go on quickly.")
    pp.heading("Services: who to call")
    for s in data.services:
        paint_service(pp, s)
    pp.new_page()
    pp.heading("On duty: now and the next 7 days")
    for t in data.teams:
        paint_roster(pp, t, tz)
    paint_external(pp, "Vendors and providers", data.vendors)
    paint_external(pp, "Facilities", data.facilities)
    from imdesk.qt.contacts.pack_runbooks import paint_runbooks

    paint_runbooks(pp, data.runbooks, tz)
    pp.finish()
    return pp.page_no
