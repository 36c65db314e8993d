"""The outbox sender: picks what is due, marks it "sending" (committed) before any network
call, hands it to the provider of its route step, and records what came back.

Email goes over one SMTP session per provider and run; SMS requests run in a bounded pool.
After a crash, `recover()` turns every message still "sending" into an in-doubt one: SMS is
checked at the provider (listing its messages) before any resend; email is sent again with the
same Message-ID and marked as a possible duplicate.
"""

from __future__ import annotations

import logging
import random
import socket
import threading
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial
from queue import Empty, Queue
from typing import Any

from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session

from imdesk.channels.outcomes import (
    Accepted,
    CredentialsRejected,
    DeliveryError,
    InDoubt,
    ProviderUnreachable,
    TemporaryFailure,
)
from imdesk.channels.settings import (
    CommsSettings,
    HttpGatewaySettings,
    Provider,
    SmtpSettings,
    TwilioSettings,
)
from imdesk.credentials.store import CredentialState, SecretStore
from imdesk.domain.message import (
    DEFAULT_RETRY,
    SMS_FINAL_STATUSES,
    MessageChannel,
    MessageState,
    RetryPolicy,
    RouteStep,
)
from imdesk.services.clock import Clock, SystemClock
from imdesk.services.comms.journal import MessageJournal
from imdesk.services.comms.outcomes import (
    MAX_POLLS,
    NotTried,
    Outcome,
    OutcomeApplier,
    Reconciled,
    ReconcileFailed,
    poll_delay,
)
from imdesk.services.comms.status import Connectivity, RunReport
from imdesk.storage.database import Database
from imdesk.storage.models import IncidentRow
from imdesk.storage.outbox_models import OutboxMessageRow

SENDER_AUTHOR = "outbox"
RECORD_CHUNK = 100
RECORD_WAIT_S = 0.05
log = logging.getLogger(__name__)
RECONCILE_MARGIN = timedelta(minutes=2)


@dataclass(frozen=True)
class Job:
    """A message handed to a provider: plain values (no ORM object leaves the session)."""

    id: int
    ref: str
    provider: str
    channel: MessageChannel
    address: str
    recipient: str
    subject: str
    body: str
    sms_text: str
    message_id: str
    possible_duplicate: bool
    created_at: datetime
    in_doubt_since: datetime | None
    known_ids: frozenset[str] = frozenset()


