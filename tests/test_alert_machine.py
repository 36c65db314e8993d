"""Hypothesis: random sequences of firing / resolved / repeat / replay notifications for several
groups, and the user resolving incidents; the stored alerts and incidents always match a simple
reference model of the rules in FORMATS.md."""

from __future__ import annotations

import itertools
import shutil
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, Phase, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from imdesk.app import AppContext, build_context
from imdesk.domain.lifecycle import Status
from imdesk.services.clock import ManualClock
from tests.conftest import START
from tests.helpers.alert_payloads import alertmanager, am_alert, encode

GROUPS = ("g0", "g1", "g2")
ALERTS = ("a0", "a1", "a2")
_run = itertools.count()


@dataclass
class ModelAlert:
    status: str
    count: int
    incident: int | None  # index into Model.incidents


@dataclass
class Model:
    """The rules, written as plainly as possible."""

    alerts: dict[tuple[str, str], ModelAlert] = field(default_factory=dict)
    group_incident: dict[str, int] = field(default_factory=dict)
    incidents: list[str] = field(default_factory=list)  # status per incident, in opening order
    all_clear: list[int] = field(default_factory=list)  # "all alerts cleared" entries per incident

    def notify(self, group: str, statuses: dict[str, str]) -> None:
        fired: list[ModelAlert] = []
        cleared: list[ModelAlert] = []
        for name, status in statuses.items():
            a = self.alerts.get((group, name))
            if status == "firing":
                if a is None:
                    a = self.alerts[(group, name)] = ModelAlert("firing", 1, None)
                    fired.append(a)
                elif a.status == "resolved":
                    a.status, a.count = "firing", a.count + 1
                    fired.append(a)
                else:
                    a.count += 1
            elif a is None:
                self.alerts[(group, name)] = ModelAlert("resolved", 1, None)
            elif a.status == "firing":
                a.status = "resolved"
                cleared.append(a)
        inc = self.group_incident.get(group)
        is_open = inc is not None and self.incidents[inc] == "new"
        if fired and not is_open:
            self.incidents.append("new")
            self.all_clear.append(0)
            inc = self.group_incident[group] = len(self.incidents) - 1
            is_open = True
        if not is_open or inc is None:
            return
        for a in fired:
            a.incident = inc
        if any(a.incident == inc for a in cleared) and all(
                a.status == "resolved" for a in self.alerts.values() if a.incident == inc):
            self.all_clear[inc] += 1


class AlertMachine(RuleBasedStateMachine):
    template: Path
    workdir: Path
    notifications = 0

    def __init__(self) -> None:
        super().__init__()
        self.path = self.workdir / f"alerts-{next(_run)}.sqlite"
        shutil.copyfile(self.template, self.path)
        self.clock = ManualClock(START)
        self.ctx: AppContext = build_context(f"sqlite:///{self.path}", clock=self.clock, author="t")
        self.model = Model()
        self.last: dict[str, bytes] = {}

    def teardown(self) -> None:
        try:
            assert self.ctx.timeline.verify(None).ok  # every hash chain whole
        finally:
            self.ctx.close()
        for p in self.path.parent.glob(self.path.name + "*"):
            p.unlink()

    def _send(self, body: bytes) -> None:
        self.ctx.alerts.intake.ingest(body)
        AlertMachine.notifications += 1

    @rule(group=st.sampled_from(GROUPS),
          statuses=st.dictionaries(st.sampled_from(ALERTS), st.sampled_from(["firing", "resolved"]),
                                   min_size=1, max_size=3),
          minutes=st.integers(2, 30))
    def notify(self, group: str, statuses: dict[str, str], minutes: int) -> None:
        self.clock.advance(timedelta(minutes=minutes))  # past the replay window: a real repeat
        body = encode(alertmanager(group, *(am_alert("Down", s, fingerprint=f"{group}-{a}", alert=a)
                                            for a, s in statuses.items())))
        self.last = {group: body}  # only the newest can be replayed within the replay window
        self._send(body)
        self.model.notify(group, statuses)

    @precondition(lambda self: bool(self.last))
    @rule(data=st.data())
    def replay(self, data: Any) -> None:
        """The same bytes again at once (a clustered Alertmanager): nothing changes."""
        group = data.draw(st.sampled_from(sorted(self.last)))
        self._send(self.last[group])

    @precondition(lambda self: "new" in self.model.incidents)
    @rule(data=st.data())
    def user_resolves(self, data: Any) -> None:
        open_ones = [i for i, s in enumerate(self.model.incidents) if s == "new"]
        i = data.draw(st.sampled_from(open_ones))
        self.ctx.incidents.change_status(f"INC-{1001 + i}", Status.RESOLVED, "fixed by hand")
        self.model.incidents[i] = "resolved"
        self.last.clear()  # a later identical body after the clock moved is a repeat, not a replay

    @invariant()
    def matches_the_model(self) -> None:
        stored = {(a.group_key, a.labels["alert"]): a for a in self.ctx.alerts.intake.alerts()}
        expected = {k: (m.status, m.count, None if m.incident is None else f"INC-{1001 + m.incident}")
                    for k, m in self.model.alerts.items()}
        assert {k: (a.status, a.count, a.ref) for k, a in stored.items()} == expected
        states = [self.ctx.incidents.get(f"INC-{1001 + i}").status.value
                  for i in range(len(self.model.incidents))]
        assert states == self.model.incidents
        from imdesk.storage.incident_repo import IncidentQuery

        assert self.ctx.incidents.count(IncidentQuery()) == len(self.model.incidents)
        for i, clears in enumerate(self.model.all_clear):
            texts = [e.text for e in self.ctx.incidents.detail(f"INC-{1001 + i}").timeline]
            assert texts.count("all alerts cleared") == clears


def test_alert_sequences_match_the_reference_model(sqlite_template: Path, tmp_path: Path) -> None:
    AlertMachine.template = sqlite_template
    AlertMachine.workdir = tmp_path
    AlertMachine.notifications = 0
    run_state_machine_as_test(
        AlertMachine,
        settings=settings(max_examples=40, stateful_step_count=25, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow],
                          phases=[Phase.explicit, Phase.reuse, Phase.generate, Phase.target,
                                  Phase.shrink]),
    )
    assert AlertMachine.notifications >= 100  # not a vacuous run
