"""What the sender reports after each run, and the connectivity it has seen: light values
the console's status bar reads without loading the sender itself."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from imdesk.credentials.store import CredentialState


class Connectivity(StrEnum):
    UNKNOWN = "unknown"
    ONLINE = "online"
    PROVIDER_UNREACHABLE = "provider unreachable"
    OFFLINE = "offline"


@dataclass
class RunReport:
    picked: int = 0
    sent: int = 0
    delivered: int = 0
    retried: int = 0
    failed_over: int = 0
    failed: int = 0
    expired: int = 0
    recovered: int = 0
    waiting: dict[str, CredentialState] = field(default_factory=dict)  # provider → state
    connectivity: Connectivity = Connectivity.UNKNOWN
    next_due: datetime | None = None
