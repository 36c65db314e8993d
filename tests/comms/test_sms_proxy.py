"""SMS providers through a corporate proxy: HTTPS_PROXY / HTTP_PROXY with proxy credentials in
the URL, NO_PROXY honoured; a real local proxy (tests/helpers/http_proxy.py) in front of the
local Twilio-compatible server, plain http (forwarded) and https (CONNECT tunnel, custom CA)."""

from __future__ import annotations

import ssl
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from imdesk.channels.outcomes import ProviderUnreachable, TemporaryFailure
from imdesk.channels.settings import TwilioSettings
from imdesk.channels.sms import SmsOut, TwilioSms
from tests.comms.conftest import TWILIO_TOKEN
from tests.helpers.http_proxy import HttpProxy
from tests.helpers.twilio_server import ACCOUNT, TwilioServer

SMS = SmsOut("+4915112345678", "INC-1001 ERP down", "INC-1001")


@pytest.fixture
def proxy() -> Iterator[HttpProxy]:
    server = HttpProxy(user="desk", password="s3cret:pw")
    server.start()
    yield server
    server.stop()


@pytest.fixture
def tls_twilio(test_ca: tuple[Any, Path]) -> Iterator[TwilioServer]:
    import trustme  # noqa: F401  (test_ca made the certificate with it)

    server_ctx: ssl.SSLContext = test_ca[0]
    server = TwilioServer(TWILIO_TOKEN, hang=2.0, tls=server_ctx)
    server.start()
    yield server
    server.stop()


@pytest.fixture(autouse=True)
def _no_proxy_from_the_machine(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY", "http_proxy", "https_proxy",
                 "all_proxy", "no_proxy"):
        monkeypatch.delenv(name, raising=False)


def _client(server: TwilioServer, ca_file: str = "") -> TwilioSms:
    return TwilioSms(TwilioSettings(base_url=server.base_url, account_sid=ACCOUNT,
                                    from_number="+15005550006", ca_file=ca_file, timeout=3),
                     TWILIO_TOKEN)


def test_http_through_the_proxy_with_credentials(
        proxy: HttpProxy, twilio: TwilioServer, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HTTP_PROXY", proxy.url(user="desk", password="s3cret%3Apw"))
    accepted = _client(twilio).send(SMS)
    assert accepted.provider_id.startswith("SM") and twilio.sent() == [(SMS.to, SMS.body)]
    assert proxy.log.requests == [("POST", f"{twilio.base_url}/2010-04-01/Accounts/{ACCOUNT}/Messages.json")]


def test_https_through_a_connect_tunnel_with_a_custom_ca(
        proxy: HttpProxy, tls_twilio: TwilioServer, test_ca: tuple[Any, Path],
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HTTPS_PROXY", proxy.url(user="desk", password="s3cret%3Apw"))
    client = _client(tls_twilio, str(test_ca[1]))
    accepted = client.send(SMS)
    assert client.fetch(accepted.provider_id).status in ("queued", "sent", "delivered")
    assert tls_twilio.sent() == [(SMS.to, SMS.body)]
    assert proxy.log.requests == [("CONNECT", f"localhost:{tls_twilio.port}")] * 2
    # the provider's own answers keep their meaning through the tunnel: 429 waits as told
    tls_twilio.script.creates.append("429")
    with pytest.raises(TemporaryFailure) as later:
        client.send(SMS)
    assert not isinstance(later.value, ProviderUnreachable)
    assert later.value.retry_after == tls_twilio.script.retry_after


def test_wrong_proxy_credentials_mean_unreachable_not_refused(
        proxy: HttpProxy, twilio: TwilioServer, tls_twilio: TwilioServer, test_ca: tuple[Any, Path],
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HTTP_PROXY", proxy.url(user="desk", password="wrong"))
    monkeypatch.setenv("HTTPS_PROXY", proxy.url())
    with pytest.raises(ProviderUnreachable, match="407"):
        _client(twilio).send(SMS)
    with pytest.raises(ProviderUnreachable, match="407"):
        _client(tls_twilio, str(test_ca[1])).send(SMS)
    assert proxy.log.refused == 2 and twilio.sent() == [] and tls_twilio.sent() == []


def test_no_proxy_goes_direct(proxy: HttpProxy, twilio: TwilioServer,
                              monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HTTP_PROXY", proxy.url(user="desk", password="s3cret%3Apw"))
    monkeypatch.setenv("NO_PROXY", "localhost,127.0.0.1")
    _client(twilio).send(SMS)
    assert proxy.log.requests == [] and len(twilio.sent()) == 1


def test_a_dead_proxy_is_unreachable_and_nothing_is_sent(
        twilio: TwilioServer, monkeypatch: pytest.MonkeyPatch) -> None:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    monkeypatch.setenv("HTTP_PROXY", f"http://127.0.0.1:{port}")
    with pytest.raises(ProviderUnreachable, match="connection refused"):
        _client(twilio).send(SMS)
    assert twilio.sent() == []
