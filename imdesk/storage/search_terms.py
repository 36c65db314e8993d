"""Turning what a user types into full-text queries: word prefixes, ANDed (FTS5 and tsquery)."""

from __future__ import annotations

import re

_TOKEN = re.compile(r"\w+", re.UNICODE)
MAX_TOKENS = 8


def search_tokens(value: str) -> list[str]:
    """The words of a search, lower-cased; punctuation (quotes, operators) never reaches SQL."""
    return _TOKEN.findall(value.lower())[:MAX_TOKENS]


def fts5_prefix_query(tokens: list[str]) -> str:
    """FTS5: every word as a quoted prefix ('"vpn"* AND "gate"*')."""
    return " AND ".join(f'"{t}"*' for t in tokens)


def _ts_term(token: str) -> str:
    """A prefix term for to_tsquery. PostgreSQL's parser reads the number in 'INC-1003' as the
    signed integer '-1003', so a number typed by the user also matches it with the minus."""
    if token.isascii() and token.isdigit():
        return f"({token}:* | -{token}:*)"
    return f"{token}:*"


def tsquery_prefix(tokens: list[str]) -> str:
    """PostgreSQL: every word as a prefix term, ANDed."""
    return " & ".join(_ts_term(t) for t in tokens)
