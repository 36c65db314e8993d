"""The listener killed (SIGKILL) while alerts arrive: every payload that got a 2xx is processed
after the restart, exactly once."""

from __future__ import annotations

import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import threading

import pytest

from imdesk.app import build_context
from tests.helpers.alert_payloads import alertmanager, am_alert, encode

POSTERS = 4
KILL_AFTER = 120


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _serve(url: str, port: int) -> tuple[subprocess.Popen[str], str, list[str]]:
    env = {**os.environ, "PYTHON_KEYRING_BACKEND": "keyring.backends.null.Keyring"}
    proc = subprocess.Popen([sys.executable, "-m", "imdesk", "--db", url, "alerts", "serve",
                             "--port", str(port)], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, env=env)
    assert proc.stdout is not None
    before: list[str] = []
    token = ""
    for line in proc.stdout:
        before.append(line)
        if line.startswith("bearer token"):
            token = line.rsplit(" ", 1)[1].strip()
            break
    assert token, before
    return proc, token, before


@pytest.mark.slow
def test_every_acknowledged_payload_is_processed_after_a_kill(sqlite_url: str) -> None:
    port = _free_port()
    proc, token, _ = _serve(sqlite_url, port)
    acked: list[int] = []
    lock = threading.Lock()
    enough = threading.Event()
    numbers = iter(range(100_000))

    def poster() -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        try:
            post_until_gone(conn)
        finally:
            conn.close()

    def post_until_gone(conn: http.client.HTTPConnection) -> None:
        while True:
            with lock:
                n = next(numbers)
            body = encode(alertmanager(f"group-{n}", am_alert("Down", instance=f"h{n}")))
            try:
                conn.request("POST", "/alertmanager", body=body, headers={
                    "Content-Type": "application/json", "Authorization": f"Bearer {token}"})
                resp = conn.getresponse()
                resp.read()
            except (OSError, http.client.HTTPException):
                return  # the server is gone
            if resp.status == 200:
                with lock:
                    acked.append(n)
                    if len(acked) >= KILL_AFTER:
                        enough.set()

    threads = [threading.Thread(target=poster) for _ in range(POSTERS)]
    for t in threads:
        t.start()
    assert enough.wait(60)
    proc.send_signal(signal.SIGKILL)  # while the posters keep posting
    proc.wait(10)
    for t in threads:
        t.join(20)
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.close()
    proc.stderr.close()

    proc2, _token, lines = _serve(sqlite_url, port)  # a restart processes what was left
    proc2.send_signal(signal.SIGTERM)
    _out, _err = proc2.communicate(timeout=20)
    ctx = build_context(sqlite_url)
    try:
        assert ctx.alerts.intake.pending() == 0
        groups = [a.group_key for a in ctx.alerts.intake.alerts(limit=100_000)]
        assert len(groups) == len(set(groups))  # each payload processed once
        assert {f"group-{n}" for n in acked} <= set(groups)
        assert all(a.ref for a in ctx.alerts.intake.alerts(limit=100_000))
        assert ctx.timeline.verify(None).ok
    finally:
        ctx.close()
    print(f"\nkilled after {len(acked)} acknowledged posts; {''.join(lines).strip()!r}")
    assert json.dumps(acked)  # keep the figure in the output when it fails
