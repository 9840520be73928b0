"""What a file is, when it is given where another kind is wanted: a draft for a record, a record for a
draft, a private key for a trust file... One place decides it; each command says, in its own words,
what the file is and which command takes it (a file of the wanted kind is never asked).

Only what smcheck makes, and the key files a reviewer keeps beside the records, are told apart. The
look is cheap and bounded: the first :data:`LOOK` bytes, by the lines that mark each kind (a table
header at the start of a line, a key line), never a full parse of a file that may be hostile.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from enum import StrEnum


class Kind(StrEnum):
    """A kind of file, as the words that name it."""

    RECORD = "a record"
    DRAFT = "a draft of the interview"
    ANSWERS = "an answers file"
    CHECKLIST = "a checklist"
    PRIVATE_KEY = "a private key"
    PUBLIC_KEYS = "public keys (a .pub file, or a trust file)"


LOOK = 64 * 1024
"""How far into a file its kind is looked for."""

_TABLE = re.compile(rb"^\[(record|draft|answers|\[sections|policy)[\].]", re.MULTILINE)
"""The table headers that mark smcheck's files: ``[record]``, ``[draft]``, ``[answers.SECTION]``,
``[[sections]]`` and ``[policy]`` (a checklist's)."""

_BY_TABLE = {
    b"record": Kind.RECORD,
    b"draft": Kind.DRAFT,
    b"[sections": Kind.CHECKLIST,
    b"policy": Kind.CHECKLIST,
    b"answers": Kind.ANSWERS,
}
_ORDER = (Kind.RECORD, Kind.DRAFT, Kind.CHECKLIST, Kind.ANSWERS)
"""Which kind a file with several of these tables is: a record and a draft hold answers too."""

_DRAFT_COMMENT = b"# smcheck draft:"
"""The first line smcheck writes in a draft."""

_KEY_LINE = re.compile(
    rb"^(?:[^\s#]\S*[ \t]+(?:\S+[ \t]+)?)?(?:ssh|ecdsa|sk)-[a-z0-9@.-]+[ \t]+AAAA[A-Za-z0-9+/=]{20,}",
    re.MULTILINE,
)
"""A line of a public key file or an allowed signers file: a key (``ssh-ed25519 AAAA...``), maybe after
the principals and options."""


def of_bytes(data: bytes) -> Kind | None:
    """The kind of file ``data`` plainly is, or None."""
    head = data[:LOOK].lstrip()
    if head.startswith(b"-----BEGIN") and b"PRIVATE KEY-----" in head[:200]:
        return Kind.PRIVATE_KEY
    if head.startswith(_DRAFT_COMMENT):
        return Kind.DRAFT
    found = {_BY_TABLE[match.group(1)] for match in _TABLE.finditer(head)}
    for kind in _ORDER:
        if kind in found:
            return kind
    return Kind.PUBLIC_KEYS if _KEY_LINE.search(head) else None


def of_document(doc: Mapping[str, object]) -> Kind | None:
    """The kind of smcheck file a parsed TOML document is, by its tables, or None."""
    if isinstance(doc.get("record"), dict):
        return Kind.RECORD
    if isinstance(doc.get("draft"), dict):
        return Kind.DRAFT
    if isinstance(doc.get("sections"), list) or isinstance(doc.get("policy"), dict):
        return Kind.CHECKLIST
    if isinstance(doc.get("answers"), dict):
        return Kind.ANSWERS
    return None
