"""The awareness board: it says only what the business templates would say (a test plants
internal notes, technician names, a bridge and timeline text and finds none of them), it is
valid HTML with no script, and it is replaced atomically: a reader never sees half a page."""

from __future__ import annotations

import threading
from html.parser import HTMLParser
from pathlib import Path

import pytest

from imdesk.cli import main
from imdesk.context import AppContext
from imdesk.services.board.writer import write_atomic, write_board
from imdesk.services.docs.settings import DeskContact, DocSettings
from imdesk.services.incidents import NewIncident

VOID = {"meta", "br", "img", "hr", "link", "input"}
PLANTED = ("SECRET-NOTE-7781", "Tina Technician", "Bob Bridgekeeper", "+49 999 000 BRIDGE",
           "root password is hunter2", "decision to reboot the SAN quietly", "Call Vendor Vince")


class StrictParser(HTMLParser):
    """The standard library's parser, plus: every element closed in order, no script."""

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[str] = []
        self.tags: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.add(tag)
        assert not any(name.startswith("on") for name, _v in attrs), (tag, attrs)
        if tag not in VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        assert self.stack and self.stack[-1] == tag, (self.stack, tag)
        self.stack.pop()


@pytest.fixture
def desk(ctx: AppContext) -> AppContext:
    ctx.catalog.add("E-mail")
    ctx.catalog.add("VPN")
    DocSettings(ctx.db).set_desk_contact(DeskContact("+49 30 4000 100", "desk@example.com", "24/7"))
    ref = ctx.incidents.create(NewIncident("Inbound mail not delivered", "high", "high", service="E-mail",
                                           description="SECRET-NOTE-7781 in the description")).ref
    ctx.war_rooms.declare(ref, bridge="+49 999 000 BRIDGE",
                          roles={"incident_manager": "Tina Technician", "tech_lead": "Bob Bridgekeeper"})
    ctx.war_rooms.set_situation(ref, conditions="Mail is queued at the gateway",
                                actions="Replacing the certificate", needs="Resend urgent mails later",
                                impact="External mail arrives late")
    ctx.incidents.add_note(ref, "root password is hunter2 — SECRET-NOTE-7781")
    ctx.incidents.add_entry(ref, "decision to reboot the SAN quietly", "decision")
    ctx.war_rooms.add_action(ref, "Call Vendor Vince", owner="Tina Technician")
    ctx.war_rooms.participant(ref, "Bob Bridgekeeper", joined=True)
    old = ctx.incidents.create(NewIncident("VPN drops sessions", "high", "medium", service="VPN")).ref
    ctx.incidents.change_status(old, "in_progress")
    ctx.incidents.change_status(old, "resolved", "Tina Technician swapped the SECRET-NOTE-7781 card")
    ctx.incidents.create(NewIncident("A printer jams", "low", "low"))  # P5: not on the board
    return ctx


def test_the_board_says_only_what_the_business_may_read(desk: AppContext, tmp_path: Path) -> None:
    done = write_board(desk, tmp_path)
    page = done.path.read_text(encoding="utf-8")
    for secret in PLANTED:
        assert secret not in page, secret
    for shown in ("Inbound mail not delivered", "External mail arrives late", "Replacing the certificate",
                  "Resend urgent mails later", "Mail is queued at the gateway", "VPN drops sessions",
                  "+49 30 4000 100", "desk@example.com", "24/7", "Next update"):
        assert shown in page, shown
    assert "A printer jams" not in page
    assert (done.incidents, done.resolved) == (1, 1)
    parser = StrictParser()
    parser.feed(page)
    parser.close()
    assert parser.stack == [] and "script" not in parser.tags and "<script" not in page.lower()
    assert {"html", "head", "body", "style", "title"} <= parser.tags


def test_values_are_escaped(desk: AppContext, tmp_path: Path) -> None:
    desk.incidents.create(NewIncident("<script>alert(1)</script> & co", "high", "high", service="VPN"))
    page = write_board(desk, tmp_path).path.read_text(encoding="utf-8")
    assert "<script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt; &amp; co" in page


def test_a_reader_never_sees_a_half_written_page(tmp_path: Path) -> None:
    """While the page is rewritten 90 times, each read of it (another thread) is one complete
    page, never a mix or a truncation; no temporary file is left behind."""
    path = tmp_path / "index.html"
    pages = [f"<html>{c * 300_000}</html>" for c in "xyz"]
    write_atomic(path, pages[0])
    stop = threading.Event()
    bad: list[int] = []

    def reader() -> None:
        while not stop.is_set():
            text = path.read_text(encoding="utf-8")
            if text not in pages:
                bad.append(len(text))

    thread = threading.Thread(target=reader)
    thread.start()
    try:
        for n in range(90):
            write_atomic(path, pages[(n + 1) % 3])
    finally:
        stop.set()
        thread.join()
    assert bad == []
    assert not [p.name for p in tmp_path.iterdir() if p.name.startswith(".")]  # no temp file left


def test_board_write_command(desk: AppContext, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    url = str(desk.db.engine.url.render_as_string(hide_password=False))
    assert main(["--db", url, "board", "write", "-o", str(tmp_path / "out")]) == 0
    assert (tmp_path / "out" / "index.html").is_file()
    assert "1 current" in capsys.readouterr().out
