"""Delivering what the outbox sender picked, and recording what came back: email over one SMTP
session per provider and run (each message built while the server answers the one before), SMS
requests in a bounded pool (an in-doubt one looked up at the provider first), outcomes recorded
in chunks as they arrive; and the delivery status of sent SMS, polled until final (a desk has no
callback URL)."""

from __future__ import annotations

import logging
import sys
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from functools import partial
from queue import Empty, Queue
from typing import TYPE_CHECKING, Any

from imdesk.channels.outcomes import (
    Accepted,
    CredentialsRejected,
    DeliveryError,
    InDoubt,
    ProviderUnreachable,
    TemporaryFailure,
)
from imdesk.channels.settings import CommsSettings, HttpGatewaySettings, SmtpSettings, TwilioSettings
from imdesk.credentials.store import SecretStore
from imdesk.domain.lease import CLAIM_RENEW_S
from imdesk.domain.message import SMS_FINAL_STATUSES, MessageChannel, MessageState, RouteStep
from imdesk.services.clock import Clock
from imdesk.services.comms.journal import MessageJournal
from imdesk.services.comms.outcomes import (
    MAX_POLLS,
    NotTried,
    Outcome,
    Reconciled,
    ReconcileFailed,
    poll_delay,
)
from imdesk.services.comms.sender_pick import SENDER_AUTHOR, Job, needs_secret, step_of
from imdesk.services.comms.sender_recovery import Applier, find_sent
from imdesk.services.comms.status import RunReport
from imdesk.storage import outbox_records, outbox_repo
from imdesk.storage.database import Database
from imdesk.storage.outbox_models import OutboxMessageRow

if TYPE_CHECKING:
    from imdesk.channels.smtp import EmailOut

RECORD_CHUNK = 100
RECORD_WAIT_S = 0.05
RECORD_TAIL = 3  # the last outcomes of a run, recorded as they come
SEND_SWITCH_S = 0.0005
log = logging.getLogger(__name__)


def sms_client(secrets: SecretStore, settings: CommsSettings, name: str) -> Any:
    """The SMS client for a provider (None when it is not configured or not an SMS one)."""
    provider = settings.providers.get(name)
    if provider is None:
        return None
    secret = secrets.get(name).secret if needs_secret(provider) else None
    from imdesk.channels.sms import HttpGatewaySms, TwilioSms

    s = provider.settings
    if isinstance(s, TwilioSettings):
        return TwilioSms(s, secret or "")
    if isinstance(s, HttpGatewaySettings):
        return HttpGatewaySms(s, secret)
    return None


