"""Mapping rules cannot hang intake (issue 17, item 13): patterns that backtrack badly are
refused when the rule is written, and every accepted pattern matches the worst values fast."""

from __future__ import annotations

import time

import pytest

from imdesk.domain import safe_regex
from imdesk.domain.alert_rules import parse_matchers
from imdesk.domain.errors import ValidationError

REFUSED = ["(a+)+$", "(a*)*", "(a|ab)*c", "(.*a){20}", ".*a.*b.*c", "(.*)(.*)(.*)x",
           "a{0,16}a{0,16}a{0,16}a*a*b", r"(\d+)\1", "(?=a)b", "(?!a)b", "x" * 1001]
ACCEPTED = ["api.*", "(api|web)-.*", "x{2,5}", "(ab){2,3}", r"([a-z]+\.)?example",
            r"\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}", "(.*)(.*)x", "(x+x+)y", "a*a*b", ".*x.*",
            "critical|warning", "a{0,600}a{0,600}b"]
WORST_VALUES = ["a" * 32 + "!", "a" * 5000, "x" * 5000, "ax" * 2500, "=" * 5000]


@pytest.mark.parametrize("pattern", REFUSED)
def test_a_pattern_that_can_hang_is_refused_with_the_reason(pattern: str) -> None:
    with pytest.raises(ValidationError, match="refused"):
        parse_matchers(f'job=~"{pattern}"')


@pytest.mark.parametrize("pattern", ACCEPTED)
def test_every_accepted_pattern_matches_the_worst_values_in_milliseconds(pattern: str) -> None:
    matcher = parse_matchers(f'job=~"{pattern}"')[0]
    for value in WORST_VALUES:
        started = time.perf_counter()
        matcher.matches({"job": value})
        assert time.perf_counter() - started < 0.25, (pattern, value[:10])


def test_a_stored_rule_from_before_the_check_matches_nothing_instead_of_hanging() -> None:
    started = time.perf_counter()
    assert not safe_regex.fullmatch("(a+)+$", "a" * 32 + "!")
    assert time.perf_counter() - started < 0.25


def test_the_value_is_matched_on_its_first_characters() -> None:
    assert safe_regex.fullmatch("a*", "a" * 5000)
    assert safe_regex.fullmatch("api-.*", "api-" + "x" * 5000)
