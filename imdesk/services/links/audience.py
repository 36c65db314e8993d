"""The master's callers as a notify audience: each caller once, found in the contact book by
name when they are in it, else reached at the contact they gave (an email or a phone number)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from imdesk.services.comms.recipients import Recipient, RecipientDirectory
from imdesk.storage import incident_repo, link_repo
from imdesk.storage.models import IncidentRow

CALLERS = "callers"


def caller_recipients(s: Session, ref: str, directory: RecipientDirectory
                      ) -> tuple[list[Recipient], list[str]]:
    """(the callers to inform, the callers who left no way to reach them)."""
    master = incident_repo.get_row(s, ref)
    people: list[Recipient] = []
    missing: list[str] = []
    seen: set[str] = set()
    for link in link_repo.caller_rows(s, master.id):
        row = s.get(IncidentRow, link.incident_id)
        name, contact = link.caller_name.strip(), link.caller_contact.strip()
        label = name or contact or (row.ref if row else "?")
        key = (name or contact).casefold()
        if not key:
            missing.append(f"{label}: no name or contact given")
            continue
        if key in seen:
            continue
        seen.add(key)
        found, _unknown = directory.resolve([name]) if name else ([], [])
        source = f"caller ({row.ref})" if row else "caller"
        if found:
            people.append(Recipient(found[0].name, found[0].phones, found[0].emails,
                                    found[0].preferred, source, found[0].flagged))
        elif "@" in contact:
            people.append(Recipient(label, (), (contact,), "email", source))
        elif contact:
            phone = "".join(ch for ch in contact if ch.isdigit() or ch == "+")
            people.append(Recipient(label, (phone,), (), "sms", source))
        else:
            missing.append(f"{label}: not in the contact book and no contact given")
    return people, missing
