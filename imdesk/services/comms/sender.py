"""The outbox sender: picks what is due, marks it "sending" (committed) before any network
call, hands it to the provider of its route step, and records what came back.

Email goes over one SMTP session per provider and run; SMS requests run in a bounded pool.
Each message is claimed by this sender (a holder: desk, host, process, token) with an expiry,
renewed while it is in flight; two senders on one database never pick one message (FOR UPDATE
SKIP LOCKED on PostgreSQL). After a crash its claims are stale (expired, or at once when its
process is gone from this host) and any sender turns them into in-doubt messages: SMS is
checked at the provider (listing its messages) before any resend; email is sent again with the
same Message-ID and marked as a possible duplicate. Claims go in small batches, the next one
while the last is on the wire, so the SMTP connection never waits for the database.

This module holds the orchestration (OutboxSender: one run at a time, connectivity); the steps
live beside it: picking and claiming (sender_pick.py), sending and recording outcomes
(sender_delivery.py), recovery of interrupted sends and expiry (sender_recovery.py).
"""

from __future__ import annotations

import random
import socket
import threading
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta
from typing import Any

from imdesk.channels.settings import CommsSettings, Provider, SmtpSettings, TwilioSettings
from imdesk.credentials.store import SecretStore
from imdesk.domain.lease import CLAIM_TTL, Holder
from imdesk.domain.message import DEFAULT_RETRY, RetryPolicy
from imdesk.services.clock import Clock, SystemClock
from imdesk.services.comms import sender_delivery, sender_pick, sender_recovery
from imdesk.services.comms.journal import MessageJournal
from imdesk.services.comms.outcomes import OutcomeApplier
from imdesk.services.comms.sender_pick import Job, step_of
from imdesk.services.comms.sender_pick import needs_secret as needs_secret
from imdesk.services.comms.status import Connectivity, RunReport
from imdesk.services.desk.leases import new_holder
from imdesk.storage import outbox_repo
from imdesk.storage.database import Database

CLAIM_CHUNK = 50  # messages claimed per transaction; the next chunk while one is on the wire
FIRST_CLAIM = 10  # a run's first claim is small: the connection starts on it sooner


