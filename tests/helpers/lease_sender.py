"""One outbox sender as a process of its own, for the two-sender test: it claims, sends and
records until it is killed (SIGKILL, at a random moment chosen by the test).

    python tests/helpers/lease_sender.py DB_URL NAME < secrets.json

It prints "ready" when it is about to send (recovered, connected to the database), so that
the test's kill lands in its work, not in its start-up. The
secrets come on stdin (never argv) and live only in memory.
"""

from __future__ import annotations

import json
import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from imdesk.app import build_context
from imdesk.services.comms.sender_loop import SenderLoop


def main(argv: list[str]) -> int:
    url, name = argv
    secrets = json.loads(sys.stdin.readline())
    ctx = build_context(url, author=name)
    for provider, secret in secrets.items():
        ctx.comms.secrets.set_for_session(provider, secret)
    sender = ctx.comms.sender(rng=random.Random(), batch=40)
    sender.recover()
    print("ready", flush=True)
    # the service's own loop (as `outbox serve` runs it): idle waits end when a message is due
    SenderLoop(sender, ctx.now, lambda _report: None,
               lambda error: print(error, file=sys.stderr, flush=True)).run()
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
