"""The CSV layouts imdesk recognises by their header row, and how each maps onto a contact.

- Outlook ("Title","First Name",…,"E-mail Address",…,"Mobile Phone",…): the Import/Export wizard's
  "Comma Separated Values"; in the desk's ANSI code page (windows-1252) or UTF-8, with the list
  separator of the region (a semicolon in much of Europe).
- Google Contacts: today's export ("First Name",…,"E-mail 1 - Label","E-mail 1 - Value",…,
  "Phone 1 - Label","Phone 1 - Value", "Labels") and the older one ("Name","Given Name",…,
  "E-mail 1 - Type", "Group Membership"); several values in one cell are joined by " ::: ".
- Thunderbird ("First Name","Last Name","Display Name","Nickname","Primary Email",…,"Mobile Number",
  …,"Notes" and a trailing comma).
- imdesk's own columns (imdesk_csv).
Headers are matched without regard to case or surrounding blanks; cells of columns imdesk does not
model are kept in the notes as "Column: value".
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from imdesk.contacts_io import imdesk_csv
from imdesk.contacts_io.record_builder import RecordBuilder
from imdesk.domain.contact import EmailKind, PhoneKind

Row = list[tuple[str, str]]   # (header as written, cell) in column order


@dataclass(frozen=True)
class Layout:
    name: str
    matches: Callable[[set[str]], bool]
    fill: Callable[[RecordBuilder, Row], list[str]]   # returns notices (e.g. a photo link skipped)


# -- Outlook ---------------------------------------------------------------------------------------
_OUTLOOK_PHONES = {
    "mobile phone": PhoneKind.MOBILE, "business phone": PhoneKind.OFFICE,
    "business phone 2": PhoneKind.OFFICE, "company main phone": PhoneKind.OFFICE,
    "home phone": PhoneKind.HOME, "home phone 2": PhoneKind.HOME, "other phone": PhoneKind.OTHER,
    "primary phone": PhoneKind.OTHER, "car phone": PhoneKind.OTHER, "callback": PhoneKind.OTHER,
    "radio phone": PhoneKind.OTHER, "pager": PhoneKind.PAGER, "isdn": PhoneKind.OTHER,
}
_OUTLOOK_EMAILS = ("e-mail address", "e-mail 2 address", "e-mail 3 address")
_OUTLOOK_NAME = {"title": "name_prefix", "first name": "given_name", "middle name": "middle_name",
                 "last name": "family_name", "suffix": "name_suffix", "nickname": "nickname"}
# Values Outlook writes for every contact that mean "not set".
_OUTLOOK_UNSET = {"birthday": "0/0/00", "anniversary": "0/0/00", "gender": "unspecified",
                  "priority": "normal", "sensitivity": "normal", "private": "false"}
_OUTLOOK_TECHNICAL = {"e-mail type", "e-mail 2 type", "e-mail 3 type"}   # SMTP or EX: transport


_ADDRESS_PARTS = ("street", "street 2", "street 3", "address po box", "city", "state", "postal code",
                  "country/region")
_OUTLOOK_ADDRESSES = {f"{where} address": [f"{where} {part}" for part in _ADDRESS_PARTS]
                      for where in ("business", "home", "other")}
_OUTLOOK_GROUPED = {k for keys in _OUTLOOK_ADDRESSES.values() for k in keys}


def _grouped(b: RecordBuilder, cells: dict[str, str], groups: dict[str, list[str]]) -> None:
    """Columns that make one value (an address in parts, a birthday in year, month and day) kept as
    one line in the notes: "Business address: Hauptstraße 1, Berlin, 10115, Deutschland"."""
    for label, keys in groups.items():
        parts = [cells.get(k, "").strip() for k in keys]
        b.add_extra(label[:1].upper() + label[1:], ", ".join(p for p in parts if p))


def _outlook(b: RecordBuilder, row: Row) -> list[str]:
    cells = {h.strip().lower(): v for h, v in row}
    _grouped(b, cells, _OUTLOOK_ADDRESSES)
    _name_parts(b, row, _OUTLOOK_NAME)
    addresses = {cells.get(k, "").strip().lower() for k in _OUTLOOK_EMAILS}
    for header, value in row:
        key = header.strip().lower()
        if not value.strip() or key in _OUTLOOK_NAME or key in _OUTLOOK_TECHNICAL or key in _OUTLOOK_GROUPED:
            continue
        if _OUTLOOK_UNSET.get(key) == value.strip().lower():
            continue
        if key in _OUTLOOK_PHONES:
            b.add_phone(value, _OUTLOOK_PHONES[key], header)
        elif key in _OUTLOOK_EMAILS:
            b.add_email(value, EmailKind.WORK, header)
        elif key.endswith("display name") and key.startswith("e-mail") and _derived(value, addresses):
            continue
        elif key == "company":
            b.organisation = b.fit(value, header)
        elif key == "department":
            b.department = b.fit(value, header)
        elif key == "job title":
            b.job_title = b.fit(value, header)
        elif key == "notes":
            b.notes = b.block_text(value, header)
        elif key == "categories":
            for tag in re.split(r"[;,]", value):
                b.add_tag(tag, header)
        else:
            b.add_extra(header.strip(), value)
    return []


def _name_parts(b: RecordBuilder, row: Row, columns: dict[str, str]) -> None:
    """The name's parts from their columns (header in lower case → ContactRecord field). Of two
    columns with one header (French Outlook's two "Nom": the full name, then the last name) the
    later counts."""
    cells = {h.strip().lower(): (h.strip(), v) for h, v in row}
    for column, key in columns.items():
        header, value = cells.get(column, ("", ""))
        if value.strip():
            b.set_part(key, value.strip(), header)


def _derived(display: str, addresses: set[str]) -> bool:
    """Outlook's 'E-mail Display Name' is 'Name (address)' or the address: nothing of its own."""
    text = display.strip().lower()
    return any(a and (text == a or text.endswith(f"({a})")) for a in addresses)


# -- Google Contacts -------------------------------------------------------------------------------
_MULTI = " ::: "
_G_VALUE = re.compile(r"^(e-mail|phone) (\d+) - value$")
_G_LABEL = re.compile(r"^(e-mail|phone) (\d+) - (label|type)$")
_G_ADDRESS = re.compile(r"^address (\d+) - (.+)$")
_G_NAME = {"name prefix": "name_prefix", "first name": "given_name", "given name": "given_name",
           "middle name": "middle_name", "additional name": "middle_name", "last name": "family_name",
           "family name": "family_name", "name suffix": "name_suffix", "nickname": "nickname"}
_G_PHONETIC = {"phonetic first name": "given", "given name yomi": "given",
               "phonetic middle name": "middle", "additional name yomi": "middle",
               "phonetic last name": "family", "family name yomi": "family"}
_G_ORG = {"organization name": "organisation", "organization 1 - name": "organisation",
          "organization title": "job_title", "organization 1 - title": "job_title",
          "organization department": "department", "organization 1 - department": "department"}
_G_SYSTEM_LABELS = {"* mycontacts", "* my contacts", "* other contacts"}


def _google(b: RecordBuilder, row: Row) -> list[str]:
    cells = {h.strip().lower(): v for h, v in row}
    if cells.get("name", "").strip():
        b.name = b.line_text(cells["name"], "Name")
    _name_parts(b, row, _G_NAME)
    for header, value in row:
        if (which := _G_PHONETIC.get(header.strip().lower())) and value.strip():
            b.set_phonetic(which, value, header.strip())
    notices: list[str] = []
    addresses: dict[str, dict[str, str]] = {}
    for header, value in row:
        key = header.strip().lower()
        if (not value.strip() or key in _G_NAME or key in _G_PHONETIC or key == "name"
                or _G_LABEL.match(key)):
            continue
        if match := _G_VALUE.match(key):
            what, n = match.groups()
            label = cells.get(f"{what} {n} - label", cells.get(f"{what} {n} - type", ""))
            for item in value.split(_MULTI):
                _google_value(b, what, item, label, header)
        elif match := _G_ADDRESS.match(key):
            addresses.setdefault(match.group(1), {})[match.group(2)] = value
        elif key in _G_ORG:
            setattr(b, _G_ORG[key], b.fit(value, header))
        elif key == "notes":
            b.notes = b.block_text(value, header)
        elif key in ("labels", "group membership"):
            for tag in value.split(_MULTI):
                if tag.strip().lower() not in _G_SYSTEM_LABELS:
                    b.add_tag(tag.strip().lstrip("* "), header)
        elif key == "photo":
            notices.append("photo link not imported")
        else:
            b.add_extra(header.strip(), value)
    for parts in addresses.values():
        label = parts.pop("label", parts.pop("type", "")).strip(" *")
        text = parts.pop("formatted", "") or ", ".join(v.strip() for v in parts.values() if v.strip())
        b.add_extra(f"Address ({label})" if label else "Address", text)
    return notices


def _google_value(b: RecordBuilder, what: str, item: str, label: str, header: str) -> None:
    tag = label.strip().lstrip("* ").strip()
    low = tag.lower()
    if what == "e-mail":
        kind = EmailKind.HOME if low == "home" else EmailKind.OTHER if low == "other" else EmailKind.WORK
        if tag and low not in ("home", "work", "other"):
            b.add_extra(f"Email ({tag})", item)
        b.add_email(item, kind, header)
        return
    if "fax" in low:
        b.add_extra(f"Fax ({tag})", item)
        return
    kinds = {"mobile": PhoneKind.MOBILE, "work": PhoneKind.OFFICE, "main": PhoneKind.OFFICE,
             "home": PhoneKind.HOME}
    kinds["pager"] = PhoneKind.PAGER
    if tag and low not in (*kinds, "other"):
        b.add_extra(f"Phone ({tag})", item)
    b.add_phone(item, kinds.get(low, PhoneKind.OTHER), header)


# -- Thunderbird -----------------------------------------------------------------------------------
_TB_PHONES = {"work phone": PhoneKind.OFFICE, "home phone": PhoneKind.HOME,
              "mobile number": PhoneKind.MOBILE, "pager number": PhoneKind.PAGER}
_TB_EMAILS = {"primary email": EmailKind.WORK, "secondary email": EmailKind.OTHER}
_TB_NAME = {"first name": "given_name", "last name": "family_name", "nickname": "nickname"}
_TB_SCALARS = {"organization": "organisation", "department": "department", "job title": "job_title"}


_TB_GROUPED = {
    "home address": ["home address", "home address 2", "home address2", "home city", "home state",
                     "home zipcode", "home country"],
    "work address": ["work address", "work address 2", "work address2", "work city", "work state",
                     "work zipcode", "work zip", "work country"],
    "birthday (year, month, day)": ["birth year", "birth month", "birth day"],
}
_TB_GROUPED_KEYS = {k for keys in _TB_GROUPED.values() for k in keys}


def _thunderbird(b: RecordBuilder, row: Row) -> list[str]:
    cells = {h.strip().lower(): v for h, v in row}
    _grouped(b, cells, _TB_GROUPED)
    if cells.get("display name", "").strip():
        b.name = b.line_text(cells["display name"], "Display Name")
    _name_parts(b, row, _TB_NAME)
    for header, value in row:
        key = header.strip().lower()
        if not value.strip() or key == "display name" or key in _TB_NAME or key in _TB_GROUPED_KEYS:
            continue
        if key in _TB_PHONES:
            b.add_phone(value, _TB_PHONES[key], header)
        elif key in _TB_EMAILS:
            b.add_email(value, _TB_EMAILS[key], header)
        elif key in _TB_SCALARS:
            setattr(b, _TB_SCALARS[key], b.fit(value, header))
        elif key == "notes":
            b.notes = b.block_text(value, header)
        else:
            b.add_extra(header.strip() or "Column", value)
    return []


def _imdesk(b: RecordBuilder, row: Row) -> list[str]:
    imdesk_csv.fill(b, row)
    return []


LAYOUTS = (
    Layout("Google Contacts CSV", lambda h: any(_G_VALUE.match(k) for k in h), _google),
    Layout("Thunderbird CSV", lambda h: {"primary email", "display name"} <= h, _thunderbird),
    Layout("Outlook CSV", lambda h: {"first name", "last name", "e-mail address"} <= h, _outlook),
    Layout("imdesk CSV", imdesk_csv.is_imdesk, _imdesk),
)


def recognise(headers: list[str]) -> Layout | None:
    keys = {h.strip().lower() for h in headers}
    return next((layout for layout in LAYOUTS if layout.matches(keys)), None)
