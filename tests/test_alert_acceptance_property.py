"""Whatever intake accepts becomes an alert (issue 17, item 3): arbitrary Unicode in labels and
annotations — lone surrogates escaped in the JSON, controls, long values up to the limits — is
either refused before the 2xx (PayloadError, the listener's 400) or shows up in `alerts list`,
never "kept in the inbox" as failed."""

from __future__ import annotations

import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from imdesk.context import AppContext
from imdesk.domain.alert_payload import PayloadError
from tests.helpers.alert_payloads import alertmanager, am_alert, pagerduty

# Every code point, lone surrogates included (json.dumps escapes them as \\udXXX).
TEXT = st.text(st.characters(min_codepoint=0, max_codepoint=0x10FFFF), max_size=40)
LONG = st.builds(lambda ch, n: ch * n, st.characters(min_codepoint=1, max_codepoint=0xFFFF),
                 st.sampled_from([1, 199, 200, 1024, 8192, 8193]))
VALUE = st.one_of(TEXT, LONG)
LABELS = st.dictionaries(st.one_of(TEXT, st.from_regex(r"[a-z_]{1,12}", fullmatch=True)), VALUE,
                         max_size=30)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(labels=LABELS, summary=VALUE, n=st.integers(0, 10**9), pd=st.booleans())
def test_every_accepted_alert_is_in_the_alert_list(sqlite_ctx: AppContext, labels: dict[str, str],
                                                  summary: str, n: int, pd: bool) -> None:
    intake = sqlite_ctx.alerts.intake
    if pd:
        body = pagerduty("trigger", f"key-{n}", summary=summary or "x", routing_key=f"rk{n}")
        body["payload"]["custom_details"] = labels
    else:
        alert = am_alert(f"A{n}", fingerprint=f"fp-{n}")
        alert["labels"].update(labels)
        alert["labels"]["alertname"] = f"A{n}"
        alert["annotations"]["summary"] = summary
        body = alertmanager(f"group-{n}", alert)
    raw = json.dumps(body).encode("utf-8")  # ensure_ascii: lone surrogates travel as escapes
    try:
        _accepted, outcome = intake.ingest(raw)
    except PayloadError:
        return  # refused before any 2xx: the sender is told
    assert outcome.failed == 0, (labels, summary)
    after = intake.alerts(limit=100_000)
    assert any(a.alert_key in (f"fp-{n}", f"key-{n}") for a in after)
