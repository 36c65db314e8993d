"""Reading vCards (2.1, 3.0, 4.0) as Outlook, Apple, Google, Android, Thunderbird and Nextcloud write them.

vobject parses each property line (group, name, parameters, quoted-printable with its CHARSET);
this module maps the properties onto a ContactRecord. Properties imdesk does not model (addresses,
birthdays, web pages, instant messaging, custom X- fields) become "label: value" lines in the
notes; only technical ones that carry nothing for a person (VERSION, PRODID, REV, UID, Apple's and
Outlook's bookkeeping) are left out. Group cards (Apple's and vCard 4.0's KIND:group) are skipped
and reported.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime

from imdesk.contacts_io.decoding import DAMAGED, TextSource
from imdesk.contacts_io.errors import ImportRefused
from imdesk.contacts_io.record_builder import TIME_ZONE_MAX, VERIFIED_BY_MAX, RecordBuilder
from imdesk.contacts_io.result import Notice, ParsedFile, ParsedRecord
from imdesk.contacts_io.vcard_cards import Card, cards
from imdesk.contacts_io.vcard_props import NotAProperty, Prop, parse_property
from imdesk.contacts_io.vcard_values import (
    LABEL_NAMES,
    TECHNICAL,
    apple_label,
    split_unescaped,
    unescape,
)
from imdesk.domain.contact import Channel, ContactKind, EmailKind, PhoneKind

VERSIONS = ("2.1", "3.0", "4.0")
_TEL_URI = re.compile(r"(?i)tel:[+\d(]")
_WORD = re.compile(r"[a-z-]+")
_PHONETIC = {"X-PHONETIC-FIRST-NAME": "given", "X-PHONETIC-MIDDLE-NAME": "middle",
             "X-PHONETIC-LAST-NAME": "family"}
_IRMC_N = "X-IRMC-N"      # a Japanese phone's reading of the name: SOUND;X-IRMC-N:タナカ;ミイ;;;


def read_vcards(lines: Iterator[tuple[int, str]], source: TextSource, region: str) -> ParsedFile:
    """The contacts of a vCard file, whose decoded lines are ``lines``."""
    parsed = ParsedFile(layout="vCard", encoding="")
    versions: list[str] = []
    producer = ""
    empty = 0             # cards with nothing to import
    for card in cards(lines):
        props, stray = _properties(card)
        version = next((unescape(p.value) for p in props if p.name == "VERSION"), "")
        if version not in VERSIONS:
            raise ImportRefused(f"VERSION {version!r} is not a vCard version imdesk reads (2.1, 3.0, 4.0)"
                                if version else "the card has no VERSION line",
                                record=card.number, line=card.line, field="VERSION")
        if version not in versions:
            versions.append(version)
        producer = producer or next((unescape(p.value) for p in props if p.name == "PRODID"), "")
        for name, size in card.skipped:
            parsed.notices.append(Notice(card.number, card.line,
                                         f"{name} not imported ({_size(size)} of encoded data)"))
        if _is_group(props):
            title = next((unescape(p.value) for p in props if p.name == "FN"), "")
            parsed.notices.append(Notice(card.number, card.line,
                                         f"group card {title!r} skipped: imdesk imports people"))
            continue
        builder = RecordBuilder(card.number, card.line, region)
        _map(builder, props)
        _keep_stray(builder, stray)
        if not builder.has_identity():
            parsed.notices.append(Notice(card.number, card.line, "card skipped: it holds no name, "
                                         "organisation, email address or phone number"))
            empty += 1
            continue
        contact = builder.build()
        parsed.records.append(ParsedRecord(card.number, card.line, contact))
        parsed.flags.extend(builder.flags)
    if not parsed.records and empty:
        raise ImportRefused(f"no card of the file holds a name, organisation, email address or phone "
                            f"number ({empty:,} without)")
    if not parsed.records and not parsed.notices:
        raise ImportRefused("the file holds no vCard")
    parsed.layout = "vCard " + ", ".join(versions) + (f" ({producer})" if producer else "")
    parsed.encoding = source.encoding
    return parsed


def _size(n: int) -> str:
    return f"{n / 1024:,.0f} KB" if n >= 1024 else f"{n} bytes"


def _properties(card: Card) -> tuple[list[Prop], list[tuple[int, str]]]:
    """The card's properties, and its lines that are none (line number, text)."""
    props: list[Prop] = []
    stray: list[tuple[int, str]] = []
    for number, text in card.lines:
        try:
            props.append(parse_property(text, number, card.number))
        except NotAProperty:
            stray.append((number, text))
    return props, stray


