"""``smcheck export RECORD --format md|html``: a readable document to attach to the proposal.

One document model, two renderings. Every string from the record is untrusted: control, bidi and
zero-width characters are made visible first, then the text is escaped for the format (HTML entities;
Markdown's syntax characters), so an answer holding ``<script>`` or ``**markup**`` shows as itself.
The HTML is one self-contained file: no scripts, no external assets, readable when printed.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple, assert_never

from smcheck import registry
from smcheck.checklist import Checklist, format_value
from smcheck.choices import ExportFormat
from smcheck.errors import FileProblem
from smcheck.fsutil import atomic_write
from smcheck.nextsteps import HEADING as NEXT_HEADING
from smcheck.nextsteps import heading
from smcheck.record import Record, RecordError
from smcheck.report import unlocal as _unlocal
from smcheck.text import shell_word, visible
from smcheck.trust.policy import SigStatus, State

if TYPE_CHECKING:
    from collections.abc import Callable

    from smcheck.trust.policy import SignatureReport
    from smcheck.verify import Report


class Row(NamedTuple):
    """One line of a part: a label, a value, and a note (the clauses, say)."""

    label: str
    value: str
    note: str = ""


class Part(NamedTuple):
    """A titled part of the document."""

    title: str
    intro: str
    rows: tuple[Row, ...]


class Banner(NamedTuple):
    """What verify says of the record, shown before anything the record says: its state (the colour
    and the first word), a sentence, the failing checks or who decided, and every warning."""

    state: State
    headline: str
    reasons: tuple[str, ...] = ()
    """The failing checks of a record that does not verify; else each decision, with its comment."""
    warnings: tuple[str, ...] = ()
    """Every warning verify gives (the outcome's, with the proposer's explanations, and the others)."""
    steps: tuple[str, ...] = ()
    """What is still needed before the channel may launch (:mod:`smcheck.nextsteps`); () when approved."""
    steps_title: str = NEXT_HEADING
    """The line over :attr:`steps` (a renewal's speaks of a re-review: :func:`smcheck.nextsteps.heading`)."""

    @property
    def valid(self) -> bool:
        """Whether verify accepted the record."""
        return self.state is not State.INVALID

    @property
    def mark(self) -> str:
        """The banner's first words: the state."""
        match self.state:
            case State.INVALID:
                return "DOES NOT VERIFY"
            case State.REJECTED:
                return "Rejected"
            case State.AWAITING_REVIEWER | State.AWAITING_COSIGN:
                return "Awaiting a decision"
            case State.APPROVED:
                return "Approved"
            case State.UNSIGNED:
                return "Unsigned"
            case State.NOT_CHECKED:
                return "Signatures not checked"
            case _:
                assert_never(self.state)

    @property
    def kind(self) -> str:
        """The banner's colour, as a CSS class: red, amber or green (:data:`smcheck.htmlpage.CSS`)."""
        match self.state:
            case State.INVALID:
                return "invalid"
            case State.REJECTED:
                return "rejected"
            case (
                State.AWAITING_REVIEWER | State.AWAITING_COSIGN | State.UNSIGNED | State.NOT_CHECKED
            ):
                return "awaiting"
            case State.APPROVED:
                return "approved"
            case _:
                assert_never(self.state)


class Document(NamedTuple):
    """What an export says, before it is rendered."""

    title: str
    subtitle: str
    parts: tuple[Part, ...]
    banner: Banner | None = None


def build(
    record: Record,
    checklist: Checklist | None,
    signatures: list[Row],
    banner: Banner | None = None,
) -> Document:
    """The document for a record (with its checklist, when known, for prompts and clauses)."""
    from smcheck.values import as_text

    channel = " ".join(
        str(record.answers[q])
        for q in (checklist.name_from if checklist else ())
        if q in record.answers
    )
    facts = Part(
        "The record",
        "",
        (
            Row("Record", record.id),
            Row("Signed off", f"{record.created:%Y-%m-%d %H:%M} UTC"),
            Row("Checklist", f"{record.checklist_id} {record.checklist_version}"),
            Row("Outcome", record.status.value),
            Row("Review by", record.review_by.isoformat()),
        ),
    )
    parts = [facts]
    if checklist is not None:
        for section in checklist.sections:
            rows = []
            for question in section.questions:
                if question.id not in record.answers:
                    continue
                value = record.answers[question.id]
                shown = (
                    as_text(question, value)
                    if isinstance(value, bool | str | dt.date | tuple)
                    else format_value(value)
                )
                clauses = ", ".join(question.clauses)
                rows.append(Row(question.prompt, shown, f"Policy: {clauses}" if clauses else ""))
            if rows:
                parts.append(Part(section.title, "", tuple(rows)))
    else:
        parts.append(
            Part(
                "Answers", "", tuple(Row(qid, format_value(v)) for qid, v in record.answers.items())
            )
        )
    from smcheck.verify import explanation

    actions = tuple(
        Row(
            f.level.value,
            f.action
            + (
                f" The proposer explains: {said}"
                if (said := explanation(f, record.answers)) is not None
                else ""
            ),
            ", ".join(f.clauses) + (f"; referred to {f.refer_to}" if f.refer_to else ""),
        )
        for f in record.actions
    )
    parts.append(Part("Outcome and actions", f"Status: {record.status.value}", actions))
    parts.append(
        Part(
            "Sign-off",
            record.declaration,
            (
                Row("Name", record.signoff.name),
                Row("Email", record.signoff.email),
                Row("Role", record.signoff.role),
                Row("Department", record.signoff.department),
            ),
        )
    )
    parts.append(
        Part("Signatures", "As verified when this document was exported.", tuple(signatures))
    )
    title = checklist.title if checklist else record.checklist_id
    return Document(title, channel, tuple(parts), banner)


_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>|~&])")
"""Markdown characters that act in the middle of a line (labels and values never start one)."""


