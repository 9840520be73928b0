"""The signed-off record: its model, its exact byte layout, and a strict reader.

A record file is two parts::

    <content: a TOML document>            <- the bytes every digest and signature covers
    # --- smcheck signatures: ... ---      <- the marker line, exactly once, at the start of a line
    [[signature]]                         <- the trailing part: nothing but signature entries
    method = "sha256"
    digest = "..."

Digests and signatures cover the exact bytes of the content, never a re-serialisation (TOML has no
canonical form). The content is parsed from those bytes alone; the trailing part must parse to nothing but
``[[signature]]`` entries, so it can grow (a proposer's signature, a reviewer's approval) without the
content changing by a byte.
"""

from __future__ import annotations

import calendar
import datetime as dt
import hashlib
import re
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import NamedTuple

from smcheck import __version__
from smcheck.checklist import Checklist, Level, Value
from smcheck.fsutil import read_regular
from smcheck.outcome import Finding, Outcome, Status
from smcheck.signoff import SignOff
from smcheck.text import is_clean, shell_word
from smcheck.tomlread import Problems, Table, TomlProblem, flatten, loads_guarded, nest

SCHEMA = 1
"""The record schema this smcheck writes and reads."""

SUFFIX = ".smcheck.toml"
"""The file suffix of records."""

MAX_RECORD_BYTES = 1024 * 1024
"""Records are a few kilobytes; anything over this is refused unread."""

MARKER = b"# --- smcheck signatures: each entry below covers the exact bytes above this line ---\n"

HEADER = (
    b"# smcheck record: a signed-off answer to a policy checklist.\n"
    b"# Attach this file, unchanged, to your proposal. Check it with: smcheck verify FILE\n"
    b"# Do not edit it: any change, even to spacing, makes it fail verification.\n\n"
)

_HEX64 = re.compile(r"[0-9a-f]{64}")
_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


class Record(NamedTuple):
    """The content of a record (everything the signatures cover)."""

    schema: int
    id: str
    """A random UUID naming this record."""
    created: dt.datetime
    """When the proposer signed off (UTC, whole seconds)."""
    smcheck_version: str
    review_by: dt.date
    """When the channel is due for re-review (GG-7)."""
    checklist_id: str
    checklist_version: str
    checklist_sha256: str
    answers: Mapping[str, object]
    """Answers keyed by question id, as read (validated against the checklist by ``verify``)."""
    status: Status
    actions: tuple[Finding, ...]
    """The findings the record states (recomputed from the answers by ``verify``)."""
    signoff: SignOff
    declaration: str
    """The declaration made at sign-off, verbatim from the checklist."""


PROPOSER, REVIEWER = "proposer", "reviewer"
"""Built-in signing roles. Co-signers' roles (e.g. ``advancement-office``) are the checklist's data."""
_ROLE = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")


class Seal(NamedTuple):
    """One entry of the trailing signatures part.

    ``method = "sha256"``: the unsigned digest of the content (``digest``).
    ``method = "sshsig"``: an OpenSSH signature (``sshsig``, the base64 SSHSIG blob) by ``role``: the
    proposer's covers the content bytes; an approver's covers ``statement``, which binds the decision to
    this content and to the proposer's signature.
    """

    method: str
    digest: str | None = None
    role: str | None = None
    statement: str | None = None
    sshsig: str | None = None


class RecordFile(NamedTuple):
    """A record as read from a file: the exact content bytes, the parsed content, the trailing entries."""

    content: bytes
    record: Record
    seals: tuple[Seal, ...]


class RecordError(Exception):
    """A record file is not a well-formed record. ``check`` is the verify check it fails."""

    def __init__(self, check: str, code: str, message: str, details: tuple[str, ...] = ()) -> None:
        super().__init__(message)
        self.check = check
        self.code = code
        self.message = message
        self.details = details


# --------------------------------------------------------------------------------------------------
# Writing


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day ``months`` later, or the month's last day when it has no such day (29 Feb)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def _new_id() -> str:
    import uuid

    return str(uuid.uuid4())


