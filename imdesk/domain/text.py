"""Cleaning of user text: length limits, control characters and bidi overrides."""

from __future__ import annotations

import re

from imdesk.domain.errors import ValidationError

TITLE_MAX = 200
TEXT_MAX = 20_000

# C0/C1 controls except tab and newline; bidi embeddings, overrides and isolates; the zero-width
# space and BOM. Zero-width (non-)joiners and LRM/RLM stay: Persian, Indic scripts and emoji
# sequences need them.
_CONTROL = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b\u202a-\u202e\u2066-\u2069\ufeff]"
)


def clean_text(value: str, field: str, *, max_len: int = TEXT_MAX, required: bool = False,
               single_line: bool = False) -> str:
    """Strip invisible controls and surrounding blanks; refuse empty or oversized text."""
    text = _CONTROL.sub("", value.replace("\r\n", "\n").replace("\r", "\n"))
    if single_line:
        text = " ".join(text.split())
    text = text.strip()
    if required and not text:
        raise ValidationError(field, f"{field} must not be empty")
    if len(text) > max_len:
        raise ValidationError(field, f"{field} is {len(text):,} characters long; the limit is {max_len:,}")
    return text


def hidden_controls(value: str) -> int:
    """How many invisible control or bidi characters clean_text would remove."""
    return len(_CONTROL.findall(value))
