"""How a drill's alert reaches the desk: posted over HTTP to the running listener with its
bearer token (127.0.0.1, the whole intake path), or, when no listener answers, handed to the
intake directly. Every payload is tagged first: the drill's label on each alert (a custom
detail for PagerDuty) so the incident it opens is an exercise, and group keys / dedup keys of
the drill's own so a drill alert never joins a real alert group."""

from __future__ import annotations

import copy
import json
import urllib.error
import urllib.request
from collections.abc import Callable, Mapping
from typing import Any

from imdesk.storage.drill_repo import DRILL_LABEL

PATHS = {"alertmanager": "/alertmanager", "grafana": "/grafana", "pagerduty": "/v2/enqueue"}


def tag(fmt: str, payload: Mapping[str, Any], drill_id: int) -> dict[str, Any]:
    body: dict[str, Any] = copy.deepcopy(dict(payload))
    mark = str(drill_id)
    if fmt == "pagerduty":
        if body.get("dedup_key"):
            body["dedup_key"] = f"drill{mark}-{body['dedup_key']}"[:255]
        inner = body.get("payload")
        if isinstance(inner, dict):
            details = inner.get("custom_details")
            inner["custom_details"] = {**(details if isinstance(details, dict) else {}),
                                       DRILL_LABEL: mark}
        return body
    body["groupKey"] = f"drill{mark}/{body.get('groupKey', '')}"
    common = body.get("commonLabels")
    if isinstance(common, dict):
        common[DRILL_LABEL] = mark
    for alert in body.get("alerts", []):
        if isinstance(alert, dict):
            labels = alert.setdefault("labels", {})
            if isinstance(labels, dict):
                labels[DRILL_LABEL] = mark
            if alert.get("fingerprint"):
                alert["fingerprint"] = f"drill{mark}-{alert['fingerprint']}"
    return body


class Deliverer:
    """Posts to the listener at `url` with `token`; falls back to `ingest` when it is not there."""

    def __init__(self, ingest: Callable[[bytes, str], object], url: str = "", token: str = "",
                 timeout: float = 3.0) -> None:
        self._ingest = ingest
        self.url = url.rstrip("/")
        self._token = token
        self._timeout = timeout
        self._opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))

    def deliver(self, fmt: str, body: Mapping[str, Any]) -> str:
        """Where it went: "listener" or "intake"."""
        raw = json.dumps(body, ensure_ascii=False).encode("utf-8")
        if self.url and self._token:
            request = urllib.request.Request(
                self.url + PATHS[fmt], data=raw, method="POST",
                headers={"Content-Type": "application/json",
                         "Authorization": f"Bearer {self._token}"})
            try:
                with self._opener.open(request, timeout=self._timeout) as reply:
                    reply.read()
                return "listener"
            except urllib.error.HTTPError as exc:
                raise ValueError(f"the listener refused the alert: HTTP {exc.code} "
                                 f"{exc.read()[:200].decode('utf-8', 'replace')}") from None
            except (urllib.error.URLError, OSError):
                pass  # no listener running: the intake directly
        self._ingest(raw, fmt)
        return "intake"
