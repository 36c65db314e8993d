"""SMS providers: Twilio's Messages API and a generic HTTP gateway, behind one small protocol."""

from __future__ import annotations

import json
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.utils import parsedate_to_datetime
from string import Template
from typing import Protocol
from urllib.parse import quote, urlencode

from imdesk.channels.http_client import HttpClient, Response, basic_auth
from imdesk.channels.outcomes import (
    Accepted,
    CredentialsRejected,
    DeliveryError,
    InDoubt,
    PermanentFailure,
    TemporaryFailure,
)
from imdesk.channels.settings import HttpGatewaySettings, TwilioSettings


@dataclass(frozen=True)
class SmsOut:
    to: str          # E.164
    body: str
    ref: str         # the incident, for gateways that take a reference


@dataclass(frozen=True)
class SmsStatus:
    status: str
    error: str = ""


class SmsProvider(Protocol):
    """What the sender needs from an SMS provider."""

    can_track: bool      # fetch() reports delivery
    can_reconcile: bool  # find() can tell whether an interrupted send went out

    def send(self, sms: SmsOut) -> Accepted: ...

    def fetch(self, provider_id: str) -> SmsStatus: ...

    def find(self, sms: SmsOut, since: datetime, exclude: Collection[str]) -> Accepted | None: ...


def _error_text(resp: Response) -> str:
    body = resp.json()
    if isinstance(body, dict):
        code = body.get("code") or body.get("error_code") or ""
        message = body.get("message") or body.get("error_message") or ""
        if code or message:
            return f"HTTP {resp.status} {code} {message}".strip()
    return f"HTTP {resp.status}"


def _refusal(resp: Response, who: str, *, created_maybe: bool) -> DeliveryError:
    """An unsuccessful reply as an outcome. A 5xx to a create may come after the message
    was created (in doubt); 429 says when to come back."""
    text = f"{who}: {_error_text(resp)}"
    if resp.status == 429:
        return TemporaryFailure(f"{text} (too many requests)", retry_after=resp.retry_after())
    if resp.status in (401, 403):
        return CredentialsRejected(f"{text} (credentials rejected)")
    if resp.status >= 500:
        if created_maybe:
            return InDoubt(f"{text}; the message may have been created")
        return TemporaryFailure(text, retry_after=resp.retry_after())
    return PermanentFailure(text)


