"""The incident list query on SQLite (FTS5) and PostgreSQL (tsvector): free text, filters, every
sort key both ways against a Python sort of the same rows, paging, count()."""

from __future__ import annotations

import random
import re
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from imdesk.app import AppContext, build_context
from imdesk.domain.errors import ValidationError
from imdesk.domain.incident import IncidentState
from imdesk.domain.lifecycle import Status
from imdesk.domain.priority import Priority
from imdesk.services.clock import ManualClock
from imdesk.services.incidents import IncidentEdit, NewIncident
from imdesk.storage.incident_repo import SORT_KEYS, IncidentQuery
from tests.conftest import START, fresh_pg_url

# First words that are never a prefix of one another, so that every collation orders the titles
# as Python does (they differ at a letter); mixed case to prove sorting ignores case.
FIRST = ["alpha", "Bravo", "charlie", "Delta", "echo", "foxtrot", "Golf", "hotel", "india",
         "Juliet", "kilo", "lima", "Mike", "november", "oscar", "Papa", "quebec", "romeo",
         "Sierra", "tango", "uniform", "Victor", "whiskey", "xray", "Yankee", "zulu"]
REST = ["printer jam on floor", "printing queue stuck", "mailbox full", "VPN down for branch",
        "password reset storm", "laptop will not boot", "Störung im Netz"]
SERVICES = ["Mail", "Payroll", "VPN", "Web shop"]
PATHS: list[list[tuple[Status, str]]] = [
    [],
    [(Status.IN_PROGRESS, "")],
    [(Status.IN_PROGRESS, ""), (Status.ON_HOLD, "waiting for parts")],
    [(Status.IN_PROGRESS, ""), (Status.RESOLVED, "fixed")],
    [(Status.IN_PROGRESS, ""), (Status.RESOLVED, "fixed"), (Status.CLOSED, "")],
    [(Status.CANCELLED, "duplicate")],
]
LEVELS = ["high", "medium", "low"]


@dataclass
class Dataset:
    ctx: AppContext
    states: list[IncidentState]
    now: datetime

    def page(self, query: IncidentQuery, offset: int = 0, limit: int = 10_000) -> list[str]:
        return [s.ref for s in self.ctx.incidents.page(query, offset, limit)]


def _fill(ctx: AppContext, clock: ManualClock) -> list[IncidentState]:
    rng = random.Random(20261102)
    for name in SERVICES:
        ctx.catalog.add(name)
    made: list[str] = []
    for n in range(40):
        first = FIRST[n % len(FIRST)]
        title = f"{first} {rng.choice(REST)}"
        if n == 30:
            title = ctx.incidents.get(made[3]).title  # an exact duplicate title
        ref = ctx.incidents.create(NewIncident(
            title=title, impact=rng.choice(LEVELS), urgency=rng.choice(LEVELS),
            service=rng.choice([*SERVICES, None]), major=rng.random() < 0.2,
            description=rng.choice(["", "users on floor 3", "since the 08:00 change"]),
            exercise=n == 7,
        )).ref
        made.append(ref)
        for status, note in rng.choice(PATHS):
            clock.advance(timedelta(minutes=rng.randrange(1, 90)))
            ctx.incidents.change_status(ref, status, note)
        if n % 5 != 4:  # every fifth opens at the same moment as the one before it (ties)
            clock.advance(timedelta(minutes=rng.randrange(1, 600)))
    # later changes reorder "updated"
    for ref in rng.sample(made, 8):
        clock.advance(timedelta(minutes=3))
        ctx.incidents.add_note(ref, "follow-up")
    clock.advance(timedelta(minutes=1))
    editable = next(r for r in made[5:] if ctx.incidents.get(r).status.is_open)
    ctx.incidents.edit(editable, IncidentEdit(title="Oscar printer on fire"))
    return [ctx.incidents.get(r) for r in made]


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgres",
                                                               marks=pytest.mark.postgres)])
def data(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory,
         sqlite_template: Path) -> Iterator[Dataset]:
    if request.param == "sqlite":
        path = tmp_path_factory.mktemp("list") / "imdesk.sqlite"
        shutil.copyfile(sqlite_template, path)
        url = f"sqlite:///{path}"
    else:
        url = fresh_pg_url(request.getfixturevalue("pg_template"))
    clock = ManualClock(START)
    ctx = build_context(url, clock=clock, author="tester")
    states = _fill(ctx, clock)
    yield Dataset(ctx, states, clock.now())
    ctx.close()


def _refnum(state: IncidentState) -> int:
    return int(state.ref.split("-")[1])


def _words(value: str) -> list[str]:
    return re.findall(r"\w+", value.lower())


def _text_match(state: IncidentState, text: str) -> bool:
    """What the user expects: every word typed starts a word of the ref, title, description or
    service name."""
    doc = _words(f"{state.ref} {state.title} {state.description} {state.service or ''}")
    words = _words(text)
    return bool(words) and all(any(d.startswith(w) for d in doc) for w in words)


def _python_sorted(states: list[IncidentState], key: str, descending: bool,
                   now: datetime) -> list[str]:
    """The order the user expects: by the key, ties in ref order, both the same way. Age runs
    the other way from the opening time (youngest first = newest ref first on a tie); an incident
    without a service sorts before the others; on the SLA, running clocks by due time come
    first, then paused ones (on hold), then those that ended."""
    far = datetime.max.replace(tzinfo=UTC)
    value: dict[str, Callable[[IncidentState], Any]] = {
        "ref": lambda s: 0,
        "priority": lambda s: s.priority.rank,
        "title": lambda s: s.title.lower(),
        "service": lambda s: (s.service is not None, (s.service or "").lower()),
        "status": lambda s: s.status.value,
        "major": lambda s: s.major,
        "age": lambda s: now - s.opened_at,
        "sla": lambda s: ((2, far) if s.sla_due is None else (1, far)
                          if s.status == Status.ON_HOLD else (0, s.sla_due)),
        "updated": lambda s: s.updated_at,
    }
    tie = (lambda s: -_refnum(s)) if key == "age" else _refnum
    rows = sorted(states, key=lambda s: (value[key](s), tie(s)), reverse=descending)
    return [s.ref for s in rows]


