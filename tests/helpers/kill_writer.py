"""kill -9 injector (S2): fork a writer, SIGKILL it at a random moment, repeat.

    python tests/helpers/kill_writer.py DB_URL REF CYCLES SEED

Each cycle forks a child that opens the database the way the app does (build_context) and
appends notes to incident REF in a loop through IncidentService.add_note. The child writes a
note's text to a pipe only AFTER add_note returned (the transaction committed). The parent
sends SIGKILL after a uniform random 0-200 ms and collects the acknowledged texts. At the end it
prints one JSON object: {"cycles": N, "acknowledged": [texts...], "killed_mid_run": k,
"child_errors": e} (a child that failed other than by the SIGKILL counts in child_errors).
"""

from __future__ import annotations

import os
import sys
import time
import traceback

from kill_cycles import run_kill_cycles  # the sibling module (this file runs as a script)

# Imported before forking so that each child starts writing at once (the app imports these
# on first use).
import imdesk.services.incidents
import imdesk.storage.database
import imdesk.storage.migrate  # noqa: F401
from imdesk.app import build_context

MAX_DELAY_S = 0.200
CHILD_LIMIT_S = 5.0  # a child that is somehow never killed stops by itself


def _child(url: str, ref: str, cycle: int, fd: int) -> None:
    code = 0
    try:
        ctx = build_context(url, author=f"writer-{cycle}")
        started = time.monotonic()
        n = 0
        while time.monotonic() - started < CHILD_LIMIT_S:
            text = f"c{cycle}-n{n}-{os.getpid()}"
            ctx.incidents.add_note(ref, text)
            os.write(fd, (text + "\n").encode())  # acknowledged: add_note has returned
            n += 1
    except BaseException:
        traceback.print_exc()
        code = 3
    finally:
        os._exit(code)


def main(argv: list[str]) -> int:
    url, ref, cycles, seed = argv[0], argv[1], int(argv[2]), int(argv[3])
    run = run_kill_cycles(cycles, seed, MAX_DELAY_S,
                          lambda cycle, fd: _child(url, ref, cycle, fd))
    print(run.to_json())
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
