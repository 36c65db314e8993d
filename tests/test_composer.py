"""The composer line: '!' for decisions, '@HH:MM' for what happened earlier."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from imdesk.domain.composer import parse_line
from imdesk.domain.errors import ValidationError

NOW = datetime(2026, 11, 27, 10, 50, 30, tzinfo=timezone(timedelta(hours=1)))


def test_plain_line_keeps_the_chosen_kind() -> None:
    assert parse_line("  called the vendor ", "action", NOW) == (
        parse_line("called the vendor", "action", NOW))
    line = parse_line("called the vendor", "action", NOW)
    assert (line.kind, line.text, line.occurred_at) == ("action", "called the vendor", None)


def test_bang_makes_a_decision() -> None:
    line = parse_line("! fail over to DC1", "note", NOW)
    assert (line.kind, line.text) == ("decision", "fail over to DC1")


def test_at_backdates_today_or_yesterday() -> None:
    line = parse_line("@10:42 failover started", "note", NOW)
    assert line.occurred_at == NOW.replace(hour=10, minute=42, second=0)
    assert line.text == "failover started"
    late = parse_line("@23:10 !rollback decided", "note", NOW)
    assert late.occurred_at == (NOW - timedelta(days=1)).replace(hour=23, minute=10, second=0)
    assert (late.kind, late.text) == ("decision", "rollback decided")


@pytest.mark.parametrize("raw", ["@24:00 x", "@12:60 x"])
def test_impossible_times_are_refused(raw: str) -> None:
    with pytest.raises(ValidationError, match="not a time of day"):
        parse_line(raw, "note", NOW)


def test_an_at_sign_elsewhere_is_text() -> None:
    assert parse_line("mail @ogilvy bounced", "note", NOW).text == "mail @ogilvy bounced"


def test_action_line_with_owner_and_due_time() -> None:
    from imdesk.domain.composer import parse_action

    item = parse_action("check the uplinks @Sam Okafor ~11:30", NOW)
    assert (item.text, item.owner) == ("check the uplinks", "Sam Okafor")
    assert item.due == NOW.replace(hour=11, minute=30, second=0)
    early = parse_action("call back ~09:00", NOW)
    assert early.due == (NOW + timedelta(days=1)).replace(hour=9, minute=0, second=0)
    assert parse_action("just text", NOW) == parse_action(" just text ", NOW)
    with pytest.raises(ValidationError, match="not a time of day"):
        parse_action("x ~25:00", NOW)
