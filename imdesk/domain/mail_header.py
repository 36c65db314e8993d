"""Text that goes into a mail header (subject, display names): refused, not cleaned, when it
could end the header early. A subject with a line break is a header-injection attempt or a
template mistake; either way the user must see it before anything is sent."""

from __future__ import annotations

import re

from imdesk.domain.errors import ValidationError

# Everything a mail or MIME parser may treat as a line end, plus NUL and other C0/C1 controls.
_BREAKING = re.compile("[\x00-\x08\x0a-\x1f\x7f-\x9f\u2028\u2029]")
SUBJECT_MAX = 250
NAME_MAX = 120


def header_text(value: str, field: str, *, max_len: int = SUBJECT_MAX) -> str:
    """The value unchanged (surrounding blanks trimmed) if it is safe in a header, else a
    ValidationError naming the field and the offending character."""
    match = _BREAKING.search(value)
    if match:
        raise ValidationError(field, f"{field} contains a line break or control character "
                                     f"(U+{ord(match.group()):04X}); it cannot go into a mail header")
    text = value.strip()
    if len(text) > max_len:
        raise ValidationError(field, f"{field} is {len(text)} characters long; the limit is {max_len}")
    return text
