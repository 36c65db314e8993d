"""User-facing messages built from an exception's text, as one clean sentence.

An exception's text may end with its own full stop, a hint sentence, or a class name in
brackets; pasted into a message with more punctuation around it, it read "…(Keyring).):". Every
message that embeds one is built here: ``sentence("Not saved", exc)`` → "Not saved: the disk is
full." Standard library only, usable from every layer.
"""

from __future__ import annotations

import re

_END = ".!?…"
_TRAILING = " \t\r\n.:;,"


def clause(value: object) -> str:
    """An exception (or text) as a clause: one line, blanks collapsed, no closing punctuation
    of its own (a closing bracket's stop goes, the bracket stays)."""
    text = " ".join(str(value).split())
    while text and text[-1] in _TRAILING:
        text = text[:-1]
    return re.sub(r"\.\s*\)$", ")", text)


def sentence(lead: str, detail: object = "", tail: str = "") -> str:
    """LEAD and DETAIL joined as "Lead: detail." — and TAIL as its own sentence after it; no
    doubled or stray punctuation whatever DETAIL ends with."""
    head = clause(lead)
    body = clause(detail)
    text = f"{head}: {body}" if head and body else head or body
    if text:
        text = text[0].upper() + text[1:]
        if text[-1] not in _END:
            text += "."
    more = " ".join(tail.split())
    if more:
        more = more[0].upper() + more[1:]
        if more[-1] not in _END:
            more += "."
        text = f"{text} {more}" if text else more
    return text
