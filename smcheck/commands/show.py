"""``smcheck show RECORD``: a record for a person, or its exact bytes and signatures for ssh-keygen."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

from smcheck import console, registry
from smcheck.errors import UsageError
from smcheck.recordfile import open_record, read_layout_of, read_limited

if TYPE_CHECKING:
    from smcheck.verify import Report


def run(
    record: Path,
    *,
    signed_bytes: bool,
    signature: str | None,
    statement: str | None,
    allowed_signers: Path | None = None,
    revoked: Path | None = None,
) -> int:
    """Show a record for a person, or write the exact bytes a signature covers, or the signature itself
    in OpenSSH's armoured form, so that anyone can check it with stock ``ssh-keygen -Y verify``."""
    if signed_bytes or statement is not None or signature is not None:
        data = read_limited(record)
        content, seals = read_layout_of(record, data)
        if signed_bytes:
            _write_exact(content, record, "--signed-bytes")
            return 0
        if statement is not None:
            found = [s.statement for s in seals if s.role == statement and s.statement is not None]
            if not found:
                raise UsageError(f"{record} has no statement signed by role {statement!r}")
            _write_exact(found[0].encode("utf-8"), record, f"--statement {statement}")
            return 0
        from smcheck.trust.policy import namespace_for
        from smcheck.trust.sshsig import armour

        blobs = [s.sshsig for s in seals if s.method == "sshsig" and s.role == signature]
        if not blobs or blobs[0] is None:
            raise UsageError(f"{record} has no {signature} signature")
        sys.stdout.write(armour(blobs[0]))
        assert signature is not None
        what = (
            "the record's content (--signed-bytes)"
            if signature == "proposer"
            else (f"a statement (--statement {signature})")
        )
        sys.stderr.write(f"(it signs {what}, in namespace {namespace_for(signature)})\n")
        return 0
    from smcheck.checklist import format_value
    from smcheck.values import as_text

    data, parsed = open_record(record)
    record_ = parsed.record
    lookup = registry.lookup()
    checklist = lookup(record_.checklist_id)
    verdict, todo, report = _verdict(record, data, lookup, allowed_signers, revoked)
    lines = [
        verdict,
        *todo,
        "",
        f"Record {record_.id}",
        f"  made {record_.created:%Y-%m-%d %H:%M} UTC with smcheck {record_.smcheck_version}",
        f"  checklist {record_.checklist_id} {record_.checklist_version}; review by"
        f" {record_.review_by}",
        f"  outcome: {record_.status}",
        f"  signed off by {record_.signoff.name} <{record_.signoff.email}>, {record_.signoff.role},"
        f" {record_.signoff.department}",
        "",
    ]
    questions = {q.id: q for q in checklist.questions} if checklist else {}
    for qid, value in record_.answers.items():
        question = questions.get(qid)
        lines.append(f"  {question.prompt if question else qid}")
        # The file's answers are shown as the file has them, right or wrong (verify, above, judges
        # them): choice labels only for a value of the question's own shape.
        if question is not None and _of_choice_shape(value):
            shown = as_text(question, value)  # type: ignore[arg-type]
        else:
            shown = format_value(value)
        lines.append(f"      {shown}")
    lines.append("")
    for action in record_.actions:
        lines.append(f"  {action.level.value}: {action.action} ({', '.join(action.clauses)})")
    # Each signature as verify judged it: whose, and each decision with its comment (diff says
    # them in the same words).
    from smcheck.report import decisions

    for role, words in decisions(report, parsed.seals).items():
        who = "the proposer" if role == "proposer" else report.roles.title(role)
        lines.append(f"  {who} ({role}): {words}")
    console.show_lines(lines, out=True)
    return 0


def _of_choice_shape(value: object) -> bool:
    """Whether an answer is text or a list of texts: the only values a choice label can stand for."""
    return isinstance(value, str) or (
        isinstance(value, tuple) and all(isinstance(item, str) for item in value)
    )


def _verdict(
    path: Path,
    data: bytes,
    lookup: registry.Lookup,
    allowed_signers: Path | None,
    revoked: Path | None,
) -> tuple[str, list[str], Report]:
    """What verify says, first, in verify's own words and count (its last line, ``VALID (2
    warnings): ...``): a view is never kinder than verify; then, for a record not yet approved, the
    numbered steps still needed before the channel may launch; and the report itself."""
    from smcheck.nextsteps import heading, numbered, steps
    from smcheck.text import as_run
    from smcheck.trust.source import reviewer_loader
    from smcheck.verify import Demands, Verdict, verify_now

    load_trust = reviewer_loader(allowed_signers, revoked, notify=console.note)
    report = verify_now(data, str(path), lookup=lookup, demands=Demands(load_trust=load_trust))
    todo = [
        as_run(line) for line in numbered(steps(report, path, to_proposer=False), heading(report))
    ]
    if report.valid:
        from smcheck.report import warnings

        said = report.standing.summary if report.standing else report.state.value
        count = warnings(report)
        extra = f" ({count} warning{'s' if count != 1 else ''})" if count else ""
        return f"smcheck verify: VALID{extra}: {said}", todo, report
    failed = "; ".join(
        # A summary that ends with a colon introduces verify's detail lines, which one line leaves out.
        f"{c.title}: {c.summary.rstrip().removesuffix(':')}"
        for c in report.checks
        if c.verdict is Verdict.FAIL
    )
    return (
        f"smcheck verify: DOES NOT VERIFY ({failed}). What follows is what the file says, not what"
        " was signed off or approved.",
        todo,
        report,
    )


def _write_exact(data: bytes, record: Path, option: str) -> None:
    """Exact bytes for ssh-keygen, on stdout. They are untrusted: on a terminal, bytes a terminal
    would obey (escape sequences, controls) are refused rather than shown raw or altered."""
    from smcheck.text import first_hidden, shell_word

    if sys.stdout.isatty():
        text = data.decode("utf-8", "replace")
        if first_hidden(text, allow="\n\t") is not None:
            raise UsageError(
                f"{record}: these bytes hold characters a terminal would act on; they are not shown",
                hint=f"write them to a file: smcheck show {shell_word(record)} {option} > FILE",
            )
    sys.stdout.buffer.write(data)
