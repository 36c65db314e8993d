"""Turning what a user types into full-text queries: word prefixes, ANDed (FTS5 and tsquery)."""

from __future__ import annotations

import re
from collections.abc import Callable

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


def fts5_scaled_terms(tokens: list[str], *, indexed: frozenset[int], cap: int,
                      exact_hits: Callable[[str], int]) -> list[tuple[str, bool]]:
    """(word, as a prefix?) for each of `tokens`, so that an FTS5 search does not grow with
    the table.

    FTS5 answers a prefix term that its prefix index does not cover (a word longer than the
    `indexed` lengths) by first merging the postings of every matching word: work in proportion
    to how often the word occurs, on every search, however few hits are shown. So a word that
    by itself already has more than `cap` hits (counted lazily, up to cap + 1: `exact_hits`) is
    matched as that word, without the longer words it begins ("checked" without "checkedout"):
    the list shows only the newest of those hits anyway. A word shorter than the shortest
    prefix index (one letter, for the timeline) is matched as that word too: every word that
    letter begins is most of the record. Every other word stays a prefix."""

    def as_prefix(token: str) -> bool:
        if len(token) in indexed:
            return True
        return len(token) > min(indexed) and exact_hits(f'"{token}"') <= cap

    return [(token, as_prefix(token)) for token in tokens]


def fts5_query(terms: list[tuple[str, bool]]) -> str:
    """FTS5 query of (word, as a prefix?) terms, ANDed."""
    return " AND ".join(f'"{token}"*' if prefix else f'"{token}"' for token, prefix in terms)


def fts5_scaled_query(tokens: list[str], *, indexed: frozenset[int], cap: int,
                      exact_hits: Callable[[str], int]) -> str:
    """fts5_query of fts5_scaled_terms."""
    return fts5_query(fts5_scaled_terms(tokens, indexed=indexed, cap=cap, exact_hits=exact_hits))
