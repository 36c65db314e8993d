"""The hand-built canonical JSON of an entry equals json.dumps with sorted keys, for any content."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from imdesk.domain.timeline import canonical_json, iso

_json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(), children, max_size=3),
    max_leaves=8,
)
_times = st.datetimes(min_value=datetime(1990, 1, 1), max_value=datetime(2100, 1, 1),
                      timezones=st.just(UTC))


@settings(max_examples=300, deadline=None)
@given(text=st.text(), author=st.text(), kind=st.text(), ref=st.text(), seq=st.integers(1, 10**9),
       recorded=_times, occurred=st.none() | _times,
       data=st.dictionaries(st.text(), _json_values, max_size=4))
def test_matches_json_dumps(text: str, author: str, kind: str, ref: str, seq: int,
                            recorded: datetime, occurred: datetime | None,
                            data: dict[str, Any]) -> None:
    fields = dict(prev_hash="ab" * 32, incident_ref=ref, seq=seq, uuid="u-1", kind=kind, text=text,
                  author=author, recorded_at=recorded, occurred_at=occurred, data=data)
    reference = json.dumps({
        "prev": "ab" * 32, "incident": ref, "seq": seq, "uuid": "u-1", "kind": kind, "text": text,
        "author": author, "recorded_at": iso(recorded), "occurred_at": iso(occurred), "data": data,
    }, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    assert canonical_json(**fields) == reference  # type: ignore[arg-type]
