"""The alert processor keeps groups and alerts from one transaction to the next and writes
their changes in plain SQL: whatever the payloads, the sizes of the transactions, a user
resolving an incident between two of them or another process (`alerts ingest`) processing some
of the inbox meanwhile, the alerts, incidents and timelines are exactly those that processing
one payload per transaction gives, and every chain verifies."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from imdesk.app import build_context
from imdesk.context import AppContext
from imdesk.domain.alert_accept import Accepted, accept
from imdesk.domain.lifecycle import OPEN_STATUSES, Status
from imdesk.services.alerts.intake import AlertService
from imdesk.services.clock import ManualClock
from tests.conftest import START, twin_url
from tests.helpers.alert_payloads import alertmanager, am_alert, encode, pagerduty

Op = tuple[Any, ...]


def _post(group: int, statuses: Sequence[str], value: int) -> Accepted:
    alerts = []
    for a, status in enumerate(statuses):
        if status == "absent":
            continue
        alert = am_alert("Latency", status, severity="warning", instance=f"h{group}-{a}")
        alert["annotations"]["value"] = str(value)
        alerts.append(alert)
    return accept(encode(alertmanager(f"group-{group}", *alerts)), "alertmanager")


OPS = st.one_of(
    st.tuples(st.just("post"), st.integers(0, 2),
              st.lists(st.sampled_from(["firing", "firing", "resolved", "absent"]),
                       min_size=2, max_size=2).filter(lambda s: s != ["absent", "absent"]),
              st.integers(0, 2)),
    st.tuples(st.just("replay")),
    st.tuples(st.just("pd"), st.sampled_from(["trigger", "acknowledge", "resolve"])),
    st.tuples(st.just("process"), st.integers(1, 6)),
    st.tuples(st.just("user"), st.integers(0, 5)),
    st.tuples(st.just("other"), st.integers(1, 3)),
)


def picture(ctx: AppContext) -> dict[str, Any]:
    """What a user sees: every incident's status and entries in order, and the alerts."""
    alerts = ctx.alerts.intake.alerts()
    refs = sorted({a.ref for a in alerts if a.ref})
    timelines = {ref: (ctx.incidents.get(ref).status,
                       [(e.seq, e.kind, e.text, e.data) for e in ctx.incidents.detail(ref).timeline])
                 for ref in refs}
    rows = sorted((a.source, a.group_key, a.alert_key, a.status, a.count, a.ref, a.summary,
                   a.annotations, a.first_seen, a.last_seen, a.suppressed) for a in alerts)
    return {"timelines": timelines, "alerts": rows}


def _open_refs(ctx: AppContext) -> list[str]:
    refs = sorted({a.ref for a in ctx.alerts.intake.alerts() if a.ref})
    return [r for r in refs if ctx.incidents.get(r).status in OPEN_STATUSES]


def run(ops: Sequence[Op], subject: AppContext, reference: AppContext,
        clocks: Sequence[ManualClock]) -> None:
    """Play OPS on both: the subject processes in transactions of the sizes asked (its applier
    kept between them), the reference one payload per transaction, caught up before each user
    action and at the end; "other" is a second processor on the subject's database."""
    other = AlertService(subject.db, subject.incidents, clock=clocks[0])
    sent: list[Accepted] = []

    def store(item: Accepted) -> None:
        for c in clocks:
            c.advance(timedelta(seconds=7))
        sent.append(item)
        subject.alerts.intake.store([item])
        reference.alerts.intake.store([item])

    for op in ops:
        if op[0] == "post":
            store(_post(op[1], op[2], op[3]))
        elif op[0] == "replay" and sent:
            store(sent[-1])
        elif op[0] == "pd":
            store(accept(encode(pagerduty(op[1])), "pagerduty"))
        elif op[0] == "process":
            subject.alerts.intake.process_pending(batch=op[1], transactions=1)
        elif op[0] == "other":
            other.process_pending(batch=op[1], transactions=1)
        elif op[0] == "user":
            subject.alerts.intake.process_pending(batch=op[1] + 1)
            reference.alerts.intake.process_pending(batch=1)
            refs = _open_refs(subject)
            assert refs == _open_refs(reference)
            if refs:
                ref = refs[op[1] % len(refs)]
                for c in (subject, reference):
                    c.incidents.change_status(ref, Status.RESOLVED, "fixed by hand")
    subject.alerts.intake.process_pending(batch=4)
    reference.alerts.intake.process_pending(batch=1)
    assert subject.alerts.intake.pending() == reference.alerts.intake.pending() == 0
    assert picture(subject) == picture(reference)
    assert subject.timeline.verify().ok


@contextmanager
def _pair(template: Path) -> Iterator[tuple[AppContext, AppContext, list[ManualClock]]]:
    folder = Path(tempfile.mkdtemp(prefix="imdesk-cache-"))
    clocks = [ManualClock(START), ManualClock(START)]
    contexts = []
    try:
        for name, clock in zip(("subject", "reference"), clocks, strict=True):
            shutil.copyfile(template, folder / f"{name}.sqlite")
            contexts.append(build_context(f"sqlite:///{folder / name}.sqlite", clock=clock,
                                          author="tester"))
        yield contexts[0], contexts[1], clocks
    finally:
        for c in contexts:
            c.close()
        shutil.rmtree(folder, ignore_errors=True)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(ops=st.lists(OPS, min_size=1, max_size=40))
def test_any_sequence_in_any_transactions_gives_what_one_at_a_time_gives(
        sqlite_template: Path, ops: list[Op]) -> None:
    with _pair(sqlite_template) as (subject, reference, clocks):
        run(ops, subject, reference, clocks)


# A storm with a user resolving an incident and `alerts ingest` processing between batches.
TABLE: list[Op] = [
    *[("post", g, ["firing", "firing"], 0) for g in range(3)], ("process", 2),
    *[("post", g, ["firing", "firing"], 1) for g in range(3)], ("replay",),
    ("process", 3), ("user", 0),
    *[("post", g, ["firing", "resolved"], 2) for g in range(3)], ("process", 2),
    ("pd", "trigger"), ("other", 2), ("post", 0, ["resolved", "resolved"], 3),
    ("process", 1), ("pd", "acknowledge"), ("user", 1), ("post", 0, ["firing", "absent"], 4),
    ("process", 5), ("pd", "resolve"), ("pd", "trigger"), ("post", 1, ["resolved", "resolved"], 5),
    ("other", 1), ("process", 6), ("post", 1, ["firing", "firing"], 6), ("replay",),
]


@pytest.fixture
def twin(db_url: str, request: pytest.FixtureRequest, tmp_path: Path, sqlite_template: Path,
         ) -> Iterator[tuple[AppContext, ManualClock]]:
    url = twin_url(db_url, request, tmp_path, sqlite_template)
    clock = ManualClock(START)
    context = build_context(url, clock=clock, author="tester")
    yield context, clock
    context.close()


def test_a_storm_with_a_user_and_another_processor_between_batches(
        ctx: AppContext, clock: ManualClock, twin: tuple[AppContext, ManualClock]) -> None:
    run(TABLE, ctx, twin[0], [clock, twin[1]])
    assert len(picture(ctx)["timelines"]) == 5  # group 0 fired again after the user resolved it
