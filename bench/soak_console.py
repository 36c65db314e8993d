"""The console exactly as `imdesk --demo` starts it, for the soak benchmark: only the webhook
token comes from the environment (SOAK_TOKEN) instead of the keyring, so the poster knows it.

With SOAK_TRACE=FILE it also traces its Python allocations (tracemalloc) and writes, every
minute, its live QObjects and the allocation sites that grew since the second minute — for
finding a leak, not for the figures (tracing changes the allocator's behaviour).

    IMDESK_DATA_DIR=… SOAK_TOKEN=… IMDESK_ALERT_PORT=… python bench/soak_console.py
"""

from __future__ import annotations

import gc
import os
import sys
import tracemalloc
from collections import Counter
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import imdesk.credentials.webhook_token as webhook_token
import imdesk.qt.console as console
from imdesk.cli import main


def _token(timeout: float = 0.0) -> webhook_token.Token:
    return webhook_token.Token(value=os.environ["SOAK_TOKEN"])


def _traced_app(make: Any, out: Path) -> Any:
    def make_app() -> Any:
        from PySide6.QtCore import QObject, QTimer

        app = make()
        state: dict[str, Any] = {"minute": 0, "base": None}

        def dump() -> None:
            state["minute"] += 1
            gc.collect()
            widgets = app.topLevelWidgets()
            qobjects = Counter(type(o).__name__ for w in widgets for o in w.findChildren(QObject))
            snap = tracemalloc.take_snapshot().filter_traces(
                [tracemalloc.Filter(False, tracemalloc.__file__)])
            if state["minute"] == 2:
                state["base"], state["qbase"] = snap, qobjects
            with out.open("a", encoding="utf-8") as f:
                f.write(f"== minute {state['minute']}: {sum(qobjects.values())} QObjects, "
                        f"heap {tracemalloc.get_traced_memory()[0] / 2**20:.2f} MiB\n")
                if state["base"] is not None:
                    grown = qobjects - state["qbase"]
                    top = ", ".join(f"{k} +{v}" for k, v in grown.most_common(8))
                    f.write(f"  QObjects grown: {top}\n")
                    for stat in snap.compare_to(state["base"], "traceback")[:8]:
                        frames = " <- ".join(f"{Path(fr.filename).name}:{fr.lineno}"
                                             for fr in list(stat.traceback)[::-1][:8])
                        f.write(f"  {stat.size_diff / 1024:+9.1f} KiB {stat.count_diff:+7d} {frames}\n")

        timer = QTimer(app)
        timer.setInterval(60_000)
        timer.timeout.connect(dump)
        timer.start()
        return app

    return make_app


webhook_token.load_or_create_token = _token  # type: ignore[assignment]
if os.environ.get("SOAK_TRACE"):
    tracemalloc.start(16)
    console.make_app = _traced_app(console.make_app, Path(os.environ["SOAK_TRACE"]))  # type: ignore[assignment]

if __name__ == "__main__":
    sys.exit(main(["--demo"]))
