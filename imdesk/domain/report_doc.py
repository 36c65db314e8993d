"""A printable document (handover, review pack, metrics, after-action report) as plain data, and
its Markdown and HTML forms.

One structure, three outputs: the Markdown and the HTML here, the PDF in
``imdesk.qt.widgets.report_pdf`` (which lays out the same HTML). Every text is escaped on the way
out, so a title like ``<b>`` or ``| pipe |`` prints literally in each form.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Heading:
    text: str
    level: int = 2  # 1 is the document's title level; sections are 2, sub-sections 3


@dataclass(frozen=True)
class Paragraph:
    text: str


@dataclass(frozen=True)
class Fields:
    """Label: value lines (a signature block, the shift window, figures)."""

    pairs: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class Table:
    headers: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    caption: str = ""


@dataclass(frozen=True)
class Bullets:
    items: tuple[str, ...]


@dataclass(frozen=True)
class Preformatted:
    """Kept as written, in a fixed-width font (hashes, a diff)."""

    text: str


Block = Heading | Paragraph | Fields | Table | Bullets | Preformatted


@dataclass(frozen=True)
class ReportDoc:
    title: str
    subtitle: str
    blocks: tuple[Block, ...]
    footer: str = ""  # printed on every PDF page beside "page n of m"; the last line in the others

    def headings(self) -> list[str]:
        return [b.text for b in self.blocks if isinstance(b, Heading)]


# -- Markdown ---------------------------------------------------------------------------------
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]<>()#+!|~])")


def md_escape(text: str) -> str:
    """Text that Markdown shows as typed (no emphasis, links or HTML made from it)."""
    return _MD_SPECIAL.sub(r"\\\1", text)


def _md_cell(text: str) -> str:
    return md_escape(" ".join(text.split())) or " "


def _md_block(block: Block) -> list[str]:
    if isinstance(block, Heading):
        return ["#" * max(1, min(6, block.level)) + " " + md_escape(block.text), ""]
    if isinstance(block, Paragraph):
        lines = [md_escape(line) for line in block.text.splitlines()] or [""]
        return ["  \n".join(lines), ""]
    if isinstance(block, Fields):
        return [f"- **{md_escape(k)}:** {md_escape(' '.join(v.split()))}" for k, v in block.pairs] + [""]
    if isinstance(block, Bullets):
        return [f"- {md_escape(' '.join(item.split()))}" for item in block.items] + [""]
    if isinstance(block, Preformatted):
        fence = "````" if "```" in block.text else "```"
        return [fence, block.text, fence, ""]
    out = [f"*{md_escape(block.caption)}*", ""] if block.caption else []
    out.append("| " + " | ".join(_md_cell(h) for h in block.headers) + " |")
    out.append("|" + "|".join("---" for _ in block.headers) + "|")
    out.extend("| " + " | ".join(_md_cell(c) for c in row) + " |" for row in block.rows)
    return [*out, ""]


def to_markdown(doc: ReportDoc) -> str:
    lines = [f"# {md_escape(doc.title)}", ""]
    if doc.subtitle:
        lines += [md_escape(doc.subtitle), ""]
    for block in doc.blocks:
        lines += _md_block(block)
    if doc.footer:
        lines += ["---", "", md_escape(doc.footer), ""]
    return "\n".join(lines)


# -- HTML ---------------------------------------------------------------------------------------
# Only CSS that Qt's rich text understands too, so the PDF and the browser show the same thing.
_CSS = """
body { font-family: 'DejaVu Sans', Arial, sans-serif; font-size: 10pt; color: #111; }
h1 { font-size: 17pt; margin: 0 0 4px 0; }
h2 { font-size: 13pt; margin: 14px 0 4px 0; border-bottom: 1px solid #999; }
h3 { font-size: 11pt; margin: 10px 0 2px 0; }
p { margin: 2px 0 6px 0; }
p.sub { color: #555; margin-bottom: 10px; }
table { border-collapse: collapse; margin: 2px 0 8px 0; }
th { background: #e8e8e8; text-align: left; font-weight: bold; }
th, td { border: 1px solid #bbb; padding: 2px 5px; vertical-align: top; }
td.k { color: #444; font-weight: bold; border: none; padding: 1px 10px 1px 0; }
td.v { border: none; padding: 1px 0; }
pre { font-family: 'DejaVu Sans Mono', monospace; font-size: 8.5pt; }
p.foot { color: #555; font-size: 8.5pt; margin-top: 16px; }
"""


def _esc(text: str) -> str:
    return html.escape(text, quote=True)


def _html_block(block: Block) -> str:
    if isinstance(block, Heading):
        level = max(1, min(6, block.level))
        return f"<h{level}>{_esc(block.text)}</h{level}>"
    if isinstance(block, Paragraph):
        return "<p>" + "<br>".join(_esc(line) for line in block.text.splitlines()) + "</p>"
    if isinstance(block, Fields):
        rows = "".join(f'<tr><td class="k">{_esc(k)}</td><td class="v">{_esc(v)}</td></tr>'
                       for k, v in block.pairs)
        return f'<table class="fields">{rows}</table>'
    if isinstance(block, Bullets):
        return "<ul>" + "".join(f"<li>{_esc(item)}</li>" for item in block.items) + "</ul>"
    if isinstance(block, Preformatted):
        return f"<pre>{_esc(block.text)}</pre>"
    caption = f"<p><i>{_esc(block.caption)}</i></p>" if block.caption else ""
    head = "".join(f"<th>{_esc(h)}</th>" for h in block.headers)
    body = "".join("<tr>" + "".join(f"<td>{_esc(c)}</td>" for c in row) + "</tr>" for row in block.rows)
    return f'{caption}<table cellspacing="0" cellpadding="3" width="100%"><tr>{head}</tr>{body}</table>'


def body_html(doc: ReportDoc) -> str:
    """The document's body without the footer (the PDF prints the footer on every page)."""
    parts = [f"<h1>{_esc(doc.title)}</h1>"]
    if doc.subtitle:
        parts.append(f'<p class="sub">{_esc(doc.subtitle)}</p>')
    parts.extend(_html_block(b) for b in doc.blocks)
    return "\n".join(parts)


def style_sheet() -> str:
    return _CSS


def to_html(doc: ReportDoc) -> str:
    """A self-contained page: CSS inline, no scripts, nothing fetched."""
    foot = f'\n<p class="foot">{_esc(doc.footer)}</p>' if doc.footer else ""
    return ("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            f"<title>{_esc(doc.title)}</title><style>{_CSS}</style></head>\n<body>\n"
            f"{body_html(doc)}{foot}\n</body></html>\n")
