"""OpenSSH ``allowed_signers`` trust files and revoked-key lists, read as ``ssh-keygen`` reads them.

A line holds a signer's own key (``ssh-ed25519``, or ``sk-ssh-ed25519@openssh.com`` for a security key),
or, with ``cert-authority``, a certificate authority's key (Ed25519, ECDSA or RSA) that vouches for every
user certificate it signed (:mod:`smcheck.trust.certs` has OpenSSH's rules). The revoked-keys file is a
list of public keys (a certificate is revoked with its key or its CA's key) or an OpenSSH KRL made with
``ssh-keygen -k``, which can also revoke certificates by serial number or key id.

Times in ``valid-after``/``valid-before`` without a trailing ``Z`` are read as UTC here, whereas
``ssh-keygen`` reads them in the local time zone: write them with ``Z`` to mean the same to both.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import struct
from collections.abc import Iterable, Mapping
from enum import StrEnum
from pathlib import Path
from typing import NamedTuple, NoReturn

from smcheck.errors import FileProblem, SmcheckError
from smcheck.fsutil import read_regular
from smcheck.text import quoted
from smcheck.trust.certs import CERT_TYPE, Certificate
from smcheck.trust.wire import (
    KEY_TYPE,
    SK_KEY_TYPE,
    KeyProblem,
    PublicKey,
    Reader,
    is_small_order,
    key_kind,
    parse_public_key,
    parse_signer_key,
    split_key_line,
    string,
    unsupported_key,
)

MAX_TRUST_FILE_BYTES = 1024 * 1024

KRL_MAGIC = b"SSHKRL\n\x00"
"""The first bytes of an OpenSSH binary key revocation list."""

_LINE_HINT = (
    "each line is: PRINCIPALS [OPTIONS] ssh-ed25519 KEY [COMMENT] "
    "(see ALLOWED SIGNERS in man ssh-keygen)"
)
_KEY_TYPE_TOKEN = re.compile(r"(?:ssh|ecdsa|sk|rsa)-[A-Za-z0-9.@-]+")
_TIME = re.compile(r"(\d{8}|\d{12}|\d{14})([Zz]?)")


class AllowedSigner(NamedTuple):
    """One line of an ``allowed_signers`` file that smcheck uses."""

    principals: tuple[str, ...]
    """Principal patterns as written (``*`` and ``?`` wildcards, ``!`` negation)."""
    public_key: PublicKey
    namespaces: tuple[str, ...] | None
    """Namespace patterns from ``namespaces="..."``; ``None`` allows any namespace (in OpenSSH; smcheck
    grants no approving role to such a line)."""
    valid_after: dt.datetime | None
    """From ``valid-after=``, in UTC (a time without ``Z`` is read as UTC too)."""
    valid_before: dt.datetime | None
    """From ``valid-before=``, in UTC (a time without ``Z`` is read as UTC too)."""
    line: int
    """The line number in the file, for messages."""


class Authority(NamedTuple):
    """A ``cert-authority`` line: a CA whose user certificates the line's principals may sign with."""

    principals: tuple[str, ...]
    """Principal patterns as written; the certificate must also list the principal itself."""
    ca: bytes
    """The CA's public key as an SSH wire blob (Ed25519, ECDSA or RSA)."""
    ca_fingerprint: str
    ca_kind: str
    """``Ed25519``, ``ECDSA`` or ``RSA``, for messages."""
    namespaces: tuple[str, ...] | None
    valid_after: dt.datetime | None
    valid_before: dt.datetime | None
    line: int


class TrustFile(NamedTuple):
    """A parsed ``allowed_signers`` file."""

    path: Path
    signers: tuple[AllowedSigner, ...]
    notes: tuple[str, ...] = ()
    """One line per line of the file that smcheck skipped (``FILE:LINE: skipped: why``): keys of other
    types, options it does not use. Such lines grant nothing."""
    authorities: tuple[Authority, ...] = ()
    """The ``cert-authority`` lines, in file order."""
    by_key: Mapping[PublicKey, tuple[AllowedSigner, ...]] | None = None
    """The signer lines of each key, in file order (built by :func:`load_allowed_signers`; None: looked
    for line by line). A register's trust file has a line per person, and every record's signature is
    looked up in it: found at once, not searched for."""
    by_name: Mapping[str, tuple[AllowedSigner, ...]] | None = None
    """The signer lines that name each principal literally (not by a pattern), the name case-folded,
    in file order (as :attr:`by_key`)."""


def indexed(trust: TrustFile) -> TrustFile:
    """``trust`` with its lines indexed by key and by literal principal (:attr:`TrustFile.by_key`)."""
    by_key: dict[PublicKey, list[AllowedSigner]] = {}
    by_name: dict[str, list[AllowedSigner]] = {}
    for signer in trust.signers:
        by_key.setdefault(signer.public_key, []).append(signer)
        for name in {p.casefold() for p in signer.principals if not is_wildcard(p)}:
            by_name.setdefault(name, []).append(signer)
    return trust._replace(
        by_key={key: tuple(lines) for key, lines in by_key.items()},
        by_name={name: tuple(lines) for name, lines in by_name.items()},
    )


