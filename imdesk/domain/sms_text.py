"""SMS length and segments: GSM 03.38 (7-bit, with its extension table) or UCS-2.

A single GSM-7 SMS holds 160 septets, a concatenated part 153 (the user data header takes 7);
an extension character (``€``, ``[``, ``{``…) costs two septets and never splits across parts.
Any character outside the GSM alphabet turns the whole text into UCS-2: 70 UTF-16 code units
alone, 67 per part, and a character outside the BMP (emoji) takes two that stay together.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

GSM7_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM7_EXTENSION = frozenset("\f^{}\\[~]|€")

SINGLE = {"gsm7": 160, "ucs2": 70}
PART = {"gsm7": 153, "ucs2": 67}


class Encoding(StrEnum):
    GSM7 = "gsm7"
    UCS2 = "ucs2"


@dataclass(frozen=True)
class SmsSize:
    """What a text costs: its encoding, length in that encoding's units, and parts."""

    encoding: Encoding
    units: int          # septets (GSM-7) or UTF-16 code units (UCS-2)
    segments: int
    non_gsm: str        # the characters that forced UCS-2 ("" for GSM-7), in order of appearance

    @property
    def per_segment(self) -> int:
        return SINGLE[self.encoding] if self.segments <= 1 else PART[self.encoding]

    def describe(self) -> str:
        label = "GSM-7" if self.encoding == Encoding.GSM7 else "UCS-2"
        parts = "1 SMS" if self.segments == 1 else f"{self.segments} SMS"
        text = f"{self.units} characters ({label}) · {parts}"
        if self.non_gsm:
            text += f" — UCS-2 because of {self.non_gsm[:5]!r}"
        return text


def _costs(text: str) -> tuple[Encoding, list[int], str]:
    non_gsm = "".join(dict.fromkeys(c for c in text if c not in GSM7_BASIC and c not in GSM7_EXTENSION))
    if not non_gsm:
        return Encoding.GSM7, [2 if c in GSM7_EXTENSION else 1 for c in text], ""
    return Encoding.UCS2, [2 if ord(c) > 0xFFFF else 1 for c in text], non_gsm


def measure(text: str) -> SmsSize:
    """Encoding, length and segment count of one SMS text (empty text: 0 units, 1 segment)."""
    encoding, costs, non_gsm = _costs(text)
    units = sum(costs)
    if units <= SINGLE[encoding]:
        return SmsSize(encoding, units, 1, non_gsm)
    segments, used = 1, 0
    limit = PART[encoding]
    for cost in costs:  # characters never straddle two parts
        if used + cost > limit:
            segments += 1
            used = 0
        used += cost
    return SmsSize(encoding, units, segments, non_gsm)
