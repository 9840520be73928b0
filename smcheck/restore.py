"""Restoration advice: the exact command that undoes what Windows or an e-mail program did to a record.

A record that only gained a byte-order mark or CRLF line endings on its way is refused as it is (its bytes
are what was signed), with a POSIX shell command that writes the original bytes beside it.
"""

from __future__ import annotations

from typing import NamedTuple, assert_never

from smcheck.fsutil import name_beside
from smcheck.layout import read_layout
from smcheck.record import SUFFIX, RecordError, Seal, sha256
from smcheck.text import is_clean, shell_word

BOM = b"\xef\xbb\xbf"
"""The UTF-8 byte-order mark some Windows editors put at the start of a file they save."""

RESTORED = ".restored" + SUFFIX
"""How a restored copy is named beside the file: ``x.smcheck.toml`` -> ``x.restored.smcheck.toml``
(still a record's suffix, so ``verify FOLDER`` and ``status`` find it)."""


class Restoration(NamedTuple):
    """How a record file changed on its way (by Windows, or an e-mail program) can be undone exactly.

    tomli-w never writes a raw CR byte (it escapes one in a string as ``\\r``), so a record holds none:
    removing every CR undoes CRLF line endings, and removing the first three bytes undoes a BOM.
    """

    causes: tuple[str, ...]
    """What happened to the file, in words, e.g. "the file's line endings were changed to CRLF"."""
    command: str | None
    """A portable POSIX shell command that writes the restored copy beside the file; None when the path
    holds a character a terminal would not show as it is (the command could not be copied)."""
    output: str
    """The path the command writes to."""
    restored: bytes
    """The bytes the command writes (a well-formed record layout)."""
    intact: bool
    """Whether the restored content matches its SHA-256 digest: nothing but the line endings or the BOM
    was changed."""

    @property
    def cause(self) -> str:
        """What happened, as one clause."""
        return " and ".join(self.causes)

    @property
    def advice(self) -> str:
        """What to do about it: the command, or why there is none."""
        if self.command is None:
            return (
                "to restore it, rename the file to plain characters and run smcheck verify on it again"
                " for the command"
            )
        return f"to restore the original bytes, run: {self.command}"


MAX_RESTORED_NAMES = 100
"""How many names :func:`restored_path` tries (``-2`` ... ``-100``) before it gives up looking."""


def restored_path(source: str) -> str:
    """Where the restored copy of ``source`` is written: beside it, named ``NAME.restored.smcheck.toml``,
    or ``NAME.restored-2.smcheck.toml`` (``-3``...) when that name is taken, by a file or by a link (even
    one to nothing): the suggested command must not overwrite anything, nor write through a link.
    Looked up relative to the current folder, where the command is run."""
    return name_beside(source, "restored", SUFFIX, tries=MAX_RESTORED_NAMES)


def restore_command(source: str, output: str, *, bom: bool, crlf: bool) -> str:
    """The POSIX shell command that undoes a BOM and/or CRLF line endings, writing ``output``. Both paths
    are shell-quoted and redirected, never arguments, so a name starting with ``-`` is no option.

    It runs with ``set -C`` (noclobber) in a subshell: the redirection then refuses a regular file, a
    link to one, and a link to nothing (the shell creates the file with ``O_EXCL``), so a file made or
    a link planted at ``output`` after the command was suggested is refused, not overwritten or written
    through. (POSIX lets noclobber write to an existing non-regular file, such as a device: a link to
    one, planted in that moment, would still be written to.)"""
    src, out = shell_word(source), shell_word(output)
    if bom and crlf:
        return f"(set -C; tail -c +4 < {src} | tr -d '\\r' > {out})"
    if bom:
        return f"(set -C; tail -c +4 < {src} > {out})"
    return f"(set -C; tr -d '\\r' < {src} > {out})"


def restoration(data: bytes, source: str) -> Restoration | None:
    """If ``data`` is a record that only gained a BOM and/or CRLF line endings, how to restore it.

    The undoing is applied here first: a command is offered only when its output reads as a record's
    layout (content, marker, signature entries). None when there is nothing to undo or undoing it would
    not give a record (a file damaged some other way, a stray CR that is not part of a CRLF).
    """
    bom = data.startswith(BOM)
    crlf = b"\r" in data
    if crlf and data.count(b"\r") != data.count(b"\r\n"):
        return None  # not CRLF line endings: removing every CR would not be the inverse
    if not (bom or crlf):
        return None
    restored = data[len(BOM) :] if bom else data
    restored = restored.replace(b"\r", b"") if crlf else restored
    try:
        content, seals = read_layout(restored)
    except RecordError:
        return None
    digests = [seal.digest for seal in seals if seal.method == "sha256"]
    causes = (
        *(("a byte-order mark (BOM) was added at the start of the file",) if bom else ()),
        *(("the file's line endings were changed to CRLF (Windows)",) if crlf else ()),
    )
    output = restored_path(source)
    plain = is_clean(source) and is_clean(output)
    return Restoration(
        causes=causes,
        command=restore_command(source, output, bom=bom, crlf=crlf) if plain else None,
        output=output,
        restored=restored,
        intact=digests == [sha256(content)],
    )


def _other_kind(data: bytes, source: str) -> RecordError | None:
    """For a file with no signatures marker: what it is when it was made for something else
    (:mod:`smcheck.filekinds`), with the command that takes it; None for anything else."""
    from smcheck.filekinds import Kind, of_bytes
    from smcheck.text import as_run

    word = shell_word(source)
    match of_bytes(data):
        case Kind.DRAFT:
            # A draft sent or checked by mistake: say what it is and what finishes it.
            code, said = (
                "draft",
                "the file is a draft (unfinished answers, never signed off), not a record: its"
                " proposer finishes the interview with "
                + as_run(f"smcheck new --resume {word}")
                + ", then sends the record it writes",
            )
        case Kind.ANSWERS:
            code, said = (
                "answers-file",
                "the file is an answers file, not a record: a record is made from it with "
                + as_run(f"smcheck new --answers {word}"),
            )
        case Kind.CHECKLIST:
            code, said = (
                "checklist",
                "the file is a checklist, not a record: it is checked with "
                + as_run(f"smcheck checklist lint {word}"),
            )
        case Kind.PRIVATE_KEY:
            code, said = (
                "private-key",
                "the file is a private key, not a record: keep it to yourself, never send it",
            )
        case Kind.PUBLIC_KEYS:
            code, said = (
                "key-file",
                "the file holds public keys (a .pub file, or a trust file), not a record: a trust"
                " file is given with --allowed-signers",
            )
        case Kind.RECORD | None:  # a record that lost its marker (cut short): said as such
            return None
        case unknown:
            assert_never(unknown)
    return RecordError("well-formed", code, said)


def read_layout_advised(data: bytes, source: str) -> tuple[bytes, tuple[Seal, ...]]:
    """:func:`~smcheck.layout.read_layout` for the file ``source`` (its path, as the user gave it): a file
    that Windows or an e-mail program changed (CRLF line endings, a byte-order mark) is refused with the
    command that restores its original bytes."""
    try:
        return read_layout(data)
    except RecordError as exc:
        if exc.code == "no-marker":
            other = _other_kind(data, source)
            if other is not None:
                raise other from None
        if exc.code not in ("bom", "line-endings"):
            raise
        fix = restoration(data, source)
        if fix is None:
            raise
        raise RecordError(
            exc.check,
            exc.code,
            f"{fix.cause}: an editor or an e-mail program re-saved it; {fix.advice}",
        ) from None
