"""The shared printable document: what a reader of the Markdown, the HTML page and the PDF sees."""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path

import pytest

from imdesk.domain.report_doc import (
    Bullets,
    Fields,
    Heading,
    Paragraph,
    Preformatted,
    ReportDoc,
    Table,
    to_html,
    to_markdown,
)

HOSTILE = "<script>alert(1)</script> | *bold* [link](http://x) # not a heading"


def _doc(rows: int = 3) -> ReportDoc:
    return ReportDoc(
        title="Shift handover — night",
        subtitle="Fri 4 Dec 2026 22:00 – Sat 5 Dec 2026 06:00 (+01:00)",
        blocks=(
            Heading("Open incidents"),
            Table(("Ref", "Title", "Rating"),
                  tuple((f"INC-{1000 + i}", f"Mail relay queue {i}", "watch") for i in range(rows))),
            Heading("Notes"),
            Paragraph(HOSTILE + "\nsecond line"),
            Fields((("Outgoing", "Kim Nguyen"), ("Signed", "Sat 5 Dec 2026 05:52 (+01:00)"))),
            Bullets(("if the relay queue passes 10k, call the vendor",)),
            Preformatted("sha256 " + "ab" * 32),
        ),
        footer="Handover #7 · content sha256 " + "cd" * 8,
    )


class _Collect(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def test_markdown_shows_hostile_text_literally_and_keeps_every_section() -> None:
    md = to_markdown(_doc())
    assert md.startswith("# Shift handover — night\n")
    assert "## Open incidents" in md and "## Notes" in md
    assert "| INC-1000 | Mail relay queue 0 | watch |" in md
    # the pipe, emphasis, link and heading marks are escaped: no extra column, no link, no heading
    assert "\\| \\*bold\\* \\[link\\]\\(http://x\\) \\# not a heading" in md
    assert "\n# not" not in md
    assert "- **Outgoing:** Kim Nguyen" in md
    assert "```\nsha256 " + "ab" * 32 + "\n```" in md
    assert md.rstrip().endswith("Handover \\#7 · content sha256 " + "cd" * 8)


def test_html_is_one_page_without_scripts_and_shows_hostile_text_as_text() -> None:
    page = to_html(_doc())
    parser = _Collect()
    parser.feed(page)
    assert "script" not in parser.tags
    assert HOSTILE in "".join(parser.text)
    assert parser.tags.count("h2") == 2 and parser.tags.count("th") == 3
    assert "http" not in page.replace("http://x", "")  # nothing fetched: no external references


def test_pdf_holds_every_heading_the_footer_and_page_n_of_m(qapp: object, tmp_path: Path) -> None:
    from imdesk.qt.widgets.report_pdf import write_report_pdf
    from tests.helpers.pdf_text import pdf_pages, pdf_text

    doc = _doc(rows=250)
    for page in ("A4", "Letter"):
        out = tmp_path / f"handover-{page}.pdf"
        pages = write_report_pdf(doc, out, page)  # type: ignore[arg-type]
        texts = pdf_pages(out)
        assert len(texts) == pages > 1
        for n, text in enumerate(texts, 1):
            assert f"page {n} of {pages}" in text
            assert "Handover #7" in text
        whole = pdf_text(out)
        for heading in doc.headings():
            assert heading in whole
        assert "Kim Nguyen" in whole and "ab" * 32 in whole and "INC-1249" in whole
        assert HOSTILE in whole.replace("\n", " ")
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no temporary file left


def test_a_pdf_that_fails_mid_drawing_leaves_the_old_file_whole(qapp: object, tmp_path: Path) -> None:
    from imdesk.qt.widgets.pdf_file import pdf_into
    from imdesk.qt.widgets.report_pdf import write_report_pdf

    out = tmp_path / "pack.pdf"
    write_report_pdf(_doc(rows=3), out)
    before = out.read_bytes()
    with pytest.raises(RuntimeError), pdf_into(out, "half") as writer:
        assert writer.resolution() == 300
        raise RuntimeError("the painter failed on page 2")
    assert out.read_bytes() == before and before.startswith(b"%PDF")
    assert [p.name for p in tmp_path.iterdir()] == ["pack.pdf"]
