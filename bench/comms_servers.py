"""Local mail and SMS servers for the outbox benchmarks, in a process of their own (as real
servers would be): aiosmtpd with STARTTLS + AUTH (a trustme CA) and the Twilio-compatible
server. Prints one JSON line {"smtp": port, "twilio": port, "ca": path}; stops on stdin EOF.

    python bench/comms_servers.py CA_FILE PASSWORD TOKEN
"""

from __future__ import annotations

import json
import os
import ssl
import sys
import warnings
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.helpers.smtp_server import SmtpServer
from tests.helpers.twilio_server import TwilioServer


def main(argv: list[str]) -> int:
    import trustme

    ca_file, password, token = argv
    if hasattr(os, "nice"):
        os.nice(10)  # the servers stand in for remote machines: the desk's processes come first
    ca = trustme.CA()
    ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("localhost", "127.0.0.1").configure_cert(ctx)
    ca.cert_pem.write_to_path(ca_file)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        smtp = SmtpServer(ctx, password)
        smtp.start()
    twilio = TwilioServer(token)
    twilio.start()
    print(json.dumps({"smtp": smtp.port, "twilio": twilio.port, "ca": ca_file}), flush=True)
    sys.stdin.read()  # until the benchmark closes our stdin
    twilio.stop()
    smtp.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
