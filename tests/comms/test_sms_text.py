"""SMS length and segments as a phone counts them (GSM 03.38 and UCS-2)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from imdesk.domain.sms_text import GSM7_BASIC, GSM7_EXTENSION, Encoding, measure


def test_plain_text_is_gsm7_up_to_160_in_one() -> None:
    assert measure("a" * 160) == measure("a" * 160)
    one = measure("a" * 160)
    assert (one.encoding, one.units, one.segments) == (Encoding.GSM7, 160, 1)
    two = measure("a" * 161)
    assert (two.units, two.segments) == (161, 2)
    assert measure("a" * 306).segments == 2 and measure("a" * 307).segments == 3


def test_extension_characters_count_twice_and_never_split() -> None:
    assert measure("€" * 80).units == 160 and measure("€" * 80).segments == 1
    assert measure("{" * 81).segments == 2
    # 152 septets then a 2-septet character: it does not fit part one's last septet
    text = "a" * 152 + "[" + "a" * 10
    size = measure(text)
    assert size.units == 164 and size.segments == 2


def test_one_non_gsm_character_makes_it_ucs2() -> None:
    size = measure("Server down in Zürich – ETA 10:30")  # the en dash is not GSM
    assert size.encoding == Encoding.UCS2 and size.non_gsm == "–"
    assert measure("ü" * 70).segments == 1  # ü is GSM-7 …
    assert measure("ł" * 70).segments == 1 and measure("ł" * 71).segments == 2
    assert measure("ł" * 134).segments == 2 and measure("ł" * 135).segments == 3
    assert "UCS-2 because of '–'" in size.describe()


def test_emoji_take_two_units_kept_together() -> None:
    size = measure("🔥" * 35)
    assert (size.units, size.segments) == (70, 1)
    assert measure("a" * 66 + "🔥" + "a").segments == 1  # 69 units
    assert measure("a" * 66 + "🔥" + "a" * 3).segments == 2


@given(st.text(alphabet=sorted(GSM7_BASIC | GSM7_EXTENSION), max_size=700))
def test_gsm_segments_hold_every_septet(text: str) -> None:
    size = measure(text)
    assert size.encoding == Encoding.GSM7
    assert size.units == sum(2 if c in GSM7_EXTENSION else 1 for c in text)
    capacity = 160 if size.segments == 1 else 153 * size.segments
    assert size.units <= capacity
    if size.segments > 1:
        assert size.units > 153 * (size.segments - 1) - size.segments  # not one part too many