def _keep_stray(b: RecordBuilder, stray: list[tuple[int, str]]) -> None:
    """Lines that are no property (Thunderbird cuts a value at a bare CR; a hand edit leaves a
    line without a colon): kept in the notes, flagged, the contact marked for review."""
    for number, text in stray:
        b.damaged(f"line {number}", text[:60], "not a vCard property; kept in the notes")
        b.add_extra("Unread line", text)


def _is_group(props: list[Prop]) -> bool:
    return any(p.name in ("KIND", "X-ADDRESSBOOKSERVER-KIND") and unescape(p.value).lower() == "group"
               for p in props)


def _types(prop: Prop) -> list[str]:
    """TYPE parameters in lower case: 'TYPE=work,voice', 'type=WORK;type=pref' and 2.1's bare 'WORK'."""
    found = [t.lower() for value in prop.params.get("TYPE", []) for t in value.split(",")]
    found += [t.lower() for t in prop.singletonparams]
    return [t for t in found if t not in ("pref", "voice", "internet", "x400")]


def _map(b: RecordBuilder, props: list[Prop]) -> None:
    labels = {p.group.lower(): apple_label(unescape(p.value))
              for p in props if p.name == "X-ABLABEL" and p.group}
    adr_kinds: set[str] = set()
    labels_later: list[tuple[str, str]] = []
    for prop in props:
        name = prop.name
        if name in TECHNICAL:
            continue
        value = prop.value
        if prop.damage:
            b.damaged(name, unescape(value)[:60], prop.damage)
        elif "\ufffd" in value:     # the line held bytes that did not decode (decoding.DAMAGED)
            b.damaged(name, unescape(value)[:60], DAMAGED)
        label = labels.get(prop.group.lower(), "") if prop.group else ""
        types = _types(prop) if prop.params or prop.singletonparams else []
        if name == "FN":
            b.name = b.line_text(unescape(value), "FN")
        elif name == "N":
            if "X-IMDESK-GUESSED" in prop.params:
                continue    # imdesk's own export, guessed from the name: no parts
            # each component may list several values ("Richter,James"): joined with a blank
            parts = [" ".join(v for v in (unescape(x).strip() for x in split_unescaped(p, ",")) if v)
                     for p in split_unescaped(value, ";")]
            parts += [""] * (5 - len(parts))
            family, given, additional, prefix, suffix = parts[:5]
            for key, part in (("family_name", family), ("given_name", given),
                              ("middle_name", additional), ("name_prefix", prefix),
                              ("name_suffix", suffix)):
                b.set_part(key, part, "N")
        elif name == "NICKNAME":
            for nick in split_unescaped(value, ","):
                b.set_part("nickname", unescape(nick).strip(), "NICKNAME")
        elif name == "X-PHONETIC-NAME":
            b.set_part("phonetic_name", unescape(value), name)
        elif name in _PHONETIC:
            b.set_phonetic(_PHONETIC[name], unescape(value), name)
        elif name == "SOUND" and _IRMC_N in {*prop.params, *(p.upper() for p in prop.singletonparams)}:
            reading = [unescape(p).strip() for p in split_unescaped(value, ";")] + ["", ""]
            b.set_phonetic("family", reading[0], "SOUND")
            b.set_phonetic("given", reading[1], "SOUND")
        elif name == "ORG":
            parts = [unescape(p) for p in split_unescaped(value, ";")]
            b.organisation = b.fit(parts[0], "ORG") if parts else ""
            b.department = b.fit(" / ".join(p.strip() for p in parts[1:] if p.strip()), "ORG (department)")
        elif name == "TITLE":
            b.job_title = b.fit(unescape(value), "TITLE")
        elif name == "TEL":
            uri = "uri" in [v.lower() for v in prop.params.get("VALUE", [])] or bool(_TEL_URI.match(value))
            _tel(b, unescape(value), types, label, uri)
        elif name == "EMAIL":
            _email(b, unescape(value), types, label)
        elif name == "NOTE":
            note = b.block_text(unescape(value), "NOTE")
            b.notes = f"{b.notes}\n\n{note}" if b.notes and note else (b.notes or note)
        elif name == "CATEGORIES":
            for tag in split_unescaped(value, ","):
                b.add_tag(unescape(tag), "CATEGORIES")
        elif name == "TZ" and ("text" in [v.lower() for v in prop.params.get("VALUE", [])]
                                or _is_zone(unescape(value))):
            b.time_zone = b.fit(unescape(value), "TZ", TIME_ZONE_MAX)
        elif name.startswith("X-IMDESK-"):
            _imdesk(b, name, unescape(value))
        elif name == "ADR":
            adr_kinds.add(",".join(types))
            parts = [unescape(p).strip() for p in split_unescaped(value, ";")]
            b.add_extra(_label("Address", types, label), ", ".join(p for p in parts if p))
        elif name == "LABEL":
            labels_later.append((",".join(types), unescape(value)))
        elif name == "X-ANDROID-CUSTOM":
            _android_custom(b, unescape(value))
        else:
            b.add_extra(_label(LABEL_NAMES.get(name, _title(name)), types, label), unescape(value))
    for kinds, text in labels_later:   # Outlook writes each address twice: ADR and its LABEL
        if kinds not in adr_kinds:
            b.add_extra(_label("Address", kinds.split(",") if kinds else [], ""), text)