def lines_of_key(trust: TrustFile, key: PublicKey) -> tuple[AllowedSigner, ...]:
    """The signer lines holding ``key``, in file order."""
    if trust.by_key is not None:
        return trust.by_key.get(key, ())
    return tuple(signer for signer in trust.signers if signer.public_key == key)


class _Skip(Exception):
    """A well-formed line that smcheck does not use (another key type, a CA, an unknown option)."""


class _LineProblem(Exception):
    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint


def _read_text(path: Path, what: str, limit: int) -> str:
    """Read a small UTF-8 text file, refusing what would not be one (a binary KRL above all)."""
    data = read_regular(path, limit)

    def refuse(problem: str, hint: str | None = None) -> NoReturn:
        raise FileProblem(str(path), [f"{path}: {problem}"], hint=hint)

    if data.startswith(KRL_MAGIC):
        # Only the revoked-keys file may be a KRL, and load_revoked reads one before coming here.
        refuse(
            f"this is a key revocation list (KRL), not the {what}",
            hint="give it as the revoked keys (--revoked), and the allowed signers file here",
        )
    if len(data) > limit:
        refuse(f"larger than {limit} bytes; not a {what}")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        refuse(f"not UTF-8 text; not a {what}")
    if text.startswith("\ufeff"):
        refuse("starts with a byte-order mark", hint="save it as UTF-8 without a BOM")
    if "\x00" in text:
        refuse(f"contains NUL bytes; not a {what}")
    other = _other_kind(data)
    if other is not None:  # a file of another kind: one line that says which, not one per line
        refuse(
            f"{other}, not the {what}",
            hint=_TRUST_HINT if what == "allowed signers file" else _REVOKED_HINT,
        )
    return text


_TRUST_HINT = (
    "the allowed signers file lists people's public keys, one line each: EMAIL ssh-ed25519 AAAA...;"
    " smcheck trust add, given a proposer's signed record, writes their line"
)
_REVOKED_HINT = (
    "the revoked keys file lists public keys, one line each, or is a KRL (ssh-keygen -k)"
)


def _other_kind(data: bytes) -> str | None:
    """What a file given as a trust file or revoked keys is, when it is plainly something else
    (:mod:`smcheck.filekinds`): a private key (the commonest slip: the key file, not its ``.pub``), or
    one of smcheck's own files; None for a file of keys, as it should be."""
    from smcheck.filekinds import Kind, of_bytes

    kind = of_bytes(data)
    if kind is None or kind is Kind.PUBLIC_KEYS:
        return None
    if kind is Kind.PRIVATE_KEY:
        return f"{kind} (keep it to yourself: never give or send it)"
    return str(kind)


def _lines(text: str) -> list[tuple[int, str]]:
    """Numbered lines that are neither blank nor comments (a trailing CR is dropped)."""
    numbered = []
    for number, line in enumerate(text.split("\n"), start=1):
        line = line.removesuffix("\r")
        stripped = line.lstrip(" \t")
        if stripped and not stripped.startswith("#"):
            numbered.append((number, stripped))
    return numbered


def _dequote(text: str, start: int) -> tuple[str, int]:
    """Read a double-quoted option value at ``start`` (``\\"`` escapes a quote)."""
    if start >= len(text) or text[start] != '"':
        raise _LineProblem('option values must be in double quotes, like namespaces="file"')
    out: list[str] = []
    i = start + 1
    while i < len(text) and text[i] != '"':
        if text[i] == "\\" and i + 1 < len(text) and text[i + 1] == '"':
            i += 1
        out.append(text[i])
        i += 1
    if i >= len(text):
        raise _LineProblem("an option value has no closing double quote")
    return "".join(out), i + 1


def _parse_time(value: str, option: str) -> dt.datetime:
    match = _TIME.fullmatch(value)
    if not match:
        raise _LineProblem(
            f"invalid {option} time {quoted(value)}",
            hint="write YYYYMMDD, YYYYMMDDHHMM or YYYYMMDDHHMMSS, with Z for UTC",
        )
    digits = match.group(1).ljust(14, "0")
    try:
        return dt.datetime(
            int(digits[0:4]),
            int(digits[4:6]),
            int(digits[6:8]),
            int(digits[8:10]),
            int(digits[10:12]),
            int(digits[12:14]),
            tzinfo=dt.UTC,
        )
    except ValueError:
        raise _LineProblem(f"invalid {option} time {quoted(value)}: no such date or time") from None


def _pattern_list(value: str, what: str) -> tuple[str, ...]:
    patterns = tuple(value.split(","))
    if any(pattern in ("", "!") for pattern in patterns):
        raise _LineProblem(f"empty entry in the {what} list {quoted(value)}")
    return patterns


