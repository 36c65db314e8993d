"""Screenshots of communications (called from screenshots.py): the Messages pane with a call
list, the send dialog, the provider settings."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any


def prepare(ctx: Any) -> None:
    """Providers that cannot be reached (the desk is offline) and a few demo recipients."""
    from imdesk.channels.settings import CommsSettings, parse_provider
    from imdesk.services.comms.recipients import Recipient

    mail = parse_provider("mail", {"kind": "smtp", "host": "127.0.0.1", "port": 1,
                                   "from_address": "servicedesk@example.com",
                                   "from_name": "Service Desk North", "timeout": 2})
    # no SMS provider yet: whoever has only a number lands on the call list
    ctx.comms.settings.save(CommsSettings(providers={"mail": mail}, email_provider="mail"))
    people = [
        Recipient("Kim Nguyen", phones=("+4915112345678",), emails=("kim.nguyen@example.com",),
                  source="E-mail stakeholder (P1)"),
        Recipient("Priya Raman", emails=("priya.raman@example.com",), source="team Server"),
        Recipient("Jonas Berg", phones=("+4917012345678",), source="team Network"),
        Recipient("Ana Souza", emails=("ana.souza@@example",), source="list Management"),
    ]

    class Demo:
        def stakeholders(self, service: str | None, priority: str) -> list[Recipient]:
            return people

        def resolve(self, names: Any) -> tuple[list[Recipient], list[str]]:
            return [p for p in people if p.name in names], []

    directory = Demo()
    ctx.comms.notify._directory = lambda: directory


def shoot(window: Any, ctx: Any, ref: str | None, out: Path, scheme: str,
          settle: Callable[[float], None]) -> None:
    from imdesk.qt.comms.provider_dialog import ProviderDialog
    from imdesk.qt.comms.send_dialog import SendDialog

    if ref is None:
        return
    if scheme == "light":
        prepare(ctx)
        ctx.comms.notify.queue(ctx.comms.notify.plan(ref, "initial", audience="business"))
        ctx.comms.notify.queue(ctx.comms.notify.plan(ref, "update", audience="technical"))
        ctx.comms.sender().run_once()
    window.comms.show()
    settle(1.0)
    window.grab().save(str(out / f"messages-{scheme}.png"))
    dialog = SendDialog(window, ctx.comms.notify, window.runner, ref, "Inbound e-mail delayed")
    dialog.show()
    settle(0.8)
    dialog.grab().save(str(out / f"send-dialog-{scheme}.png"))
    dialog.done(0)
    providers = ProviderDialog(window, ctx.comms, window.runner, ctx.comms.load_settings())
    providers.show()
    settle(0.6)
    providers.grab().save(str(out / f"providers-{scheme}.png"))
    providers.done(0)
