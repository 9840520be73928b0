"""OpenSSH ``allowed_signers`` trust files and revoked-key lists, read as ``ssh-keygen`` reads them.

Times in ``valid-after``/``valid-before`` without a trailing ``Z`` are read as UTC here, whereas
``ssh-keygen`` reads them in the local time zone: write them with ``Z`` to mean the same to both.
"""

from __future__ import annotations

import datetime as dt
import re
from enum import StrEnum
from pathlib import Path
from typing import NamedTuple, NoReturn

from smcheck.errors import FileProblem
from smcheck.fsutil import read_regular
from smcheck.text import quoted
from smcheck.trust.wire import (
    KEY_TYPE,
    KeyProblem,
    PublicKey,
    is_small_order,
    parse_public_key,
    split_key_line,
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


class TrustFile(NamedTuple):
    """A parsed ``allowed_signers`` file."""

    path: Path
    signers: tuple[AllowedSigner, ...]
    notes: tuple[str, ...] = ()
    """One line per line of the file that smcheck skipped (``FILE:LINE: skipped: why``): keys of other
    types, certificate authorities, options it does not use. Such lines grant nothing."""


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
        refuse("KRLs are not supported; list revoked public keys one per line")
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
    return text


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


def _parse_options(
    text: str,
) -> tuple[tuple[str, ...] | None, dt.datetime | None, dt.datetime | None]:
    namespaces: tuple[str, ...] | None = None
    after: dt.datetime | None = None
    before: dt.datetime | None = None
    i = 0
    while True:
        rest = text[i:].lower()
        if rest.startswith("cert-authority") and rest[len("cert-authority") :][:1] in ("", ","):
            raise _Skip(
                "a certificate authority (cert-authority) line: smcheck trusts each signer's own"
                " Ed25519 key, not certificates"
            )
        if rest.startswith("namespaces="):
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
                " line allows (it knows namespaces=, valid-after= and valid-before=)"
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
    return namespaces, after, before


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


def _parse_signer_line(line: str, number: int) -> AllowedSigner:
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
    principals = _pattern_list(principals_text, "principals")
    if not rest:
        raise _LineProblem("the line has no key")
    first = rest.split(None, 1)[0]
    namespaces = after = before = None
    if not _KEY_TYPE_TOKEN.fullmatch(first):
        options, rest = _split_options(rest)
        namespaces, after, before = _parse_options(options)
        if not rest:
            raise _LineProblem("the line has no key")
    key_type = rest.split(None, 1)[0]
    if key_type != KEY_TYPE and _KEY_TYPE_TOKEN.fullmatch(key_type):
        raise _Skip(f"{unsupported_key(key_type).message}")
    try:
        key = parse_public_key(rest)
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

    Each line is ``PRINCIPALS [OPTIONS] ssh-ed25519 KEY [COMMENT]``; ``#`` comments and blank lines
    are skipped; options (``namespaces=``, ``valid-after=``, ``valid-before=``) are case-insensitive.
    A file a team already keeps (for git commit signing, say) works as it is: lines smcheck does not
    use (other key types, ``cert-authority``, options it does not know) are skipped, each with a note
    in :attr:`TrustFile.notes`, and grant nothing. A line that is malformed, or holds a small-order
    Ed25519 key, is an error: every such line is listed in one
    :class:`~smcheck.errors.FileProblem`, each as ``file:line``.
    """
    text = _read_text(path, "allowed signers file", MAX_TRUST_FILE_BYTES)
    signers: list[AllowedSigner] = []
    problems: list[str] = []
    notes: list[str] = []
    hint: str | None = None
    for number, line in _lines(text):
        try:
            signers.append(_parse_signer_line(line, number))
        except _Skip as exc:
            notes.append(f"{path}:{number}: skipped: {exc}")
        except _LineProblem as exc:
            problems.append(f"{path}:{number}: {exc.message}")
            hint = hint or exc.hint
    if problems:
        raise FileProblem(str(path), problems, hint=hint or _LINE_HINT)
    return TrustFile(path, tuple(signers), tuple(notes))


def load_revoked(path: Path) -> frozenset[bytes]:
    """Read revoked keys: OpenSSH public key lines, one a line (``#`` comments allowed).

    Returns the SSH wire blobs of the keys. Keys of any type may be listed (an RSA key can never
    sign for smcheck, so listing it is harmless). OpenSSH's binary KRLs are refused.
    """
    text = _read_text(path, "revoked keys file", MAX_TRUST_FILE_BYTES)
    blobs: set[bytes] = set()
    problems: list[str] = []
    for number, line in _lines(text):
        try:
            key_type, blob = split_key_line(line)
            if key_type == KEY_TYPE:
                blob = parse_public_key(line).wire()
        except KeyProblem as exc:
            problems.append(f"{path}:{number}: {exc.message}")
            continue
        blobs.add(blob)
    if problems:
        raise FileProblem(
            str(path), problems, hint="each line is one public key: ssh-ed25519 AAAA... [comment]"
        )
    return frozenset(blobs)


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
    """The trust file's principal pattern that matched (never anything from the signature)."""
    message: str
    """The verdict in plain words."""
    line: AllowedSigner | None = None
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


def decide_trust(
    key: PublicKey,
    *,
    trust: TrustFile,
    revoked: frozenset[bytes],
    principal: str,
    namespace: str,
    at: dt.datetime,
    named: bool = False,
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
    """
    if at.tzinfo is None or at.utcoffset() is None:
        raise ValueError("decide_trust needs a timezone-aware time")
    at = at.astimezone(dt.UTC).replace(microsecond=0)
    fingerprint = key.fingerprint()
    where = str(trust.path)
    if key.wire() in revoked:
        return TrustDecision(Trust.REVOKED, None, f"the key {fingerprint} has been revoked")
    holding = [signer for signer in trust.signers if signer.public_key.raw == key.raw]
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
            f"the key {fingerprint} is trusted for {owners}, not for {quoted(principal)}",
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
                    f"{place} trusts the key {fingerprint} for every principal matching"
                    f" {quoted(pattern)}; signing as {quoted(namespace)} needs a line that names"
                    " the person",
                )
            )
        elif named and signer.namespaces is None:
            failures.append(
                TrustDecision(
                    Trust.WRONG_NAMESPACE,
                    pattern,
                    f"{place} names no namespaces= for the key {fingerprint} of {quoted(pattern)};"
                    " OpenSSH reads that as any namespace, but an approving role is granted only by"
                    f' name: add namespaces="{namespace}"',
                )
            )
        elif signer.namespaces is not None and granted is None:
            failures.append(
                TrustDecision(
                    Trust.WRONG_NAMESPACE,
                    pattern,
                    f"the key {fingerprint} of {quoted(pattern)} may sign only for namespaces "
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
                    f"the key {fingerprint} of {quoted(pattern)} is not valid until "
                    f"{_when(signer.valid_after)} ({place})",
                )
            )
        elif signer.valid_before is not None and at > signer.valid_before:
            failures.append(
                TrustDecision(
                    Trust.EXPIRED,
                    pattern,
                    f"the key {fingerprint} of {quoted(pattern)} expired at "
                    f"{_when(signer.valid_before)} ({place})",
                )
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
    return frozenset(
        signer.public_key.raw
        for signer in trust.signers
        if (found := match_pattern_list(folded, tuple(p.casefold() for p in signer.principals)))
        is not None
        and not is_wildcard(found)
    )