def _md(text: str) -> str:
    return _MD_SPECIAL.sub(r"\\\1", visible(text)).replace("\n", " ")


def to_markdown(doc: Document) -> str:
    """The document as Markdown."""
    out = [f"# {_md(doc.title)}", ""]
    if doc.banner is not None:
        banner = doc.banner
        out.append(f"> **{banner.mark}:** {_md(banner.headline)}")
        out.extend(f"> - {_md(reason)}" for reason in banner.reasons)
        if banner.steps:
            out.append(">")
            out.append(f"> **{_md(banner.steps_title)}**")
            out.extend(
                f"> {number}. {_md(step)}" for number, step in enumerate(banner.steps, start=1)
            )
        if banner.warnings:
            out.append(">")
            out.append(f"> **Warnings ({len(banner.warnings)}):**")
            out.extend(f"> - {_md(warning)}" for warning in banner.warnings)
        out.append("")
    if doc.subtitle:
        out += [f"**{_md(doc.subtitle)}**", ""]
    for part in doc.parts:
        out += [f"## {_md(part.title)}", ""]
        if part.intro:
            out += [_md(part.intro), ""]
        for row in part.rows:
            note = f" *({_md(row.note)})*" if row.note else ""
            out.append(f"- **{_md(row.label)}**: {_md(row.value)}{note}")
        if part.rows:
            out.append("")
    return "\n".join(out)


def to_html(doc: Document) -> str:
    """The document as one self-contained HTML page (no scripts, no external assets)."""
    from smcheck.htmlpage import escape, page

    body = [f"<h1>{escape(doc.title)}</h1>"]
    if doc.banner is not None:
        banner = doc.banner
        reasons = "".join(f"<li>{escape(r)}</li>" for r in banner.reasons)
        warnings = "".join(f"<li>{escape(w)}</li>" for w in banner.warnings)
        todo = "".join(f"<li>{escape(step)}</li>" for step in banner.steps)
        body.append(
            f'<div class="banner {banner.kind}" role="alert"><p><strong>{banner.mark}:</strong>'
            f" {escape(banner.headline)}</p>"
            + (f"<ul>{reasons}</ul>" if reasons else "")
            + (
                f'<p class="next"><strong>{escape(banner.steps_title)}</strong></p><ol>{todo}</ol>'
                if todo
                else ""
            )
            + (
                f'<p class="warnings"><strong>Warnings ({len(banner.warnings)}):</strong></p>'
                f"<ul>{warnings}</ul>"
                if warnings
                else ""
            )
            + "</div>"
        )
    if doc.subtitle:
        body.append(f"<p><strong>{escape(doc.subtitle)}</strong></p>")
    for part in doc.parts:
        body.append(f"<h2>{escape(part.title)}</h2>")
        if part.intro:
            body.append(f"<p>{escape(part.intro)}</p>")
        if part.rows:
            body.append("<dl>")
            for row in part.rows:
                note = f' <span class="note">({escape(row.note)})</span>' if row.note else ""
                body.append(f"<dt>{escape(row.label)}</dt><dd>{escape(row.value)}{note}</dd>")
            body.append("</dl>")
    return page(doc.title, body)


