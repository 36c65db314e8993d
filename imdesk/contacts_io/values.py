"""Validation of phone numbers (phonenumbers → E.164) and email addresses (email-validator, no DNS).

Both libraries are imported on first use, not at start-up. A value that fails is not an error
here: it comes back flagged, with the reason from ``phone_problem``/``email_problem`` for the UI
(``check_email`` gives the address and its reason from one validation, for bulk imports).

This is the one place that decides what a valid number or address is: the editor, the demo
data, the organisation editor, the message composer and the file importer all call these
functions. It sits here, below the services, so that the importer need not import a service;
``imdesk.services.contacts.values`` re-exports it for the front ends. A valid number is parsed,
checked and formatted once; the reason is worked out only for the few that fail. Results are
cached by value (an import of 10,000 contacts meets the same switchboard number and the same
domains again and again).
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from imdesk.domain.contact import Email, EmailKind, Phone, PhoneKind
from imdesk.domain.contact_clean import is_e164

DEFAULT_REGION = "DE"   # the setting "contacts.default_region" overrides it
_CACHE = 16_384         # values per cache: a few MB at most


@lru_cache(maxsize=1)
def _phonenumbers() -> Any:
    import phonenumbers

    return phonenumbers


@lru_cache(maxsize=1)
def _email_validator() -> Any:
    import email_validator

    return email_validator


def supported_regions() -> frozenset[str]:
    """The region codes phone numbers can be read in ("DE", "GB", …)."""
    return frozenset(_phonenumbers().SUPPORTED_REGIONS)


def phone_problem(raw: str, region: str = DEFAULT_REGION) -> str | None:
    """Why ``raw`` is not a dialable number (None when it is)."""
    pn = _phonenumbers()
    text = raw.strip()
    if not text:
        return "the phone number is empty"
    if any(ch.isalpha() for ch in text):
        # phonenumbers reads letters as keypad digits ("switchboard" → 794824…): a note typed
        # into a number field would become a dialable, wrong number.
        return f"{text!r}: it contains letters; write the number in digits (notes go into Notes)"
    try:
        number = pn.parse(text, region.upper() or None)
    except pn.NumberParseException as exc:
        reason = {
            pn.NumberParseException.INVALID_COUNTRY_CODE:
                f"no country code, and the default region {region!r} does not apply",
            pn.NumberParseException.NOT_A_NUMBER: "it is not a phone number",
            pn.NumberParseException.TOO_SHORT_NSN: "it is too short",
            pn.NumberParseException.TOO_SHORT_AFTER_IDD: "it is too short after the international prefix",
            pn.NumberParseException.TOO_LONG: "it is too long",
        }.get(exc.error_type, str(exc))
        return f"{text!r}: {reason}"
    if not pn.is_possible_number(number):
        return f"{text!r}: not a possible number for its region (wrong length)"
    if not pn.is_valid_number(number):
        return f"{text!r}: not a valid number for its region"
    if not is_e164(pn.format_number(number, pn.PhoneNumberFormat.E164)):
        return f"{text!r}: longer than the 15 digits of an international number"
    return None


def normalise_phone(raw: str, kind: PhoneKind = PhoneKind.MOBILE,
                    region: str = DEFAULT_REGION) -> Phone:
    """The number in E.164 when it parses and is valid; otherwise kept raw and flagged
    (``phone_problem`` says why)."""
    text = raw.strip()
    return Phone(kind, text, _e164(text, region.upper()))


@lru_cache(maxsize=_CACHE)
def _e164(text: str, region: str) -> str | None:
    """``text`` in E.164 when ``phone_problem`` finds nothing wrong with it, else None: the same
    checks in one parse (a test holds the two to the same verdict)."""
    if not text or any(ch.isalpha() for ch in text):
        return None
    pn = _phonenumbers()
    try:
        number = pn.parse(text, region or None)
    except pn.NumberParseException:
        return None
    if not (pn.is_possible_number(number) and pn.is_valid_number(number)):
        return None
    e164 = str(pn.format_number(number, pn.PhoneNumberFormat.E164))
    return e164 if is_e164(e164) else None


def display_phone(phone: Phone) -> str:
    """International format for reading aloud ("+49 30 1234567"); raw text when flagged."""
    if phone.e164 is None:
        return phone.raw
    pn = _phonenumbers()
    return str(pn.format_number(pn.parse(phone.e164, None), pn.PhoneNumberFormat.INTERNATIONAL))


def email_problem(address: str) -> str | None:
    """Why ``address`` is not a usable email address (None when it is). No DNS lookups."""
    text = address.strip()
    if not text:
        return "the email address is empty"
    problem = _validated_email(text)[1]
    return None if problem is None else f"{text!r}: {problem}"


def normalise_email(address: str, kind: EmailKind = EmailKind.WORK) -> Email:
    """The normalised address when valid; otherwise kept as written and flagged."""
    return check_email(address, kind)[0]


def check_email(address: str, kind: EmailKind = EmailKind.WORK) -> tuple[Email, str | None]:
    """``normalise_email`` and, for an address that does not validate, the validator's reason
    (without the address in front, unlike ``email_problem``): one validation for both."""
    text = address.strip()
    normalised, problem = _validated_email(text)
    if normalised is None:
        return Email(kind, text, False), problem
    return Email(kind, normalised, True), None


@lru_cache(maxsize=_CACHE)
def _validated_email(text: str) -> tuple[str | None, str | None]:
    """(normalised address, None) or (None, why not): email-validator without DNS."""
    ev = _email_validator()
    try:
        result = ev.validate_email(text, check_deliverability=False)
    except ev.EmailNotValidError as exc:
        return None, str(exc)
    return str(result.normalized), None