def _android_custom(b: RecordBuilder, value: str) -> None:
    """Android's own fields: 'vnd.android.cursor.item/nickname;Wei;1;;…' → 'Nickname: Wei'."""
    kind, _, rest = value.partition(";")
    data = [p for p in rest.split(";") if p.strip()]
    label = kind.rpartition("/")[2].replace("_", " ").capitalize() or "Android field"
    if label == "Nickname" and data:
        b.set_part("nickname", data[0], "X-ANDROID-CUSTOM")
        return
    b.add_extra(label, data[0] if data else value)


def _tel(b: RecordBuilder, value: str, types: list[str], label: str, uri: bool) -> None:
    number = value[4:] if uri and value.lower().startswith("tel:") else value
    marks = set(types) | {label.lower()}
    if marks & {"fax", "homefax", "workfax", "otherfax"} or "fax" in label.lower():
        b.add_extra(_label("Fax", [t for t in types if t != "fax"], label if "fax" not in label.lower()
                           else ""), number)
        return
    if "pager" in marks or "pager" in label.lower():
        kind = PhoneKind.PAGER
    elif marks & {"cell", "mobile", "iphone", "text"}:
        kind = PhoneKind.MOBILE
    elif marks & {"work", "main", "company"}:
        kind = PhoneKind.OFFICE
    elif "home" in marks:
        kind = PhoneKind.HOME
    else:
        kind = PhoneKind.OTHER
    if label and label.lower() not in _KNOWN_LABELS:
        b.add_extra(f"Phone ({label})", number)
    b.add_phone(number, kind, "TEL")


def _email(b: RecordBuilder, value: str, types: list[str], label: str) -> None:
    marks = set(types) | {label.lower()}
    kind = (EmailKind.HOME if "home" in marks else EmailKind.OTHER if "other" in marks
            else EmailKind.WORK)
    if label and label.lower() not in _KNOWN_LABELS:
        b.add_extra(f"Email ({label})", value)
    b.add_email(value, kind, "EMAIL")


_KNOWN_LABELS = {"mobile", "iphone", "home", "work", "main", "other", "pager", "school"}


def _imdesk(b: RecordBuilder, name: str, value: str) -> None:
    """imdesk's own properties, written by its vCard export; a value it cannot use is kept in the notes."""
    if name == "X-IMDESK-ACCOUNT":
        b.account_number = b.fit(value, name)
        return
    if name == "X-IMDESK-VERIFIED-BY":
        b.verified_by = b.fit(value, name, VERIFIED_BY_MAX)
        return
    if name == "X-IMDESK-REVIEW":
        b.mark_review(value)
        return
    text = b.line_text(value, name)
    try:
        if name == "X-IMDESK-KIND":
            b.kind = ContactKind(text)
        elif name == "X-IMDESK-CHANNEL":
            b.preferred_channel = Channel(text)
        elif name == "X-IMDESK-VERIFIED-AT":
            moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
            if moment.tzinfo is None:
                raise ValueError(text)
            b.last_verified_at = moment.astimezone(UTC)
        else:
            b.add_extra(name, text)
    except ValueError:
        b.flag(name, text, "not a value imdesk understands here; kept in the notes")
        b.add_extra(name, text)


def _is_zone(value: str) -> bool:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    text = value.strip()
    if "/" not in text or text.startswith("/") or ".." in text:
        return False
    try:
        ZoneInfo(text)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True


def _label(base: str, types: list[str], label: str) -> str:
    detail = label or ", ".join(t for t in types if _WORD.fullmatch(t))
    return f"{base} ({detail})" if detail else base


def _title(name: str) -> str:
    return name[2:].replace("-", " ").title() if name.startswith("X-") else name.title()
