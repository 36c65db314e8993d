"""Pausing Python's cyclic garbage collector around bulk work that builds many objects.

Reading or writing 10,000 contacts builds a few hundred thousand objects that live on (records,
values, flags, row dictionaries) and no reference cycles. The collector would walk them all again
and again — a quarter of the read time, a sixth of the write. Reference counting still frees
everything as usual; the collector runs again afterwards. Safe from several threads: only the
outermost pause (the one that found the collector running) starts it again.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

_lock = threading.Lock()
_pauses = 0             # pauses under way, in any thread
_resume = False         # whether the collector ran when the first of them began


@contextmanager
def collector_paused() -> Iterator[None]:
    global _pauses, _resume
    with _lock:
        if _pauses == 0:
            _resume = gc.isenabled()
            gc.disable()
        _pauses += 1
    try:
        yield
    finally:
        with _lock:
            _pauses -= 1
            if _pauses == 0 and _resume:
                gc.enable()
