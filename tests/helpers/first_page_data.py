"""What the first-page tests share: a file with incidents in every status, priority and service
(some majors and drills; the fixture `first_page_file`, made available by tests/conftest.py), and
the list queries Hypothesis draws from."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import strategies as st

from imdesk.app import build_context
from imdesk.context import AppContext
from imdesk.domain.incident_query import IncidentQuery
from imdesk.domain.lifecycle import Status
from imdesk.domain.priority import Priority
from imdesk.services.demo.bulk_seed import bulk_seed
from imdesk.storage.incident_repo import SORT_KEYS

LIMIT = 25


@pytest.fixture(scope="module")
def first_page_file(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, AppContext]]:
    """A file with incidents in every status, priority and service, some majors and drills."""
    path = tmp_path_factory.mktemp("first-page") / "desk.sqlite"
    ctx = build_context(path, author="tester")
    bulk_seed(ctx.db, incidents=400, entries=1200, now=datetime(2026, 11, 20, tzinfo=UTC),
              open_share=0.4)
    yield path, ctx
    ctx.close()


queries = st.builds(
    IncidentQuery,
    statuses=st.lists(st.sampled_from(list(Status)), unique=True, max_size=3).map(tuple),
    priorities=st.lists(st.sampled_from(list(Priority)), unique=True, max_size=2).map(tuple),
    major_only=st.booleans(),
    sort=st.sampled_from(SORT_KEYS),
    descending=st.booleans(),
    include_exercise=st.booleans(),
)
