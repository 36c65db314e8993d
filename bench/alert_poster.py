"""The sender side of the alert benchmarks (a process of its own): POST Alertmanager payloads
over keep-alive loopback connections from several threads, as a clustered Alertmanager does;
print the reply latencies, the wall time, when each group's first post was sent and when the
last reply came (time.monotonic(), a clock every process on the machine shares) as JSON.

usage: alert_poster.py PORT TOKEN POSTS CONNECTIONS [GROUPS]
"""

from __future__ import annotations

import http.client
import json
import sys
import threading
import time


def payloads(posts: int, groups: int) -> list[bytes]:
    """A storm with dedup: every group repeats, some alerts clear and fire again, one post in
    ten is an exact replay of the one before it."""
    out: list[bytes] = []
    for i in range(posts):
        g = i % groups
        round_ = i // groups
        if round_ % 10 == 9:  # the group's previous post again: an exact replay
            out.append(out[i - groups])
            continue
        alerts = []
        for a in range(3):
            status = "resolved" if (a == 2 and round_ % 4 == 3) else "firing"
            alerts.append({
                "status": status, "fingerprint": f"g{g}-a{a}",
                "labels": {"alertname": "HighLatency", "severity": "warning", "instance": f"h{g}-{a}"},
                "annotations": {"summary": f"latency high on h{g}-{a}", "value": str(round_)},
                "startsAt": "2026-11-27T02:00:00Z", "endsAt": "0001-01-01T00:00:00Z",
                "generatorURL": "http://prometheus:9090/graph"})
        out.append(json.dumps({
            "version": "4", "groupKey": f'{{}}:{{alertname="HighLatency",group="{g}"}}',
            "status": "firing", "receiver": "imdesk", "groupLabels": {"alertname": "HighLatency"},
            "commonLabels": {"alertname": "HighLatency"}, "commonAnnotations": {},
            "externalURL": "http://alertmanager:9093", "truncatedAlerts": 0,
            "alerts": alerts}).encode())
    return out


def main() -> None:
    port, token, posts, connections = (int(sys.argv[1]), sys.argv[2], int(sys.argv[3]),
                                       int(sys.argv[4]))
    groups = int(sys.argv[5]) if len(sys.argv) > 5 else 200
    bodies = payloads(posts, groups)
    headers = {"Content-Type": "application/json", "Authorization": f"Bearer {token}"}
    latencies: list[float] = []
    stamps: list[float] = []
    failures: list[int] = []
    first: dict[int, float] = {}
    lock = threading.Lock()
    next_index = iter(range(posts))

    def worker() -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        mine: list[tuple[float, float]] = []
        bad: list[int] = []
        while True:
            with lock:
                i = next(next_index, None)
            if i is None:
                break
            start = time.perf_counter()
            if i < groups:  # a group's first post: when it was sent (a clock all processes share)
                first[i] = time.monotonic()
            conn.request("POST", "/alertmanager", body=bodies[i], headers=headers)
            resp = conn.getresponse()
            resp.read()
            end = time.perf_counter()
            mine.append((end - start, end))
            if resp.status != 200:
                bad.append(resp.status)
        conn.close()
        with lock:
            latencies.extend(x for x, _ in mine)
            stamps.extend(t for _, t in mine)
            failures.extend(bad)

    threads = [threading.Thread(target=worker) for _ in range(connections)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - started
    last_reply = time.monotonic()
    # the slowest full second of the run (sustained rate), from the reply times
    stamps.sort()
    worst = min((sum(1 for s in stamps if t0 <= s < t0 + 1) for t0 in
                 [started + k for k in range(max(1, int(wall)))]), default=posts)
    print(json.dumps({"latencies": latencies, "wall": wall, "failures": failures,
                      "worst_second": worst if wall >= 1 else posts / wall,
                      "first_sent": first, "last_reply": last_reply}))


if __name__ == "__main__":
    main()
