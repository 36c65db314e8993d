"""A hostile crowd for the alert listener, run as its own process: HELD connections that send half
a request and wait, and a stream of clients that send half a request and close at once.
Prints "ready" once the held connections are open; runs until stdin closes.

    python tests/helpers/flood.py PORT HELD
"""

from __future__ import annotations

import socket
import sys
import threading

PARTIAL = b"POST /alertmanager HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 500\r\n"


def main() -> int:
    port, held_count = int(sys.argv[1]), int(sys.argv[2])
    held: list[socket.socket] = []
    for _ in range(held_count):
        sock = socket.create_connection(("127.0.0.1", port), timeout=10)
        sock.sendall(PARTIAL)
        held.append(sock)
    stop = threading.Event()
    churned = [0]

    def churn() -> None:
        while not stop.is_set():
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
                    sock.sendall(PARTIAL + b"\r\n" + b"{" * 100)  # headers, half a body, gone
            except OSError:
                pass
            churned[0] += 1

    worker = threading.Thread(target=churn, daemon=True)
    worker.start()
    print("ready", flush=True)
    sys.stdin.read()  # until the test closes our stdin
    stop.set()
    worker.join(timeout=5)
    print(f"churned {churned[0]}", flush=True)
    for sock in held:
        sock.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
