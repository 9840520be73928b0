"""Answers files: ``smcheck new --answers FILE`` without prompts, through the same validators and rules.

An answers file has the same shape as a record's answers, so a record can be replayed as answers::

    checklist = "essex-social-media"      # optional

    [answers.channel]
    platform = "instagram"

    [signoff]                              # optional here; needed to write a record
    name = "..."
    email = "..."
    role = "..."
    department = "..."
    agree = true
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from smcheck.checklist import Checklist, Value
from smcheck.errors import FileProblem, UsageError
from smcheck.layout import MARKER, MAX_RECORD_BYTES
from smcheck.loader import decode_toml
from smcheck.outcome import judge_answers
from smcheck.recordfile import read_limited
from smcheck.signoff import SignOff, agree_question, signoff_questions
from smcheck.tomlread import Problems, Table, flatten
from smcheck.values import AnswerError, check_typed

_SIGNOFF_KEYS = ("name", "email", "role", "department")


@dataclass(frozen=True)
class AnswersFile:
    """An answers file as read: raw typed values, not yet validated against a checklist."""

    path: Path
    checklist_id: str | None
    answers: Mapping[str, object]
    signoff: Mapping[str, object]
    is_record: bool
    """True when the file is a record being replayed (its old sign-off agreement does not carry over)."""
    data: bytes = b""
    """The bytes read (a record replayed from standard input is verified from these)."""

    @property
    def name(self) -> str:
        """How messages name it: its path, or "standard input"."""
        return "standard input" if self.path == STDIN else str(self.path)


@dataclass(frozen=True)
class Applied:
    """The answers that passed, and every problem (by id), from applying a file to a checklist."""

    answers: dict[str, Value]
    problems: list[str]
    signoff: SignOff | None


STDIN = Path("-")
"""``--answers -``: the answers come from standard input."""


def _read(path: Path) -> bytes:
    """The file's bytes, or standard input's for ``-`` (bounded like a file: a pipe that never ends
    cannot fill memory)."""
    if path != STDIN:
        return read_limited(path)
    import sys

    data = sys.stdin.buffer.read(MAX_RECORD_BYTES + 1)
    if len(data) > MAX_RECORD_BYTES:
        raise FileProblem(
            "standard input", [f"standard input: larger than {MAX_RECORD_BYTES} bytes"]
        )
    return data


def load_answers_file(path: Path) -> AnswersFile:
    """Read an answers file (or a record, replayed as answers) strictly; ``-`` reads standard input."""
    data = raw_bytes = _read(path)
    name = "standard input" if path == STDIN else str(path)
    problems = Problems(name)
    if MARKER in data:
        # A record: answers and the sign-off's identity come from its content alone.
        data = data[: data.index(MARKER)]
    raw = decode_toml(data, problems)
    if raw is None:
        raise FileProblem(name, problems.lines)
    top = Table(raw, "", problems)
    from smcheck.filekinds import Kind, of_document

    if of_document(raw) is Kind.DRAFT:
        from smcheck.text import as_run, shell_word

        # A draft given for an answers file: it is continued, not replayed.
        raise UsageError(
            f"{name} is a draft of the interview, not an answers file",
            hint=as_run(
                "smcheck drafts lists your drafts, with the command that continues each"
                if path == STDIN
                else f"continue it with: smcheck new --resume {shell_word(path)}"
            ),
        )
    is_record = top.has("record")
    if is_record:
        meta, table, signoff_raw = raw.get("checklist"), raw.get("answers"), raw.get("signoff")
        named = meta.get("id") if isinstance(meta, dict) else None
        checklist_id = named if isinstance(named, str) else None
        answers = flatten(table) if isinstance(table, dict) else {}
        signoff = (
            {k: v for k, v in signoff_raw.items() if k in _SIGNOFF_KEYS}
            if isinstance(signoff_raw, dict)
            else {}
        )
    else:
        checklist_id = top.string("checklist", required=False)
        table = top.table("answers")
        answers = flatten(table.data) if table else {}
        signoff_table = top.table("signoff", required=False)
        signoff = {}
        if signoff_table is not None:
            for key in (*_SIGNOFF_KEYS, "agree"):
                if signoff_table.has(key):
                    signoff[key] = signoff_table.raw(key)
            signoff_table.finish()
        top.finish()
    if problems:
        raise FileProblem(
            name,
            problems.lines,
            hint="an answers file holds [answers.SECTION] tables and an optional [signoff] table",
        )
    return AnswersFile(path, checklist_id, answers, signoff, is_record, raw_bytes)


def apply_answers(
    checklist: Checklist, file: AnswersFile, *, today: dt.date, agree: bool = False
) -> Applied:
    """Validate every answer of the file against the checklist; list every problem at once, by id.
    An old record replayed is a renewal: the checklist's renewal answers replace its own."""
    given = {**file.answers, **checklist.renewal_answers()} if file.is_record else file.answers
    accepted, found, _ = judge_answers(checklist, given, today=today, exact=False)
    problems = [str(p) for p in found]
    signoff = _signoff(checklist, file, problems, today=today, agree=agree)
    return Applied(accepted, problems, signoff)


def _signoff(
    checklist: Checklist, file: AnswersFile, problems: list[str], *, today: dt.date, agree: bool
) -> SignOff | None:
    values: dict[str, str] = {}
    questions = signoff_questions(checklist)  # with the checklist's [signoff] rule
    for question in questions:
        key = question.id.rsplit(".", 1)[1]
        if key not in file.signoff:
            problems.append(f"{question.id}: missing ({question.prompt.lower()})")
            continue
        try:
            values[key] = str(check_typed(question, file.signoff[key], today=today))
        except AnswerError as exc:
            problems.append(f"{question.id}: {exc}")
    accepted = agree
    if not agree:
        raw = file.signoff.get("agree")
        if raw is None:
            where = (
                "pass --agree"
                if file.is_record
                else "add agree = true under [signoff], or pass --agree"
            )
            problems.append(f"signoff.agree: missing; to make the declaration, {where}")
        else:
            try:
                accepted = check_typed(agree_question(checklist), raw, today=today) is True
            except AnswerError as exc:
                problems.append(f"signoff.agree: {exc}")
            else:
                if not accepted:
                    problems.append("signoff.agree: is false, so the declaration is not made")
    if accepted and len(values) == len(questions):
        return SignOff(values["name"], values["email"], values["role"], values["department"])
    return None
