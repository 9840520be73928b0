"""Files: atomic writes (a file is either the old one or the whole new one, never half of either), and
bounded reads."""

from __future__ import annotations

import contextlib
import errno
import os
import stat
from collections.abc import Callable, Iterator
from pathlib import Path
from types import ModuleType

from smcheck.errors import CannotOpen, OutputExists, SmcheckError


def read_capped(fd: int, limit: int, size: int | None = None) -> bytes:
    """At most ``limit + 1`` bytes of an open file descriptor, so that an oversized file is noticed
    unread.

    It asks for the file's size (``size``, else its ``fstat``) plus one byte, not for ``limit + 1``: a
    read allocates what it asks for, and a megabyte per record was most of a batch's reading time. Then
    it reads on to the end (one byte, to see it, when the first read came short; a file that reports no
    size, such as a pipe, or grew since, is read on in larger reads), never beyond ``limit + 1`` bytes.
    With the system's calls, no file object: a folder of records is read one small file after another,
    and the object and its buffer were a third of the reading.
    """
    cap = limit + 1
    want = min(os.fstat(fd).st_size if size is None else size, limit) + 1
    first = os.read(fd, want)
    parts = [first]
    got = len(first)
    ask = 1 if got < want else 1 << 16
    while first and got < cap:
        part = os.read(fd, min(cap - got, ask))
        if not part:
            break
        parts.append(part)
        got += len(part)
        ask = 1 << 16
    return first if len(parts) == 1 else b"".join(parts)


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


def read_regular(path: str | os.PathLike[str], limit: int) -> bytes:
    """At most ``limit + 1`` bytes of ``path``, which must be a regular file (or a link to one).

    A folder, a FIFO, a device or a socket (or a link to one) is refused unread, and opening never
    blocks, so a file someone else controls cannot make smcheck wait for ever or read a device. Raises
    :class:`~smcheck.errors.CannotOpen` naming the file and why.
    """
    try:
        # Before opening: opening a device can act on it. (os.stat: a Path built for each file of a
        # folder was a sixth of reading it.)
        kind = _kind(os.stat(path).st_mode)  # noqa: PTH116
        if kind is not None:
            raise CannotOpen(os.fspath(path), f"is {kind}, not a regular file: not read")
        fd = os.open(path, _OPEN_FLAGS)
    except FileNotFoundError:
        raise CannotOpen(os.fspath(path), "no such file") from None
    except PermissionError:
        raise CannotOpen(os.fspath(path), "permission denied") from None
    except OSError as exc:
        raise CannotOpen(os.fspath(path), f"cannot read ({exc.strerror})") from None
    try:
        status = os.fstat(fd)
        kind = _kind(status.st_mode)  # again, on what was opened: it may have been swapped
        if kind is not None:
            raise CannotOpen(os.fspath(path), f"is {kind}, not a regular file: not read")
        return read_capped(fd, limit, status.st_size)
    except OSError as exc:
        raise CannotOpen(os.fspath(path), f"cannot read ({exc.strerror})") from None
    finally:
        os.close(fd)


MAX_FOLDER_DEPTH = 64
"""How many folders deep :func:`find_files` searches below a folder it is given. A register is a few
folders deep; a tree deeper than this is someone's mistake or an attack (Python's own ``os.walk``
recursed, and a tree deeper than the recursion limit crashed it), so what lies below is reported as not
searched, never walked."""

MAX_LINK_NOTES = 20
"""Links to folders noted one by one, before one line counts the rest: a folder of links cannot flood
the messages."""