def build_record(
    checklist: Checklist,
    answers: Mapping[str, Value],
    outcome: Outcome,
    signoff: SignOff,
    *,
    now: dt.datetime,
    record_id: str | None = None,
) -> Record:
    """Make the record of a finished interview."""
    created = now.astimezone(dt.UTC).replace(microsecond=0)
    return Record(
        schema=SCHEMA,
        id=record_id or _new_id(),
        created=created,
        smcheck_version=__version__,
        review_by=add_months(created.date(), checklist.review_months),
        checklist_id=checklist.id,
        checklist_version=checklist.version,
        checklist_sha256=checklist.sha256,
        answers={q.id: answers[q.id] for q in checklist.questions if q.id in answers},
        status=outcome.status,
        actions=outcome.findings,
        signoff=signoff,
        declaration=checklist.declaration,
    )


def content_document(record: Record) -> dict[str, object]:
    """The record's content as the TOML document it is written as."""
    actions: list[dict[str, object]] = []
    for a in record.actions:
        entry: dict[str, object] = {
            "rule": a.rule,
            "level": a.level.value,
            "question": a.question,
            "message": a.message,
            "action": a.action,
            "clauses": list(a.clauses),
        }
        if a.refer_to is not None:
            entry["refer_to"] = a.refer_to
        if a.explained_by is not None:
            entry["explained_by"] = a.explained_by
        actions.append(entry)
    return {
        "record": {
            "schema": record.schema,
            "id": record.id,
            "created": record.created,
            "smcheck_version": record.smcheck_version,
            "review_by": record.review_by,
        },
        "checklist": {
            "id": record.checklist_id,
            "version": record.checklist_version,
            "sha256": record.checklist_sha256,
        },
        "answers": nest(record.answers),
        "outcome": {"status": record.status.value, "actions": actions},
        "signoff": {
            "name": record.signoff.name,
            "email": record.signoff.email,
            "role": record.signoff.role,
            "department": record.signoff.department,
            "declaration": record.declaration,
        },
    }


def render(record: Record) -> bytes:
    """The record file's bytes: header, content, marker, and the trailing part with the SHA-256 digest."""
    import tomli_w

    content = HEADER + tomli_w.dumps(content_document(record)).encode("utf-8") + b"\n"
    return content + MARKER + render_seals([Seal("sha256", sha256(content))])


def render_seals(seals: list[Seal]) -> bytes:
    """Trailing-part entries, as ``[[signature]]`` tables (appendable: each render is whole tables)."""
    import tomli_w

    entries = [{k: v for k, v in seal._asdict().items() if v is not None} for seal in seals]
    return tomli_w.dumps({"signature": entries}).encode("utf-8")


def append_seal(data: bytes, seal: Seal) -> bytes:
    """The record file with one more trailing entry; the content's bytes are untouched."""
    return data + (b"" if data.endswith(b"\n") else b"\n") + b"\n" + render_seals([seal])


def sha256(data: bytes) -> str:
    """Hex SHA-256."""
    return hashlib.sha256(data).hexdigest()


# --------------------------------------------------------------------------------------------------
# Reading


def read_limited(path: Path, limit: int = MAX_RECORD_BYTES) -> bytes:
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


def split(data: bytes) -> tuple[bytes, bytes]:
    """Split a record file into its content and trailing part at the one marker line."""
    found: list[int] = []
    start = data.find(MARKER)
    while start != -1:
        if start == 0 or data[start - 1] == 0x0A:  # at the start of a line
            found.append(start)
        start = data.find(MARKER, start + 1)
    if not found:
        if MARKER.rstrip(b"\n") + b"\r\n" in data:
            raise RecordError(
                "well-formed",
                "line-endings",
                "the file's line endings were changed to CRLF (Windows); records must keep LF line endings",
            )
        raise RecordError(
            "well-formed",
            "no-marker",
            "the file has no signatures marker line, so it is not a complete record",
        )
    if len(found) > 1:
        raise RecordError(
            "well-formed", "marker-repeated", "the file has more than one signatures marker line"
        )
    start = found[0]
    return data[:start], data[start + len(MARKER) :]


