"""The outbox against local servers (in a process of their own): 1,000 emails vs. raw smtplib
over one connection, 1,000 SMS with bounded concurrency, and the longest GUI event-loop stall
while the console's sender delivers them — each next to a baseline measured in the same run."""

from __future__ import annotations

import json
import os
import smtplib
import ssl
import subprocess
import sys
import tempfile
import time
from email.message import EmailMessage
from pathlib import Path

from common import ROOT, isolate, report, save
from gui_probe import finish, maybe_probe, maybe_runner_times

N = 1000
PASSWORD = "bench-smtp-password"
TOKEN = "bench-twilio-token"
USER = "desk@example.org"


def start_servers(folder: Path) -> tuple[subprocess.Popen[str], dict[str, object]]:
    proc = subprocess.Popen([sys.executable, str(ROOT / "bench" / "comms_servers.py"),
                             str(folder / "ca.pem"), PASSWORD, TOKEN],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, cwd=ROOT)
    assert proc.stdout is not None
    return proc, json.loads(proc.stdout.readline())


def raw_smtplib(port: int, ca: str, cpu: list[float] | None = None) -> float:
    """The baseline: the same 1,000 messages over one authenticated STARTTLS connection."""
    context = ssl.create_default_context(cafile=ca)
    start, used = time.perf_counter(), time.process_time()
    with smtplib.SMTP("localhost", port, timeout=30) as conn:
        conn.starttls(context=context)
        conn.login(USER, PASSWORD)
        for i in range(N):
            msg = EmailMessage()
            msg["From"] = "Service Desk <desk@example.org>"
            msg["To"] = f"Person {i} <p{i}@example.org>"
            msg["Subject"] = f"Update: ERP disruption (INC-1001) {i}"
            msg["Message-ID"] = f"<raw{i}@imdesk>"
            msg.set_content("Hello,\n\nan update on the disruption of ERP.\n" * 4)
            conn.send_message(msg)
    if cpu is not None:
        cpu.append(time.process_time() - used)
    return N / (time.perf_counter() - start)


def context_with(folder: Path, servers: dict[str, object], channel: str, name: str) -> object:
    from imdesk.app import build_context
    from imdesk.channels.settings import CommsSettings, parse_provider
    from imdesk.services.comms.recipients import Recipient
    from imdesk.services.incidents import NewIncident

    ctx = build_context(f"sqlite:///{folder / f'{name}.sqlite'}")
    ctx.catalog.add("ERP")
    ref = ctx.incidents.create(NewIncident(title="ERP down", impact="high", urgency="high",
                                           service="ERP")).ref
    providers = {
        "mail": parse_provider("mail", {"kind": "smtp", "host": "localhost",
                                        "port": servers["smtp"], "username": USER,
                                        "from_address": "desk@example.org",
                                        "ca_file": servers["ca"], "timeout": 30}),
        "twilio-a": parse_provider("twilio-a", {
            "kind": "twilio", "base_url": f"http://127.0.0.1:{servers['twilio']}",
            "account_sid": "AC0123456789abcdef0123456789abcdef", "from_number": "+15005550006",
            "timeout": 30}),
    }
    ctx.comms.settings.save(CommsSettings(providers=providers, sms_order=("twilio-a",),
                                          email_provider="mail", manual_lane=True, concurrency=8))
    ctx.comms.secrets.set_for_session("mail", PASSWORD)
    ctx.comms.secrets.set_for_session("twilio-a", TOKEN)

    class People:
        def stakeholders(self, service: str | None, priority: str) -> list[Recipient]:
            return [Recipient(f"Person {i}", phones=(f"+4915112{i:06d}",),
                              emails=(f"p{i}@example.org",)) for i in range(N)]

        def resolve(self, names: object) -> tuple[list[Recipient], list[str]]:
            return [], []

    people = People()
    ctx.comms.notify._directory = lambda: people
    plan = ctx.comms.notify.plan(ref, "update", audience="technical", channel=channel)
    assert len(plan.messages) == N, plan.unreachable[:3]
    ctx.comms.notify.queue(plan)
    return ctx


def drain(ctx: object, cpu: list[float] | None = None) -> float:
    sender = ctx.comms.sender(batch=250)  # type: ignore[attr-defined]
    start, used = time.perf_counter(), time.process_time()
    sent = 0
    while True:
        r = sender.run_once()
        sent += r.sent
        if r.picked == 0:
            break
    elapsed = time.perf_counter() - start
    if cpu is not None:
        cpu.append(time.process_time() - used)
    assert sent == N, sent
    return N / elapsed


