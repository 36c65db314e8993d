"""Turning a contact file's bytes into numbered text lines, streaming, with bounded memory.

The rule:
- A byte-order mark decides: UTF-8 (BOM dropped), UTF-16 little or big endian (strict: a byte
  sequence that is not UTF-16 refuses the file).
- Without one, each line is read as UTF-8 when it is valid UTF-8; a line that is not is read in the
  charset its vCard property declares (``CHARSET=``), else in the file's legacy encoding: measured
  from the first 256 KiB's lines that are not UTF-8 (charset_guess: windows-1252, Shift_JIS, GB18030,
  Big5, windows-1251, KOI8-R, …), windows-1252 when there are none. Address books mix them (Outlook
  writes windows-1252 fields next to UTF-8 ones), and a legacy line is almost never valid UTF-8, so
  this reads every line as its writer meant it. The guess is shown in the import preview, where
  the user may choose another encoding (``encoding=``: every line that is not ASCII read in it).
- A line that none of these decode is read with U+FFFD for the bytes that do not decode and listed
  in ``damaged_lines``: the readers flag the values holding them and mark their contacts for
  review; the rest of the file is read as usual.
- A NUL byte (a binary file, or UTF-16 without its BOM) or a line longer than ``LINE_MAX_BYTES``
  refuses the whole file, naming the line.
Lines end at CRLF, LF or a lone CR (old Mac files).
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Callable, Iterator
from typing import AnyStr, BinaryIO

from imdesk.contacts_io.charset_guess import SAMPLE_MAX, Guess, guess_encoding, shown_name
from imdesk.contacts_io.errors import ImportRefused

LINE_MAX_BYTES = 16 * 1024 * 1024   # one physical line; beyond this it is not a contact file
CHUNK = 64 * 1024
SNIFF_BYTES = 256 * 1024            # the head of the file the legacy encoding is guessed from
DAMAGED = "bytes that did not decode were replaced with \ufffd"

# CR CR LF (an iPhone export passed through a Windows text conversion) gives a blank line after
# each line; the vCard reader lets a folded line continue across it (vcard_cards.cards).
_BYTES_EOL = re.compile(rb"\r\n|\r|\n")
_TEXT_EOL = re.compile(r"\r\n|\r|\n")

CharsetOf = Callable[[bytes], "str | None"]


class TextSource:
    """The numbered lines of one contact file. ``encoding`` describes what was found, after reading."""

    def __init__(self, stream: BinaryIO, encoding: str | None = None) -> None:
        self._stream = stream
        head = stream.read(4)
        self._bom = ""
        self._rest = head
        self._forced = ""
        if encoding:
            forced = codec_name(encoding)
            if forced is None:
                raise ImportRefused(f"{encoding!r} is not an encoding imdesk knows")
            self._forced = forced
        if head.startswith(codecs.BOM_UTF8):
            self._bom, self._rest = "utf-8", head[3:]
        elif head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) and not self._forced:
            self._bom = "utf-16"
        self.guess: Guess | None = None
        self._fallback = "cp1252"
        if self._bom != "utf-16" and not self._forced:
            self._rest += stream.read(SNIFF_BYTES)
            self.guess = _guess(self._rest)
            if self.guess is not None:
                self._fallback = self.guess.codec
        self._utf8_lines = 0      # lines with non-ASCII text read as UTF-8
        self._other_lines = 0     # lines read in the legacy encoding or a declared charset
        self._declared: set[str] = set()   # declared charsets that were used
        self.damaged_lines: list[int] = []   # lines read with U+FFFD for bytes that did not decode

    @property
    def guessed(self) -> str:
        """The legacy encoding as the user reads it ("Shift_JIS"): guessed, or chosen."""
        return shown_name(self._forced or self._fallback)

    @property
    def found(self) -> str:
        """What the file was read as, in a word ("UTF-8", "Shift_JIS"): the legacy encoding when
        lines were read in it (or it was guessed or chosen), else the Unicode form."""
        if self._forced or self.guess is not None or self._other_lines:
            return self.guessed
        return "UTF-16" if self._bom == "utf-16" else "UTF-8"

    @property
    def encoding(self) -> str:
        text = self._described()
        if self.damaged_lines:
            shown = ", ".join(str(n) for n in self.damaged_lines[:5])
            more = ", …" if len(self.damaged_lines) > 5 else ""
            text += f"; {lines_count(len(self.damaged_lines))} with bytes that did not decode ({shown}{more})"
        return text

    def _described(self) -> str:
        if self._forced:
            return f"{self.guessed} (chosen)"
        if self._bom == "utf-16":
            return "UTF-16 (byte-order mark)"
        base = "UTF-8 (byte-order mark)" if self._bom else "UTF-8"
        legacy = self.guessed
        if self.guess is not None and self.guess.codec != "cp1252":
            runner = f", next likely {self.guess.runner_up}" if self.guess.runner_up else ""
            legacy = f"{legacy} (guessed{runner})"
        if self._other_lines and self._utf8_lines:
            return f"{base}, {lines_count(self._other_lines)} in {legacy} or their declared charset"
        if self._declared:
            return f"{base}, lines in their declared {', '.join(sorted(self._declared))}"
        if self._other_lines:
            return legacy if not self._bom else f"{base} with {legacy} lines"
        return base

    def lines(self, charset_of: CharsetOf | None = None) -> Iterator[tuple[int, str]]:
        """(line number, text) for each line. ``charset_of(raw line)`` may name a declared charset."""
        if self._bom == "utf-16":
            yield from self._utf16_lines()
            return
        for number, raw in _split(self._chunks(), _BYTES_EOL, b"\r", b"\n"):
            yield number, self._decode(raw, number, charset_of)

    def _chunks(self) -> Iterator[bytes]:
        if self._rest:
            yield self._rest
        while chunk := self._stream.read(CHUNK):
            yield chunk

    def _utf16_lines(self) -> Iterator[tuple[int, str]]:
        decoder = codecs.getincrementaldecoder("utf-16")(errors="strict")
        number = 1

        def texts() -> Iterator[str]:
            try:
                for chunk in self._chunks():
                    yield decoder.decode(chunk)
                yield decoder.decode(b"", final=True)
            except UnicodeDecodeError as exc:
                raise ImportRefused(f"the file starts with a UTF-16 byte-order mark but is not UTF-16 "
                                    f"({exc.reason})", line=number) from None

        for number, text in _split(texts(), _TEXT_EOL, "\r", "\n"):
            if "\x00" in text:
                raise ImportRefused("the line contains NUL characters: this is not a text file",
                                    line=number)
            yield number, text

    def _decode(self, raw: bytes, number: int, charset_of: CharsetOf | None) -> str:
        if b"\x00" in raw:
            raise ImportRefused("the line contains NUL bytes: a binary file, or UTF-16 without its "
                                "byte-order mark", line=number)
        if raw.isascii():
            return raw.decode("ascii")
        if self._forced:
            try:
                return raw.decode(self._forced)
            except UnicodeDecodeError:
                self.damaged_lines.append(number)
                return raw.decode(self._forced, errors="replace")
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            pass
        else:
            self._utf8_lines += 1
            return text
        declared = codec_name(charset_of(raw) if charset_of else None)
        if not declared and self._fallback != "cp1252":
            try:     # a confident guess of a legacy encoding comes first
                text = raw.decode(self._fallback)
            except UnicodeDecodeError:
                pass
            else:
                self._other_lines += 1
                return text
        if not declared and mostly_utf8(raw):
            # UTF-8 with a stray or cut sequence (a bad copy, a truncated field): read as UTF-8,
            # the bad bytes replaced, rather than as mojibake in a legacy encoding
            self.damaged_lines.append(number)
            self._utf8_lines += 1
            return raw.decode("utf-8", errors="replace")
        for charset in dict.fromkeys((declared, self._fallback, "cp1252")):
            if not charset:
                continue
            try:
                text = raw.decode(charset)
            except (LookupError, UnicodeDecodeError):
                continue
            self._other_lines += 1
            if charset == declared and charset != "cp1252":
                self._declared.add(charset)
            return text
        # Bytes that mean nothing in any of them: the line is kept, with U+FFFD where they were.
        self.damaged_lines.append(number)
        self._other_lines += 1
        return raw.decode(declared or self._fallback, errors="replace")


_UTF8_SEQ = re.compile(rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}")


def mostly_utf8(raw: bytes) -> bool:
    """True when two thirds of the bytes ≥ 0x80 of a line that is not valid UTF-8 form valid UTF-8
    sequences: damaged UTF-8, not a legacy encoding (whose bytes rarely line up so)."""
    high = sum(1 for b in raw if b >= 0x80)
    covered = sum(len(m.group()) for m in _UTF8_SEQ.finditer(raw))
    return high > 0 and covered * 3 >= high * 2


def lines_count(n: int) -> str:
    return "1 line" if n == 1 else f"{n:,} lines"


def _guess(head: bytes) -> Guess | None:
    """The legacy encoding of the head's lines that are not UTF-8; None when all of them are."""
    if head.isascii():
        return None
    legacy: list[bytes] = []
    size = 0
    for line in head.splitlines():
        if line.isascii():
            continue
        try:
            line.decode("utf-8")
        except UnicodeDecodeError:
            if mostly_utf8(line):
                continue        # damaged UTF-8: says nothing of a legacy encoding
            legacy.append(line)
            size += len(line)
            if size >= SAMPLE_MAX:
                break
    if not legacy:
        return None
    return guess_encoding(b"\n".join(legacy))


