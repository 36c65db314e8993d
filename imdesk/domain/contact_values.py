"""Validation of phone numbers (phonenumbers → E.164) and email addresses (email-validator, no DNS).

Both libraries are imported on first use, not at start-up. A value that fails is not an error
here: it comes back flagged, with the reason from ``phone_problem``/``email_problem`` for the UI.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from imdesk.domain.contact import Email, EmailKind, Phone, PhoneKind

DEFAULT_REGION = "DE"   # the setting "contacts.default_region" overrides it


@lru_cache(maxsize=1)
def _phonenumbers() -> Any:
    import phonenumbers

    return phonenumbers


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
    return None


def normalise_phone(raw: str, kind: PhoneKind = PhoneKind.MOBILE,
                    region: str = DEFAULT_REGION) -> Phone:
    """The number in E.164 when it parses and is valid; otherwise kept raw and flagged."""
    text = raw.strip()
    if phone_problem(text, region) is not None:
        return Phone(kind, text, None)
    pn = _phonenumbers()
    number = pn.parse(text, region.upper() or None)
    return Phone(kind, text, pn.format_number(number, pn.PhoneNumberFormat.E164))


def display_phone(phone: Phone) -> str:
    """International format for reading aloud ("+49 30 1234567"); raw text when flagged."""
    if phone.e164 is None:
        return phone.raw
    pn = _phonenumbers()
    return str(pn.format_number(pn.parse(phone.e164, None), pn.PhoneNumberFormat.INTERNATIONAL))


def email_problem(address: str) -> str | None:
    """Why ``address`` is not a usable email address (None when it is). No DNS lookups."""
    from email_validator import EmailNotValidError, validate_email

    text = address.strip()
    if not text:
        return "the email address is empty"
    try:
        validate_email(text, check_deliverability=False)
    except EmailNotValidError as exc:
        return f"{text!r}: {exc}"
    return None


def normalise_email(address: str, kind: EmailKind = EmailKind.WORK) -> Email:
    """The normalised address when valid; otherwise kept as written and flagged."""
    from email_validator import EmailNotValidError, validate_email

    text = address.strip()
    try:
        result = validate_email(text, check_deliverability=False)
    except EmailNotValidError:
        return Email(kind, text, False)
    return Email(kind, result.normalized, True)
