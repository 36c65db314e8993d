"""Phone and email validation as the front ends import it: the one implementation is
imdesk/contacts_io/values.py (below the services, shared with the file importer)."""

from __future__ import annotations

from imdesk.contacts_io.values import (
    DEFAULT_REGION,
    check_email,
    display_phone,
    email_problem,
    normalise_email,
    normalise_phone,
    phone_problem,
)

__all__ = ["DEFAULT_REGION", "check_email", "display_phone", "email_problem", "normalise_email",
           "normalise_phone", "phone_problem"]
