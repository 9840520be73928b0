"""Copies of one record that came back signed by different people, judged and written as one.

A proposer e-mails a record to the reviewer and to a co-signer; each approves the copy they were sent.
Every copy holds the same signed content (the bytes above the signatures marker) and the same proposer
signature; only the decisions below the marker differ. Their *union* is the record with every distinct
signature entry of every copy, in smcheck's own order (digest, proposer, reviewer, co-signers by role),
as ``approve`` would have written it had the decisions landed on one file.

The union is judged by verifying its bytes (:func:`smcheck.verify.verify_bytes`), never by combining
the copies' states by hand: no view of the copies is kinder than verify would be of the merged file.
Two decisions by one role across copies (one approving, one rejecting; or the same role deciding twice)
are a conflict, never resolved by file name, order or the time a statement declares about itself.

``smcheck merge`` writes the union; ``status`` and ``verify FOLDER`` show it (:func:`union_of_paths`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from smcheck.layout import MARKER, append_seal, render_seals
from smcheck.record import PROPOSER, REVIEWER, Seal, sha256

if TYPE_CHECKING:
    from smcheck.trust.policy import Roles, SignatureReport
    from smcheck.verify import ChecklistLookup, Demands, Report

MERGED = ".merged.smcheck.toml"
"""How a suggested merge's output is named beside the first copy: ``x.smcheck.toml`` ->
``x.merged.smcheck.toml``."""


class Copy(NamedTuple):
    """One file holding a copy of a record, as read and verified on its own."""

    path: str
    data: bytes
    content: bytes
    """The exact signed content (the bytes above the marker)."""
    seals: tuple[Seal, ...]
    report: Report
    """What verify says of this file alone."""


class Union(NamedTuple):
    """Copies of one record judged together."""

    paths: tuple[str, ...]
    """The copies, in the order of their paths (never the order given)."""
    data: bytes
    """The merged record: every distinct signature entry of every copy, in smcheck's order."""
    report: Report
    """What verify says of :attr:`data` (reported under the first path)."""
    conflicts: tuple[str, ...] = ()
    """Each role that decided more than once across the copies, in words (naming the files)."""

    @property
    def valid(self) -> bool:
        """Whether the merged record verifies and no role decided twice."""
        return self.report.valid and not self.conflicts


def copy_key(content: bytes, seals: Sequence[Seal]) -> str:
    """What copies of one record share: the SHA-256 of the signed content and of the proposer's
    signature (a decision binds both, so copies differing in either are different records)."""
    proposer = next((s.sshsig for s in seals if s.method == "sshsig" and s.role == PROPOSER), "")
    # 128 bits: short, since a folder report holds one per record; a collision would only make
    # union_of_paths read two files again and find them different.
    return sha256(sha256(content).encode("ascii") + b"/" + (proposer or "").encode("ascii"))[:32]


def first_difference(one: bytes, other: bytes) -> int:
    """The number (from 1) of the first line where two contents differ."""
    a, b = one.split(b"\n"), other.split(b"\n")
    for number, (x, y) in enumerate(zip(a, b, strict=False), start=1):
        if x != y:
            return number
    return min(len(a), len(b)) + 1


def _decided(copies: Sequence[Copy]) -> dict[str, tuple[SignatureReport | None, list[str]]]:
    """Each distinct decision entry (by its SSHSIG blob): what verify established of it in a copy that
    holds it, and every copy that holds it."""
    found: dict[str, tuple[SignatureReport | None, list[str]]] = {}
    for copy in copies:
        entries = [s for s in copy.seals if s.method == "sshsig" and s.role != PROPOSER]
        judged = copy.report.judged
        reports: Sequence[SignatureReport | None] = (
            judged.decisions if judged is not None else [None] * len(entries)
        )
        for seal, report in zip(entries, reports, strict=False):
            assert seal.sshsig is not None  # the record reader ensures it
            known = found.setdefault(seal.sshsig, (report, []))
            known[1].append(copy.path)
    return found


def _in_words(report: SignatureReport | None, paths: list[str]) -> str:
    where = " and ".join(paths)
    if report is None or report.approval is None:
        return f"a decision in {where}"
    approval = report.approval
    who = report.principal or approval.approver
    return f"{approval.decision} by {who} on {approval.time:%Y-%m-%d %H:%M} UTC in {where}"


def conflicts(copies: Sequence[Copy], roles: Roles) -> tuple[str, ...]:
    """Each role with more than one decision across the copies, in words naming the files: different
    decisions are a conflict, and even the same decision made twice is two decisions, which verify
    refuses in one file (each role decides once)."""
    by_role: dict[str, list[tuple[SignatureReport | None, list[str]]]] = {}
    for blob, (report, paths) in sorted(_decided(copies).items()):
        role = report.role if report is not None else _role_of(copies, blob)
        by_role.setdefault(role, []).append((report, sorted(paths)))
    said: list[str] = []
    for role in sorted(by_role, key=lambda r: (r != REVIEWER, r)):
        decisions = sorted(by_role[role], key=lambda d: (d[1], _in_words(*d)))
        if len(decisions) < 2:
            continue
        kinds = {d[0].approval.decision for d in decisions if d[0] and d[0].approval}
        what = "different decisions" if len(kinds) > 1 else "more than one decision"
        said.append(
            f"{what} as {roles.title(role)}: "
            + "; ".join(_in_words(*d) for d in decisions)
            + " (each role decides once; smcheck does not choose between them)"
        )
    return tuple(said)


