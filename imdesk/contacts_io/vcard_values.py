"""vCard value text: escapes, structured values, Apple's labels, and which properties are bookkeeping."""

from __future__ import annotations

import re

# Properties that carry nothing a person wrote: versions, producers, revision stamps, ids, and the
# address books' own bookkeeping (Apple's record ids and address formats, Outlook's business-card
# layout). N and FN make the name; X-ABLABEL names the grouped property beside it.
TECHNICAL = frozenset({
    "VERSION", "PRODID", "REV", "UID", "KIND", "X-ABUID", "X-ABADR", "X-ABSHOWAS",
    "X-ABLABEL", "X-MS-OL-DESIGN", "X-MS-OL-DEFAULT-POSTAL-ADDRESS", "CLIENTPIDMAP",
    "X-ADDRESSBOOKSERVER-KIND", "PROFILE", "NAME", "SOURCE", "SORT-STRING", "X-IMDESK-VERSION",
})

LABEL_NAMES = {
    "BDAY": "Birthday", "ANNIVERSARY": "Anniversary", "URL": "Web", "NICKNAME": "Nickname",
    "IMPP": "Instant messaging", "GEO": "Location", "ROLE": "Role", "RELATED": "Related",
    "X-ABRELATEDNAMES": "Related", "GENDER": "Gender", "LANG": "Language", "TZ": "Time zone",
    "X-SKYPE": "Skype", "X-SKYPE-USERNAME": "Skype", "X-JABBER": "Jabber", "X-AIM": "AIM",
    "X-ICQ": "ICQ", "X-MSN": "MSN", "X-TWITTER": "Twitter", "X-SOCIALPROFILE": "Social profile",
    "X-ABDATE": "Date", "X-ANDROID-CUSTOM": "Android field", "MAILER": "Mail program",
    "FBURL": "Free/busy", "CALURI": "Calendar", "CALADRURI": "Calendar address", "MEMBER": "Member",
    "X-PHONETIC-FIRST-NAME": "Phonetic first name", "X-PHONETIC-LAST-NAME": "Phonetic last name",
    "X-PHONETIC-MIDDLE-NAME": "Phonetic middle name", "X-PHONETIC-ORG": "Phonetic organisation",
    "X-MS-MANAGER": "Manager", "X-MS-ASSISTANT": "Assistant", "X-MS-SPOUSE": "Spouse",
    "X-MS-IMADDRESS": "Instant messaging", "X-MAIDENNAME": "Maiden name", "X-ASSISTANT": "Assistant",
    "X-MANAGER": "Manager", "X-SPOUSE": "Spouse", "X-DEPARTMENT": "Department",
}

_APPLE = re.compile(r"^_\$!<(.*)>!\$_$")
_ESCAPE = re.compile(r"\\(.)", re.DOTALL)


def apple_label(value: str) -> str:
    """'_$!<Mobile>!$_' → 'Mobile'; a custom label as written."""
    match = _APPLE.match(value.strip())
    return match.group(1) if match else value.strip()


def unescape(value: str) -> str:
    r"""vCard text escapes: \n and \N a line break, \\ \, \; \: the character itself."""
    if "\\" not in value:
        return value
    return _ESCAPE.sub(lambda m: "\n" if m.group(1) in "nN" else m.group(1), value)


def split_unescaped(value: str, separator: str) -> list[str]:
    """Split at separators that are not escaped with a backslash; the parts keep their escapes."""
    if "\\" not in value:
        return value.split(separator)
    parts: list[str] = []
    current: list[str] = []
    escaped = False
    for char in value:
        if escaped:
            current.append(char)
            escaped = False
        elif char == "\\":
            current.append(char)
            escaped = True
        elif char == separator:
            parts.append("".join(current))
            current = []
        else:
            current.append(char)
    parts.append("".join(current))
    return parts


def escape(value: str) -> str:
    """The vCard 3.0 text escape of a value (for writers that compose structured values)."""
    return (value.replace("\\", "\\\\").replace("\n", "\\n").replace(",", "\\,")
            .replace(";", "\\;"))
