"""Ranking open incidents by how much they look like what is being typed (pure, stdlib only).

The database supplies candidates (full-text prefix hits); this module scores them so that the
master of an outage comes first for its callers' wordings, typos included: every word typed is
matched against the candidate's words by prefix or, failing that, by close spelling.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from difflib import SequenceMatcher
from functools import lru_cache
from typing import Any

_WORD = re.compile(r"\w+", re.UNICODE)
# Words that say nothing about which outage it is.
STOP_WORDS = frozenset(
    """
a an and are as at be but by can cannot cant can't could do does doesn dont don't for from
has have i in is isn it its me my no not of on or our so the this to too up us was we what
when why will with won wont you your any all again still since now just get got getting
working work works broken down problem issue error help please
""".split()  # noqa: SIM905
)


def words(text: str) -> list[str]:
    """The meaningful words of a text, lower-cased, stop words left out."""
    return [w for w in _WORD.findall(text.lower()) if w not in STOP_WORDS and len(w) > 1]


def candidate_terms(text: str) -> list[str]:
    """Prefixes to ask the full-text index for: each word, cut to four letters so that a typo
    at a word's end (and plurals, tenses) still finds it."""
    seen: list[str] = []
    for w in words(text):
        term = w[:4] if len(w) > 4 else w
        if len(term) >= 2 and term not in seen:
            seen.append(term)
    return seen[:8]


@dataclass(frozen=True)
class Candidate:
    """An open incident the index found, with what the ranking reads."""

    incident_id: int
    ref: str
    title: str
    text: str  # description, service and recent timeline text
    service: str | None
    priority: str
    major: bool
    callers: int


@dataclass(frozen=True)
class Ranked:
    candidate: Candidate
    score: float


@lru_cache(maxsize=65536)
def _word_match(typed: str, target: str) -> float:
    if target.startswith(typed) or (typed.startswith(target) and len(target) >= 3):
        return 1.0
    if len(typed) < 3 or abs(len(typed) - len(target)) > 2:
        return 0.0
    if typed[0] != target[0] and typed[:2] != target[1::-1]:
        return 0.0
    ratio = SequenceMatcher(None, typed, target).ratio()
    return ratio if ratio >= 0.75 else 0.0


def _best(typed: str, targets: set[str]) -> float:
    best = 0.0
    for t in targets:
        m = _word_match(typed, t)
        if m > best:
            best = m
            if best == 1.0:
                break
    return best


@lru_cache(maxsize=8192)
def _word_set(text: str) -> frozenset[str]:
    """The words of a text, remembered: the same open incidents come back keystroke after
    keystroke."""
    return frozenset(words(text))


def score(typed_words: list[str], service: str | None, c: Candidate) -> float:
    """Higher is more alike; 0 when nothing typed matches."""
    if not typed_words:
        return 0.0
    title = set(_word_set(c.title))
    body = set(_word_set(c.text)) | title
    total = 0.0
    for w in typed_words:
        in_title = _best(w, title)
        total += max(in_title * 1.0, _best(w, body) * 0.6)
    if total == 0.0:
        return 0.0
    total /= len(typed_words)
    if service and c.service and service.casefold() == c.service.casefold():
        total += 0.3
    total += min(c.callers, 20) * 0.01 + (0.05 if c.major else 0.0)
    total += (5 - int(c.priority[1:] or 5)) * 0.01 if c.priority.startswith("P") else 0.0
    return round(total, 4)


def rank(text: str, service: str | None, candidates: list[Candidate], limit: int = 5,
         threshold: float = 0.34) -> list[Ranked]:
    """The best `limit` candidates that score at least `threshold`, best first."""
    typed = words(text)
    scored = [Ranked(c, score(typed, service, c)) for c in candidates]
    good = [r for r in scored if r.score >= threshold]
    good.sort(key=lambda r: (-r.score, -r.candidate.callers, r.candidate.incident_id))
    return good[:limit]


@dataclass(frozen=True)
class Hint:
    """An open incident that looks like what is being typed."""

    ref: str
    title: str
    priority: str
    major: bool
    callers: int
    service: str | None
    score: float

    @property
    def label(self) -> str:
        bits = [self.priority] + (["major"] if self.major else [])
        if self.callers:
            bits.append(f"{self.callers} caller{'s' if self.callers != 1 else ''}")
        return f"{self.ref} {self.title} ({', '.join(bits)})"

    def to_json(self) -> dict[str, Any]:
        return {"ref": self.ref, "title": self.title, "priority": self.priority,
                "major": self.major, "callers": self.callers, "service": self.service,
                "score": self.score}