class _Options(NamedTuple):
    namespaces: tuple[str, ...] | None = None
    after: dt.datetime | None = None
    before: dt.datetime | None = None
    ca: bool = False


def _parse_options(text: str) -> _Options:
    namespaces: tuple[str, ...] | None = None
    after: dt.datetime | None = None
    before: dt.datetime | None = None
    ca = False
    i = 0
    while True:
        rest = text[i:].lower()
        if rest.startswith("cert-authority") and rest[len("cert-authority") :][:1] in ("", ","):
            if ca:
                raise _LineProblem("more than one cert-authority option")
            ca = True
            i += len("cert-authority")
        elif rest.startswith("namespaces="):
            if namespaces is not None:
                raise _LineProblem("more than one namespaces= option")
            value, i = _dequote(text, i + len("namespaces="))
            namespaces = _pattern_list(value, "namespaces")
        elif rest.startswith("valid-after="):
            if after is not None:
                raise _LineProblem("more than one valid-after= option")
            value, i = _dequote(text, i + len("valid-after="))
            after = _parse_time(value, "valid-after")
        elif rest.startswith("valid-before="):
            if before is not None:
                raise _LineProblem("more than one valid-before= option")
            value, i = _dequote(text, i + len("valid-before="))
            before = _parse_time(value, "valid-before")
        else:
            name = re.split(r"[=,]", text[i:], maxsplit=1)[0]
            raise _Skip(
                f"the option {quoted(name)} is one smcheck does not use, so it cannot tell what the"
                " line allows (it knows cert-authority, namespaces=, valid-after= and"
                " valid-before=)"
            )
        if i == len(text):
            break
        if text[i] != ",":
            raise _LineProblem("options must be separated by commas, with no spaces")
        i += 1
        if i == len(text):
            raise _LineProblem("the options end with a comma")
    if after is not None and before is not None and before <= after:
        raise _LineProblem("valid-before is not later than valid-after")
    return _Options(namespaces, after, before, ca)


def _split_options(text: str) -> tuple[str, str]:
    """Split off the options field: up to the first space or tab outside double quotes."""
    quoted = False
    i = 0
    while i < len(text):
        char = text[i]
        if quoted and char == "\\" and text[i + 1 : i + 2] == '"':
            i += 2
            continue
        if char == '"':
            quoted = not quoted
        elif not quoted and char in " \t":
            return text[:i], text[i:].lstrip(" \t")
        i += 1
    if quoted:
        raise _LineProblem("the options have no closing double quote")
    return text, ""


_CA_TYPES = {
    "ssh-ed25519": "Ed25519",
    "ecdsa-sha2-nistp256": "ECDSA",
    "ecdsa-sha2-nistp384": "ECDSA",
    "ecdsa-sha2-nistp521": "ECDSA",
    "ssh-rsa": "RSA",
}


def _parse_authority(
    principals: tuple[str, ...], options: _Options, rest: str, number: int
) -> Authority:
    """A ``cert-authority`` line's CA key, read by ``cryptography``."""
    from cryptography.exceptions import UnsupportedAlgorithm
    from cryptography.hazmat.primitives import serialization

    from smcheck.trust.certs import fingerprint

    key_type = rest.split(None, 1)[0]
    if key_type not in _CA_TYPES:
        raise _Skip(
            f"a cert-authority line with a {key_kind(key_type)} CA key ({quoted(key_type)}):"
            " smcheck knows Ed25519, ECDSA and RSA CA keys"
        )
    try:
        _, blob = split_key_line(rest)
        serialization.load_ssh_public_key(f"{key_type} {rest.split()[1]}".encode())
    except KeyProblem as exc:
        raise _LineProblem(exc.message, exc.hint) from None
    except (ValueError, UnsupportedAlgorithm) as exc:
        raise _LineProblem(f"the CA key is damaged: {exc}") from None
    if key_type == KEY_TYPE and is_small_order(parse_public_key(rest).raw):
        raise _LineProblem(
            "the CA key is a small-order (identity-point) Ed25519 key, which would accept "
            "forged certificates",
            hint="remove this line: no real CA has such a key",
        )
    return Authority(
        principals,
        blob,
        fingerprint(blob),
        _CA_TYPES[key_type],
        options.namespaces,
        options.after,
        options.before,
        number,
    )


