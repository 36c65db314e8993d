"""A drill in the console: a 60-minute scenario (61 injects: an alert every 3 minutes posted to
the console's own listener, calls, requests and expectations) played at 60× — one real minute.
Figures: the latest any inject played after its due time, beside plain Qt precise timers due at
the same moments in the same event loop; and the console's longest event-loop stall (a 5 ms
heartbeat timer) during the drill, beside the same console idle."""

from __future__ import annotations

import os
import tempfile
import time
from pathlib import Path
from typing import Any

from common import isolate, report, save

MINUTES = 60
SPEED = 60.0


def scenario_data() -> dict[str, Any]:
    injects: list[dict[str, Any]] = []
    for minute in range(MINUTES + 1):
        at = f"T+{minute}m" if minute else "T+0"
        if minute % 3 == 0:
            injects.append({"at": at, "kind": "alert", "format": "alertmanager", "payload": {
                "version": "4", "groupKey": f"bench-{minute}", "status": "firing",
                "receiver": "imdesk", "alerts": [{
                    "status": "firing", "labels": {"alertname": f"Bench{minute}",
                                                   "severity": "critical"},
                    "annotations": {"summary": f"bench alert at minute {minute}"},
                    "startsAt": "2026-11-02T08:55:00Z"}]}})
        elif minute % 3 == 1:
            injects.append({"at": at, "kind": "call", "who": "Plant manager",
                            "says": f"Still down at minute {minute}", "asks": "When?"})
        else:
            injects.append({"at": at, "kind": "expectation", "id": f"e{minute}",
                            "expect": ("acknowledged", "major", "first_update", "resolved")[
                                minute % 4], "objective": "bench"})
    return {"version": 1, "name": "Bench: one hour", "injects": injects}


def run() -> list[dict[str, object]]:
    isolate()
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    os.environ["IMDESK_ALERT_PORT"] = "0"
    from PySide6.QtCore import QElapsedTimer, QEventLoop, Qt, QTimer

    from imdesk.app import build_context
    from imdesk.domain.drill_scenario import check
    from imdesk.qt.console import make_app
    from imdesk.qt.main_window import MainWindow
    from imdesk.qt.tasks import TaskRunner
    from imdesk.services.demo.story import ensure_demo_data

    folder = Path(tempfile.mkdtemp(prefix="imdesk-bench-drills-"))
    ctx = build_context(f"sqlite:///{folder / 'console.sqlite'}")
    ensure_demo_data(ctx)
    scenario, problems = check(scenario_data(), {}, "bench")
    assert scenario is not None, problems
    app = make_app()
    window = MainWindow(ctx, TaskRunner(app))
    window.persist_layout = False
    window.resize(1400, 860)
    window.show()
    window.start()
    deadline = time.perf_counter() + 60
    while (window.alerts is None or window.alerts.console.listener is None) \
            and time.perf_counter() < deadline:
        app.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 50)
    listener = window.alerts.console.listener
    print(f"  listener: {listener.url if listener else 'none (alerts into the intake)'}")
    wiring = window.drills
    window.show_pane(wiring.pane)

    def run_loop(seconds: float | None) -> tuple[float, list[float]]:
        gaps: list[float] = []
        clock = QElapsedTimer()
        clock.start()
        last = [clock.elapsed()]

        def beat() -> None:
            now = clock.elapsed()
            gaps.append(now - last[0])
            last[0] = now

        heart = QTimer()
        heart.setInterval(5)
        heart.timeout.connect(beat)
        heart.start()
        loop = QEventLoop()
        plain_late: list[float] = []
        if seconds is None:
            wiring.controller.ended.connect(lambda _id: loop.quit())
            wiring.controller.start(scenario, SPEED)
            start = time.perf_counter()
            for inject in scenario.injects:  # plain precise timers due at the same moments
                due = inject.at_s / SPEED

                def fired(due: float = due) -> None:
                    plain_late.append((time.perf_counter() - start - due) * 1000)

                t = QTimer(loop)
                t.setSingleShot(True)
                t.setTimerType(Qt.TimerType.PreciseTimer)
                t.timeout.connect(fired)
                t.start(int(due * 1000))
            QTimer.singleShot(int((MINUTES * 60 / SPEED + 30) * 1000), loop.quit)
        else:
            QTimer.singleShot(int(seconds * 1000), loop.quit)
        loop.exec()
        heart.stop()
        return max(gaps) - 5, plain_late

    idle, _ = run_loop(3)
    player_ref: list[Any] = []
    wiring.controller.changed.connect(
        lambda: player_ref.append(wiring.controller.player) if wiring.controller.player
        and not player_ref else None)
    busy, plain_late = run_loop(None)
    player = player_ref[0]
    late = [p.late_ms for p in player.played]
    routes = {p.route for p in player.played if p.inject.kind == "alert"}
    print(f"  {len(late)} of {len(scenario.injects)} injects played; alerts via {routes}; "
          f"lateness median {sorted(late)[len(late) // 2]:.1f} ms, max {max(late):.1f} ms")
    window.close()
    ctx.close()
    worst = max(late)
    return [report(f"latest inject after its due time, {MINUTES}-minute scenario at "
                   f"{SPEED:g}× ({len(late)} injects)", worst, "ms", max(plain_late),
                   "plain Qt precise timers due at the same moments", "≤ 100 ms",
                   worst <= 100 and len(late) == len(scenario.injects)),
            report("longest event-loop stall during the drill", busy, "ms", idle,
                   "the same console idle (3 s)", "≤ 50 ms", busy <= 50)]


if __name__ == "__main__":
    save(run())
