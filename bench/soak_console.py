"""The console exactly as `imdesk --demo` starts it, for the soak benchmark: only the webhook
token comes from the environment (SOAK_TOKEN) instead of the keyring, so the poster knows it.

With SOAK_TRACE=FILE it also writes, every minute, its live QObjects and Python objects (what
grew since the second minute) and glibc's C heap in use — for finding a leak.

    IMDESK_DATA_DIR=… SOAK_TOKEN=… IMDESK_ALERT_PORT=… python bench/soak_console.py
"""

from __future__ import annotations

import gc
import os
import sys
from collections import Counter
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import imdesk.credentials.webhook_token as webhook_token
import imdesk.qt.console as console
from imdesk.cli import main


def _token(timeout: float = 0.0) -> webhook_token.Token:
    return webhook_token.Token(value=os.environ["SOAK_TOKEN"])


def _mallinfo() -> tuple[float, float]:
    """glibc's C heap: (bytes in use, bytes held from the system), in MiB."""
    import ctypes

    class MallInfo2(ctypes.Structure):
        _fields_ = [(n, ctypes.c_size_t) for n in ("arena", "ordblks", "smblks", "hblks", "hblkhd",
                                                   "usmblks", "fsmblks", "uordblks", "fordblks",
                                                   "keepcost")]

    libc = ctypes.CDLL("libc.so.6")
    libc.mallinfo2.restype = MallInfo2
    info = libc.mallinfo2()
    return (info.uordblks + info.hblkhd) / 2**20, (info.arena + info.hblkhd) / 2**20


def _traced_app(make: Any, out: Path) -> Any:
    """Every minute: live QObjects by class, Python objects by type (growth since minute 2),
    Python's allocated blocks and the C heap in use — cheap enough not to change the run."""
    def make_app() -> Any:
        from PySide6.QtCore import QObject, QTimer

        app = make()
        state: dict[str, Any] = {"minute": 0, "base": None}

        def dump() -> None:
            state["minute"] += 1
            gc.collect()
            qobjects = Counter(type(o).__name__ for w in app.topLevelWidgets()
                               for o in w.findChildren(QObject))
            objects = Counter(type(o).__qualname__ for o in gc.get_objects())
            used, held = _mallinfo()
            if state["minute"] == 2:
                state["base"] = (qobjects, objects)
            with out.open("a", encoding="utf-8") as f:
                f.write(f"== minute {state['minute']}: {sum(qobjects.values())} QObjects, "
                        f"{sum(objects.values())} Python objects, {sys.getallocatedblocks()} blocks, "
                        f"C heap {used:.1f} MiB in use of {held:.1f} MiB\n")
                if state["base"] is not None:
                    for label, now, then in (("QObjects", qobjects, state["base"][0]),
                                             ("objects", objects, state["base"][1])):
                        top = ", ".join(f"{k} +{v}" for k, v in (now - then).most_common(10))
                        f.write(f"  {label} grown: {top}\n")

        timer = QTimer(app)
        timer.setInterval(60_000)
        timer.timeout.connect(dump)
        timer.start()
        return app

    return make_app


webhook_token.load_or_create_token = _token  # type: ignore[assignment]
if os.environ.get("SOAK_TRACE"):
    console.make_app = _traced_app(console.make_app, Path(os.environ["SOAK_TRACE"]))  # type: ignore[assignment]

if __name__ == "__main__":
    sys.exit(main(["--demo"]))