def _parse_signer_line(line: str, number: int) -> AllowedSigner | Authority:
    # Principals: one token, or one double-quoted string (which may hold spaces).
    if line.startswith('"'):
        close = line.find('"', 1)
        if close < 0:
            raise _LineProblem("the principals have no closing double quote")
        principals_text, rest = line[1:close], line[close + 1 :]
        if rest and rest[0] not in " \t":
            raise _LineProblem("a space must follow the quoted principals")
    else:
        token = re.match(r"[^ \t]*", line)
        assert token is not None  # the pattern matches the empty string
        principals_text, rest = token.group(), line[token.end() :]
        if '"' in principals_text:
            raise _LineProblem(
                "a double quote inside the principals",
                hint='quote the whole field: "a@example.ac.uk,b@example.ac.uk"',
            )
    rest = rest.lstrip(" \t")
    if _KEY_TYPE_TOKEN.fullmatch(principals_text) and rest.startswith("AAAA"):
        # A public key pasted alone (a .pub file): skipped, as ssh-keygen skips it ("invalid key"),
        # so a file git also reads still works; the note says what the line lacks.
        raise _Skip(
            "a public key with no email before it, so it grants nothing (a line is EMAIL"
            " ssh-ed25519 AAAA...: smcheck trust add, given the person's signed record, writes it)"
        )
    principals = _pattern_list(principals_text, "principals")
    if not rest:
        raise _LineProblem("the line has no key")
    first = rest.split(None, 1)[0]
    parsed = _Options()
    if not _KEY_TYPE_TOKEN.fullmatch(first):
        options, rest = _split_options(rest)
        parsed = _parse_options(options)
        if not rest:
            raise _LineProblem("the line has no key")
    namespaces, after, before = parsed.namespaces, parsed.after, parsed.before
    if parsed.ca:
        return _parse_authority(principals, parsed, rest, number)
    key_type = rest.split(None, 1)[0]
    if key_type == CERT_TYPE:
        raise _Skip(
            "a certificate in place of a key: trust the CA that signed it with a cert-authority"
            " line, or the key itself"
        )
    if key_type not in (KEY_TYPE, SK_KEY_TYPE) and _KEY_TYPE_TOKEN.fullmatch(key_type):
        raise _Skip(f"{unsupported_key(key_type).message}")
    try:
        key = parse_signer_key(rest)
    except KeyProblem as exc:
        raise _LineProblem(exc.message, exc.hint) from None
    if is_small_order(key.raw):
        raise _LineProblem(
            "the key is a small-order (identity-point) Ed25519 key, which would accept "
            "forged signatures",
            hint="remove this line: no real signer has such a key",
        )
    return AllowedSigner(principals, key, namespaces, after, before, number)


def load_allowed_signers(path: Path) -> TrustFile:
    """Read an OpenSSH ``allowed_signers`` file (see ALLOWED SIGNERS in ``man ssh-keygen``).

    Each line is ``PRINCIPALS [OPTIONS] ssh-ed25519 KEY [COMMENT]`` (or a security key's
    ``sk-ssh-ed25519@openssh.com``); ``#`` comments and blank lines are skipped; options
    (``cert-authority``, ``namespaces=``, ``valid-after=``, ``valid-before=``) are case-insensitive. A
    ``cert-authority`` line is an :class:`Authority` in :attr:`TrustFile.authorities`.
    A file a team already keeps (for git commit signing, say) works as it is: lines smcheck does not
    use (other key types, options it does not know) are skipped, each with a note
    in :attr:`TrustFile.notes`, and grant nothing. A line that is malformed, or holds a small-order
    Ed25519 key, is an error: every such line is listed in one
    :class:`~smcheck.errors.FileProblem`, each as ``file:line``.
    """
    text = _read_text(path, "allowed signers file", MAX_TRUST_FILE_BYTES)
    signers: list[AllowedSigner] = []
    authorities: list[Authority] = []
    problems: list[str] = []
    notes: list[str] = []
    hint: str | None = None
    for number, line in _lines(text):
        try:
            parsed = _parse_signer_line(line, number)
            if isinstance(parsed, Authority):
                authorities.append(parsed)
            else:
                signers.append(parsed)
        except _Skip as exc:
            notes.append(f"{path}:{number}: skipped: {exc}")
        except _LineProblem as exc:
            problems.append(f"{path}:{number}: {exc.message}")
            hint = hint or exc.hint
    if problems:
        raise FileProblem(str(path), problems, hint=hint or _LINE_HINT)
    return indexed(TrustFile(path, tuple(signers), tuple(notes), tuple(authorities)))


_KRL_SPEC = re.compile(r"(serial|id|key|hash|sha1|sha256)\s*:", re.IGNORECASE)
"""A line of the text ``ssh-keygen -k`` reads to make a KRL (KEY REVOCATION LISTS in its manual)."""

_TAG = b"\xffKRL:"
"""Revocations that are not a key blob are kept in the same set under this prefix (no SSH key blob can
start so: its first four bytes are the length of its type name)."""
_SHA1 = _TAG + b"sha1:"
_SHA256 = _TAG + b"sha256:"
_SERIALS = _TAG + b"serial:"
_KEY_ID = _TAG + b"id:"


class _KrlProblem(SmcheckError):
    pass


def _u64(reader: Reader, field: str) -> int:
    value: int = struct.unpack(">Q", reader.take(8, field))[0]
    return value


