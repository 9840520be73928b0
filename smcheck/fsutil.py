"""Files: atomic writes (a file is either the old one or the whole new one, never half of either), and
bounded reads."""

from __future__ import annotations

import contextlib
import os
from pathlib import Path
from typing import BinaryIO

from smcheck.errors import OutputExists, SmcheckError


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