def find_files(
    paths: list[Path],
    suffixes: tuple[str, ...],
    *,
    notify: Callable[[str], None] | None = None,
) -> Iterator[Path | CannotOpen]:
    """Files as given; folders searched for names ending in one of ``suffixes``, in a stable order
    (each folder's files sorted, then its subfolders in sorted order), so runs repeat.

    What is not searched is said, never a crash: a folder that cannot be read, and one more than
    :data:`MAX_FOLDER_DEPTH` folders below the one given, each come as a
    :class:`~smcheck.errors.CannotOpen` (the report shows it as a file that could not be opened); a
    symbolic link to a folder is not followed (no loops), and ``notify`` is told of it. The walk keeps
    its own stack, so no depth of folders can exhaust Python's recursion limit. What is found is not
    opened here: a FIFO or a device named like a record is refused when it is read
    (:func:`read_regular`)."""
    links = 0
    for path in paths:
        if not path.is_dir():
            yield path
            continue
        stack: list[tuple[Path, int]] = [(path, 0)]
        while stack:
            folder, depth = stack.pop()
            files: list[str] = []
            folders: list[str] = []
            linked: list[str] = []
            try:
                # Only the names are kept, each entry sorted as it is read (a list of the entries
                # themselves, each with its full path, was most of the memory a large folder took
                # before its first record was read). The folder is closed before anything is yielded.
                with os.scandir(folder) as listing:
                    for entry in listing:
                        if not _is_folder(entry):
                            files.append(entry.name)
                        elif _is_link(entry):
                            linked.append(entry.name)
                        else:
                            folders.append(entry.name)
            except OSError as exc:
                yield CannotOpen(str(folder), f"cannot read ({exc.strerror})")
                continue
            for name in linked:
                links += 1
                if notify is not None and links <= MAX_LINK_NOTES:
                    notify(
                        f"{folder / name}: a link to a folder, not followed"
                        " (give the folder itself to search it)"
                    )
            for name in sorted(files):
                if name.endswith(suffixes):
                    yield folder / name
            if depth >= MAX_FOLDER_DEPTH:
                for name in sorted(folders):
                    yield CannotOpen(
                        str(folder / name),
                        f"more than {MAX_FOLDER_DEPTH} folders deep: not searched",
                        hint="give this folder itself to search what is in it",
                    )
                continue
            stack.extend((folder / name, depth + 1) for name in sorted(folders, reverse=True))
    if notify is not None and links > MAX_LINK_NOTES:
        notify(f"{links - MAX_LINK_NOTES} more links to folders were not followed")


def _is_folder(entry: os.DirEntry[str]) -> bool:
    """Whether an entry is a folder, or a link to one (an entry that vanished or cannot be asked is
    not: it is listed as a file, and reading it says why it cannot be read)."""
    try:
        return entry.is_dir()
    except OSError:
        return False


def _is_link(entry: os.DirEntry[str]) -> bool:
    try:
        return entry.is_symlink()
    except OSError:
        return False


FORCE_HINT = "choose another --output, or add --force"
"""What to do about an output that is already there (commands that write with ``--force``)."""

LINK_HINT = (
    "choose another --output, or add --force to replace the link itself (what it points to is left"
    " alone)"
)
"""What to do about a symbolic link where an output would go."""


def refuse_existing(path: Path, *, overwrite: bool, links: bool, hint: str | None = None) -> None:
    """Raise :class:`~smcheck.errors.OutputExists` unless ``path`` may be written.

    Nothing there is fine. A symbolic link (even one to nothing) is refused unless ``links``: smcheck
    never writes through one, and with ``links`` it replaces the link itself. Anything else is refused
    unless ``overwrite``. ``hint`` replaces the --output/--force hint. This is the early check, for a
    clear message before work is done; :func:`atomic_write` makes the same decision again when it
    writes, without a race.
    """
    try:
        mode = os.lstat(path).st_mode
    except OSError:
        return  # nothing there (or nothing to tell yet): writing says what is wrong, if anything
    if stat.S_ISLNK(mode):
        if not links:
            raise OutputExists(
                f"{path} is a symbolic link: smcheck does not write through a link",
                hint=hint or LINK_HINT,
            )
    elif not overwrite:
        raise OutputExists(f"{path} already exists", hint=hint or FORCE_HINT)


def atomic_write(
    path: Path,
    data: bytes,
    *,
    overwrite: bool,
    mode: int = 0o666,
    links: bool = False,
    hint: str | None = None,
) -> None:
    """Write ``data`` to ``path`` atomically.

    The bytes go to a temporary file in the same folder, are flushed to disk, then moved into place.
    Without ``overwrite`` an existing file is never replaced: the final step is a hard link, which the
    operating system refuses atomically when the name is taken (no check-then-write race). A symbolic
    link at ``path`` is never written through: it is refused, or with ``links`` (the user's --force)
    replaced itself. A new file gets ``mode`` narrowed by the umask, as ``open(2)`` gives it (0o666:
    0o644 under the usual umask 022; a private key asks for 0o600); a file replaced keeps its mode.
    ``hint`` replaces the --output/--force hint of a refusal.
    """
    folder = path.parent if str(path.parent) else Path()
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise SmcheckError(f"cannot create folder {folder}: {exc.strerror}") from exc
    refuse_existing(path, overwrite=overwrite, links=links, hint=hint)
    keep: int | None = None
    if overwrite:
        with contextlib.suppress(OSError):
            now = os.lstat(path)
            if stat.S_ISREG(now.st_mode):
                keep = stat.S_IMODE(now.st_mode) & 0o777  # never set-id bits on a copy we write
    fd, tmp = _temporary(folder, path.name, mode)
    try:
        with os.fdopen(fd, "wb") as handle:
            if keep is not None:
                os.fchmod(handle.fileno(), keep)  # before the data: a 0600 record never shows wider
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        if overwrite:
            if not links and path.is_symlink():
                # A link put there since the check above: still never replaced without --force.
                refuse_existing(path, overwrite=overwrite, links=links, hint=hint)
            tmp.replace(path)  # a rename replaces a link itself, never what it points to
        else:
            try:
                os.link(tmp, path)  # never follows a link at ``path``: refused, as any name taken
            except FileExistsError:
                refuse_existing(path, overwrite=False, links=False, hint=hint)
                raise OutputExists(f"{path} already exists", hint=hint or FORCE_HINT) from None
            except OSError:
                # A file system without hard links: fall back to a checked rename.
                refuse_existing(path, overwrite=False, links=False, hint=hint)
                tmp.replace(path)
        _sync_folder(folder)
    except OSError as exc:
        raise SmcheckError(f"cannot write {path}: {exc.strerror}") from exc
    finally:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()