_ALIASES = {"x-sjis": "shift_jis", "sjis": "shift_jis", "shift-jis": "shift_jis", "x-euc-jp": "euc_jp",
            "x-mac-roman": "mac_roman", "macintosh": "mac_roman", "ks_c_5601-1987": "cp949",
            "gb2312": "gb18030", "gbk": "gb18030", "x-gbk": "gb18030", "big5": "big5hkscs"}


def codec_name(charset: str | None) -> str | None:
    """Python's codec for a CHARSET as exporters write it (legacy code pages included), or None
    when Python has none by that name."""
    if not charset:
        return None
    name = charset.strip().strip('"').lower()
    name = _ALIASES.get(name, name)
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None


def _split(chunks: Iterator[AnyStr], eol: re.Pattern[AnyStr], cr: AnyStr,
           lf: AnyStr) -> Iterator[tuple[int, AnyStr]]:
    """Physical lines of a chunked stream, numbered from 1, each at most LINE_MAX_BYTES long.

    A long line is gathered as a list of chunks and joined once (no quadratic re-copying)."""
    empty = cr[:0]
    number = 1
    pending: list[AnyStr] = []      # the current line's text so far, in chunks
    pending_len = 0
    for chunk in chunks:
        if not chunk:
            continue
        if pending and pending[-1][-1:] == cr:
            # The last chunk ended in CR: a line end, or the first half of a CRLF.
            yield number, empty.join(pending)[:-1]
            number += 1
            pending, pending_len = [], 0
            if chunk[:1] == lf:
                chunk = chunk[1:]
        start = 0
        for match in eol.finditer(chunk):
            if match.end() == len(chunk) and chunk[-1:] == cr:
                break                 # decided when the next chunk comes
            piece = chunk[start:match.start()]
            if pending:
                pending.append(piece)
                piece = empty.join(pending)
                pending, pending_len = [], 0
            yield number, piece
            number += 1
            start = match.end()
        rest = chunk[start:]
        if rest:
            pending.append(rest)
            pending_len += len(rest)
        if pending_len > LINE_MAX_BYTES:
            raise ImportRefused(f"the line is longer than {LINE_MAX_BYTES // (1024 * 1024)} MiB: "
                                "this is not a contact file", line=number)
    if pending:
        line = empty.join(pending)
        yield number, line[:-1] if line[-1:] == cr else line
