"""The signed-off record's model: what a record says, how it is made, and its content read strictly.

A record file is two parts (:mod:`smcheck.layout`): the content, a TOML document every digest and signature
covers byte for byte, and a trailing part of signature entries (:class:`Seal`). This module is the content:
the :class:`Record` it parses into (:func:`parse_content`), the document it is written as
(:func:`content_document`), and the building of a new one from a finished interview (:func:`build_record`).
"""

from __future__ import annotations

import calendar
import datetime as dt
import hashlib
import re
from collections.abc import Mapping
from typing import NamedTuple

from smcheck import __version__
from smcheck.checklist import Checklist, Level, Value
from smcheck.outcome import Finding, Outcome, Status
from smcheck.signoff import SignOff
from smcheck.tomlread import Problems, Table, TomlProblem, flatten, loads_guarded, nest

SCHEMA = 1
"""The record schema this smcheck writes and reads."""

SUFFIX = ".smcheck.toml"
"""The file suffix of records."""

DRAFT_SUFFIX = ".draft.toml"
"""The file suffix of drafts (:mod:`smcheck.drafts`), which ``status`` lists beside the records."""

HEX64 = re.compile(r"[0-9a-f]{64}")
"""A SHA-256 digest as smcheck writes it."""
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


def sha256(data: bytes) -> str:
    """Hex SHA-256."""
    return hashlib.sha256(data).hexdigest()


def decode(data: bytes, what: str) -> str:
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


def parse_toml(text: str, what: str, *, depth: bool = True) -> dict[str, object]:
    """``text`` parsed as TOML (:func:`~smcheck.tomlread.loads_guarded`), or the :class:`RecordError`
    that says why not, naming ``what`` (the content, the signatures part)."""
    try:
        return loads_guarded(text, depth=depth)
    except TomlProblem as exc:
        raise RecordError("well-formed", exc.code, f"{what} {exc.message}") from None


def parse_content(content: bytes) -> Record:
    """Second phase: the content bytes parsed strictly into a :class:`Record`."""
    content_doc = parse_toml(decode(content, "the content"), "the content")
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
    if csha is not None and not HEX64.fullmatch(csha):
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
