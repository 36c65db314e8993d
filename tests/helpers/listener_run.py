"""A webhook listener running in the test process on a free loopback port (the `running`
fixture in tests/conftest.py): posts with the test token, its outcomes as reported."""

from __future__ import annotations

import http.client
import json
import threading
from typing import Any

from imdesk.channels.alert_listener import AlertListener
from imdesk.context import AppContext
from imdesk.domain.alert_outcome import Outcome

TOKEN = "test-token-4f1c9a"
JSON = {"Content-Type": "application/json", "Authorization": f"Bearer {TOKEN}"}


class Running:
    def __init__(self, ctx: AppContext) -> None:
        self.ctx = ctx
        self.outcomes: list[Outcome] = []
        self.processed = threading.Event()
        self.listener = AlertListener(ctx.alerts.intake, TOKEN, port=0, on_outcome=self._got)

    def _got(self, outcome: Outcome) -> None:
        self.outcomes.append(outcome)
        self.processed.set()

    def post(self, path: str, body: bytes, headers: dict[str, str] | None = None) -> tuple[int, Any]:
        conn = http.client.HTTPConnection("127.0.0.1", self.listener.port, timeout=10)
        try:
            conn.request("POST", path, body=body, headers=JSON if headers is None else headers)
            resp = conn.getresponse()
            data = resp.read()
            return resp.status, json.loads(data) if data else None
        finally:
            conn.close()

    def inbox(self) -> int:
        return len(self.ctx.alerts.intake.inbox())
