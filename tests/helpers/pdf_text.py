"""The text of a PDF as a reader would copy it (pypdf), whitespace runs made one space per line,
so tests can look for headings, names and hashes in what imdesk printed. Ligatures the font drew
("ﬀ" for "ff" — in a hash too) are read back as their letters."""

from __future__ import annotations

import re
from pathlib import Path

from pypdf import PdfReader

LIGATURES = str.maketrans({"\ufb00": "ff", "\ufb01": "fi", "\ufb02": "fl", "\ufb03": "ffi",
                           "\ufb04": "ffl", "\ufb05": "st", "\ufb06": "st"})


def pdf_pages(path: Path) -> list[str]:
    pages = []
    for page in PdfReader(str(path)).pages:
        text = page.extract_text().translate(LIGATURES)
        lines = (re.sub(r"[ \t\u00a0]+", " ", line).strip() for line in text.splitlines())
        pages.append("\n".join(line for line in lines if line))
    return pages


def pdf_text(path: Path) -> str:
    return "\n".join(pdf_pages(path))