def test_the_dataset_has_what_the_tests_need(data: Dataset) -> None:
    states = data.states
    assert len({s.status for s in states}) == len(Status)
    assert len({s.priority for s in states}) >= 4
    assert any(s.major for s in states) and any(not s.major for s in states)
    assert any(s.service is None for s in states)
    assert len({s.opened_at for s in states}) < len(states)  # ties in age
    assert len({s.title for s in states}) < len(states)  # a duplicate title


@pytest.mark.parametrize("text", ["printer", "print", "PRINTER jam", "mailbox", "mail",
                                  "Payroll", "web", "web sh", "shop printer", "vpn down",
                                  "störung", "floor 3", "08", "oscar fire", "zzzz",
                                  "0800 nothing"])
def test_free_text(data: Dataset, text: str) -> None:
    expected = sorted(s.ref for s in data.states if _text_match(s, text))
    got = data.page(IncidentQuery(text=text))
    assert sorted(got) == expected
    assert data.ctx.incidents.count(IncidentQuery(text=text)) == len(expected)


def test_free_text_finds_a_ref(data: Dataset) -> None:
    ref = data.states[2].ref  # INC-1003
    for typed in (ref, ref.lower(), f"  {ref} ", ref.split("-")[1]):
        got = data.page(IncidentQuery(text=typed))
        assert ref in got, typed
        assert sorted(got) == sorted(s.ref for s in data.states if _text_match(s, typed))


def test_free_text_with_odd_characters_never_fails(data: Dataset) -> None:
    for typed in ["'\"():*&|!", "NEAR AND OR NOT", "%", "_", "50%", "a\\b", "*", "-", "\u202e",
                  "x" * 500, "printer -jam", "ab:*", "(mail"]:
        got = data.page(IncidentQuery(text=typed))
        assert sorted(got) == sorted(s.ref for s in data.states if _text_match(s, typed) or
                                     not _words(typed)), typed


@pytest.mark.parametrize("statuses", [(Status.NEW,), (Status.IN_PROGRESS, Status.ON_HOLD),
                                      (Status.CLOSED, Status.CANCELLED), tuple(Status)])
def test_status_filter(data: Dataset, statuses: tuple[Status, ...]) -> None:
    query = IncidentQuery(statuses=statuses)
    expected = sorted(s.ref for s in data.states if s.status in statuses)
    assert expected
    assert sorted(data.page(query)) == expected
    assert data.ctx.incidents.count(query) == len(expected)


@pytest.mark.parametrize("priorities", [(Priority.P1,), (Priority.P2, Priority.P3),
                                        (Priority.P4, Priority.P5)])
def test_priority_filter(data: Dataset, priorities: tuple[Priority, ...]) -> None:
    query = IncidentQuery(priorities=priorities)
    expected = sorted(s.ref for s in data.states if s.priority in priorities)
    assert sorted(data.page(query)) == expected
    assert data.ctx.incidents.count(query) == len(expected)


def test_major_only_exercise_and_combined_filters(data: Dataset) -> None:
    majors = sorted(s.ref for s in data.states if s.major)
    assert sorted(data.page(IncidentQuery(major_only=True))) == majors
    live = sorted(s.ref for s in data.states if not s.exercise)
    assert len(live) == len(data.states) - 1
    assert sorted(data.page(IncidentQuery(include_exercise=False))) == live
    query = IncidentQuery(text="print", statuses=(Status.NEW, Status.IN_PROGRESS, Status.ON_HOLD),
                          priorities=(Priority.P1, Priority.P2, Priority.P3))
    expected = sorted(s.ref for s in data.states if _text_match(s, "print") and s.status.is_open
                      and s.priority.rank <= 3)
    assert sorted(data.page(query)) == expected
    assert data.ctx.incidents.count(query) == len(expected)


@pytest.mark.parametrize("descending", [False, True], ids=["asc", "desc"])
@pytest.mark.parametrize("key", SORT_KEYS)
def test_sort_matches_a_python_sort(data: Dataset, key: str, descending: bool) -> None:
    got = data.page(IncidentQuery(sort=key, descending=descending))
    assert got == _python_sorted(data.states, key, descending, data.now)


def test_sort_with_a_filter(data: Dataset) -> None:
    query = IncidentQuery(text="printer", sort="title", descending=True)
    rows = [s for s in data.states if _text_match(s, "printer")]
    assert data.page(query) == _python_sorted(rows, "title", True, data.now)


def test_unknown_sort_key_is_refused(data: Dataset) -> None:
    with pytest.raises(ValidationError) as err:
        data.page(IncidentQuery(sort="colour"))
    assert err.value.field == "sort"


@pytest.mark.parametrize("key", ["sla", "title", "age", "service"])
def test_pages_are_disjoint_and_consecutive(data: Dataset, key: str) -> None:
    query = IncidentQuery(sort=key, include_exercise=False)
    full = data.page(query)
    assert len(full) == data.ctx.incidents.count(query)
    pages: list[list[str]] = []
    offset = 0
    while True:
        page = data.page(query, offset, 7)
        if not page:
            break
        assert len(page) <= 7
        pages.append(page)
        offset += len(page)
    flat = [ref for page in pages for ref in page]
    assert flat == full
    assert len(set(flat)) == len(flat)
    assert all(len(p) == 7 for p in pages[:-1])
