"""The organisation as lines of text: members, ladders, rosters, list members and stakeholders
parse back to what they describe, and a bad line is named by its number."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from imdesk.domain import org_text
from imdesk.domain.contact_book import LadderStep, ListMember, Member, Shift, StakeholderRef
from imdesk.domain.errors import ValidationError

NAMES = org_text.Names(
    org_text.Names.index([(1, "Ana Lima"), (2, "Ben Okafor"), (3, "Hanse Fibre NOC"), (4, "Sam Lee"),
                          (5, "Sam Lee")]),
    org_text.Names.index([(10, "Network")]), org_text.Names.index([(20, "IT management")]))
CET = timezone(timedelta(hours=1))


def test_members_round_trip_and_unknown_names_are_named() -> None:
    text = org_text.format_members([Member(1, "Ana Lima", "team lead"), Member(2, "Ben Okafor", "")])
    assert org_text.parse_members(text, NAMES) == [(1, "team lead"), (2, "")]
    with pytest.raises(ValidationError, match="line 2: no contact named 'Eve'"):
        org_text.parse_members("Ana Lima — lead\nEve — engineer", NAMES)
    with pytest.raises(ValidationError, match="more than one contact is named 'Sam Lee'"):
        org_text.parse_members("Sam Lee", NAMES)


def test_ladders_tell_people_from_roles() -> None:
    steps = org_text.parse_ladder("on duty, 10\n# comment\nteam lead, 15\nhanse fibre noc, 30", NAMES)
    assert steps == [LadderStep(None, "on duty", 10), LadderStep(None, "team lead", 15),
                     LadderStep(3, "", 30)]
    text = org_text.format_ladder(steps, {3: "Hanse Fibre NOC"})
    assert text == "on duty, 10\nteam lead, 15\nHanse Fibre NOC, 30"
    with pytest.raises(ValidationError, match="line 1: 'ten' is not a number"):
        org_text.parse_ladder("on duty, ten", NAMES)
    with pytest.raises(ValidationError, match="line 1: write 'who, minutes'"):
        org_text.parse_ladder("on duty 10", NAMES)


def test_rosters_in_local_time_with_overnight_shifts_and_overrides() -> None:
    shifts = org_text.parse_roster(
        "2026-11-27 22:00 → 06:00  Ana Lima\n"
        "2026-11-28 06:00 -> 2026-11-28 18:00  Ben Okafor  [override]  # covers Ana", NAMES, CET)
    assert shifts[0].starts_at == datetime(2026, 11, 27, 21, 0, tzinfo=UTC)
    assert shifts[0].ends_at == datetime(2026, 11, 28, 5, 0, tzinfo=UTC)
    assert shifts[1].override and shifts[1].note == "covers Ana"
    text = org_text.format_roster([Shift(1, 10, 1, "Ana Lima", shifts[0].starts_at, shifts[0].ends_at)], CET)
    assert text == "2026-11-27 22:00 → 2026-11-28 06:00  Ana Lima"
    with pytest.raises(ValidationError, match="line 1: write 'YYYY-MM-DD"):
        org_text.parse_roster("tomorrow morning Ana", NAMES, CET)


def test_list_members_and_stakeholders() -> None:
    members = org_text.parse_list_members("Ana Lima\nteam Network\nboard@example.com", NAMES)
    assert members == [ListMember(contact_id=1), ListMember(team_id=10),
                       ListMember(address="board@example.com")]
    refs = org_text.parse_stakeholders("P1: IT management\np2: team network\nP3: Ben Okafor", NAMES)
    assert refs == [StakeholderRef("P1", list_id=20), StakeholderRef("P2", team_id=10),
                    StakeholderRef("P3", contact_id=2)]
    with pytest.raises(ValidationError, match="line 1: write 'P1:"):
        org_text.parse_stakeholders("P7: Ana Lima", NAMES)