def gui_stall(folder: Path, servers: dict[str, object]) -> tuple[float, float, float, float]:
    """Longest event-loop gap while the console's sender delivers 1,000 emails and 1,000 SMS."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QElapsedTimer, QEventLoop, QTimer

    from imdesk.qt.console import make_app
    from imdesk.qt.main_window import MainWindow
    from imdesk.qt.tasks import TaskRunner

    ctx = context_with(folder, servers, "email", "gui")
    plan = ctx.comms.notify.plan("INC-1001", "update", audience="technical",  # type: ignore[attr-defined]
                                 channel="sms")
    ctx.comms.notify.queue(plan)  # type: ignore[attr-defined]
    app = make_app()
    window = MainWindow(ctx, TaskRunner(app))  # type: ignore[arg-type]
    window.persist_layout = False
    window.resize(1400, 860)
    window.show()
    window.comms.show()
    settle = QEventLoop()
    QTimer.singleShot(1500, settle.quit)  # first paint and the first loads are over
    settle.exec()

    def gaps(seconds: float, sending: bool) -> tuple[float, float, float]:
        values: list[tuple[float, float]] = []  # (gap ms, this process's CPU ms in it)
        clock = QElapsedTimer()
        clock.start()
        last = [clock.elapsed(), time.process_time()]

        def beat() -> None:
            now, cpu = clock.elapsed(), time.process_time()
            values.append((now - last[0], (cpu - last[1]) * 1000))
            last[:] = [now, cpu]

        timer = QTimer()
        timer.setInterval(5)
        timer.timeout.connect(beat)
        timer.start()
        loop = QEventLoop()
        started = time.perf_counter()
        if sending:
            window.comms.start()

            def waiting() -> int:
                counts = ctx.comms.outbox.counts()  # type: ignore[attr-defined]
                return sum(v for k, v in counts.items() if k.value in ("queued", "sending"))

            def check() -> None:  # asked off the GUI thread, as the console does
                window.runner.run(waiting, lambda n: loop.quit() if n == 0 else None)

            poll = QTimer()
            poll.setInterval(250)
            poll.timeout.connect(check)
            poll.start()
            QTimer.singleShot(120_000, loop.quit)
        else:
            QTimer.singleShot(int(seconds * 1000), loop.quit)
        loop.exec()
        timer.stop()
        gap, cpu = max(values)
        return gap - 5, cpu, time.perf_counter() - started

    idle, _, _ = gaps(3, sending=False)
    probe, times = maybe_probe(), maybe_runner_times()
    busy, cpu, took = gaps(0, sending=True)
    finish(probe, times)
    window.close()
    ctx.close()  # type: ignore[attr-defined]
    return busy, idle, took, cpu


def cpu_pressure() -> str:
    """How often runnable tasks waited for a CPU (Linux PSI), to read a stall figure by."""
    try:
        line = Path("/proc/pressure/cpu").read_text().splitlines()[0]
    except OSError:
        return "n/a"
    return line.split()[2].partition("=")[2] + " %"


def run() -> list[dict[str, object]]:
    isolate()
    folder = Path(tempfile.mkdtemp(prefix="imdesk-bench-outbox-"))
    proc, servers = start_servers(folder)
    try:
        raw_cpu: list[float] = []
        email_cpu: list[float] = []
        raw_rates = [raw_smtplib(int(servers["smtp"]), str(servers["ca"]), raw_cpu)
                     for _ in range(2)]
        email_rate = drain(context_with(folder, servers, "email", "email"), email_cpu)
        sms_rate = drain(context_with(folder, servers, "sms", "sms"))
        pressure = cpu_pressure()
        busy, idle, took, cpu = gui_stall(folder, servers)
        pressure += " → " + cpu_pressure()
    finally:
        assert proc.stdin is not None
        proc.stdin.close()
        proc.wait(30)
    raw_rate = max(raw_rates)
    print(f"  load average {os.getloadavg()[0]:.1f} (the email ratio needs the cores: see README); "
          f"CPU per {N:,} emails: the sender {email_cpu[0]:.2f} s, raw smtplib's client "
          f"{min(raw_cpu):.2f} s (what load changes little)", flush=True)
    return [
        report(f"{N:,} emails through the outbox (STARTTLS+AUTH, timeline entries)", email_rate,
               "msg/s", raw_rate,
               "raw smtplib, one connection", "≥ 90 % of baseline", email_rate >= 0.9 * raw_rate),
        report(f"{N:,} SMS to the Twilio-compatible server (8 at a time)", sms_rate, "msg/s",
               100.0, "the gate itself", "≥ 100 msg/s", sms_rate >= 100),
        report(f"longest GUI event-loop stall while the sender delivers {N:,} emails + {N:,} SMS "
               f"({took:.1f} s; this process used {cpu:.0f} ms of CPU during that stall; "
               f"CPU pressure avg10 {pressure})", busy, "ms", idle, "the same console idle (3 s)", "≤ 33 ms",
               busy <= 33),
    ]


if __name__ == "__main__":
    save(run())