class TwilioSms:
    """POST/GET {base}/2010-04-01/Accounts/{sid}/Messages…, form-encoded, HTTP Basic auth."""

    can_track = True
    can_reconcile = True

    def __init__(self, settings: TwilioSettings, token: str) -> None:
        self.settings = settings
        self._auth = basic_auth(settings.account_sid, token)
        self._http = HttpClient(settings.base_url, timeout=settings.timeout, ca_file=settings.ca_file)
        self._path = f"/2010-04-01/Accounts/{quote(settings.account_sid, safe='')}/Messages"
        self.who = f"Twilio ({self._http.host})"

    def _headers(self) -> dict[str, str]:
        return {"Authorization": self._auth, "Accept": "application/json"}

    def send(self, sms: SmsOut) -> Accepted:
        form = {"To": sms.to, "Body": sms.body}
        if self.settings.messaging_service_sid:
            form["MessagingServiceSid"] = self.settings.messaging_service_sid
        else:
            form["From"] = self.settings.from_number
        if self.settings.validity_seconds:
            form["ValidityPeriod"] = str(self.settings.validity_seconds)
        headers = {**self._headers(), "Content-Type": "application/x-www-form-urlencoded"}
        resp = self._http.request("POST", self._path + ".json", body=urlencode(form).encode(),
                                  headers=headers)
        if resp.status not in (200, 201):
            raise _refusal(resp, self.who, created_maybe=True)
        body = resp.json()
        if not isinstance(body, dict) or not body.get("sid"):
            raise InDoubt(f"{self.who}: the reply carries no message sid")
        return Accepted(str(body["sid"]), str(body.get("status") or "queued"))

    def check(self) -> None:
        """List one message: proves the account and token without sending anything."""
        resp = self._http.request("GET", f"{self._path}.json?PageSize=1", headers=self._headers())
        if resp.status != 200:
            raise _refusal(resp, self.who, created_maybe=False)

    def fetch(self, provider_id: str) -> SmsStatus:
        resp = self._http.request("GET", f"{self._path}/{quote(provider_id, safe='')}.json",
                                  headers=self._headers())
        if resp.status != 200:
            raise _refusal(resp, self.who, created_maybe=False)
        body = resp.json() if isinstance(resp.json(), dict) else {}
        error = ""
        if body.get("error_code"):
            error = f"{body.get('error_code')} {body.get('error_message') or ''}".strip()
        return SmsStatus(str(body.get("status") or "unknown"), error)

    def find(self, sms: SmsOut, since: datetime, exclude: Collection[str]) -> Accepted | None:
        """A message to the same number with the same text created since `since` that no
        other outbox message owns: the send interrupted before its reply did go out."""
        day = (since - timedelta(days=1)).date().isoformat()
        query = urlencode({"To": sms.to, "DateSent>": day, "PageSize": "100"})
        resp = self._http.request("GET", f"{self._path}.json?{query}", headers=self._headers())
        if resp.status != 200:
            raise _refusal(resp, self.who, created_maybe=False)
        body = resp.json()
        items = body.get("messages", []) if isinstance(body, dict) else []
        for item in items:
            sid = str(item.get("sid") or "")
            if not sid or sid in exclude or item.get("body") != sms.body or item.get("to") != sms.to:
                continue
            created = _when(item.get("date_created"))
            if created is not None and created < since - timedelta(minutes=5):
                continue
            return Accepted(sid, str(item.get("status") or "queued"))
        return None


def _when(value: object) -> datetime | None:
    if not value:
        return None
    try:
        return parsedate_to_datetime(str(value))
    except (TypeError, ValueError):
        return None


class HttpGatewaySms:
    """A gateway with a plain HTTP API: URL, method, headers, a body template with $to, $text
    and $ref, the status that means success, and where the message id is in the reply."""

    can_track = False
    can_reconcile = False

    def __init__(self, settings: HttpGatewaySettings, token: str | None) -> None:
        self.settings = settings
        self._token = token or ""
        self._http = HttpClient(settings.url, timeout=settings.timeout, ca_file=settings.ca_file)
        self.who = f"SMS gateway ({self._http.host})"

    def _body(self, sms: SmsOut) -> bytes:
        def esc(value: str) -> str:
            if "json" in self.settings.content_type:
                return json.dumps(value, ensure_ascii=False)[1:-1]
            if "x-www-form-urlencoded" in self.settings.content_type:
                return quote(value, safe="")
            return value

        values = {"to": esc(sms.to), "text": esc(sms.body), "ref": esc(sms.ref)}
        return Template(self.settings.body_template).safe_substitute(values).encode("utf-8")

    def send(self, sms: SmsOut) -> Accepted:
        headers = {k: v.replace("$secret", self._token) for k, v in self.settings.headers.items()}
        body: bytes | None = None
        path = ""
        if self.settings.method == "GET":
            path = "?" + self._body(sms).decode("utf-8")
        else:
            body = self._body(sms)
            headers.setdefault("Content-Type", self.settings.content_type)
        resp = self._http.request(self.settings.method, path, body=body, headers=headers)
        if resp.status != self.settings.success_status:
            raise _refusal(resp, self.who, created_maybe=True)
        return Accepted(self._id(resp) or "", "sent")

    def _id(self, resp: Response) -> str | None:
        value: object = resp.json()
        for key in filter(None, self.settings.id_field.split(".")):
            value = value.get(key) if isinstance(value, dict) else None
        return None if value is None else str(value)

    def fetch(self, provider_id: str) -> SmsStatus:
        return SmsStatus("sent")

    def find(self, sms: SmsOut, since: datetime, exclude: Collection[str]) -> Accepted | None:
        return None