def _temporary(folder: Path, name: str, mode: int) -> tuple[int, Path]:
    """A new temporary file beside the output, open for writing, made with ``mode`` through the umask.

    Not :func:`tempfile.mkstemp`: it makes every file 0600, and a chmod afterwards cannot know the umask
    without changing it (``os.umask`` is process-wide). ``open(2)`` applies the umask itself.
    """
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
    flags |= getattr(os, "O_CLOEXEC", 0)
    for _ in range(100):
        tmp = folder / f".{name[:80]}.{os.urandom(6).hex()}.tmp"
        try:
            return os.open(tmp, flags, mode), tmp
        except FileExistsError:
            continue
        except OSError as exc:
            raise SmcheckError(f"cannot write in {folder}: {exc.strerror}") from exc
    raise SmcheckError(f"cannot write in {folder}: no free temporary name")


def _sync_folder(folder: Path) -> None:
    """Flush the folder's entry for a file just renamed into it (best effort: not every system can)."""
    try:
        fd = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


LOCK_WAIT = 30.0
"""Seconds to wait for another smcheck to finish with a file (its work under the lock is milliseconds)."""


def rewrite_locked(path: Path, change: Callable[[bytes], bytes], *, limit: int) -> bytes:
    """Replace ``path`` with ``change(current)``, where ``current`` is read under an exclusive lock.

    The lock (``flock`` on the file itself: no lock file is left in the folder) is held from the read to
    the rename, so two smcheck commands rewriting one file take turns and neither loses the other's
    change: the second one's ``change`` sees the first one's bytes, and may build on them or raise to
    write nothing. A rename by the other writer replaces the locked file, so after the lock is taken
    ``path`` must still name the file locked, else it is opened and locked again. ``path`` must be a
    regular file, not a symbolic link (never written through). The file keeps its mode. Returns the
    bytes written. Where the system has no locks, ``change`` still sees the bytes as they are now.
    """
    with _locked(path) as fd:
        current = _read_fd(fd, limit)
        after = change(current)
        atomic_write(path, after, overwrite=True)
    return after


def _read_fd(fd: int, limit: int) -> bytes:
    """At most ``limit + 1`` bytes of an open file, from its start."""
    os.lseek(fd, 0, os.SEEK_SET)
    parts: list[bytes] = []
    left = limit + 1
    while left > 0:
        part = os.read(fd, min(left, 1 << 16))
        if not part:
            break
        parts.append(part)
        left -= len(part)
    return b"".join(parts)


@contextlib.contextmanager
def _locked(path: Path) -> Iterator[int]:
    """An open descriptor of ``path``'s file, exclusively locked, while ``path`` still names that file."""
    try:
        import fcntl
    except ImportError:  # not POSIX: no advisory locks; the caller still re-reads the bytes
        fcntl = None  # type: ignore[assignment]
    import time

    deadline = time.monotonic() + LOCK_WAIT
    while True:
        fd = _open_to_lock(path)
        try:
            if fcntl is not None and not _lock(fcntl, fd, path, deadline):
                yield fd  # the file system cannot lock: as before locks, the bytes are re-read
                return
            try:
                now = path.lstat()
            except FileNotFoundError:
                now = None  # renamed away or removed: opened again below, which says so if gone
            here = os.fstat(fd)
            if now is not None and (now.st_dev, now.st_ino) == (here.st_dev, here.st_ino):
                yield fd
                return
        finally:
            os.close(fd)  # also releases the lock
        if time.monotonic() > deadline:
            raise _busy(path)