def run(
    path: Path,
    *,
    fmt: ExportFormat,
    output: Path | None,
    force: bool,
    allowed_signers: Path | None,
    revoked: Path | None = None,
) -> int:
    """Write the document to --output, or to stdout. It opens with verify's verdict, so a record that
    does not verify can never pass for one that does."""
    from smcheck import console
    from smcheck.layout import parse_record
    from smcheck.recordfile import read_limited
    from smcheck.trust.source import reviewer_loader
    from smcheck.verify import Demands, verify_now

    data = read_limited(path)
    lookup = registry.lookup()
    load_trust = reviewer_loader(allowed_signers, revoked, notify=console.note)
    report = verify_now(data, str(path), lookup=lookup, demands=Demands(load_trust=load_trust))
    record = report.record
    if record is None:
        # The proposer's signature failed before the content was read, or the file is no record: read
        # the content for the document anyway, under the banner that says it does not verify.
        from smcheck.recordfile import read_layout_of

        # A file that is no record is refused in one line, by the reader verify reads it with (a
        # draft, a file an e-mail program re-saved: with the command that finishes or restores it).
        read_layout_of(path, data)
        try:
            record = parse_record(data).record
        except RecordError as exc:
            raise FileProblem(
                str(path), [f"{path}: {exc.message}"], hint=f"smcheck verify {shell_word(path)}"
            ) from None
    checklist = lookup(record.checklist_id)
    doc = build(record, checklist, signature_rows(report), banner_of(report, path))
    match fmt:
        case ExportFormat.MD:
            text = to_markdown(doc)
        case ExportFormat.HTML:
            text = to_html(doc)
        case _:
            assert_never(fmt)
    if output is None:
        import sys

        sys.stdout.write(text)
    else:
        atomic_write(output, text.encode("utf-8"), overwrite=force, links=force)
    return 0


def banner_of(report: Report, path: Path | None = None) -> Banner:
    """verify's verdict on the record, in the words of its one result: the state; for a record that
    does not verify, each failed check's reason; else who decided (with their comments) or who must
    act, and every warning; with the record's ``path``, the steps still needed before the channel may
    launch. No local path: the reviewer's trust file is named as such."""
    from smcheck.nextsteps import steps
    from smcheck.verify import Verdict

    today = dt.datetime.now(dt.UTC).date().isoformat()
    clean = _unlocal(report)
    # The document is read on other computers: the record by its file name, and no local key.
    todo = (
        tuple(clean(s) for s in steps(report, Path(path.name), to_proposer=False))
        if path is not None
        else ()
    )
    if not report.valid:
        failed = tuple(
            clean(f"{c.title}: {c.summary}") for c in report.checks if c.verdict is Verdict.FAIL
        )
        return Banner(
            State.INVALID,
            f"smcheck verify refused this record on {today}. What follows is what the file says,"
            " not what was signed off or approved.",
            failed,
            steps=todo,
            steps_title=heading(report),
        )
    standing = report.standing
    said = standing.summary if standing is not None else report.state.value
    against = (
        ", checked against the reviewer's trust file"
        if report.judged is not None and report.judged.trust_path is not None
        else ""
    )
    decided = tuple(
        f"{report.roles.title(d.role)}: {_decision_words(d)}"
        for d in (report.judged.decisions if report.judged is not None else ())
        if d.approval is not None
    )
    return Banner(
        report.state,
        f"smcheck verify accepted this record on {today}{against}: {said}.",
        decided,
        _warnings(report, clean),
        todo,
        heading(report),
    )


def _decision_words(decision: SignatureReport) -> str:
    """``rejected by X on DATE: COMMENT`` (a decision whose statement verified)."""
    approval = decision.approval
    assert approval is not None
    who = decision.principal or f"{approval.approver} (as the statement says)"
    comment = f": {approval.comment}" if approval.comment else " (no comment)"
    said = f"{approval.decision} by {who} on {approval.time:%Y-%m-%d}{comment}"
    if decision.status is not SigStatus.TRUSTED:
        said += f" ({decision.status.words})"
    return said


def _warnings(report: Report, clean: Callable[[str], str]) -> tuple[str, ...]:
    """Each warning once: the outcome's (with the proposer's explanation, or its absence, beside it),
    then every other row that warns (a rejection is the banner's own headline, not a warning)."""
    from smcheck.verify import Verdict

    said: list[str] = []
    for row in report.checks:
        if row.verdict is not Verdict.WARN or row.code == "rejected":
            continue
        if row.code != "outcome-warnings":
            said.append(clean(f"{row.title}: {row.summary}"))
            continue
        for detail in row.details:
            if detail.code == "outcome-warning":
                said.append(f"{detail.where}: {detail.message}")
            elif said:
                said[-1] += f" ({detail.message})"
    return tuple(said)


def signature_rows(report: Report) -> list[Row]:
    """Each signature with its real status, as verify judged it."""
    clean = _unlocal(report)
    rows = []
    for r in report.signatures:
        title = report.roles.title(r.role) if r.role != "proposer" else "the proposer"
        said = f"{r.status.words}: {clean(r.message)}"
        if r.approval is not None:
            comment = f": {r.approval.comment}" if r.approval.comment else ""
            said += (
                f". {r.approval.decision} by {r.approval.approver} on"
                f" {r.approval.time:%Y-%m-%d}{comment}"
            )
            if not r.required:
                said += " (not required by these answers)"
        rows.append(Row(title, said))
    if not any(r.role == "proposer" for r in report.signatures):
        rows.insert(0, Row("the proposer", "not signed: integrity only"))
    rows.append(Row("verify", report.state.value.replace("-", " ")))
    return rows