class OutboxSender:
    def __init__(self, db: Database, secrets: SecretStore, settings: Callable[[], CommsSettings], *,
                 clock: Clock | None = None, policy: RetryPolicy = DEFAULT_RETRY,
                 rng: random.Random | None = None, batch: int = 200) -> None:
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

    # -- public -------------------------------------------------------------------------------
    def recover(self, *, older_than: timedelta = timedelta(0)) -> int:
        """Messages left "sending" by a crash are in doubt: SMS is checked with the provider
        before a resend (on the next run); email and untracked SMS go again, marked.
        `older_than` spares sends another process may have in flight right now."""
        settings = self._settings()
        count = 0
        with self._lock, self._db.write() as s:
            journal = MessageJournal(s, author=SENDER_AUTHOR, now=self._clock.now())
            rows = s.scalars(select(OutboxMessageRow).where(
                OutboxMessageRow.state == MessageState.SENDING.value,
                OutboxMessageRow.updated_at <= journal.now - older_than)
                .order_by(OutboxMessageRow.id)).all()
            for msg in rows:
                count += 1
                msg.next_attempt_at = journal.now
                provider = settings.providers.get(_step(msg).provider)
                if msg.channel == MessageChannel.SMS.value and provider is not None and \
                        provider.kind.value == "twilio":
                    journal.move(msg, MessageState.QUEUED, "in doubt after an interruption: "
                                 "checking with the provider before any resend", in_doubt=True)
                else:
                    msg.possible_duplicate = True
                    msg.sending_since = None
                    journal.move(msg, MessageState.QUEUED, "in doubt after an interruption: "
                                 "sending again (same Message-ID), marked as a possible duplicate",
                                 in_doubt=True)
        return count

    def run_once(self) -> RunReport:
        """Expire, poll delivery, send what is due; returns what happened."""
        with self._lock:
            report = RunReport()
            settings = self._settings()
            now = self._clock.now()
            report.expired = self._expire(now)
            report.delivered = self._poll(now, settings)
            jobs, waiting = self._pick(now, settings)
            report.waiting = waiting
            report.picked = len(jobs)
            if jobs:
                self._send_and_record(jobs, settings, report)
            report.connectivity = self.connectivity
            report.next_due = self.next_due()
            return report

    def next_due(self) -> datetime | None:
        with self._db.read() as s:
            value: datetime | None = s.scalar(select(func.min(OutboxMessageRow.next_attempt_at)).where(
                OutboxMessageRow.state.in_((MessageState.QUEUED.value, MessageState.SENT.value)),
                OutboxMessageRow.next_attempt_at.is_not(None)))
            return value

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
            rows = s.scalars(select(OutboxMessageRow).where(
                OutboxMessageRow.state == MessageState.QUEUED.value)).all()
            for msg in rows:
                if names is None or _step(msg).provider in names:
                    msg.next_attempt_at = now
                    count += 1
        for name in names or ():
            self._reachable[name] = True
        return count

    # -- steps --------------------------------------------------------------------------------
    def _expire(self, now: datetime) -> int:
        with self._db.write() as s:
            rows = s.scalars(select(OutboxMessageRow).where(
                OutboxMessageRow.state == MessageState.QUEUED.value,
                OutboxMessageRow.not_after <= now).order_by(OutboxMessageRow.id)).all()
            if not rows:
                return 0
            applier = self._applier(MessageJournal(s, author=SENDER_AUTHOR, now=now), set())
            for msg in rows:
                applier.expire(msg)
            return len(rows)

    def _poll(self, now: datetime, settings: CommsSettings) -> int:
        """Delivery status of SMS the provider took, until final (no callback URL on a desk)."""
        with self._db.read() as s:
            rows = s.execute(select(OutboxMessageRow.id, OutboxMessageRow.route,
                                    OutboxMessageRow.step, OutboxMessageRow.provider_id).where(
                OutboxMessageRow.state == MessageState.SENT.value,
                OutboxMessageRow.channel == MessageChannel.SMS.value,
                OutboxMessageRow.next_attempt_at <= now).order_by(OutboxMessageRow.id)
                .limit(self.batch)).all()
        if not rows:
            return 0
        clients: dict[str, Any] = {}
        statuses: dict[int, tuple[str, str] | None] = {}
        for msg_id, route, step, provider_id in rows:
            name = RouteStep.from_json(route[step]).provider
            if name not in clients:
                clients[name] = self._client(settings, name)
            client = clients[name]
            if client is None or not getattr(client, "can_track", False):
                statuses[msg_id] = ("sent", "")
                continue
            try:
                st = client.fetch(provider_id)
                statuses[msg_id] = (st.status, st.error)
            except DeliveryError:
                statuses[msg_id] = None
        delivered = 0
        with self._db.write() as s, s.no_autoflush:
            journal = MessageJournal(s, author=SENDER_AUTHOR, now=self._clock.now())
            applier = self._applier(journal, set())
            loaded = _load(s, list(statuses))
            for msg_id, outcome in statuses.items():
                msg = loaded.get(msg_id)
                if msg is None or msg.state != MessageState.SENT.value:
                    continue
                msg.polls += 1
                if outcome is None or outcome[0] not in SMS_FINAL_STATUSES:
                    if outcome is not None and outcome[0] == "sent" and not _trackable(settings, msg):
                        msg.next_attempt_at = None
                    elif msg.polls >= MAX_POLLS:
                        msg.next_attempt_at = None
                        msg.last_error = f"delivery not confirmed after {msg.polls} checks"
                    else:
                        msg.next_attempt_at = journal.now + poll_delay(msg.polls)
                    continue
                status, error = outcome
                if status in ("delivered", "read"):
                    msg.next_attempt_at = None
                    journal.move(msg, MessageState.DELIVERED, "delivered", error="",
                                 provider_status=status)
                    delivered += 1
                else:
                    applier.fail_over(msg, f"the provider reports {status}"
                                           + (f" ({error})" if error else ""))
        return delivered

    def _pick(self, now: datetime, settings: CommsSettings) -> tuple[list[Job], dict[str, CredentialState]]:
        """Due messages in order; per incident and recipient, one after the other."""
        blocker = (select(OutboxMessageRow.incident_id, OutboxMessageRow.recipient,
                          func.min(OutboxMessageRow.id).label("first"))
                   .where(OutboxMessageRow.state.in_((MessageState.QUEUED.value,
                                                      MessageState.SENDING.value)))
                   .group_by(OutboxMessageRow.incident_id, OutboxMessageRow.recipient).subquery())
        with self._db.read() as s:
            rows = s.scalars(select(OutboxMessageRow).join(blocker, and_(
                blocker.c.incident_id == OutboxMessageRow.incident_id,
                blocker.c.recipient == OutboxMessageRow.recipient,
                blocker.c.first == OutboxMessageRow.id)).where(
                OutboxMessageRow.state == MessageState.QUEUED.value,
                OutboxMessageRow.next_attempt_at <= now,
                OutboxMessageRow.channel != MessageChannel.MANUAL.value,
            ).order_by(OutboxMessageRow.id).limit(self.batch)).all()
            candidates = [(m, _step(m)) for m in rows]
            refs = dict(s.execute(select(IncidentRow.id, IncidentRow.ref).where(
                IncidentRow.id.in_({m.incident_id for m, _ in candidates}))).all())
            known: dict[str, set[str]] = {}
            doubtful = {st.address for m, st in candidates if m.sending_since is not None}
            if doubtful:
                for addr, pid in s.execute(select(OutboxMessageRow.address,
                                                  OutboxMessageRow.provider_id).where(
                        OutboxMessageRow.address.in_(doubtful),
                        OutboxMessageRow.provider_id != "")).all():
                    known.setdefault(addr, set()).add(pid)
        waiting: dict[str, CredentialState] = {}
        usable: dict[str, bool] = {}
        jobs: list[Job] = []
        for msg, step in candidates:
            if step.provider not in usable:
                state = self._credential_state(settings, step.provider)
                usable[step.provider] = state is None
                if state is not None:
                    waiting[step.provider] = state
            if not usable[step.provider]:
                continue
            jobs.append(Job(msg.id, refs.get(msg.incident_id, ""), step.provider, step.channel,
                            step.address, msg.recipient, msg.subject, msg.body, msg.sms_text,
                            msg.message_id, msg.possible_duplicate, msg.created_at,
                            msg.sending_since, frozenset(known.get(step.address, ()))))
        if waiting:
            self._note_waiting(waiting)
        if not jobs:
            return [], waiting
        with self._db.write() as s, s.no_autoflush:
            journal = MessageJournal(s, author=SENDER_AUTHOR, now=self._clock.now())
            loaded = _load(s, [job.id for job in jobs])
            for job in jobs:
                msg = loaded[job.id]
                msg.attempts += 1
                msg.sending_since = msg.sending_since or journal.now
                journal.move(msg, MessageState.SENDING, f"sending via {job.provider} "
                             f"(attempt {msg.attempts})", error="")
        return jobs, waiting

    def _note_waiting(self, waiting: dict[str, CredentialState]) -> None:
        """Say on each held-back message why it waits (not a state change: no entry)."""
        with self._db.write() as s:
            for msg in s.scalars(select(OutboxMessageRow).where(
                    OutboxMessageRow.state == MessageState.QUEUED.value)).all():
                state = waiting.get(_step(msg).provider)
                if state is not None:
                    text = f"waiting for credentials of {_step(msg).provider}: {state.label}"
                    if msg.last_error != text:
                        msg.last_error = text

    def _credential_state(self, settings: CommsSettings, name: str) -> CredentialState | None:
        """None when the provider can be used now, else why not."""
        provider = settings.providers.get(name)
        if provider is None:
            return CredentialState.MISSING
        if not needs_secret(provider):
            return None
        lookup = self._secrets.get(name)
        return None if lookup.usable else lookup.state

    # -- network --------------------------------------------------------------------------------
    def _client(self, settings: CommsSettings, name: str) -> Any:
        provider = settings.providers.get(name)
        if provider is None:
            return None
        secret = self._secrets.get(name).secret if needs_secret(provider) else None
        from imdesk.channels.sms import HttpGatewaySms, TwilioSms

        s = provider.settings
        if isinstance(s, TwilioSettings):
            return TwilioSms(s, secret or "")
        if isinstance(s, HttpGatewaySettings):
            return HttpGatewaySms(s, secret)
        return None

    def _send_and_record(self, jobs: list[Job], settings: CommsSettings, report: RunReport) -> None:
        """Send in worker threads; record outcomes in chunks as they arrive, so the database
        work of one chunk overlaps the network work of the next."""
        results: Queue[tuple[Job, Outcome]] = Queue()
        emails: dict[str, list[Job]] = {}
        sms: list[Job] = []
        for job in jobs:
            (emails.setdefault(job.provider, []) if job.channel == MessageChannel.EMAIL
             else sms).append(job)
        pool = ThreadPoolExecutor(max_workers=max(1, settings.concurrency),
                                  thread_name_prefix="imdesk-send")
        try:
            for name, group in emails.items():
                pool.submit(self._guarded, group, results,
                            partial(self._send_emails, settings, name, group, results.put))
            clients = {name: self._client(settings, name) for name in {j.provider for j in sms}}
            for job in sms:
                pool.submit(self._guarded, [job], results,
                            partial(self._send_one_sms, clients[job.provider], job, results.put))
            reach: dict[str, list[bool]] = {}
            left = len(jobs)
            while left:
                chunk = [results.get()]
                while len(chunk) < RECORD_CHUNK:
                    try:
                        chunk.append(results.get(timeout=RECORD_WAIT_S))
                    except Empty:
                        break
                left -= len(chunk)
                self._record(chunk, settings, report, reach)
        finally:
            pool.shutdown(wait=True)
        for name, outcomes in reach.items():
            self._reachable[name] = any(outcomes)
        self.connectivity = _overall(self._reachable)

    @staticmethod
    def _guarded(jobs: list[Job], results: Queue[tuple[Job, Outcome]],
                 work: Callable[[], None]) -> None:
        """A bug in a send must not lose the message: what got no outcome goes back to the
        queue, with the error as its reason."""
        try:
            work()
        except Exception as exc:
            log.exception("sending failed")
            for job in jobs:
                results.put((job, NotTried(f"internal error: {exc}")))

    def _send_emails(self, settings: CommsSettings, name: str, jobs: list[Job],
                     put: Callable[[tuple[Job, Outcome]], None]) -> None:
        from imdesk.channels.smtp import EmailOut, SmtpSession

        provider = settings.providers[name]
        assert isinstance(provider.settings, SmtpSettings)
        secret = self._secrets.get(name).secret if provider.settings.username else None
        session = SmtpSession(provider.settings, secret)
        broken: DeliveryError | None = None
        try:
            for job in jobs:
                if broken is not None:
                    put((job, NotTried(broken.message)
                         if not isinstance(broken, ProviderUnreachable) else broken))
                    continue
                mail = EmailOut(job.message_id, job.address, job.recipient, job.subject, job.body,
                                job.created_at, job.possible_duplicate)
                try:
                    put((job, session.send(mail)))
                except (ProviderUnreachable, CredentialsRejected, InDoubt) as exc:
                    put((job, exc))
                    broken = exc
                except DeliveryError as exc:
                    put((job, exc))
        finally:
            session.close()

    def _send_one_sms(self, client: Any, job: Job,
                      put: Callable[[tuple[Job, Outcome]], None]) -> None:
        put((job, self._send_sms(client, job)))

    def _send_sms(self, client: Any, job: Job) -> Outcome:
        from imdesk.channels.sms import SmsOut

        if client is None:
            return NotTried(f"the provider {job.provider} is not configured")
        sms = SmsOut(job.address, job.sms_text, job.ref)
        try:
            if job.in_doubt_since is not None and client.can_reconcile:
                found = self._find(client, sms, job)
                if not isinstance(found, Accepted | type(None)):
                    return found
                if found is not None:
                    return Reconciled(found)
            try:
                return client.send(sms)  # type: ignore[no-any-return]
            except InDoubt as doubt:
                if not client.can_reconcile:
                    return doubt
                found = self._find(client, sms, job)
                if isinstance(found, Accepted):
                    return Reconciled(found)
                if found is None:
                    return TemporaryFailure(f"{doubt.message}; not found at the provider")
                return found
        except DeliveryError as exc:
            return exc

    def _find(self, client: Any, sms: Any, job: Job) -> Accepted | ReconcileFailed | None:
        since = (job.in_doubt_since or self._clock.now()) - RECONCILE_MARGIN
        try:
            found: Accepted | None = client.find(sms, since, job.known_ids)
            return found
        except DeliveryError as exc:
            return ReconcileFailed(exc.message)

    # -- results --------------------------------------------------------------------------------
    def _record(self, results: list[tuple[Job, Outcome]], settings: CommsSettings,
                report: RunReport, reach: dict[str, list[bool]]) -> None:
        rejected: set[str] = set()
        for job, outcome in results:
            if not isinstance(outcome, NotTried):
                reach.setdefault(job.provider, []).append(
                    not isinstance(outcome, ProviderUnreachable | ReconcileFailed))
            if isinstance(outcome, CredentialsRejected):
                rejected.add(job.provider)
        for name in rejected:
            self._secrets.mark_rejected(name)
        trackable = {n for n, p in settings.providers.items() if p.kind.value == "twilio"}
        with self._db.write() as s, s.no_autoflush:
            journal = MessageJournal(s, author=SENDER_AUTHOR, now=self._clock.now())
            applier = self._applier(journal, trackable)
            loaded = _load(s, [job.id for job, _ in results])
            for job, outcome in sorted(results, key=lambda r: r[0].id):
                msg = loaded.get(job.id)
                if msg is None or msg.state != MessageState.SENDING.value:
                    continue
                before = msg.step
                if job.in_doubt_since is not None and not isinstance(outcome, Reconciled):
                    # It was in doubt and the provider's list did not show it (a request still in
                    # flight may land later): whatever goes out now may be a second copy.
                    msg.possible_duplicate = True
                applier.apply(msg, outcome, job.provider)
                if msg.state == MessageState.SENT.value:
                    report.sent += 1
                elif msg.state == MessageState.FAILED.value:
                    report.failed += 1
                elif msg.step != before or msg.state == MessageState.CALL.value:
                    report.failed_over += 1
                elif msg.state == MessageState.EXPIRED.value:
                    report.expired += 1
                else:
                    report.retried += 1

    def _applier(self, journal: MessageJournal, trackable: set[str]) -> OutcomeApplier:
        return OutcomeApplier(journal, self.policy, self._rng, trackable=trackable)


def _load(s: Session, ids: list[int]) -> dict[int, OutboxMessageRow]:
    """Rows by id in one query per 500 (not one query and one flush per message)."""
    rows: dict[int, OutboxMessageRow] = {}
    for start in range(0, len(ids), 500):
        chunk = ids[start:start + 500]
        rows.update((m.id, m) for m in s.scalars(select(OutboxMessageRow).where(
            OutboxMessageRow.id.in_(chunk))))
    return rows


def _step(msg: OutboxMessageRow) -> RouteStep:
    return RouteStep.from_json(msg.route[msg.step])


def _trackable(settings: CommsSettings, msg: OutboxMessageRow) -> bool:
    provider = settings.providers.get(_step(msg).provider)
    return provider is not None and provider.kind.value == "twilio"


def needs_secret(provider: Provider) -> bool:
    s = provider.settings
    if isinstance(s, SmtpSettings):
        return bool(s.username)
    if isinstance(s, HttpGatewaySettings):
        return any("$secret" in v for v in s.headers.values())
    return True


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