class Delivery:
    """One run's sending: the jobs go out in worker threads while their outcomes are recorded
    on the caller's thread, each chunk in one write transaction."""

    def __init__(self, db: Database, secrets: SecretStore, clock: Clock, applier: Applier, *,
                 sessions: dict[str, Any] | None = None,
                 keep: Callable[[], bool] = lambda: False) -> None:
        self._db = db
        self._secrets = secrets
        self._clock = clock
        self._applier = applier
        # SMTP sessions kept between back-to-back runs (by provider), and whether to keep them
        # when this run ends (asked then: its batch was full, so the next run follows at once)
        self._sessions = sessions if sessions is not None else {}
        self._keep = keep

    def send_and_record(self, jobs: list[Job], settings: CommsSettings, report: RunReport, *,
                        claim: str = "", more: Callable[[], list[Job]] | None = None,
                        renew: Callable[[], None] | None = None,
                        low_water: int = 0) -> dict[str, list[bool]]:
        """Send in worker threads (email: one SMTP session per provider, fed as jobs come);
        record outcomes in chunks as they arrive, so the database work of one chunk overlaps the
        network work of the next. While few are left in flight, `more()` claims the next small
        batch (until it has none), so the connection never waits for a claim; `renew()` extends
        the claims while sends take long; `low_water` is how few in flight make it ask (two
        first claims' worth unless given). Once nothing more is asked for, the last few
        outcomes are recorded apart, so the run ends soon after its last reply. Returns, per
        provider, whether each tried send reached it."""
        results: Queue[tuple[Job, Outcome]] = Queue()
        pool = ThreadPoolExecutor(max_workers=max(1, settings.concurrency),
                                  thread_name_prefix="imdesk-send")
        feeds: dict[str, Queue[Job | None]] = {}
        mailers: list[threading.Thread] = []
        clients: dict[str, Any] = {}
        reach: dict[str, list[bool]] = {}
        outstanding = 0
        low_water = low_water or 2 * max(1, len(jobs))  # two to three claims' worth in flight

        def submit(batch: list[Job]) -> None:
            nonlocal outstanding
            outstanding += len(batch)
            for job in batch:
                if job.channel == MessageChannel.EMAIL:
                    feed = feeds.get(job.provider)
                    if feed is None:
                        feed = feeds[job.provider] = Queue()
                        mailer = threading.Thread(
                            target=self._send_emails, args=(settings, job.provider, feed,
                                                            results.put),
                            name="imdesk-send-mail", daemon=True)
                        mailer.start()
                        mailers.append(mailer)
                    feed.put(job)
                    continue
                if job.provider not in clients:
                    clients[job.provider] = sms_client(self._secrets, settings, job.provider)
                pool.submit(self._guarded, [job], results,
                            partial(self._send_one_sms, clients[job.provider], job, results.put))

        # Each SMTP reply needs the interpreter lock back at once: with the default 5 ms switch
        # interval the mail thread waits behind the recorder's database work at every reply.
        # (Only for email: eight SMS request threads would rather not hand it over so often.)
        switch = sys.getswitchinterval()
        if any(job.channel == MessageChannel.EMAIL for job in jobs):
            sys.setswitchinterval(min(switch, SEND_SWITCH_S))
        try:
            submit(jobs)
            asking = more is not None
            renewed = time.monotonic()
            while outstanding:
                if asking and outstanding <= low_water:  # top up before anything else
                    extra = more() if more is not None else []
                    if extra:
                        submit(extra)
                    asking = bool(extra)
                    continue
                try:
                    chunk = [results.get(timeout=CLAIM_RENEW_S)]
                except Empty:
                    chunk = []
                while chunk and len(chunk) < RECORD_CHUNK and \
                        outstanding - len(chunk) > (low_water if asking else RECORD_TAIL):
                    try:
                        chunk.append(results.get(timeout=RECORD_WAIT_S))
                    except Empty:
                        break
                if renew is not None and time.monotonic() - renewed >= CLAIM_RENEW_S:
                    renew()
                    renewed = time.monotonic()
                if not chunk:
                    continue
                if asking and outstanding - len(chunk) <= low_water and more is not None:
                    extra = more()  # the senders get the next work before the recording
                    if extra:
                        submit(extra)
                    asking = bool(extra)
                outstanding -= len(chunk)
                self._record(chunk, settings, report, reach, claim)
                if any(not ok for oks in reach.values() for ok in oks):
                    asking = False  # a provider did not answer: this run claims no more
        finally:
            for feed in feeds.values():
                feed.put(None)
            pool.shutdown(wait=True)
            for mailer in mailers:
                mailer.join()
            sys.setswitchinterval(switch)
        return reach

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

    def _send_emails(self, settings: CommsSettings, name: str, feed: Queue[Job | None],
                     put: Callable[[tuple[Job, Outcome]], None]) -> None:
        """One SMTP session for the run: sends each job fed to it until it is fed None."""
        from imdesk.channels.smtp import Prepared, SmtpSession

        session: SmtpSession | None = None
        broken: DeliveryError | NotTried | None = None
        try:
            provider = settings.providers[name]
            assert isinstance(provider.settings, SmtpSettings)
            secret = self._secrets.get(name).secret if provider.settings.username else None
            kept = self._sessions.pop(name, None)
            if kept is not None and kept.reusable(provider.settings, secret):
                session = kept
            else:
                if kept is not None:
                    kept.close()
                session = SmtpSession(provider.settings, secret)
        except Exception as exc:
            log.exception("sending failed")
            broken = NotTried(f"internal error: {exc}")
        ahead: list[tuple[Job | None, Prepared | None]] = []  # taken early, built while waiting

        def look_ahead() -> None:
            """While the server takes the message just sent, take the next job and build its
            message (the build is then off the path from one reply to the next send)."""
            if ahead or session is None:
                return
            try:
                job = feed.get_nowait()
            except Empty:
                return
            prepared = None
            if job is not None:
                try:
                    prepared = session.prepare(_email(job))
                except Exception:  # built again in its turn, where the error is handled
                    prepared = None
            ahead.append((job, prepared))

        try:
            while True:
                job, prepared = ahead.pop() if ahead else (feed.get(), None)
                if job is None:
                    break
                if broken is not None:
                    put((job, broken if isinstance(broken, ProviderUnreachable | NotTried)
                         else NotTried(broken.message)))
                    continue
                assert session is not None
                try:
                    put((job, session.send(prepared or _email(job), look_ahead)))
                except (ProviderUnreachable, CredentialsRejected, InDoubt) as exc:
                    put((job, exc))
                    broken = exc
                except DeliveryError as exc:
                    put((job, exc))
                except Exception as exc:  # a bug: this one and the rest go back to the queue
                    log.exception("sending failed")
                    broken = NotTried(f"internal error: {exc}")
                    put((job, broken))
        finally:
            if session is not None:
                if broken is None and self._keep():
                    self._sessions[name] = session  # the next run goes on with it
                else:
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
                found = find_sent(client, sms, job, self._clock)
                if not isinstance(found, Accepted | type(None)):
                    return found
                if found is not None:
                    return Reconciled(found)
            try:
                return client.send(sms)  # type: ignore[no-any-return]
            except InDoubt as doubt:
                if not client.can_reconcile:
                    return doubt
                found = find_sent(client, sms, job, self._clock)
                if isinstance(found, Accepted):
                    return Reconciled(found)
                if found is None:
                    return TemporaryFailure(f"{doubt.message}; not found at the provider")
                return found
        except DeliveryError as exc:
            return exc

    def _record(self, results: list[tuple[Job, Outcome]], settings: CommsSettings,
                report: RunReport, reach: dict[str, list[bool]], claim: str) -> None:
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
            loaded = outbox_records.locked(s, [job.id for job, _ in results])
            for job, outcome in sorted(results, key=lambda r: r[0].id):
                msg = loaded.get(job.id)
                if msg is None or msg.state != MessageState.SENDING.value or \
                        (msg.lease_holder or "") != claim:
                    continue  # no longer ours: another sender took the claim over, in doubt
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
            outbox_records.save(s, loaded.values())


