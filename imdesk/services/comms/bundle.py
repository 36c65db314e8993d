"""Everything communications needs, built once per context: provider settings, the secret
store, planning/queuing, the outbox, and a sender for it."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from imdesk.channels.settings import CommsSettings
from imdesk.credentials.store import SecretStore
from imdesk.domain.lease import Holder
from imdesk.domain.war_room import DEFAULT_UPDATE_POLICY
from imdesk.services.clock import Clock, SystemClock
from imdesk.services.comms.notify import NotifyService
from imdesk.services.comms.outbox import OutboxService
from imdesk.services.comms.recipients import RecipientDirectory
from imdesk.services.comms.sender import OutboxSender
from imdesk.services.comms.settings import CommsSettingsService
from imdesk.services.settings import SettingsService
from imdesk.services.war_room import WarRoomService
from imdesk.storage.database import Database


@dataclass
class Comms:
    db: Database
    settings: CommsSettingsService
    secrets: SecretStore
    notify: NotifyService
    outbox: OutboxService
    clock: Clock

    def load_settings(self) -> CommsSettings:
        """The provider settings, and the plain-text keyring choice passed to the store."""
        settings = self.settings.load()
        self.secrets.allow_plaintext = settings.allow_plaintext_keyring
        return settings

    def sender(self, *, rng: random.Random | None = None, batch: int = 100,
               holder: Holder | None = None) -> OutboxSender:
        """A sender; `holder` names who claims its messages (default: this desk, this process)."""
        return OutboxSender(self.db, self.secrets, self.load_settings, clock=self.clock, rng=rng,
                            batch=batch, holder=holder)


def build_comms(db: Database, *, clock: Clock | None, author: str | None,
                settings: SettingsService, war_rooms: WarRoomService,
                directory: RecipientDirectory | None = None,
                secrets: SecretStore | None = None) -> Comms:
    clock = clock or SystemClock()
    built: list[RecipientDirectory] = [directory] if directory is not None else []

    def recipients() -> RecipientDirectory:
        """The contact book, imported on first use (not at start-up)."""
        if not built:
            from imdesk.services.contacts.recipients import ContactBookDirectory

            built.append(ContactBookDirectory(db, clock))
        return built[0]

    comms_settings = CommsSettingsService(db)

    def room_fields(ref: str) -> dict[str, Any]:
        """The war room's situation (CAN) and bridge, and when the next update will be due
        once this one goes out (a communication entry restarts the clock)."""
        room = war_rooms.room(ref)
        sit = room.state.situation
        due = None
        if room.state.declared_at is not None:
            every = DEFAULT_UPDATE_POLICY[room.incident.priority].every_minutes
            due = clock.now() + timedelta(minutes=every)
        return {"conditions": sit.conditions, "actions": sit.actions, "needs": sit.needs,
                "impact": sit.impact, "bridge": room.state.bridge, "next_update_due": due}

    notify = NotifyService(db, comms_settings, recipients, clock=clock, author=author,
                           desk_name=settings.desk_name, room_fields=room_fields)
    return Comms(db, comms_settings, secrets or SecretStore(), notify,
                 OutboxService(db, clock=clock, author=author), clock)
