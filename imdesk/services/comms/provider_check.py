""""Test connection" for a provider: reach it, log in where it has a login, send nothing.
Runs off the GUI thread (it waits on the network and the keyring)."""

from __future__ import annotations

import socket
from dataclasses import dataclass

from imdesk.channels.outcomes import CredentialsRejected, DeliveryError
from imdesk.channels.settings import Provider, SmtpSettings, TwilioSettings
from imdesk.credentials.store import SecretStore
from imdesk.services.comms.sender_pick import needs_secret


@dataclass(frozen=True)
class CheckResult:
    ok: bool
    text: str           # what happened, in words
    secret_where: str   # where the secret is kept ("" when the provider needs none)


def check_provider(provider: Provider, secrets: SecretStore, *,
                   typed_secret: str = "") -> CheckResult:
    """`typed_secret`: one typed into the settings dialog and not stored yet."""
    needs = needs_secret(provider)
    secret = None
    where = ""
    if needs and typed_secret:
        secret, where = typed_secret, "typed in (not stored yet: Save stores it)"
    elif needs:
        lookup = secrets.get(provider.name)
        where = lookup.where
        if not lookup.usable:
            return CheckResult(False, f"the secret for {provider.name} is not usable: "
                                      f"{lookup.state.label}", where)
        secret = lookup.secret
        where = "this session only (not saved)" if lookup.state.value == "session" else lookup.where
    try:
        text = _reach(provider, secret)
    except CredentialsRejected as exc:
        if not typed_secret:
            secrets.mark_rejected(provider.name)
        return CheckResult(False, exc.message, where)
    except DeliveryError as exc:
        return CheckResult(False, exc.message, where)
    return CheckResult(True, text, where)


def _reach(provider: Provider, secret: str | None) -> str:
    s = provider.settings
    if isinstance(s, SmtpSettings):
        from imdesk.channels.smtp import SmtpSession

        session = SmtpSession(s, secret)
        session.open()
        session.close()
        login = f", logged in as {s.username}" if s.username else ""
        return f"connected to {s.host}:{s.port} ({s.security}, certificate verified){login}"
    if isinstance(s, TwilioSettings):
        from imdesk.channels.sms import TwilioSms

        client = TwilioSms(s, secret or "")
        client.check()
        return f"{client.who}: account {s.account_sid} answered, credentials accepted"
    from urllib.parse import urlsplit

    from imdesk.channels.outcomes import ProviderUnreachable

    url = urlsplit(s.url)
    port = url.port or (443 if url.scheme == "https" else 80)
    try:
        socket.create_connection((url.hostname or "", port), timeout=s.timeout).close()
    except OSError as exc:
        raise ProviderUnreachable(f"cannot connect to {url.hostname}:{port}: {exc}") from None
    return f"{url.hostname}:{port} accepts connections (nothing was sent)"