def _email(job: Job) -> EmailOut:
    """The email of a job."""
    from imdesk.channels.smtp import EmailOut

    return EmailOut(job.message_id, job.address, job.recipient, job.subject, job.body,
                    job.created_at, job.possible_duplicate, job.thread_headers())


def poll(db: Database, clock: Clock, secrets: SecretStore, settings: CommsSettings, now: datetime,
         batch: int, applier: Applier) -> int:
    """Delivery status of SMS the provider took, until final; returns how many were delivered."""
    with db.read() as s:
        rows = outbox_repo.sms_to_poll(s, now, batch)
    if not rows:
        return 0
    clients: dict[str, Any] = {}
    statuses: dict[int, tuple[str, str] | None] = {}
    for msg_id, route, step, provider_id in rows:
        name = RouteStep.from_json(route[step]).provider
        if name not in clients:
            clients[name] = sms_client(secrets, settings, name)
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
    with db.write() as s, s.no_autoflush:
        journal = MessageJournal(s, author=SENDER_AUTHOR, now=clock.now())
        outcomes = applier(journal, set())
        loaded = outbox_repo.load(s, list(statuses))
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
                outcomes.fail_over(msg, f"the provider reports {status}"
                                        + (f" ({error})" if error else ""))
    return delivered


def _trackable(settings: CommsSettings, msg: OutboxMessageRow) -> bool:
    provider = settings.providers.get(step_of(msg).provider)
    return provider is not None and provider.kind.value == "twilio"
