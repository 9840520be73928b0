"""A record file's exact byte layout: written, and split back into its two parts.

A record file is two parts::

    <content: a TOML document>            <- the bytes every digest and signature covers
    # --- smcheck signatures: ... ---      <- the marker line, exactly once, at the start of a line
    [[signature]]                         <- the trailing part: nothing but signature entries
    method = "sha256"
    digest = "..."

Digests and signatures cover the exact bytes of the content, never a re-serialisation (TOML has no
canonical form). The content is parsed from those bytes alone (:func:`~smcheck.record.parse_content`), after
the signatures over it are checked; the trailing part must parse to nothing but ``[[signature]]`` entries,
so it can grow (a proposer's signature, a reviewer's approval) without the content changing by a byte. Both
parts are read by one parser, :func:`~smcheck.tomlread.loads_guarded`.
"""

from __future__ import annotations

import re

from smcheck.record import (
    HEX64,
    PROPOSER,
    Record,
    RecordError,
    RecordFile,
    Seal,
    content_document,
    decode,
    parse_content,
    parse_toml,
    sha256,
)
from smcheck.tomlread import Problems, Table

MAX_RECORD_BYTES = 1024 * 1024
"""Records are a few kilobytes; anything over this is refused unread."""

MARKER = b"# --- smcheck signatures: each entry below covers the exact bytes above this line ---\n"

HEADER = (
    b"# smcheck record: a signed-off answer to a policy checklist.\n"
    b"# Attach this file, unchanged, to your proposal. Check it with: smcheck verify FILE\n"
    b"# Do not edit it: any change, even to spacing, makes it fail verification.\n\n"
)

_ROLE = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
_BASE64 = re.compile(r"[A-Za-z0-9+/]+={0,2}")


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


def parse_record(data: bytes) -> RecordFile:
    """Parse record bytes strictly; raise :class:`~smcheck.record.RecordError` naming the first check
    that fails."""
    content, seals = read_layout(data)
    return RecordFile(content, parse_content(content), seals)


def read_layout(data: bytes) -> tuple[bytes, tuple[Seal, ...]]:
    """First phase: the file's bytes split into the exact content bytes and the trailing entries.

    Nothing of the content is interpreted yet, so that signatures over it can be checked first. (For a
    file the user named, :func:`smcheck.restore.read_layout_advised` adds the command that undoes what
    Windows or an e-mail program did to it.)
    """
    if len(data) > MAX_RECORD_BYTES:
        raise RecordError(
            "well-formed",
            "too-large",
            f"the file is larger than {MAX_RECORD_BYTES // 1024} KiB; records are a few KiB",
        )
    if not data.strip():
        raise RecordError("well-formed", "empty", "the file is empty")
    decode(data, "the file")
    content, trailer = split(data)
    # No depth walk for the trailing part: its strict reader accepts nothing nested (the parser
    # refuses nesting deep enough to recurse, and long dotted keys are refused before parsing).
    text = decode(trailer, "the signatures part")
    return content, _seals(parse_toml(text, "the signatures part", depth=False))


def _seals(doc: dict[str, object]) -> tuple[Seal, ...]:
    """Read the trailing part strictly: nothing but well-formed signature entries."""
    problems = Problems("")
    top = Table(doc, "", problems)
    seals: list[Seal] = []
    for entry in top.tables("signature", required=False):
        method = entry.string("method")
        if method == "sha256":
            digest = entry.string("digest")
            if digest is not None and not HEX64.fullmatch(digest):
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