def _strings(data: bytes, field: str) -> list[bytes]:
    reader = Reader(data, _KrlProblem, f"the KRL's {field} section is damaged")
    found = []
    while not reader.done():
        found.append(reader.string(field))
    return found


def _certificate_section(data: bytes) -> set[bytes]:
    """A KRL's certificates section: serials (lists, ranges, bitmaps) and key ids, for one CA (an empty
    CA key means any CA)."""
    reader = Reader(data, _KrlProblem, "the KRL's certificates section is damaged")
    ca = string(reader.string("CA key"))
    reader.string("reserved")
    entries: set[bytes] = set()
    while not reader.done():
        kind = reader.take(1, "section type")[0]
        body = reader.string("section")
        sub = Reader(body, _KrlProblem, "the KRL's certificates section is damaged")
        if kind == 0x20:  # KRL_SECTION_CERT_SERIAL_LIST
            while not sub.done():
                serial = _u64(sub, "serial")
                entries.add(_SERIALS + ca + struct.pack(">QQ", serial, serial))
        elif kind == 0x21:  # KRL_SECTION_CERT_SERIAL_RANGE
            low, high = _u64(sub, "serial range"), _u64(sub, "serial range")
            sub.end("a serial range")
            if low > high:
                raise _KrlProblem("the KRL has a serial range that ends before it starts")
            entries.add(_SERIALS + ca + struct.pack(">QQ", low, high))
        elif kind == 0x22:  # KRL_SECTION_CERT_SERIAL_BITMAP
            offset = _u64(sub, "serial bitmap")
            bits = int.from_bytes(sub.string("serial bitmap"), "big")
            sub.end("a serial bitmap")
            run: int | None = None
            for bit in range(bits.bit_length() + 1):
                if bits >> bit & 1:
                    run = bit if run is None else run
                elif run is not None:
                    entries.add(_SERIALS + ca + struct.pack(">QQ", offset + run, offset + bit - 1))
                    run = None
        elif kind == 0x23:  # KRL_SECTION_CERT_KEY_ID
            for key_id in _strings(body, "key id"):
                entries.add(_KEY_ID + ca + key_id)
        else:
            raise _KrlProblem(f"the KRL has a certificate section of an unknown type ({kind})")
    for entry in entries:
        if entry.startswith(_SERIALS) and entry[-16:-8] == bytes(8):
            # OpenSSH refuses such a KRL outright (serial 0 is a certificate made without one).
            raise _KrlProblem("the KRL revokes serial number 0, which OpenSSH refuses")
    return entries


def _parse_krl(data: bytes) -> frozenset[bytes]:
    """An OpenSSH binary KRL (PROTOCOL.krl), as :func:`load_revoked` returns it. Signature sections
    are not checked (the file is the reviewer's own, as the list of keys is)."""
    reader = Reader(data, _KrlProblem, "the KRL is damaged")
    reader.take(len(KRL_MAGIC), "magic")
    version = reader.uint32("format version")
    if version != 1:
        raise _KrlProblem(f"the KRL is in format version {version}; smcheck reads version 1")
    for field in ("KRL version", "generation date", "flags"):
        _u64(reader, field)
    reader.string("reserved")
    reader.string("comment")
    entries: set[bytes] = set()
    while not reader.done():
        kind = reader.take(1, "section type")[0]
        body = reader.string("section")
        if kind == 1:  # KRL_SECTION_CERTIFICATES
            entries |= _certificate_section(body)
        elif kind == 2:  # KRL_SECTION_EXPLICIT_KEY
            entries |= set(_strings(body, "explicit key"))
        elif kind == 3:  # KRL_SECTION_FINGERPRINT_SHA1
            entries |= {_SHA1 + digest for digest in _strings(body, "SHA-1 fingerprint")}
        elif kind == 4:  # KRL_SECTION_SIGNATURE: the rest of the file signs the KRL
            break
        elif kind == 5:  # KRL_SECTION_FINGERPRINT_SHA256
            entries |= {_SHA256 + digest for digest in _strings(body, "SHA-256 fingerprint")}
        else:
            raise _KrlProblem(f"the KRL has a section of an unknown type ({kind})")
    return frozenset(entries)


