"""Files: atomic writes (a file is either the old one or the whole new one, never half of either), and
bounded reads."""

from __future__ import annotations

import contextlib
import os
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from smcheck.errors import CannotOpen, OutputExists, SmcheckError


def read_capped(handle: BinaryIO, limit: int) -> bytes:
    """At most ``limit + 1`` bytes of an open file, so that an oversized file is noticed unread.

    It asks for the file's size plus one byte, not for ``limit + 1``: a read allocates what it asks for,
    and a megabyte per record was most of a batch's reading time. A file that reports no size (a pipe)
    or grew since is read on, still to at most ``limit + 1`` bytes.
    """
    want = min(os.fstat(handle.fileno()).st_size, limit) + 1
    data = handle.read(want)
    if len(data) == want and want <= limit:
        data += handle.read(limit + 1 - want)
    return data


def _kind(mode: int) -> str | None:
    """What a file that is not a regular file is, in words (None for a regular file)."""
    if stat.S_ISREG(mode):
        return None
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a named pipe (FIFO)"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    return "not a regular file"


_OPEN_FLAGS = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)
"""Opening never waits: a FIFO opened without O_NONBLOCK blocks until someone writes to it."""


def read_regular(path: Path, limit: int) -> bytes:
    """At most ``limit + 1`` bytes of ``path``, which must be a regular file (or a link to one).

    A folder, a FIFO, a device or a socket (or a link to one) is refused unread, and opening never
    blocks, so a file someone else controls cannot make smcheck wait for ever or read a device. Raises
    :class:`~smcheck.errors.CannotOpen` naming the file and why.
    """
    try:
        kind = _kind(path.stat().st_mode)  # before opening: opening a device can act on it
        if kind is not None:
            raise CannotOpen(str(path), f"is {kind}, not a regular file: not read")
        fd = os.open(path, _OPEN_FLAGS)
    except FileNotFoundError:
        raise CannotOpen(str(path), "no such file") from None
    except PermissionError:
        raise CannotOpen(str(path), "permission denied") from None
    except OSError as exc:
        raise CannotOpen(str(path), f"cannot read ({exc.strerror})") from None
    try:
        kind = _kind(os.fstat(fd).st_mode)  # again, on what was opened: it may have been swapped
        if kind is not None:
            raise CannotOpen(str(path), f"is {kind}, not a regular file: not read")
        with os.fdopen(fd, "rb") as handle:
            fd = -1
            return read_capped(handle, limit)
    except OSError as exc:
        raise CannotOpen(str(path), f"cannot read ({exc.strerror})") from None
    finally:
        if fd >= 0:
            os.close(fd)


def find_files(paths: list[Path], suffixes: tuple[str, ...]) -> Iterator[Path | CannotOpen]:
    """Files as given; folders walked recursively for names ending in one of ``suffixes``, in a stable
    order (sorted), so runs repeat. Symbolic links to folders are not followed (no loops); a folder
    that cannot be read is reported. What is found is not opened here: a FIFO or a device named like a
    record is refused when it is read (:func:`read_regular`)."""
    for path in paths:
        if not path.is_dir():
            yield path
            continue
        errors: list[OSError] = []
        for root, folders, files in os.walk(path, onerror=errors.append):
            folders.sort()
            for name in sorted(files):
                if name.endswith(suffixes):
                    yield Path(root) / name
            while errors:
                error = errors.pop(0)
                yield CannotOpen(str(error.filename), f"cannot read ({error.strerror})")
        for error in errors:
            yield CannotOpen(str(error.filename), f"cannot read ({error.strerror})")


def atomic_write(path: Path, data: bytes, *, overwrite: bool, mode: int = 0o644) -> None:
    """Write ``data`` to ``path`` atomically.

    The bytes go to a temporary file in the same folder, are flushed to disk, then moved into place.
    Without ``overwrite`` an existing file is never replaced: the final step is a hard link, which the
    operating system refuses atomically when the name is taken (no check-then-write race).
    """
    folder = path.parent if str(path.parent) else Path()
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise SmcheckError(f"cannot create folder {folder}: {exc.strerror}") from exc
    if not overwrite and path.exists():
        raise OutputExists(f"{path} already exists", hint="choose another --output, or add --force")
    import tempfile  # here, not at the top: reading commands never pay for it

    try:
        fd, tmp_name = tempfile.mkstemp(dir=folder, prefix=f".{path.name}.", suffix=".tmp")
    except OSError as exc:
        raise SmcheckError(f"cannot write in {folder}: {exc.strerror}") from exc
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        tmp.chmod(mode)
        if overwrite:
            tmp.replace(path)
        else:
            try:
                os.link(tmp, path)
            except FileExistsError:
                raise OutputExists(
                    f"{path} already exists", hint="choose another --output, or add --force"
                ) from None
            except OSError:
                # A file system without hard links: fall back to a checked rename.
                if path.exists():
                    raise OutputExists(
                        f"{path} already exists", hint="choose another --output, or add --force"
                    ) from None
                tmp.replace(path)
    except OSError as exc:
        raise SmcheckError(f"cannot write {path}: {exc.strerror}") from exc
    finally:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
