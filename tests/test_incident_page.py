"""The incident list's plain-sqlite3 page reader (storage/incident_page.py) must give exactly what
the SQLAlchemy query of incident_repo gives — the rows, in order, at every offset — for every
filter, search text and sort; and the first page with its count in one read as page() and
count() separately."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from imdesk.context import AppContext
from imdesk.domain.errors import ValidationError
from imdesk.domain.incident_query import IncidentQuery
from imdesk.storage import incident_page, incident_repo
from tests.helpers.first_page_data import queries

# Words of the seeded titles, descriptions and services, their prefixes, refs, other scripts.
TEXTS = ["", "v", "vp", "vpn", "mail", "printer", "INC-1", "INC-10", "inc 2", "s", "sw", "data",
         "zzz", "ü", "éa", "late", "gate way", "-", "'", '"', "a*", "p OR q", "the"]


def _both(ctx: AppContext, query: IncidentQuery, offset: int, limit: int) -> tuple[list, list]:
    with ctx.db.read() as s:
        plain = incident_page.read_page(s, query, offset, limit)
    with ctx.db.read() as s:
        orm = incident_repo.list_page(s, query, offset, limit)
    return plain, orm


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(query=queries, text=st.sampled_from(TEXTS), offset=st.sampled_from([0, 7, 100]),
       limit=st.sampled_from([1, 25, 100]))
def test_the_plain_reader_reads_what_the_orm_reads(
        first_page_file: tuple[Path, AppContext], query: IncidentQuery, text: str, offset: int,
        limit: int) -> None:
    _path, ctx = first_page_file
    query = IncidentQuery(**{**query.__dict__, "text": text})
    plain, orm = _both(ctx, query, offset, limit)
    assert plain == orm
    assert [type(v) for v in plain[0].__dict__.values()] == [
        type(v) for v in orm[0].__dict__.values()] if orm else True


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(query=queries, text=st.sampled_from(TEXTS))
def test_the_plain_count_counts_what_the_orm_counts(
        first_page_file: tuple[Path, AppContext], query: IncidentQuery, text: str) -> None:
    _path, ctx = first_page_file
    query = IncidentQuery(**{**query.__dict__, "text": text})
    with ctx.db.read() as s:
        plain = incident_page.read_count(s, query)
    with ctx.db.read() as s:
        orm = incident_repo.count(s, query)
    assert plain == orm


def test_the_plain_count_stops_at_the_cap_as_the_orm_count(
        first_page_file: tuple[Path, AppContext], monkeypatch: pytest.MonkeyPatch) -> None:
    _path, ctx = first_page_file
    monkeypatch.setattr(incident_repo, "COUNT_CAP", 5)
    for query in (IncidentQuery(statuses=()), IncidentQuery(statuses=(), sort="title"),
                  IncidentQuery(text="s"), IncidentQuery(statuses=(), text="zzz")):
        with ctx.db.read() as s:
            plain = incident_page.read_count(s, query)
        with ctx.db.read() as s:
            orm = incident_repo.count(s, query)
        assert plain == orm, query
    with ctx.db.read() as s:
        assert incident_page.read_count(s, IncidentQuery(statuses=())) == 6


@pytest.mark.parametrize("sort", incident_repo.SORT_KEYS)
@pytest.mark.parametrize("descending", [False, True])
@pytest.mark.parametrize("text", ["", "vpn", "s", "INC-1"])
def test_every_sort_and_direction(first_page_file: tuple[Path, AppContext], sort: str,
                                  descending: bool, text: str) -> None:
    _path, ctx = first_page_file
    query = IncidentQuery(statuses=(), sort=sort, descending=descending, text=text)
    plain, orm = _both(ctx, query, 0, 500)
    assert plain == orm and (plain or text)


@pytest.mark.parametrize("text", ["", "vpn", "s", "zzz"])
def test_first_page_is_page_and_count(first_page_file: tuple[Path, AppContext], text: str) -> None:
    _path, ctx = first_page_file
    query = IncidentQuery(statuses=(), text=text)
    rows, total = ctx.incidents.first_page(query, 25)
    assert rows == ctx.incidents.page(query, 0, 25)
    assert total == ctx.incidents.count(query)


def test_an_unknown_sort_is_refused_as_before(first_page_file: tuple[Path, AppContext]) -> None:
    _path, ctx = first_page_file
    with pytest.raises(ValidationError):
        ctx.incidents.page(IncidentQuery(sort="colour"), 0, 10)


def test_first_page_is_page_and_count_on_every_database(ctx: AppContext) -> None:
    """PostgreSQL keeps the SQLAlchemy query: its first page and count in one read, too."""
    from imdesk.services.incidents import NewIncident

    for n, title in enumerate(["VPN gateway down", "Printer jam", "VPN token expired"]):
        ctx.incidents.create(NewIncident(title=f"{title} {n}", impact="low", urgency="low",
                                         service=None))
    for query in (IncidentQuery(statuses=()), IncidentQuery(text="vpn", sort="title"),
                  IncidentQuery(statuses=(), sort="ref", descending=True)):
        rows, total = ctx.incidents.first_page(query, 2)
        assert rows == ctx.incidents.page(query, 0, 2) and len(rows) == 2
        assert total == ctx.incidents.count(query)
