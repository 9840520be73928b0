"""Approval statements: what a reviewer or co-signer signs.

An approver does not sign the record's content again: they sign a short statement that binds their
decision, who they are, when, and their comment to *this* record: its id, the SHA-256 of its exact content
bytes and the SHA-256 of the proposer's signature. Copied onto another record, the statement names the
wrong content and the wrong proposer signature, so it cannot be moved. The statement is kept verbatim in
the record's trailing part next to its signature (namespace ``smcheck-approval``), and is read only after
its signature has verified.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import NamedTuple

from smcheck.tomlread import Problems, Table, TomlProblem, loads_guarded

DECISIONS = ("approved", "rejected")

_HEX64 = re.compile(r"[0-9a-f]{64}")


class StatementError(ValueError):
    """A statement that is not one smcheck writes; the message says what is wrong."""


class Approval(NamedTuple):
    """One approver's decision on one record."""

    record_id: str
    content_sha256: str
    """SHA-256 of the record's exact content bytes."""
    proposer_signature_sha256: str
    """SHA-256 of the proposer's SSHSIG blob: the approval covers that signature too."""
    role: str
    """``reviewer``, or a co-signer's role from the checklist (``advancement-office``)."""
    decision: str
    """``approved`` or ``rejected``."""
    approver: str
    """The approver's principal, as their own trust file names their key (an email address)."""
    time: dt.datetime
    """When they decided (UTC, whole seconds)."""
    comment: str


def render_statement(approval: Approval) -> str:
    """The statement's text: the exact bytes (UTF-8) the approver signs."""
    import tomli_w

    return tomli_w.dumps(
        {
            "approval": {
                "record_id": approval.record_id,
                "content_sha256": approval.content_sha256,
                "proposer_signature_sha256": approval.proposer_signature_sha256,
                "role": approval.role,
                "decision": approval.decision,
                "approver": approval.approver,
                "time": approval.time.astimezone(dt.UTC).replace(microsecond=0),
                "comment": approval.comment,
            }
        }
    )


def parse_statement(text: str) -> Approval:
    """Read a statement strictly; raise :class:`StatementError` naming the first problem."""
    try:
        doc = loads_guarded(text)
    except TomlProblem as exc:
        raise StatementError(f"the statement {exc.message}") from None
    problems = Problems("")
    top = Table(doc, "", problems)
    table = top.table("approval")
    top.finish()
    if table is None:
        raise StatementError(f"the statement {problems.lines[0] if problems else 'is empty'}")
    values = {
        key: table.string(key)
        for key in (
            "record_id",
            "content_sha256",
            "proposer_signature_sha256",
            "role",
            "decision",
            "approver",
            "comment",
        )
    }
    time = table.moment("time")
    table.finish()
    for key in ("content_sha256", "proposer_signature_sha256"):
        digest = values[key]
        if digest is not None and not _HEX64.fullmatch(digest):
            problems.add(f"approval.{key}", "must be 64 lower-case hex digits")
    decision = values["decision"]
    if decision is not None and decision not in DECISIONS:
        problems.add("approval.decision", f"must be approved or rejected, not {decision!r}")
    if problems or time is None or any(v is None for v in values.values()):
        raise StatementError(
            f"the statement is not one smcheck writes: {problems.lines[0] if problems else 'incomplete'}"
        )
    return Approval(
        record_id=str(values["record_id"]),
        content_sha256=str(values["content_sha256"]),
        proposer_signature_sha256=str(values["proposer_signature_sha256"]),
        role=str(values["role"]),
        decision=str(values["decision"]),
        approver=str(values["approver"]),
        time=time,
        comment=str(values["comment"]),
    )
