"""The kill -9 loop shared by the injectors (kill_writer.py, kill_sender.py).

Each cycle forks a child that writes one line to a pipe per acknowledged (committed) piece of
work, SIGKILLs it after a uniform random delay and collects the whole lines it wrote.
"""

from __future__ import annotations

import json
import os
import random
import select
import signal
from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass
class KillRun:
    cycles: int
    acknowledged: list[str] = field(default_factory=list)
    killed_mid_run: int = 0
    child_errors: int = 0  # a child that failed other than by the SIGKILL

    def to_json(self, convert: Callable[[str], object] = str) -> str:
        """{"cycles", "acknowledged", "killed_mid_run", "child_errors"}, each acknowledged line
        passed through CONVERT (e.g. int for outbox ids)."""
        return json.dumps({"cycles": self.cycles,
                           "acknowledged": [convert(line) for line in self.acknowledged],
                           "killed_mid_run": self.killed_mid_run, "child_errors": self.child_errors})


def _read_all(fd: int) -> bytes:
    chunks = []
    while True:
        chunk = os.read(fd, 65536)
        if not chunk:
            return b"".join(chunks)
        chunks.append(chunk)


def run_kill_cycles(cycles: int, seed: int, max_delay_s: float,
                    child: Callable[[int, int], None]) -> KillRun:
    """Run CYCLES cycles; CHILD(cycle, write_fd) runs in the forked child and must end it with
    os._exit (it never returns to this loop)."""
    rng = random.Random(seed)
    run = KillRun(cycles)
    for cycle in range(cycles):
        read_fd, write_fd = os.pipe()
        pid = os.fork()
        if pid == 0:
            os.close(read_fd)
            child(cycle, write_fd)
        os.close(write_fd)
        # The fault itself: SIGKILL at a random moment of the child's work. Wait for the child
        # to end (its pidfd becomes readable) for at most the drawn moment, then kill it.
        pidfd = os.pidfd_open(pid)
        try:
            select.select([pidfd], [], [], rng.uniform(0.0, max_delay_s))
        finally:
            os.close(pidfd)
        os.kill(pid, signal.SIGKILL)
        _, status = os.waitpid(pid, 0)
        if os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGKILL:
            run.killed_mid_run += 1
        elif os.WIFEXITED(status) and os.WEXITSTATUS(status) != 0:
            run.child_errors += 1
        data = _read_all(read_fd)
        os.close(read_fd)
        # os.write of a short line is atomic on a pipe; only whole lines count anyway
        lines = data.decode().split("\n")
        run.acknowledged.extend(line for line in lines[:-1] if line)
    return run
