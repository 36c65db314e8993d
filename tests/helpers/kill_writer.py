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

import json
import os
import random
import signal
import sys
import time
import traceback

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


def _read_all(fd: int) -> bytes:
    chunks = []
    while True:
        chunk = os.read(fd, 65536)
        if not chunk:
            return b"".join(chunks)
        chunks.append(chunk)


def main(argv: list[str]) -> int:
    url, ref, cycles, seed = argv[0], argv[1], int(argv[2]), int(argv[3])
    rng = random.Random(seed)
    acknowledged: list[str] = []
    killed_mid_run = 0
    child_errors = 0
    for cycle in range(cycles):
        read_fd, write_fd = os.pipe()
        pid = os.fork()
        if pid == 0:
            os.close(read_fd)
            _child(url, ref, cycle, write_fd)
        os.close(write_fd)
        # The fault itself: SIGKILL at a random moment of the child's writing. This is the
        # injector's timing, not a test waiting for a condition (nothing is awaited here).
        time.sleep(rng.uniform(0.0, MAX_DELAY_S))
        os.kill(pid, signal.SIGKILL)
        _, status = os.waitpid(pid, 0)
        if os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGKILL:
            killed_mid_run += 1
        elif os.WIFEXITED(status) and os.WEXITSTATUS(status) != 0:
            child_errors += 1
        data = _read_all(read_fd)
        os.close(read_fd)
        # os.write of a short line is atomic on a pipe; only whole lines count anyway
        lines = data.decode().split("\n")
        acknowledged.extend(line for line in lines[:-1] if line)
    print(json.dumps({"cycles": cycles, "acknowledged": acknowledged,
                      "killed_mid_run": killed_mid_run, "child_errors": child_errors}))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
