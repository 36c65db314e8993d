"""Provider settings (never secrets): SMTP, Twilio and a generic HTTP SMS gateway, and the
order in which a recipient is tried. Kept in the desk settings; loadable from a JSON file."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any
from urllib.parse import urlsplit

from imdesk.domain.errors import ValidationError
from imdesk.domain.mail_header import NAME_MAX, header_text
from imdesk.domain.message import MessageChannel


class ProviderKind(StrEnum):
    SMTP = "smtp"
    TWILIO = "twilio"
    HTTP = "http"

    @property
    def channel(self) -> MessageChannel:
        return MessageChannel.EMAIL if self == ProviderKind.SMTP else MessageChannel.SMS


@dataclass(frozen=True)
class SmtpSettings:
    host: str = ""
    port: int = 587
    security: str = "starttls"     # "starttls" (587) or "tls" (implicit, 465)
    username: str = ""
    from_address: str = ""
    from_name: str = "Service Desk"
    ca_file: str = ""              # extra CA bundle for a company mail relay
    timeout: float = 30.0          # seconds, per SMTP command


@dataclass(frozen=True)
class TwilioSettings:
    base_url: str = "https://api.twilio.com"
    account_sid: str = ""
    from_number: str = ""
    messaging_service_sid: str = ""
    ca_file: str = ""
    timeout: float = 15.0
    validity_seconds: int = 0      # 0: the provider's default


@dataclass(frozen=True)
class HttpGatewaySettings:
    url: str = ""
    method: str = "POST"
    headers: Mapping[str, str] = field(default_factory=dict)   # "$secret" is replaced by the token
    body_template: str = '{"to": "$to", "text": "$text"}'      # $to, $text, $ref
    content_type: str = "application/json"
    success_status: int = 200
    id_field: str = "id"           # dotted path into the JSON reply
    ca_file: str = ""
    timeout: float = 15.0


ProviderSettings = SmtpSettings | TwilioSettings | HttpGatewaySettings
_CLASSES: dict[ProviderKind, type[Any]] = {
    ProviderKind.SMTP: SmtpSettings, ProviderKind.TWILIO: TwilioSettings,
    ProviderKind.HTTP: HttpGatewaySettings,
}


@dataclass(frozen=True)
class Provider:
    name: str
    kind: ProviderKind
    settings: ProviderSettings

    @property
    def channel(self) -> MessageChannel:
        return self.kind.channel

    def to_json(self) -> dict[str, Any]:
        values = dataclasses.asdict(self.settings)
        return {"kind": self.kind.value, **values}

    def describe(self) -> str:
        s = self.settings
        if isinstance(s, SmtpSettings):
            return f"SMTP {s.host}:{s.port} ({s.security})"
        if isinstance(s, TwilioSettings):
            return f"Twilio {s.base_url} account {s.account_sid}"
        return f"HTTP gateway {s.method} {s.url}"


@dataclass(frozen=True)
class CommsSettings:
    """Providers by name, the SMS failover order, the email provider, the manual lane."""

    providers: Mapping[str, Provider] = field(default_factory=dict)
    sms_order: tuple[str, ...] = ()
    email_provider: str = ""
    manual_lane: bool = True
    allow_plaintext_keyring: bool = False
    concurrency: int = 8

    def to_json(self) -> dict[str, Any]:
        return {"providers": {n: p.to_json() for n, p in self.providers.items()},
                "sms_order": list(self.sms_order), "email_provider": self.email_provider,
                "manual_lane": self.manual_lane,
                "allow_plaintext_keyring": self.allow_plaintext_keyring,
                "concurrency": self.concurrency}

    @classmethod
    def from_json(cls, raw: Mapping[str, Any] | None) -> CommsSettings:
        if not raw:
            return cls()
        if not isinstance(raw, Mapping):
            raise ValidationError("settings", "the settings must be a JSON object")
        providers = {}
        for name, body in dict(raw.get("providers") or {}).items():
            if not isinstance(body, Mapping):
                raise ValidationError(f"providers.{name}", "each provider must be a JSON object")
            providers[str(name)] = parse_provider(str(name), body)
        settings = cls(providers=providers,
                       sms_order=tuple(str(n) for n in raw.get("sms_order") or ()),
                       email_provider=str(raw.get("email_provider") or ""),
                       manual_lane=bool(raw.get("manual_lane", True)),
                       allow_plaintext_keyring=bool(raw.get("allow_plaintext_keyring", False)),
                       concurrency=_int(raw.get("concurrency", 8), "concurrency", 1, 64))
        settings.check()
        return settings

    def check(self) -> None:
        for name in self.sms_order:
            provider = self.providers.get(name)
            if provider is None:
                raise ValidationError("sms_order", f"no provider named {name!r}")
            if provider.channel != MessageChannel.SMS:
                raise ValidationError("sms_order", f"{name} is not an SMS provider")
        if self.email_provider:
            provider = self.providers.get(self.email_provider)
            if provider is None:
                raise ValidationError("email_provider", f"no provider named {self.email_provider!r}")
            if provider.channel != MessageChannel.EMAIL:
                raise ValidationError("email_provider", f"{self.email_provider} is not an SMTP provider")

    def with_provider(self, provider: Provider) -> CommsSettings:
        providers = dict(self.providers)
        providers[provider.name] = provider
        sms_order, email = self.sms_order, self.email_provider
        if provider.channel == MessageChannel.SMS and provider.name not in sms_order:
            sms_order = (*sms_order, provider.name)
        if provider.channel == MessageChannel.EMAIL and not email:
            email = provider.name
        return dataclasses.replace(self, providers=providers, sms_order=sms_order,
                                   email_provider=email)


def _int(value: Any, name: str, low: int, high: int) -> int:
    if isinstance(value, bool) or (isinstance(value, float) and not value.is_integer()):
        raise ValidationError(name, f"{name} must be a whole number, not {str(value)[:20]!r}")
    try:
        number = int(value)
    except (TypeError, ValueError, OverflowError):
        raise ValidationError(name, f"{name} must be a whole number, not {str(value)[:20]!r}") from None
    if not low <= number <= high:
        raise ValidationError(name, f"{name} must be between {low} and {high}")
    return number


_HOSTNAME = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9.-]{0,251}[A-Za-z0-9])?|\[[0-9A-Fa-f:.]{2,45}\]")
_ADDRESS = re.compile(r"[^@\s<>\"(),;:]{1,64}@[A-Za-z0-9](?:[A-Za-z0-9.-]{0,251}[A-Za-z0-9])?")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
VALUE_MAX = 2000


def _host(value: Any, name: str) -> str:
    text = str(value).strip()
    if not _HOSTNAME.fullmatch(text):
        raise ValidationError(name, f"{name} must be a host name or address (letters, digits, - and ., "
                                    f"at most 253), not {text[:40]!r}")
    return text


def _address(value: Any, name: str) -> str:
    text = str(value).strip()
    if len(text) > 254 or not _ADDRESS.fullmatch(text) or "." not in text.rpartition("@")[2]:
        raise ValidationError(name, f"{name} must be an email address like desk@example.com, "
                                    f"not {text[:40]!r}")
    return text


def _plain_values(values: Mapping[str, Any], prefix: str) -> None:
    """No setting holds a line break or control character, or more than VALUE_MAX characters."""
    for key, value in values.items():
        if isinstance(value, str) and (_CONTROL.search(value) or len(value) > VALUE_MAX):
            raise ValidationError(prefix + key, f"{prefix}{key} must be one line of at most "
                                                f"{VALUE_MAX} characters without control characters")


def _url(value: str, name: str) -> str:
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValidationError(name, f"{name} must be an http:// or https:// URL, not {value!r}")
    return value.rstrip("/")


def parse_provider(name: str, raw: Mapping[str, Any]) -> Provider:
    """Validate one provider's settings; errors name the provider and field."""
    if not name or not name.replace("-", "").replace("_", "").isalnum() or len(name) > 40:
        raise ValidationError("name", f"provider name {name!r}: use letters, digits, - and _ (≤ 40)")
    try:
        kind = ProviderKind(str(raw.get("kind", "")))
    except ValueError:
        raise ValidationError(f"{name}.kind", "kind must be smtp, twilio or http") from None
    cls = _CLASSES[kind]
    known = {f.name for f in dataclasses.fields(cls)}
    unknown = sorted(set(raw) - known - {"kind"})
    if unknown:
        raise ValidationError(f"{name}.{unknown[0]}", f"{name}: unknown setting {unknown[0]!r} for {kind}")
    values: dict[str, Any] = {k: v for k, v in raw.items() if k in known}
    f = f"{name}."
    if kind == ProviderKind.SMTP:
        values["port"] = _int(values.get("port", 587), f + "port", 1, 65535)
        if values.get("security", "starttls") not in ("starttls", "tls"):
            raise ValidationError(f + "security", "security must be starttls (587) or tls (465)")
        if "from_name" in values:
            values["from_name"] = header_text(str(values["from_name"]), f + "from_name",
                                              max_len=NAME_MAX)
        if not str(values.get("host", "")).strip():
            raise ValidationError(f + "host", f"{name}: the SMTP host is missing")
        if not str(values.get("from_address", "")).strip():
            raise ValidationError(f + "from_address", f"{name}: the sender address is missing")
        values["host"] = _host(values["host"], f + "host")
        values["from_address"] = _address(values["from_address"], f + "from_address")
    elif kind == ProviderKind.TWILIO:
        values["base_url"] = _url(str(values.get("base_url", TwilioSettings.base_url)), f + "base_url")
        if not str(values.get("account_sid", "")).strip():
            raise ValidationError(f + "account_sid", f"{name}: the account SID is missing")
        if not (values.get("from_number") or values.get("messaging_service_sid")):
            raise ValidationError(f + "from_number", f"{name}: a from number or messaging service is needed")
        values["validity_seconds"] = _int(values.get("validity_seconds", 0), f + "validity_seconds", 0, 36000)
    else:
        values["url"] = _url(str(values.get("url", "")), f + "url")
        values["success_status"] = _int(values.get("success_status", 200), f + "success_status", 100, 599)
        if str(values.get("method", "POST")).upper() not in ("POST", "PUT", "GET"):
            raise ValidationError(f + "method", "method must be POST, PUT or GET")
        values["method"] = str(values.get("method", "POST")).upper()
        headers = values.get("headers", {})
        if not isinstance(headers, Mapping):
            raise ValidationError(f + "headers", "headers must be an object of name: value")
        for key, val in headers.items():
            header_text(str(key), f + "headers", max_len=200)
            header_text(str(val), f + "headers", max_len=2000)
        values["headers"] = {str(k): str(v) for k, v in headers.items()}
    _plain_values(values, f)
    if values.get("ca_file"):
        from imdesk.files import PathRefused, input_regular_file

        try:
            input_regular_file(str(values["ca_file"]), "CA file")
        except PathRefused as exc:
            raise ValidationError(f + "ca_file", f"{name}: the CA file {exc}") from None
    if "timeout" in values:
        try:
            values["timeout"] = float(values["timeout"])
        except (TypeError, ValueError):
            raise ValidationError(f + "timeout", "timeout must be a number of seconds") from None
        if not 0.1 <= values["timeout"] <= 300:
            raise ValidationError(f + "timeout", "timeout must be 0.1 to 300 seconds")
    return Provider(name, kind, cls(**values))
