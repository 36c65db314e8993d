"""Reading an HTTP/1.x request's head for the alert listener, strictly, without the standard
library's email parser: `http.server` parses the header block with `email.parser` and answers
every `headers.get` by scanning all fields through the email policy — about a fifth of the CPU
a stored alert cost the listener in a storm (0.30 -> 0.19 ms a request, measured with the body
checks and the store left out).

The request line is checked as `http.server` checks it (three words, HTTP/x.y with digits,
2.0 and above refused with 505, "//" at the start of the path reduced to "/"); HTTP/0.9 is
refused. Header fields: at most MAX_HEADERS, each line at most MAX_LINE bytes (431 beyond);
a line without a colon, a name with spaces, an obsolete folded line, or a repeat of a field
that must appear once (Content-Length, Transfer-Encoding, Host, Authorization, Content-Type)
is refused with 400 — a request two readers could read two ways is not read at all."""

from __future__ import annotations

from typing import Protocol

MAX_LINE = 65536
MAX_HEADERS = 100
_ONCE = frozenset({"content-length", "transfer-encoding", "host", "authorization", "content-type"})
_END = (b"\r\n", b"\n", b"")


class Readable(Protocol):
    def readline(self, size: int, /) -> bytes: ...


class RequestError(Exception):
    """A request refused before it is handled: the status and the reason sent back."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


class Headers:
    """A request's header fields by name in any case; `get` as `email.message.Message.get`
    (the first of a field given twice; values without the spaces around them)."""

    __slots__ = ("_fields",)

    def __init__(self, fields: dict[str, str]) -> None:
        self._fields = fields

    def get(self, name: str, default: str | None = None) -> str | None:
        return self._fields.get(name.lower(), default)


def request_line(raw: bytes) -> tuple[str, str, str, tuple[int, int]]:
    """(method, path, version text, version number) of a request line; RequestError if it is
    not an HTTP/1.x request line."""
    line = str(raw, "iso-8859-1").rstrip("\r\n")
    words = line.split()
    if len(words) != 3:
        raise RequestError(400, f"Bad request syntax ({line[:200]!r})")
    method, path, version = words
    number = _version(version)
    if number is None:
        raise RequestError(400, f"Bad request version ({version[:40]!r})")
    if number >= (2, 0):
        raise RequestError(505, f"Invalid HTTP version ({version[5:][:20]})")
    if path.startswith("//"):  # (an open redirect otherwise: http.server does the same)
        path = "/" + path.lstrip("/")
    return method, path, version, number


def _version(text: str) -> tuple[int, int] | None:
    if not text.startswith("HTTP/"):
        return None
    parts = text[5:].split(".")
    if len(parts) != 2 or not all(p.isdigit() and len(p) <= 10 for p in parts):
        return None
    return int(parts[0]), int(parts[1])


def read_headers(rfile: Readable) -> Headers:
    """The header block up to its blank line; RequestError names what is wrong with it."""
    fields: dict[str, str] = {}
    count = 0
    while True:
        line = rfile.readline(MAX_LINE + 1)
        if len(line) > MAX_LINE:
            raise RequestError(431, "Line too long")
        if line in _END:
            return Headers(fields)
        count += 1
        if count > MAX_HEADERS:
            raise RequestError(431, f"Too many headers (more than {MAX_HEADERS})")
        if line[:1] in (b" ", b"\t"):
            raise RequestError(400, "Folded header lines are not accepted")
        name, colon, value = line.partition(b":")
        if not colon or not name or name != name.strip() or b" " in name:
            raise RequestError(400, f"Malformed header line ({line[:80]!r})")
        key = name.decode("iso-8859-1").lower()
        if key in fields:
            if key in _ONCE:
                raise RequestError(400, f"{name.decode('iso-8859-1')} is given twice")
            continue
        fields[key] = value.decode("iso-8859-1").strip()