def _role_of(copies: Sequence[Copy], blob: str) -> str:
    for copy in copies:
        for seal in copy.seals:
            if seal.sshsig == blob and seal.role is not None:
                return seal.role
    return REVIEWER  # not reached: every blob came from a seal with a role


def merged(content: bytes, copies: Sequence[Copy]) -> bytes:
    """The record holding every distinct signature entry of the copies, in smcheck's own order: the
    digest, the proposer's signature, the reviewer's decision, then co-signatures by role (as sign and
    approve append them), each entry once."""
    seen: set[tuple[str, str]] = set()
    digests: list[Seal] = []
    signed: list[Seal] = []
    for copy in copies:
        for seal in copy.seals:
            key = (seal.method, seal.sshsig or seal.digest or "")
            if key in seen:
                continue
            seen.add(key)
            (digests if seal.method == "sha256" else signed).append(seal)

    def order(seal: Seal) -> tuple[int, str, str]:
        rank = 0 if seal.role == PROPOSER else 1 if seal.role == REVIEWER else 2
        return rank, seal.role or "", seal.sshsig or ""

    data = content + MARKER + render_seals(sorted(digests, key=lambda s: s.digest or ""))
    for seal in sorted(signed, key=order):
        data = append_seal(data, seal)
    return data


def judge_copies(
    copies: Sequence[Copy], *, lookup: ChecklistLookup, today: dt.date, demands: Demands
) -> Union:
    """The union of copies with one content, verified as one record (copies in any order give the
    same union)."""
    from smcheck.verify import verify_bytes

    ordered = sorted(copies, key=lambda c: c.path)
    data = merged(ordered[0].content, ordered)
    report = verify_bytes(data, ordered[0].path, lookup=lookup, today=today, demands=demands)
    return Union(tuple(c.path for c in ordered), data, report, conflicts(ordered, report.roles))


def read_copy(
    path: str, data: bytes, *, lookup: ChecklistLookup, today: dt.date, demands: Demands
) -> Copy | None:
    """One copy, verified on its own; None when its layout cannot be read."""
    from smcheck.layout import read_layout
    from smcheck.record import RecordError
    from smcheck.verify import verify_bytes

    try:
        content, seals = read_layout(data)
    except RecordError:
        return None
    report = verify_bytes(data, path, lookup=lookup, today=today, demands=demands)
    return Copy(path, data, content, seals, report)


def union_of_paths(
    paths: Sequence[str], *, lookup: ChecklistLookup, today: dt.date, demands: Demands
) -> Union | None:
    """The union of the files a register or a folder report found to be copies of one record (by
    :func:`copy_key`), each read again and verified again: only copies that still verify and still
    hold the same record join. None when fewer than two do, or when they all carry the same
    signatures (plain copies of one file: the union is each of them, and each has its own row)."""
    from smcheck.errors import CannotOpen
    from smcheck.recordfile import read_limited

    copies: list[Copy] = []
    for path in sorted(set(paths)):
        try:
            data = read_limited(Path(path))
        except CannotOpen:
            continue
        copy = read_copy(path, data, lookup=lookup, today=today, demands=demands)
        if copy is not None and copy.report.valid:
            copies.append(copy)
    keys = [copy_key(c.content, c.seals) for c in copies]
    if not keys:
        return None
    common = max(set(keys), key=lambda k: (keys.count(k), k))
    copies = [c for c, k in zip(copies, keys, strict=True) if k == common]
    if len({frozenset(c.seals) for c in copies}) < 2:
        return None  # plain copies of one file: each says all the union would
    return judge_copies(copies, lookup=lookup, today=today, demands=demands)


def suggested_output(first: str) -> str:
    """Where a suggested merge writes: beside the first copy, named ``NAME.merged.smcheck.toml``
    (``-2``, ``-3``... when the name is taken, by a file or a link)."""
    from smcheck.fsutil import name_beside
    from smcheck.record import SUFFIX

    return name_beside(first, "merged", SUFFIX)


def merge_command(paths: Sequence[str]) -> str:
    """The command that writes the union of ``paths`` (each a shell word, written as smcheck was run)."""
    from smcheck.text import as_run, shell_word

    words = " ".join(shell_word(p) for p in paths)
    return as_run(f"smcheck merge {words} --output {shell_word(suggested_output(paths[0]))}")


UnionOf = Callable[[Sequence[str]], "Union | None"]
"""A run's :func:`union_of_paths`, with its lookup, date and trust file bound."""


__all__ = [
    "MERGED",
    "Copy",
    "Union",
    "UnionOf",
    "conflicts",
    "copy_key",
    "first_difference",
    "judge_copies",
    "merge_command",
    "merged",
    "read_copy",
    "suggested_output",
    "union_of_paths",
]
