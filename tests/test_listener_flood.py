"""A flood from a second process — connections held with half a request, and clients that send
half a request and close — does not stall valid senders (issue 17, item 12): their posts are
answered within the usual time throughout, the listener's thread count stays bounded, and
nothing but counted log lines (no traceback) reaches stderr."""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from imdesk.context import AppContext
from tests.helpers.alert_payloads import alertmanager, am_alert, encode
from tests.helpers.listener_run import Running

ROOT = Path(__file__).resolve().parents[1]
HELD = 600


def _latencies(running: Running, n: int, tag: str) -> list[float]:
    out = []
    for i in range(n):
        started = time.perf_counter()
        code, _ = running.post("/alertmanager", encode(alertmanager(f"{tag}-{i}", am_alert(f"{tag}{i}"))))
        out.append(time.perf_counter() - started)
        assert code == 200
    return sorted(out)


def _pct(values: list[float], share: float) -> float:
    return values[min(len(values) - 1, int(len(values) * share))]


def _p99(values: list[float]) -> float:
    return _pct(values, 0.99)


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_valid_posts_are_answered_while_a_second_process_floods_the_listener(
        ctx: AppContext, capfd: pytest.CaptureFixture[str]) -> None:
    running = Running(ctx)
    running.listener.start()
    try:
        usual = _p99(_latencies(running, 40, "before"))
        threads_before = threading.active_count()
        with subprocess.Popen([sys.executable, str(ROOT / "tests" / "helpers" / "flood.py"),
                               str(running.listener.port), str(HELD)],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True) as flood:
            assert flood.stdin is not None and flood.stdout is not None
            try:
                assert flood.stdout.readline().strip() == "ready"
                during = _latencies(running, 60, "during")
                peak_threads = threading.active_count()
            finally:
                flood.stdin.close()
                churned = flood.stdout.read()
                flood.wait(timeout=30)
        print(f"usual p99 {usual * 1000:.1f} ms, during p99 {_p99(during) * 1000:.1f} ms, "
              f"threads {threads_before} -> {peak_threads}, {churned.strip()}")
        # On a shared two-core machine one post in sixty may meet a slow fsync: the usual p99
        # holds for 95 % of them and none waits seconds (before the gate: 20 s and more).
        assert _pct(during, 0.95) <= max(2 * usual, 0.25), (usual, during[-5:])
        assert during[-1] < 2.0, during[-5:]
        assert peak_threads <= threads_before + 2, (threads_before, peak_threads)
        assert len(ctx.alerts.intake.inbox()) >= 100  # every 200 was stored
    finally:
        running.listener.stop()
    err = capfd.readouterr().err
    assert "Traceback" not in err and "BrokenPipe" not in err, err[-2000:]