def load_revoked(path: Path) -> frozenset[bytes]:
    """Read revoked keys: OpenSSH public key lines, one a line (``#`` comments allowed), or an OpenSSH
    binary KRL (``ssh-keygen -k -f FILE [-s CA.pub] SPEC``), as ``ssh-keygen -Y verify -r FILE`` reads
    either.

    Returns a set for :func:`revocation`: the SSH wire blobs of the keys, and for a KRL its fingerprints,
    serial ranges and key ids. Keys of any type may be listed (an RSA key can never sign for smcheck,
    so listing it is harmless); a certificate line revokes its key.
    """
    data = read_regular(path, MAX_TRUST_FILE_BYTES)
    if data.startswith(KRL_MAGIC):
        if len(data) > MAX_TRUST_FILE_BYTES:
            raise FileProblem(
                str(path), [f"{path}: larger than {MAX_TRUST_FILE_BYTES} bytes; not a KRL"]
            )
        try:
            return _parse_krl(data)
        except _KrlProblem as exc:
            raise FileProblem(
                str(path),
                [f"{path}: {exc.message}"],
                hint="make it again with ssh-keygen -k, or list revoked public keys one per line",
            ) from None
    text = _read_text(path, "revoked keys file", MAX_TRUST_FILE_BYTES)
    blobs: set[bytes] = set()
    problems: list[str] = []
    for number, line in _lines(text):
        try:
            key_type, blob = split_key_line(line)
            if key_type in (KEY_TYPE, SK_KEY_TYPE):
                blob = parse_signer_key(line).wire()
            elif key_type == CERT_TYPE:
                from smcheck.trust.certs import parse_certificate

                blob = parse_certificate(blob, KeyProblem, "the certificate").key.wire()
        except KeyProblem as exc:
            problems.append(f"{path}:{number}: {exc.message}")
            continue
        blobs.add(blob)
    if problems:
        spec = any(_KRL_SPEC.match(line) for _, line in _lines(text))
        raise FileProblem(
            str(path),
            problems,
            hint="lines such as serial: N or id: KEYID are for ssh-keygen -k, which makes the KRL:"
            " ssh-keygen -k -f revoked.krl -s CA.pub SPEC-FILE, then give revoked.krl"
            if spec
            else "each line is one public key: ssh-ed25519 AAAA... [comment]",
        )
    return frozenset(blobs)


def _listed(blob: bytes, revoked: frozenset[bytes]) -> bool:
    return (
        blob in revoked
        or _SHA256 + hashlib.sha256(blob).digest() in revoked
        or _SHA1 + hashlib.sha1(blob, usedforsecurity=False).digest() in revoked
    )


def revocation(
    key: PublicKey, certificate: Certificate | None, revoked: frozenset[bytes]
) -> str | None:
    """Why ``key`` (carrying ``certificate``, if any) is revoked, in words; None if it is not.

    As OpenSSH's ``ssh_krl_check_key``: the key itself (its blob or fingerprint); for a certificate, also
    its CA's key, and the CA's revocations by serial number (never serial 0) or by key id, including
    those a KRL makes for any CA."""
    if not revoked:
        return None
    fingerprint = key.fingerprint()
    if _listed(key.wire(), revoked):
        return f"the key {fingerprint} has been revoked"
    if certificate is None:
        return None
    if _listed(certificate.ca, revoked):
        return (
            f"the CA {certificate.ca_fingerprint} that certified the key {fingerprint} has been"
            " revoked"
        )
    cas = (string(certificate.ca), string(b""))
    key_id = certificate.key_id_raw
    for entry in revoked:
        if entry.startswith(_KEY_ID) and any(entry == _KEY_ID + ca + key_id for ca in cas):
            return (
                f"the certificate {quoted(certificate.key_id)} of the key {fingerprint} has been"
                " revoked (by its key id)"
            )
        if certificate.serial and entry.startswith(_SERIALS):
            for ca in cas:
                head = _SERIALS + ca
                if entry.startswith(head) and len(entry) == len(head) + 16:
                    low, high = struct.unpack(">QQ", entry[len(head) :])
                    if low <= certificate.serial <= high:
                        return (
                            f"the certificate {quoted(certificate.key_id)} (serial"
                            f" {certificate.serial}) of the key {fingerprint} has been revoked"
                        )
    return None


class Trust(StrEnum):
    """What the trust file says about a signing key."""

    TRUSTED = "trusted"
    UNKNOWN = "unknown"
    EXPIRED = "expired"
    NOT_YET_VALID = "not-yet-valid"
    REVOKED = "revoked"
    WRONG_NAMESPACE = "wrong-namespace"
    WRONG_PRINCIPAL = "wrong-principal"


class TrustDecision(NamedTuple):
    """The verdict of :func:`decide_trust`."""

    status: Trust
    principal: str | None
    """The trust file's principal pattern that matched (never anything from the signature); for a
    certificate a CA line vouches for, the principal itself, which the certificate lists."""
    message: str
    """The verdict in plain words."""
    line: AllowedSigner | Authority | None = None
    """The line that decided: the one that trusts the key, or the first that refused it."""


def match_pattern(text: str, pattern: str) -> bool:
    """OpenSSH ``match_pattern``: ``*`` any run, ``?`` any one character, case-sensitive.

    Matched in time proportional to len(text) x len(pattern) at worst (the classic greedy wildcard
    match, going back only to the last ``*``), never by a backtracking regular expression: the text
    comes from a record, and a pattern such as ``*a*a*a*a*b`` must not make a batch hang.
    """
    if "*" not in pattern and "?" not in pattern:
        return text == pattern
    t = p = 0
    star = -1
    resume = 0
    while t < len(text):
        if p < len(pattern) and pattern[p] == "*":
            star, resume = p, t
            p += 1
        elif p < len(pattern) and pattern[p] in ("?", text[t]):
            t += 1
            p += 1
        elif star >= 0:
            resume += 1
            t, p = resume, star + 1
        else:
            return False
    return pattern[p:].strip("*") == ""


