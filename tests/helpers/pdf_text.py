"""The text of a PDF as a reader would copy it (pypdf), whitespace runs made one space per line,
so tests can look for headings, names and hashes in what imdesk printed."""

from __future__ import annotations

import re
from pathlib import Path

from pypdf import PdfReader


def pdf_pages(path: Path) -> list[str]:
    pages = []
    for page in PdfReader(str(path)).pages:
        lines = (re.sub(r"[ \t\u00a0]+", " ", line).strip() for line in page.extract_text().splitlines())
        pages.append("\n".join(line for line in lines if line))
    return pages


def pdf_text(path: Path) -> str:
    return "\n".join(pdf_pages(path))
