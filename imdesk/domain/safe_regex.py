"""Regular expressions from users that cannot hang intake (catastrophic backtracking, ReDoS).

Python's `re` backtracks; Prometheus matchers are RE2 (linear time). Rather than a second regex
engine (a compiled dependency, and the domain stays standard library only), a pattern is checked
once on its parsed form and refused when it can backtrack exponentially or polynomially: a
quantifier inside a quantified group (``(a+)+``, ``(a*b?)*``), an alternation under a
quantifier (``(a|ab)*``), back-references and look-arounds (not RE2 either), and repeats whose
ways to split the value multiply past COST_MAX (each open-ended repeat counts MATCH_MAX, a
{n,m} counts m-n+1: ``.*a.*b.*c`` is cubic in the length and refused, two ``.*`` pass). The value matched
is at most MATCH_MAX characters (the rest is not looked at), so the worst accepted pattern
stays within milliseconds (README, "Alerts from the monitoring").
"""

from __future__ import annotations

import functools
import re
from typing import Any

try:  # Python 3.11 names it sre_parse; 3.12+ re._parser
    from re import _parser as _sre  # type: ignore[attr-defined,unused-ignore]
except ImportError:  # pragma: no cover
    import sre_parse as _sre  # type: ignore[no-redef,unused-ignore]

MATCH_MAX = 1024
COST_MAX = MATCH_MAX * MATCH_MAX
PATTERN_MAX = 1000
_MAXREPEAT = _sre.MAXREPEAT


class UnsafeRegex(ValueError):
    """The pattern could take too long to match: says why in plain words."""


def check(pattern: str) -> re.Pattern[str]:
    """The compiled PATTERN, or UnsafeRegex (re.error for a pattern that does not parse)."""
    if len(pattern) > PATTERN_MAX:
        raise UnsafeRegex(f"longer than {PATTERN_MAX} characters")
    compiled = re.compile(pattern)
    if _walk(_sre.parse(pattern), inside_repeat=False) > COST_MAX:
        raise UnsafeRegex("too many repeats one after another (like .*a.*b.*c) can take too long")
    return compiled


def _walk(items: Any, *, inside_repeat: bool) -> int:
    """The product of the ways the repeats in ITEMS can split a value (capped past COST_MAX)."""
    cost = 1
    for op, arg in items:
        name = str(op)
        if name in ("MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT"):
            low, high, body = arg
            if inside_repeat and high > 1:
                raise UnsafeRegex("a repeat inside a repeated group, like (a+)+, can take for ever")
            ways = MATCH_MAX if high == _MAXREPEAT else min(high - low + 1, MATCH_MAX)
            cost = min(cost * ways, COST_MAX + 1)
            cost = min(cost * _walk(body, inside_repeat=inside_repeat or high > 1), COST_MAX + 1)
        elif name == "SUBPATTERN":
            cost = min(cost * _walk(arg[-1], inside_repeat=inside_repeat), COST_MAX + 1)
        elif name == "BRANCH":
            if inside_repeat:
                raise UnsafeRegex("an alternative inside a repeated group, like (a|ab)*, can take "
                                  "for ever")
            cost = min(cost * max(_walk(b, inside_repeat=inside_repeat) for b in arg[1]),
                       COST_MAX + 1)
        elif name in ("GROUPREF", "GROUPREF_EXISTS", "ASSERT", "ASSERT_NOT", "ATOMIC_GROUP"):
            raise UnsafeRegex("back-references and look-arounds are not supported (RE2 syntax)")
    return cost


@functools.lru_cache(maxsize=512)
def compiled(pattern: str) -> re.Pattern[str] | None:
    """The checked pattern, or None when it is unsafe or broken (a rule stored before the check):
    such a rule matches nothing rather than hang."""
    try:
        return check(pattern)
    except (UnsafeRegex, re.error, RecursionError):
        return None


def fullmatch(pattern: str, value: str) -> bool:
    """Does PATTERN match all of VALUE (its first MATCH_MAX characters)?"""
    found = compiled(pattern)
    return found is not None and found.fullmatch(value[:MATCH_MAX]) is not None
