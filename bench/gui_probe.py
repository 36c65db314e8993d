"""Where the GUI thread's time goes: a probe for the benchmarks (off unless IMDESK_GUI_PROBE is set).

Each pass of the GUI thread's event loop (from the dispatcher's `awake` to its `aboutToBlock`) is
profiled on the GUI thread only (cProfile there, nothing on the workers); a pass longer than the
threshold keeps its profile, with its wall time, the GUI thread's own CPU time in it (wall far above
CPU: it waited — for the GIL or for I/O) and the garbage collections that ran in it. At the end
the longest passes are printed with their top functions, and the costs summed over all long
passes.

    IMDESK_GUI_PROBE=20 python bench/bench_outbox.py     # passes over 20 ms
"""

from __future__ import annotations

import cProfile
import gc
import io
import os
import pstats
import threading
import time
from typing import Any


class GuiProbe:
    def __init__(self, threshold_ms: float) -> None:
        self.threshold = threshold_ms / 1000
        self.long: list[tuple[float, float, float, cProfile.Profile]] = []  # wall, cpu, gc, prof
        self._prof: cProfile.Profile | None = None
        self._t0 = 0.0
        self._cpu0 = 0.0
        self._gc_in_pass = 0.0
        self._gc_t0 = 0.0
        self._main = threading.get_ident()
        self.passes = 0
        self.dispatcher: Any = None
        self.worker_gcs: list[tuple[int, float]] = []  # (generation, seconds) over 2 ms
        self._worker_gc_t0 = 0.0

    def install(self) -> None:
        from PySide6.QtCore import QAbstractEventDispatcher

        dispatcher = self.dispatcher = QAbstractEventDispatcher.instance()
        dispatcher.awake.connect(self._awake)
        dispatcher.aboutToBlock.connect(self._blocking)
        gc.callbacks.append(self._gc)

    def _gc(self, phase: str, info: dict[str, Any]) -> None:
        now = time.perf_counter()
        if threading.get_ident() != self._main:  # a worker's collection holds the GIL too
            if phase == "start":
                self._worker_gc_t0 = now
            elif now - self._worker_gc_t0 > 0.002:
                self.worker_gcs.append((info.get("generation", -1), now - self._worker_gc_t0))
            return
        if phase == "start":
            self._gc_t0 = now
        else:
            self._gc_in_pass += now - self._gc_t0

    def _awake(self) -> None:
        if self._prof is not None:
            return
        self._prof = cProfile.Profile()
        self._gc_in_pass = 0.0
        self._t0 = time.perf_counter()
        self._cpu0 = time.thread_time()
        self._prof.enable()

    def _blocking(self) -> None:
        prof, self._prof = self._prof, None
        if prof is None:
            return
        prof.disable()
        self.passes += 1
        wall = time.perf_counter() - self._t0
        if wall >= self.threshold:
            self.long.append((wall, time.thread_time() - self._cpu0, self._gc_in_pass, prof))

    def report(self, top: int = 5, lines: int = 14) -> str:
        out = io.StringIO()
        out.write(f"-- GUI probe: {len(self.long)} of {self.passes} passes over "
                  f"{self.threshold * 1000:.0f} ms\n")
        for wall, cpu, gcs, prof in sorted(self.long, key=lambda x: -x[0])[:top]:
            out.write(f"\n== pass {wall * 1000:.1f} ms wall, GUI-thread CPU {cpu * 1000:.1f} ms, "
                      f"gc {gcs * 1000:.1f} ms\n")
            pstats.Stats(prof, stream=out).sort_stats("cumulative").print_stats(lines)
        if self.worker_gcs:
            out.write("\nworker-thread collections over 2 ms (generation, ms): " + ", ".join(
                f"{g}:{t * 1000:.0f}" for g, t in self.worker_gcs) + "\n")
        if self.long:
            total = pstats.Stats(self.long[0][3], stream=out)
            for _w, _c, _g, prof in self.long[1:]:
                total.add(prof)
            out.write("\n== summed over all long passes (tottime)\n")
            total.sort_stats("tottime").print_stats(lines)
        return out.getvalue()


def maybe_probe() -> GuiProbe | None:
    """A probe installed on the running QApplication when IMDESK_GUI_PROBE=<ms> is set."""
    value = os.environ.get("IMDESK_GUI_PROBE")
    if not value:
        return None
    probe = GuiProbe(float(value))
    probe.install()
    return probe


def finish(probe: GuiProbe | None, times: RunnerTimes | None = None) -> None:
    """Print (or append to IMDESK_GUI_PROBE_OUT) what the probe and the task timer saw."""
    if probe is not None:
        if probe.dispatcher is not None:
            probe.dispatcher.awake.disconnect(probe._awake)
            probe.dispatcher.aboutToBlock.disconnect(probe._blocking)
        path = os.environ.get("IMDESK_GUI_PROBE_OUT")
        text = probe.report() + (times.report() if times is not None else "")
        if path:
            with open(path, "a", encoding="utf-8") as f:
                f.write(text)
        else:
            print(text)


class RunnerTimes:
    """Each background task's three parts: the work on the worker thread, the wait from its end
    until the GUI thread took the result (the hand-back), and the finishing function on the GUI
    thread — summed per function name."""

    def __init__(self) -> None:
        self.rows: dict[str, list[float]] = {}

    def install(self) -> None:
        from imdesk.qt import tasks

        original = tasks.TaskRunner.run
        rows = self.rows

        def run(runner: Any, fn: Any, on_done: Any = None, on_error: Any = None) -> None:
            name = getattr(fn, "__qualname__", repr(fn))
            marks: dict[str, float] = {}

            def timed() -> Any:
                marks["start"] = time.perf_counter()
                cpu = time.thread_time()
                try:
                    return fn()
                finally:
                    marks["end"] = time.perf_counter()
                    marks["cpu"] = time.thread_time() - cpu

            def done(result: Any) -> None:
                took = time.perf_counter()
                cpu = time.thread_time()
                try:
                    if on_done is not None:
                        on_done(result)
                finally:
                    now = time.perf_counter()
                    row = rows.setdefault(name, [0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0])
                    row[5] += marks.get("cpu", 0.0)
                    row[6] += time.thread_time() - cpu
                    row[0] += 1
                    row[1] += marks.get("end", took) - marks.get("start", took)
                    row[2] += took - marks.get("end", took)
                    row[3] += now - took
                    row[4] = max(row[4], now - took)

            original(runner, timed, done, on_error)

        tasks.TaskRunner.run = run  # type: ignore[method-assign]

    def report(self) -> str:
        lines = [f"-- tasks (ms, summed): {'name':50} n   work(cpu)   hand-back  done(cpu)  worst done"]
        for name, (n, work, wait, done, worst, wcpu, dcpu) in sorted(
                self.rows.items(), key=lambda x: -x[1][3]):
            lines.append(f"{name[:60]:60} {n:5d} {work * 1000:8.1f} ({wcpu * 1000:6.1f}) "
                         f"{wait * 1000:8.1f} {done * 1000:8.1f} ({dcpu * 1000:6.1f}) {worst * 1000:8.1f}")
        return "\n".join(lines) + "\n"


def maybe_runner_times() -> RunnerTimes | None:
    if not os.environ.get("IMDESK_GUI_PROBE"):
        return None
    times = RunnerTimes()
    times.install()
    return times
