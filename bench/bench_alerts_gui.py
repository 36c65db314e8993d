"""The console open while an alert storm arrives: the longest event-loop stall (a 5 ms
heartbeat timer) while a second process posts 10,000 Alertmanager payloads to the console's own
listener (16 connections; since the listener is a process of its own, it stores and
processes them there) and the console shows them. Baseline in the
same run: the same console idle."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from common import ROOT, isolate, report, save

POSTS = 10_000
CONNECTIONS = 16


def run() -> list[dict[str, object]]:
    isolate()
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    os.environ["IMDESK_ALERT_PORT"] = "0"
    from PySide6.QtCore import QElapsedTimer, QEventLoop, QTimer

    from imdesk.app import build_context
    from imdesk.qt.console import make_app
    from imdesk.qt.main_window import MainWindow
    from imdesk.qt.tasks import TaskRunner
    from imdesk.services.demo.story import ensure_demo_data

    folder = Path(tempfile.mkdtemp(prefix="imdesk-bench-alerts-gui-"))
    ctx = build_context(f"sqlite:///{folder / 'console.sqlite'}")
    ensure_demo_data(ctx)
    app = make_app()
    window = MainWindow(ctx, TaskRunner(app))
    window.persist_layout = False
    window.resize(1400, 860)
    window.show()
    window.start()
    deadline = time.perf_counter() + 60

    def waiting() -> bool:  # first paint, the secondary start, then the listener process binds
        alerts = window.alerts
        return (alerts is None or (alerts.console.listener is None
                                   and "not listening" not in alerts.console.status_text)) \
            and time.perf_counter() < deadline

    while waiting():
        app.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 50)
    console = window.alerts.console
    loop = QEventLoop()
    QTimer.singleShot(500, loop.quit)
    loop.exec()
    listener = console.listener
    assert listener is not None, window.alerts.status_label.text()
    token = listener.token

    def heartbeat_gaps(seconds: float | None, with_storm: bool) -> tuple[float, float]:
        gaps: list[float] = []
        clock = QElapsedTimer()
        clock.start()
        last = [clock.elapsed()]

        def beat() -> None:
            now = clock.elapsed()
            gaps.append(now - last[0])
            last[0] = now

        timer = QTimer()
        timer.setInterval(5)
        timer.timeout.connect(beat)
        timer.start()
        started = time.perf_counter()
        loop = QEventLoop()
        poster = None
        if with_storm:
            poster = subprocess.Popen([sys.executable, str(ROOT / "bench" / "alert_poster.py"),
                                       str(listener.port), token, str(POSTS), str(CONNECTIONS)],
                                      stdout=replies)  # a file: a full pipe would stall it
            check = QTimer()
            check.setInterval(50)
            check.timeout.connect(lambda: loop.quit() if poster.poll() is not None else None)
            check.start()
        else:
            QTimer.singleShot(int((seconds or 3) * 1000), loop.quit)
        loop.exec()
        timer.stop()
        if poster is not None:
            poster.wait(60)
        return max(gaps) - 5, time.perf_counter() - started

    replies = (folder / "replies.json").open("w")
    idle, _ = heartbeat_gaps(3, with_storm=False)
    busy, took = heartbeat_gaps(None, with_storm=True)
    replies.close()
    print(f"  {POSTS:,} posts took {took:.1f} s ({POSTS / took:,.0f}/s) with the console open; "
          f"{ctx.alerts.intake.pending():,} payloads still waiting to be processed at the end")
    window.close()
    ctx.close()
    return [report(f"longest event-loop stall while {POSTS:,} alerts arrive (console's listener)",
                   busy, "ms", idle, "the same console idle (3 s)", "≤ 50 ms", busy <= 50)]


if __name__ == "__main__":
    save(run())