def _text(data: bytes, what: str) -> str:
    if data.startswith(b"\xef\xbb\xbf"):
        raise RecordError(
            "well-formed",
            "bom",
            f"{what} starts with a byte-order mark (BOM): an editor re-saved it",
        )
    if b"\x00" in data:
        raise RecordError(
            "well-formed", "binary", f"{what} holds NUL bytes: it is binary, not a record"
        )
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise RecordError(
            "well-formed", "not-utf8", f"{what} is not UTF-8 text (bad byte at offset {exc.start})"
        ) from None


def _toml(text: str, what: str, *, depth: bool = True) -> dict[str, object]:
    try:
        return loads_guarded(text, depth=depth)
    except TomlProblem as exc:
        raise RecordError("well-formed", exc.code, f"{what} {exc.message}") from None


def parse_record(data: bytes) -> RecordFile:
    """Parse record bytes strictly; raise :class:`RecordError` naming the first check that fails."""
    content, seals = read_layout(data)
    return RecordFile(content, parse_content(content), seals)


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
    """:func:`read_layout` for a command given a file: a file that is not a record is one clear error
    (:class:`~smcheck.errors.FileProblem`) naming it, never a traceback."""
    try:
        return read_layout(data, source=str(path))
    except RecordError as exc:
        raise _problem(path, exc) from None


def _problem(path: Path, exc: RecordError) -> Exception:
    from smcheck.errors import FileProblem

    return FileProblem(
        str(path), [f"{path}: {exc.message}"], hint=f"smcheck verify {shell_word(path)}"
    )


def read_layout(data: bytes, *, source: str | None = None) -> tuple[bytes, tuple[Seal, ...]]:
    """First phase: the file's bytes split into the exact content bytes and the trailing entries.

    Nothing of the content is interpreted yet, so that signatures over it can be checked first. With
    ``source`` (the file's path, as the user gave it), a file that Windows or an e-mail program changed
    (CRLF line endings, a byte-order mark) is refused with the command that restores its original bytes.
    """
    try:
        return _read_layout(data)
    except RecordError as exc:
        if source is None or exc.code not in ("bom", "line-endings"):
            raise
        fix = restoration(data, source)
        if fix is None:
            raise
        raise RecordError(
            exc.check,
            exc.code,
            f"{fix.cause}: an editor or an e-mail program re-saved it; {fix.advice}",
        ) from None


def _read_layout(data: bytes) -> tuple[bytes, tuple[Seal, ...]]:
    if len(data) > MAX_RECORD_BYTES:
        raise RecordError(
            "well-formed",
            "too-large",
            f"the file is larger than {MAX_RECORD_BYTES // 1024} KiB; records are a few KiB",
        )
    if not data.strip():
        raise RecordError("well-formed", "empty", "the file is empty")
    _text(data, "the file")
    content, trailer = split(data)
    # No depth walk for the trailing part: its strict reader accepts nothing nested (tomllib itself
    # refuses nesting deep enough to recurse, and long dotted keys are refused before parsing).
    text = _text(trailer, "the signatures part")
    trailer_doc = _plain_trailer(text)
    if trailer_doc is None:
        trailer_doc = _toml(text, "the signatures part", depth=False)
    return content, _seals(trailer_doc)


_ENTRY_LINE = re.compile(
    r'([A-Za-z0-9_-]+) = "((?:[^"\\\x00-\x1f\x7f]|\\[btnfr"\\]|\\u[0-9A-Fa-f]{4}|\\U[0-9A-Fa-f]{8})*)"'
)
"""One ``key = "value"`` line as tomli-w writes it in the signatures part (a bare key, a basic string)."""
_ESCAPE = re.compile(r"\\(?:([btnfr\"\\])|u([0-9A-Fa-f]{4})|U([0-9A-Fa-f]{8}))")
_ESCAPED = {"b": "\b", "t": "\t", "n": "\n", "f": "\f", "r": "\r", '"': '"', "\\": "\\"}


