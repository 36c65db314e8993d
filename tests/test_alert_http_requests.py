"""The listener's own reading of a request's head (channels/http_request.py, not the standard
library's email parser), over real loopback sockets: what real senders send is read as
before (any case, Expect: 100-continue, keep-alive and close); a request two readers could
read two ways, an oversized or malformed head gets its 4xx/505, stores nothing, and the
listener keeps serving."""

from __future__ import annotations

import os
import socket
import sys
import threading
import time
from pathlib import Path

import pytest

from imdesk.channels.http_request import MAX_HEADERS, MAX_LINE
from tests.helpers.alert_payloads import alertmanager, am_alert, encode
from tests.helpers.listener_run import TOKEN, Running

BODY = encode(alertmanager("g", am_alert("DiskFull")))


def head(*lines: str, body: bytes = BODY, first: str = "POST /alertmanager HTTP/1.1") -> bytes:
    return ("\r\n".join([first, *lines]) + "\r\n\r\n").encode("latin-1") + body


def usual(*extra: str) -> list[str]:
    return ["Host: 127.0.0.1", "Content-Type: application/json",
            f"Authorization: Bearer {TOKEN}", f"Content-Length: {len(BODY)}", *extra]


def exchange(r: Running, raw: bytes) -> bytes:
    """Send RAW, read until the listener closes the connection."""
    with socket.create_connection(("127.0.0.1", r.listener.port), timeout=10) as sock:
        sock.sendall(raw)
        sock.shutdown(socket.SHUT_WR)
        with sock.makefile("rb") as reader:
            return reader.read()


def test_what_senders_send_is_read_in_any_case_and_kept_alive(running: Running) -> None:
    lowered = [line.lower() if not line.startswith("Authorization") else
               "authorization: Bearer " + TOKEN for line in usual()]
    with socket.create_connection(("127.0.0.1", running.listener.port), timeout=10) as sock, \
            sock.makefile("rb") as reader:
        for n in range(3):  # one connection, three requests (keep-alive)
            sock.sendall(head(*(lowered if n == 1 else usual())))
            status = reader.readline()
            assert status.startswith(b"HTTP/1.1 200"), status
            length = 0
            while (line := reader.readline()) not in (b"\r\n", b""):
                if line.lower().startswith(b"content-length:"):
                    length = int(line.split(b":")[1])
            assert b'"success"' in reader.read(length)
    assert running.inbox() == 3


def test_expect_100_continue_gets_its_interim_reply_first(running: Running) -> None:
    """(The body sent with the head, as curl does once its wait for the 100 is over: the gate
    hands a connection to a worker only once the body has arrived.)"""
    reply = exchange(running, head(*usual("Expect: 100-continue", "Connection: close")))
    assert reply.startswith(b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200"), reply[:80]
    assert running.inbox() == 1


def test_connection_close_is_honoured(running: Running) -> None:
    reply = exchange(running, head(*usual("Connection: close")))
    assert reply.startswith(b"HTTP/1.1 200") and reply.count(b"HTTP/1.1") == 1
    assert running.inbox() == 1


BAD_HEADS = [
    ("header line too long", head(*usual(f"X-Long: {'a' * (MAX_LINE + 10)}")), b"431"),
    ("too many headers", head(*usual(*[f"X-{n}: y" for n in range(MAX_HEADERS + 1)])), b"431"),
    ("folded header", head(*usual("X-Note: first", " continued")), b"400"),
    ("no colon", head(*usual("Not a header line")), b"400"),
    ("space in a name", head(*usual("Content Length: 5")), b"400"),
    ("Content-Length twice", head(*usual("Content-Length: 5")), b"400"),
    ("Authorization twice", head(*usual("Authorization: Bearer other")), b"400"),
    ("HTTP/2.0", head(*usual(), first="POST /alertmanager HTTP/2.0"), b"505"),
    ("a version of letters", head(*usual(), first="POST /alertmanager HTTP/1.x"), b"400"),
    ("HTTP/0.9", b"GET /alertmanager\r\n\r\n", b"400"),
    ("four words", head(*usual(), first="POST /alertmanager HTTP/1.1 extra"), b"400"),
]


@pytest.mark.parametrize("raw, code", [b[1:] for b in BAD_HEADS], ids=[b[0] for b in BAD_HEADS])
def test_a_bad_head_gets_its_status_stores_nothing_and_the_listener_goes_on(
        running: Running, raw: bytes, code: bytes) -> None:
    reply = exchange(running, raw)
    assert reply.split(b" ", 2)[1] == code, reply[:200]
    assert TOKEN.encode() not in reply
    assert running.inbox() == 0
    assert running.post("/alertmanager", BODY)[0] == 200


def test_a_path_starting_with_two_slashes_is_the_path_with_one(running: Running) -> None:
    reply = exchange(running, head(*usual("Connection: close"),
                                   first="POST //alertmanager HTTP/1.1"))
    assert reply.startswith(b"HTTP/1.1 200")
    assert running.inbox() == 1


def _thread_cpu_s(name: str) -> float:
    """CPU time of this process's thread called NAME so far (Linux /proc)."""
    thread = next(t for t in threading.enumerate() if t.name == name)
    fields = Path(f"/proc/self/task/{thread.native_id}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_a_request_arriving_in_pieces_waits_without_costing_cpu(running: Running) -> None:
    """A partly arrived request used to keep the gate thread at 100 % CPU until the rest came
    (its bytes keep the socket readable); now it waits aside, and is answered once whole."""
    raw = head(*usual("Connection: close"))
    cpu, start = _thread_cpu_s("imdesk-alert-gate"), time.monotonic()
    with socket.create_connection(("127.0.0.1", running.listener.port), timeout=10) as sock, \
            sock.makefile("rb") as reader:
        sock.sendall(raw[:40])  # the request line and part of a header
        for _ in range(100):  # meanwhile other senders are served
            assert running.post("/alertmanager", BODY)[0] == 200
        waited = time.monotonic() - start
        spent = _thread_cpu_s("imdesk-alert-gate") - cpu
        sock.sendall(raw[40:])
        assert reader.readline().startswith(b"HTTP/1.1 200")
    assert waited > 0.08  # (long enough for a spinning gate to show: spent ≈ waited)
    assert spent < max(0.03, waited / 4), (spent, waited)
    assert running.inbox() == 101