def is_wildcard(pattern: str) -> bool:
    """Whether a principal or namespace pattern matches more than one string (``*``, ``?``, ``!``)."""
    return any(char in pattern for char in "*?!")


def match_pattern_list(text: str, patterns: tuple[str, ...]) -> str | None:
    """OpenSSH ``match_pattern_list``: the first positive pattern matching, unless one negated does."""
    positive: str | None = None
    for pattern in patterns:
        if len(pattern) >= 1023:  # OpenSSH treats an over-long sub-pattern as "no match"
            return None
        if pattern.startswith("!"):
            if match_pattern(text, pattern[1:]):
                return None
        elif positive is None and match_pattern(text, pattern):
            positive = pattern
    return positive


def _when(moment: dt.datetime) -> str:
    # The year from isoformat: strftime's %Y need not pad a year before 1000 to four digits. A window's
    # times are UTC as parsed (see _parse_time), so nothing here moves them.
    return f"{moment.date().isoformat()} {moment:%H:%M:%S} UTC"


CASE_ONLY = (
    ": the two differ only in capital letters, and a trust file compares addresses exactly, as"
    " ssh-keygen does"
)
"""Said where a key is trusted for an address that is the one asked for but for its capitals."""


def differs_in_case_only(principal: str, holding: Iterable[AllowedSigner | Authority]) -> bool:
    """Whether a line that holds the key names ``principal`` but for capital letters
    (``h.marsh@essex.ac.uk`` against ``H.Marsh@Essex.ac.uk``)."""
    folded = principal.casefold()
    return any(folded == name.casefold() for signer in holding for name in signer.principals)