def _unescape(match: re.Match[str]) -> str:
    if match.group(1) is not None:
        return _ESCAPED[match.group(1)]
    code = int(match.group(2) or match.group(3), 16)
    if 0xD800 <= code <= 0xDFFF or code > 0x10FFFF:
        raise ValueError("not a Unicode scalar value")
    return chr(code)


def _plain_trailer(text: str) -> dict[str, object] | None:
    """The signatures part as tomllib would read it, when it is written exactly as smcheck writes it:
    ``[[signature]]`` headers, ``key = "string"`` lines, blank lines. None for anything else (a comment,
    other spacing, a repeated key, a line of many dots), which ``tomllib`` then reads: the result is the
    same either way, this is only faster (the signatures part of every record is read this way)."""
    entries: list[dict[str, object]] = []
    entry: dict[str, object] | None = None
    for line in text.split("\n"):
        if not line:
            continue
        if line == "[[signature]]":
            entry = {}
            entries.append(entry)
            continue
        found = _ENTRY_LINE.fullmatch(line)
        if found is None or entry is None or line.count(".") >= 32:
            return None
        key, value = found.groups()
        if key in entry:
            return None
        if "\\" in value:
            try:
                value = _ESCAPE.sub(_unescape, value)
            except ValueError:
                return None
        entry[key] = value
    return {"signature": entries} if entries else None


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
    import os

    folder, _, name = source.rpartition("/")
    for suffix in (SUFFIX, ".toml"):
        if name.endswith(suffix) and len(name) > len(suffix):
            name = name[: -len(suffix)]
            break
    prefix = f"{folder}/{name}" if folder or source.startswith("/") else name
    candidate = prefix + RESTORED
    for number in range(2, MAX_RESTORED_NAMES + 1):
        if not os.path.lexists(candidate):
            break
        candidate = f"{prefix}.restored-{number}{SUFFIX}"
    return candidate


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
        content, seals = _read_layout(restored)
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


def parse_content(content: bytes) -> Record:
    """Second phase: the content bytes parsed strictly into a :class:`Record`."""
    content_doc = _toml(_text(content, "the content"), "the content")
    meta = content_doc.get("record")
    schema = meta.get("schema") if isinstance(meta, dict) else None
    if type(schema) is not int:
        raise RecordError(
            "well-formed",
            "not-a-record",
            "the file has no [record] table with a schema number: it is not a record",
        )
    if schema != SCHEMA:
        raise RecordError(
            "schema-version",
            "schema-unknown",
            f"the record uses schema {schema}; this smcheck reads schema {SCHEMA} (upgrade smcheck?)",
        )
    problems = Problems("")
    record = _record(Table(content_doc, "", problems), problems)
    if problems or record is None:
        details = tuple(problems.lines)
        raise RecordError(
            "well-formed",
            "schema-invalid",
            f"the content does not follow the record schema: {details[0] if details else 'incomplete'}",
            details,
        )
    return record


_BASE64 = re.compile(r"[A-Za-z0-9+/]+={0,2}")


def _seals(doc: dict[str, object]) -> tuple[Seal, ...]:
    """Read the trailing part strictly: nothing but well-formed signature entries."""
    problems = Problems("")
    top = Table(doc, "", problems)
    seals: list[Seal] = []
    for entry in top.tables("signature", required=False):
        method = entry.string("method")
        if method == "sha256":
            digest = entry.string("digest")
            if digest is not None and not _HEX64.fullmatch(digest):
                problems.add(entry.at("digest"), "must be 64 lower-case hex digits")
            elif digest is not None:
                seals.append(Seal(method, digest=digest))
        elif method == "sshsig":
            role = entry.string("role")
            blob = entry.string("sshsig")
            statement = entry.string("statement", required=role not in (None, PROPOSER))
            if role is not None and not _ROLE.fullmatch(role):
                problems.add(entry.at("role"), "must be lower-case letters, digits and dashes")
            elif role == PROPOSER and statement is not None:
                problems.add(entry.at("statement"), "a proposer signs the content, not a statement")
            elif blob is not None and not _BASE64.fullmatch(blob):
                problems.add(entry.at("sshsig"), "must be base64")
            elif role is not None and blob is not None:
                seals.append(Seal(method, role=role, statement=statement, sshsig=blob))
        elif method is not None:
            problems.add(entry.at("method"), f"unknown method {method!r}")
        entry.finish()
    top.finish()
    if problems:
        raise RecordError(
            "well-formed",
            "trailer-invalid",
            "the signatures part holds something other than signature entries: "
            + problems.lines[0],
        )
    return tuple(seals)