_LINK_REFUSED = (
    "{path} is a symbolic link: smcheck does not write through a link; nothing was written"
)
_LINK_HINT = "give the file the link points to by its own name (ls -l shows it)"


def refuse_link(path: Path) -> None:
    """Refuse a symbolic link given as a file to rewrite in place (sign, approve), before any work:
    :func:`rewrite_locked` never writes through one, and replacing the link with a signed copy would
    leave the file it points to unsigned."""
    if path.is_symlink():
        raise OutputExists(_LINK_REFUSED.format(path=path), hint=_LINK_HINT)


def _open_to_lock(path: Path) -> int:
    """``path`` opened to be locked: not through a link, never blocking, and read-write where allowed,
    since NFS locks a file exclusively only through a descriptor open for writing."""
    try:
        mode = os.lstat(path).st_mode  # before opening: opening a device can act on it
    except FileNotFoundError:
        raise CannotOpen(str(path), "no such file") from None
    except OSError as exc:
        raise CannotOpen(str(path), f"cannot read ({exc.strerror})") from None
    if stat.S_ISLNK(mode):
        raise OutputExists(_LINK_REFUSED.format(path=path), hint=_LINK_HINT)
    kind = _kind(mode)
    if kind is not None:
        raise CannotOpen(str(path), f"is {kind}, not a regular file: nothing was written")
    flags = getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_CLOEXEC", 0)
    flags |= getattr(os, "O_NOFOLLOW", 0)
    try:
        try:
            fd = os.open(path, flags | os.O_RDWR)
        except OSError as exc:
            if not isinstance(exc, PermissionError) and exc.errno != errno.EROFS:
                raise
            fd = os.open(path, flags | os.O_RDONLY)  # the folder decides who may replace it
    except FileNotFoundError:
        raise CannotOpen(str(path), "no such file") from None
    except OSError as exc:
        if exc.errno == errno.ELOOP:  # a link put there since the check above
            raise OutputExists(_LINK_REFUSED.format(path=path), hint=_LINK_HINT) from None
        raise CannotOpen(str(path), f"cannot read ({exc.strerror})") from None
    kind = _kind(os.fstat(fd).st_mode)  # again, on what was opened: it may have been swapped
    if kind is not None:
        os.close(fd)
        raise CannotOpen(str(path), f"is {kind}, not a regular file: nothing was written")
    return fd


def _lock(fcntl: ModuleType, fd: int, path: Path, deadline: float) -> bool:
    """Take the exclusive lock on ``fd``, waiting until ``deadline``; False where the file system has
    no locks (the caller goes on without one)."""
    import time

    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return True
        except BlockingIOError:
            if time.monotonic() > deadline:
                raise _busy(path) from None
            time.sleep(0.01)
        except OSError as exc:
            if exc.errno in (errno.ENOLCK, errno.EOPNOTSUPP, errno.EINVAL, errno.EBADF):
                return False
            raise SmcheckError(f"cannot lock {path}: {exc.strerror}") from exc


def _busy(path: Path) -> SmcheckError:
    return SmcheckError(
        f"{path} is being changed by another smcheck command, which did not finish within"
        f" {LOCK_WAIT:.0f} seconds: nothing was written",
        hint="wait for the other command to finish, then run this one again",
    )


def name_beside(source: str, tag: str, suffix: str, *, tries: int = 100) -> str:
    """A name for a file a suggested command writes beside ``source``: its name without ``suffix`` (or
    ``.toml``), then ``.TAG`` and ``suffix`` (``x.smcheck.toml`` -> ``x.TAG.smcheck.toml``), or ``.TAG-2``
    ... ``.TAG-<tries>`` while the name is taken, by a file or by a link (even one to nothing): the
    command must not overwrite anything, nor write through a link. As the user gave ``source``: looked
    up relative to the current folder, where the command is run."""
    folder, _, name = source.rpartition("/")
    for ending in (suffix, ".toml"):
        if name.endswith(ending) and len(name) > len(ending):
            name = name[: -len(ending)]
            break
    prefix = f"{folder}/{name}" if folder or source.startswith("/") else name
    candidate = f"{prefix}.{tag}{suffix}"
    for number in range(2, tries + 1):
        if not os.path.lexists(candidate):
            break
        candidate = f"{prefix}.{tag}-{number}{suffix}"
    return candidate