class OutboxSender:
    def __init__(self, db: Database, secrets: SecretStore, settings: Callable[[], CommsSettings], *,
                 clock: Clock | None = None, policy: RetryPolicy = DEFAULT_RETRY,
                 rng: random.Random | None = None, batch: int = 200,
                 holder: Holder | None = None) -> None:
        self._db = db
        self._secrets = secrets
        self._settings = settings
        self._clock = clock or SystemClock()
        self.policy = policy
        self._rng = rng or random.Random()
        self.batch = batch
        self.connectivity = Connectivity.UNKNOWN
        self._reachable: dict[str, bool] = {}
        self._lock = threading.Lock()  # one run at a time (worker and "send now")
        self._sessions: dict[str, Any] = {}  # SMTP sessions kept for the run that follows
        if holder is None:
            from imdesk.services.desk.identity import current_desk

            holder = new_holder(current_desk())
        self.holder = holder
        self.claim = holder.tag

    # -- public -------------------------------------------------------------------------------
    def recover(self, *, older_than: timedelta = timedelta(0)) -> int:
        """Messages left "sending" by a crash are in doubt: SMS is checked with the provider
        before a resend (on the next run); email and untracked SMS go again, marked. Another
        live sender's claims are spared; a message sending under no claim (written before
        claims existed) only when it last changed `older_than` ago."""
        settings = self._settings()
        with self._lock:
            return sender_recovery.recover(self._db, self._clock, settings, older_than,
                                           self.claim)

    def run_once(self) -> RunReport:
        """Expire, poll delivery, send what is due; returns what happened."""
        with self._lock:
            report = RunReport()
            settings = self._settings()
            now = self._clock.now()
            # a crashed sender's claims, once stale (its own were recovered at its start)
            sender_recovery.recover(self._db, self._clock, settings, None, self.claim)
            report.expired = sender_recovery.expire(self._db, now, self._applier)
            report.delivered = sender_delivery.poll(self._db, self._clock, self._secrets, settings,
                                                    now, self.batch, self._applier)
            jobs, waiting = sender_pick.pick(self._db, self._clock, self._secrets, settings, now,
                                             min(self.batch, FIRST_CLAIM), self.claim)
            report.waiting = waiting
            report.picked = len(jobs)

            def more() -> list[Job]:
                left = self.batch - report.picked
                if left <= 0:
                    return []
                extra, _ = sender_pick.pick(self._db, self._clock, self._secrets, settings,
                                            self._clock.now(), min(left, CLAIM_CHUNK), self.claim)
                report.picked += len(extra)
                return extra

            if jobs:
                delivery = sender_delivery.Delivery(
                    self._db, self._secrets, self._clock, self._applier, sessions=self._sessions,
                    keep=lambda: report.picked >= self.batch)  # more is due: go on at once
                reach = delivery.send_and_record(jobs, settings, report, claim=self.claim,
                                                 more=more, renew=self._renew_claims,
                                                 low_water=2 * CLAIM_CHUNK)
                for name, outcomes in reach.items():
                    self._reachable[name] = any(outcomes)
                self.connectivity = _overall(self._reachable)
            if report.picked < self.batch:
                self._close_sessions()  # the queue is drained: no connection left idle
            report.connectivity = self.connectivity
            report.next_due = self.next_due()
            return report

    def close(self) -> None:
        """Close the connections kept between runs (when the sender stops)."""
        with self._lock:
            self._close_sessions()

    def _close_sessions(self) -> None:
        sessions, self._sessions = self._sessions, {}
        for session in sessions.values():
            session.close()

    def _renew_claims(self) -> None:
        """Extend the claims on what this sender has in flight (sends that take long)."""
        with self._db.write() as s:
            outbox_repo.renew_claims(s, self.claim, self._clock.now() + CLAIM_TTL)

    @property
    def is_single_desk(self) -> bool:
        """One desk on a SQLite file: every message is queued where it is sent."""
        return self._db.is_sqlite

    def next_due(self) -> datetime | None:
        with self._db.read() as s:
            return outbox_repo.next_due(s)

    def probe(self) -> bool:
        """Can a provider be reached again? (A TCP connect to each, 3 s each.) When one
        answers, messages held back for it are due at once: the queue drains on its own."""
        settings = self._settings()
        back: list[str] = []
        for name, provider in settings.providers.items():
            if self._reachable.get(name, True):
                continue
            host, port = _endpoint(provider)
            try:
                socket.create_connection((host, port), timeout=3).close()
            except OSError:
                continue
            back.append(name)
        if back:
            self.release(back)
        return bool(back)

    def release(self, providers: Iterable[str] | None = None) -> int:
        """Make queued messages due now ("send now"), for some providers or all."""
        names = set(providers) if providers is not None else None
        now = self._clock.now()
        count = 0
        with self._db.write() as s:
            for msg in outbox_repo.queued(s):
                if names is None or step_of(msg).provider in names:
                    msg.next_attempt_at = now
                    count += 1
        for name in names or ():
            self._reachable[name] = True
        return count

    def _applier(self, journal: MessageJournal, trackable: set[str]) -> OutcomeApplier:
        return OutcomeApplier(journal, self.policy, self._rng, trackable=trackable)


def _endpoint(provider: Provider) -> tuple[str, int]:
    from urllib.parse import urlsplit

    s = provider.settings
    if isinstance(s, SmtpSettings):
        return s.host, s.port
    url = urlsplit(s.base_url if isinstance(s, TwilioSettings) else s.url)
    return url.hostname or "", url.port or (443 if url.scheme == "https" else 80)


def _overall(reachable: dict[str, bool]) -> Connectivity:
    if not reachable:
        return Connectivity.UNKNOWN
    if all(reachable.values()):
        return Connectivity.ONLINE
    if any(reachable.values()):
        return Connectivity.PROVIDER_UNREACHABLE
    return Connectivity.OFFLINE