def _record(top: Table, problems: Problems) -> Record | None:
    meta = top.table("record")
    checklist = top.table("checklist")
    answers_table = top.table("answers")
    outcome = top.table("outcome")
    signoff = top.table("signoff")
    top.finish()
    if not (meta and checklist and answers_table and outcome and signoff):
        return None
    schema = meta.integer("schema")
    rid = meta.string("id")
    if rid is not None and not _UUID.fullmatch(rid):
        problems.add(meta.at("id"), "must be a UUID, like 6f1c2d3e-4b5a-4c6d-8e7f-0a1b2c3d4e5f")
    written = meta.data.get("created")
    created = meta.moment("created")  # moved to UTC: the check below needs the offset as written
    if (
        created is not None
        and isinstance(written, dt.datetime)
        and (written.utcoffset() != dt.timedelta(0) or written.microsecond)
    ):
        problems.add(
            meta.at("created"), "must be a UTC time in whole seconds, as smcheck writes it"
        )
    version = meta.nonempty("smcheck_version")
    review_by = meta.local_date("review_by")
    meta.finish()
    cid = checklist.nonempty("id")
    cversion = checklist.nonempty("version")
    csha = checklist.string("sha256")
    if csha is not None and not _HEX64.fullmatch(csha):
        problems.add(checklist.at("sha256"), "must be 64 lower-case hex digits")
    checklist.finish()
    dotted = _dotted_key(answers_table.data)
    if dotted is not None:
        problems.add(
            answers_table.at(dotted[0]) if dotted[0] else answers_table.where,
            f"the key {dotted[1]!r} holds a dot, so it could stand for another question's answer"
            " (smcheck writes one table per section)",
        )
    answers = flatten(answers_table.data)
    status = outcome.member("status", Status)
    actions: list[Finding] = []
    for item in outcome.tables("actions"):
        level = item.member("level", Level)
        fields = [item.string(k) for k in ("rule", "question", "message", "action")]
        clauses = item.strings("clauses")
        refer_to = item.string("refer_to", required=False)
        explained_by = item.string("explained_by", required=False)
        item.finish()
        if level is not None and clauses is not None and all(f is not None for f in fields):
            rule, question, message, action = (str(f) for f in fields)
            actions.append(
                Finding(
                    rule, level, question, message, action, tuple(clauses), refer_to, explained_by
                )
            )
    outcome.finish()
    names = [signoff.string(k) for k in ("name", "email", "role", "department", "declaration")]
    signoff.finish()
    if problems:
        return None
    assert schema is not None and rid and created and version and review_by and cid and cversion
    assert csha is not None and status is not None
    name, email, role, department, declaration = (n or "" for n in names)
    return Record(
        schema=schema,
        id=rid,
        created=created,
        smcheck_version=version,
        review_by=review_by,
        checklist_id=cid,
        checklist_version=cversion,
        checklist_sha256=csha,
        answers=answers,
        status=status,
        actions=tuple(actions),
        signoff=SignOff(name, email, role, department),
        declaration=declaration,
    )


def _dotted_key(table: Mapping[str, object], where: str = "") -> tuple[str, str] | None:
    """The place and name of the first answer key holding a dot (``"channel.platform" = ...`` and
    ``[answers.channel] platform = ...`` would flatten to one question id)."""
    for key, value in table.items():
        if "." in key:
            return where, key
        if isinstance(value, dict):
            found = _dotted_key(value, f"{where}.{key}" if where else key)
            if found is not None:
                return found
    return None
