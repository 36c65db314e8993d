"""kill -9 injector for the outbox sender: fork a sender, SIGKILL it at a random moment, repeat.

    python tests/helpers/kill_sender.py DB_URL CYCLES SEED < secrets.json

Each child opens the database as the app does, recovers what a previous child left "sending",
queues two notifications for an incident (one email, one SMS per recipient, each text unique)
and writes their outbox ids to a pipe only AFTER queue() returned (committed), then sends.
The parent kills it after a uniform random 0-250 ms. At the end it prints one JSON object:
{"cycles": N, "acknowledged": [ids...], "killed_mid_run": k, "child_errors": e}.
The secrets come on stdin (never argv) and live only in memory.
"""

from __future__ import annotations

import json
import os
import random
import sys
import time
import traceback

from kill_cycles import run_kill_cycles  # the sibling module (this file runs as a script)

# Imported before forking so that each child starts at once.
from imdesk.app import build_context
from imdesk.services.comms.recipients import Recipient

MAX_DELAY_S = 0.250
CHILD_LIMIT_S = 5.0
PEOPLE = [Recipient("Kim Larsen", phones=("+4915112345678",), emails=("kim@example.org",)),
          Recipient("Ana Souza", phones=("+5511912345678",), emails=("ana@example.org",))]


class _Directory:
    def stakeholders(self, service: str | None, priority: str) -> list[Recipient]:
        return list(PEOPLE)

    def resolve(self, names: object) -> tuple[list[Recipient], list[str]]:
        return list(PEOPLE), []


def _child(url: str, refs: list[str], cycle: int, fd: int, secrets: dict[str, str]) -> None:
    code = 0
    try:
        ctx = build_context(url, author=f"sender-{cycle}")
        for name, secret in secrets.items():
            ctx.comms.secrets.set_for_session(name, secret)
        directory = _Directory()
        ctx.comms.notify._directory = lambda: directory
        sender = ctx.comms.sender(rng=random.Random(cycle))
        sender.recover()
        ref = refs[cycle % len(refs)]
        for channel in ("email", "sms"):
            plan = ctx.comms.notify.plan(ref, "update", audience="technical", channel=channel,
                                         situation={"conditions": f"cycle {cycle} {channel}"})
            ids = ctx.comms.notify.queue(plan)
            os.write(fd, ("".join(f"{i}\n" for i in ids)).encode())  # acknowledged: committed
        started = time.monotonic()
        while time.monotonic() - started < CHILD_LIMIT_S:
            if sender.run_once().picked == 0:
                break
    except BaseException:
        traceback.print_exc()
        code = 3
    finally:
        os._exit(code)


def _warm_up(url: str, ref: str) -> None:
    """Load the template engine and validators once, so each child gets to work at once
    (the engine is disposed before forking: no connection is shared with a child)."""
    ctx = build_context(url, author="warm-up")
    try:
        directory = _Directory()
        ctx.comms.notify._directory = lambda: directory
        ctx.comms.notify.plan(ref, "update", audience="technical")
        import imdesk.channels.sms
        import imdesk.channels.smtp  # noqa: F401
    finally:
        ctx.close()


def main(argv: list[str]) -> int:
    url, cycles, seed = argv[0], int(argv[1]), int(argv[2])
    refs = argv[3].split(",")
    secrets = json.loads(sys.stdin.readline())
    _warm_up(url, refs[0])
    run = run_kill_cycles(cycles, seed, MAX_DELAY_S,
                          lambda cycle, fd: _child(url, refs, cycle, fd, secrets))
    print(run.to_json(int))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
