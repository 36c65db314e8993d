"""Files from and to the user, safely: every command that reads or writes a file goes through here.

Reading: only a regular file (a FIFO, a device or a directory is refused before it can hang or
grow without bound), with a cap on the bytes actually read (st_size is not trusted: /proc and
/dev files say 0). Writing: only a new path or an existing regular file, never the live database,
its -wal/-shm/-journal files, the backups folder or a file in it (a new file beside the backups
is fine), or anything under /proc, /sys or /dev.

Standard library only: the domain's rules do not need it, every layer above may use it.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterable
from pathlib import Path

DEFAULT_READ_CAP = 64 * 1024 * 1024
_CHUNK = 1024 * 1024
_SYSTEM_ROOTS = (Path("/proc"), Path("/sys"), Path("/dev"))
_DB_SIDES = ("-wal", "-shm", "-journal")


class PathRefused(ValueError):
    """A path the command must not read or write (bad input: exit 2, one line)."""


def _name(path: Path) -> str:
    return str(path) if str(path) else "''"


def _under(path: Path, root: Path) -> bool:
    return path == root or root in path.parents


def _resolved(path: Path) -> Path:
    try:
        return path.resolve()
    except (OSError, RuntimeError):  # a symlink loop
        raise PathRefused(f"{_name(path)}: the path cannot be resolved (a symlink loop?)") from None


def _check_raw(path: Path | str) -> Path:
    text = str(path)
    if not text or text == ".":
        raise PathRefused("an empty file name was given")
    if "\x00" in text:
        raise PathRefused("the file name holds a NUL character")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise PathRefused("the file name is not valid UTF-8") from None
    return Path(text)


def input_regular_file(path: Path | str, what: str = "file") -> Path:
    """PATH if it is an existing regular file, else PathRefused naming what it is."""
    path = _check_raw(path)
    try:
        mode = os.stat(path).st_mode
    except FileNotFoundError:
        raise PathRefused(f"{path} cannot be opened: no such {what}") from None
    except OSError as exc:
        raise PathRefused(f"{path}: cannot be read ({exc.strerror or exc})") from None
    if not stat.S_ISREG(mode):
        raise PathRefused(f"{path}: {kind_of(mode)}, not a regular file")
    if any(_under(_resolved(path), root) for root in _SYSTEM_ROOTS):
        raise PathRefused(f"{path}: a system file, not a regular file")
    return path


def kind_of(mode: int) -> str:
    """What a file mode says the file is, in words."""
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a pipe (FIFO)"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a regular file"


def read_capped(path: Path | str, *, cap: int = DEFAULT_READ_CAP, what: str = "file") -> bytes:
    """The bytes of the regular file PATH, at most CAP of them (counted as read): more is refused.
    Opened non-blocking so that a FIFO swapped in after the check cannot hang the open."""
    path = input_regular_file(path, what)
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except OSError as exc:
        raise PathRefused(f"{path}: cannot be read ({exc.strerror or exc})") from None
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise PathRefused(f"{path}: not a regular file")
        chunks: list[bytes] = []
        total = 0
        while True:
            try:
                chunk = os.read(fd, min(_CHUNK, cap + 1 - total))
            except OSError as exc:
                raise PathRefused(f"{path}: cannot be read ({exc.strerror or exc})") from None
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
            if total > cap:
                raise PathRefused(f"{path}: a {what} may be at most {cap:,} bytes; this one is larger")
        return b"".join(chunks)
    finally:
        os.close(fd)


def protected_paths(db_path: Path | None) -> list[Path]:
    """The live database, its side files and its backups folder: never an output."""
    if db_path is None:
        return []
    db = _resolved(db_path)
    return [db, *(db.with_name(db.name + s) for s in _DB_SIDES), db.with_name("backups")]


def output_path(path: Path | str, *, protected: Iterable[Path] = (), what: str = "file") -> Path:
    """PATH if a command may write it: a new file (under folders that exist or not), or an existing
    regular file that is none of PROTECTED (nor in the backups folder) and not a system file."""
    path = _check_raw(path)
    resolved = _resolved(path)
    if any(_under(resolved, root) for root in _SYSTEM_ROOTS):
        raise PathRefused(f"{path}: a system path; write the {what} to a regular file")
    for keep in protected:
        inside = resolved.parent == keep or keep in resolved.parents
        if (resolved == keep or _same_file(path, keep)
                or (inside and (resolved.exists() or resolved.is_symlink()))):
            raise PathRefused(f"{path}: this is imdesk's live database or its backups; "
                              f"write the {what} somewhere else")
    try:
        mode = os.stat(path).st_mode
    except FileNotFoundError:
        mode = None
    except OSError as exc:
        raise PathRefused(f"{path}: cannot be written ({exc.strerror or exc})") from None
    if mode is not None and not stat.S_ISREG(mode):
        raise PathRefused(f"{path}: {kind_of(mode)}; write the {what} to a regular file")
    if str(path).endswith(os.sep) or path.name in ("", ".", ".."):
        raise PathRefused(f"{path}: a folder; name the {what} to write")
    folder = resolved.parent
    while not folder.exists() and folder != folder.parent:
        folder = folder.parent
    if not folder.is_dir():
        raise PathRefused(f"{path}: {folder} is a file, not a folder")
    return path  # a missing folder: each writer makes it or says so


def _same_file(a: Path, b: Path) -> bool:
    try:
        return os.path.samefile(a, b)
    except (OSError, ValueError):
        return False


def write_atomic(path: Path, data: bytes, *, mode: int = 0o644) -> None:
    """``data`` as ``path`` in one piece: written beside it, flushed to disk, renamed over it —
    a reader never sees half a file, and a failed write leaves the old one."""
    import tempfile

    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.stem}-", suffix=path.suffix, dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
