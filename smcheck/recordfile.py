"""Record files for the commands that read or rewrite one: size-capped reads, one-line errors, locked rewrites."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

from smcheck.fsutil import read_regular
from smcheck.layout import MAX_RECORD_BYTES
from smcheck.record import SUFFIX, RecordError, RecordFile, Seal, parse_content
from smcheck.restore import read_layout_advised
from smcheck.text import shell_word


def read_limited(path: str | os.PathLike[str], limit: int = MAX_RECORD_BYTES) -> bytes:
    """At most ``limit + 1`` bytes of a record file (so an oversized file is detected without reading it
    all); only a regular file is read (:func:`~smcheck.fsutil.read_regular`).

    Raises :class:`CannotOpen` for files that cannot be opened at all.
    """
    return read_regular(path, limit)


def changed_meanwhile(path: Path) -> Exception:
    """The refusal of a command whose record changed after it read it (another signature landed)."""
    from smcheck.errors import SmcheckError

    return SmcheckError(
        f"{path} changed while smcheck worked on it (someone else signed it?): nothing was written",
        hint="run the same command again",
    )


def rewrite_record(
    path: Path,
    before: bytes,
    after: bytes,
    *,
    again: Callable[[bytes], bytes] | None = None,
) -> bytes:
    """Replace a record atomically with ``after``, under an exclusive lock on the file, and return the
    bytes written. The file keeps its mode; a link is never written through.

    If the record changed since ``before`` was read (someone else's signature landed meanwhile), it is
    not overwritten: ``again`` is given the bytes as they are now, under the same lock, and returns what
    to write instead or raises to write nothing; without ``again`` it is refused
    (:func:`changed_meanwhile`). Two commands at once thus take turns, and neither decision is lost.
    """
    from smcheck.fsutil import rewrite_locked

    def change(current: bytes) -> bytes:
        if current == before:
            return after
        if again is None:
            raise changed_meanwhile(path)
        return again(current)

    return rewrite_locked(path, change, limit=MAX_RECORD_BYTES)


def open_record(path: Path) -> tuple[bytes, RecordFile]:
    """A record file for a command that works on one (show, export, renew, diff): its bytes, parsed.

    Raises :class:`~smcheck.errors.CannotOpen` or :class:`~smcheck.errors.FileProblem` (one line, with
    a hint to run verify), never a traceback.
    """
    data = read_limited(path)
    content, seals = read_layout_of(path, data)
    try:
        return data, RecordFile(content, parse_content(content), seals)
    except RecordError as exc:
        raise _problem(path, exc) from None


def read_layout_of(path: Path, data: bytes) -> tuple[bytes, tuple[Seal, ...]]:
    """:func:`~smcheck.layout.read_layout` for a command given a file: a file that is not a record is one clear error
    (:class:`~smcheck.errors.FileProblem`) naming it, never a traceback."""
    try:
        return read_layout_advised(data, str(path))
    except RecordError as exc:
        raise _problem(path, exc) from None


def _problem(path: Path, exc: RecordError) -> Exception:
    from smcheck.errors import FileProblem

    return FileProblem(
        str(path), [f"{path}: {exc.message}"], hint=f"smcheck verify {shell_word(path)}"
    )


def note_unfound_name(output: Path) -> None:
    """Say, before anything is asked or written, when a record's chosen name does not end in
    ``.smcheck.toml``: ``verify`` and ``status`` find the records in a folder by that ending alone, so a
    reviewer's folder run would pass over it in silence."""
    if not output.name.endswith(SUFFIX):
        from smcheck import console

        console.note(
            f"{output} does not end in {SUFFIX}: smcheck verify and status find a record in a folder"
            f" only by that ending, so name it like {output.name.removesuffix('.toml')}{SUFFIX}"
        )