def decide_trust(
    key: PublicKey,
    *,
    trust: TrustFile,
    revoked: frozenset[bytes],
    principal: str,
    namespace: str,
    at: dt.datetime,
    named: bool = False,
    certificate: Certificate | None = None,
) -> TrustDecision:
    """Decide whether ``key`` may sign as ``principal`` under ``namespace`` at time ``at``.

    Like ``ssh-keygen -Y verify -I principal -n namespace``: a revoked key is refused first; then
    the lines holding this key whose principal patterns match ``principal`` are checked for the
    namespace and the validity window (``valid-after`` <= at <= ``valid-before``, whole seconds).
    Any line that passes makes the key trusted; otherwise the first failing line gives the reason.
    A key listed only under other principals is WRONG_PRINCIPAL; a key not listed is UNKNOWN.

    With ``named`` (an approving role), a line counts only where it names both: the principal without
    a wildcard, and the namespace in its ``namespaces=`` list, not by a wildcard and not by leaving
    the option out (which OpenSSH reads as "any namespace"). ``at`` must be timezone-aware.

    A signature that carries a ``certificate`` is judged by the ``cert-authority`` lines alone, as
    OpenSSH does (:mod:`smcheck.trust.certs`): a line naming the CA that signed it, checked as above,
    then the certificate itself at ``at`` (a user certificate, valid then, listing the principal). The
    same ``named`` rule holds: a CA line grants an approving role only where it names the person and
    the namespace, so a CA for everyone at ``*@essex.ac.uk`` lets staff sign records, never approve.
    """
    if at.tzinfo is None or at.utcoffset() is None:
        raise ValueError("decide_trust needs a timezone-aware time")
    at = at.astimezone(dt.UTC).replace(microsecond=0)
    fingerprint = key.fingerprint()
    where = str(trust.path)
    revoked_why = revocation(key, certificate, revoked)
    if revoked_why is not None:
        return TrustDecision(Trust.REVOKED, None, revoked_why)
    holding: list[AllowedSigner] | list[Authority]
    if certificate is not None:
        holding = [ca for ca in trust.authorities if ca.ca == certificate.ca]
        subject = f"the CA {certificate.ca_fingerprint}"
        if not holding:
            return TrustDecision(
                Trust.UNKNOWN,
                None,
                f"the key {fingerprint} signed with a certificate from the CA"
                f" {certificate.ca_fingerprint}, which no cert-authority line of the trust file"
                f" {where} names: anyone can make a CA, so this says nothing about who signed",
            )
    else:
        holding = list(lines_of_key(trust, key))
        subject = f"the key {fingerprint}"
        if not holding:
            return TrustDecision(
                Trust.UNKNOWN,
                None,
                f"the key {fingerprint} is not in the trust file {where}: "
                "anyone can make a key, so this says nothing about who signed",
            )
    matching = [
        (signer, pattern)
        for signer in holding
        if (pattern := match_pattern_list(principal, signer.principals)) is not None
    ]
    if not matching:
        owners = "; ".join(
            f"{quoted(','.join(signer.principals))} (line {signer.line})" for signer in holding
        )
        return TrustDecision(
            Trust.WRONG_PRINCIPAL,
            None,
            f"{subject} is trusted for {owners}, not for {quoted(principal)}"
            + (CASE_ONLY if differs_in_case_only(principal, holding) else ""),
        )
    failures: list[TrustDecision] = []
    for signer, pattern in matching:
        place = f"{where} line {signer.line}"
        granted = (
            match_pattern_list(namespace, signer.namespaces)
            if signer.namespaces is not None
            else None
        )
        if named and is_wildcard(pattern):
            failures.append(
                TrustDecision(
                    Trust.WRONG_PRINCIPAL,
                    pattern,
                    f"{place} trusts {subject} for every principal matching"
                    f" {quoted(pattern)}; signing as {quoted(namespace)} needs a line that names"
                    " the person",
                )
            )
        elif named and signer.namespaces is None:
            failures.append(
                TrustDecision(
                    Trust.WRONG_NAMESPACE,
                    pattern,
                    f"{place} names no namespaces= for {subject} of {quoted(pattern)};"
                    " OpenSSH reads that as any namespace, but an approving role is granted only by"
                    f' name: add namespaces="{namespace}"',
                )
            )
        elif signer.namespaces is not None and granted is None:
            failures.append(
                TrustDecision(
                    Trust.WRONG_NAMESPACE,
                    pattern,
                    f"{subject} of {quoted(pattern)} may sign only for namespaces "
                    f"{quoted(','.join(signer.namespaces))}, not {quoted(namespace)} ({place})",
                )
            )
        elif named and granted is not None and is_wildcard(granted):
            failures.append(
                TrustDecision(
                    Trust.WRONG_NAMESPACE,
                    pattern,
                    f"{place} grants {quoted(namespace)} to {quoted(pattern)} only through the"
                    f" pattern {quoted(granted)}; an approving role is granted only by name:"
                    f" list {namespace} itself",
                )
            )
        elif signer.valid_after is not None and at < signer.valid_after:
            failures.append(
                TrustDecision(
                    Trust.NOT_YET_VALID,
                    pattern,
                    f"{subject} of {quoted(pattern)} is not valid until "
                    f"{_when(signer.valid_after)} ({place})",
                )
            )
        elif signer.valid_before is not None and at > signer.valid_before:
            failures.append(
                TrustDecision(
                    Trust.EXPIRED,
                    pattern,
                    f"{subject} of {quoted(pattern)} expired at "
                    f"{_when(signer.valid_before)} ({place})",
                )
            )
        elif (
            certificate is not None
            and (problem := certificate.problem_at(principal, at)) is not None
        ):
            timed = {
                "it is not valid": Trust.NOT_YET_VALID,
                "it expired at": Trust.EXPIRED,
            }
            status = next(
                (value for start, value in timed.items() if problem.startswith(start)),
                Trust.WRONG_PRINCIPAL,
            )
            failures.append(
                TrustDecision(
                    status,
                    pattern,
                    f"the certificate {quoted(certificate.key_id)} of the key {fingerprint} does not"
                    f" count: {problem} ({place})",
                )
            )
        elif certificate is not None:
            # The CA vouches for the principal itself (the certificate lists it), not for whoever
            # matches the line's pattern: name the person, as a line naming them would.
            return TrustDecision(
                Trust.TRUSTED,
                principal,
                f"signed by {quoted(principal)} with key {fingerprint}, certified by the CA"
                f" {certificate.ca_fingerprint} for {quoted(pattern)} (certificate"
                f" {quoted(certificate.key_id)}, serial {certificate.serial}) ({place})",
                signer,
            )
        else:
            return TrustDecision(
                Trust.TRUSTED,
                pattern,
                f"signed by {quoted(pattern)} with key {fingerprint} ({place})",
                signer,
            )
        # Each refusing branch above added one failure, for this line: say which line it was.
        failures[-1] = failures[-1]._replace(line=signer)
    return failures[0]


def keys_of(trust: TrustFile, principal: str) -> frozenset[bytes]:
    """Every key the trust file holds for ``principal`` by name, on any line and in any namespace, the
    principal compared without regard to case: all the keys that are this person's own.

    A line that matches the principal only through a pattern (``*@essex.ac.uk``, ``!`` negations) does
    not count: such a line is a key shared by many (a bot's, a CI's), and it makes no one the same
    person as anyone else. Whoever signs with it is judged by the key that signed and the principal
    they signed as."""
    folded = principal.casefold()
    # Only a line naming the principal literally can count: with the index, only those are looked at.
    lines = trust.signers if trust.by_name is None else trust.by_name.get(folded, ())
    return frozenset(
        signer.public_key.raw
        for signer in lines
        if (found := match_pattern_list(folded, tuple(p.casefold() for p in signer.principals)))
        is not None
        and not is_wildcard(found)
    )
