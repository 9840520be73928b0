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
from typing import NamedTuple

from smcheck import registry
from smcheck.checklist import Checklist, format_value
from smcheck.console import visible
from smcheck.errors import UsageError
from smcheck.fsutil import atomic_write
from smcheck.record import Record, open_record


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


class Document(NamedTuple):
    """What an export says, before it is rendered."""

    title: str
    subtitle: str
    parts: tuple[Part, ...]


def build(record: Record, checklist: Checklist | None, signatures: list[Row]) -> Document:
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
    actions = tuple(
        Row(
            f.level.value,
            f.action,
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
    return Document(title, channel, tuple(parts))


_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>|~&])")
"""Markdown characters that act in the middle of a line (labels and values never start one)."""


def _md(text: str) -> str:
    return _MD_SPECIAL.sub(r"\\\1", visible(text)).replace("\n", " ")


def to_markdown(doc: Document) -> str:
    """The document as Markdown."""
    out = [f"# {_md(doc.title)}", ""]
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
    path: Path, *, fmt: str, output: Path | None, force: bool, allowed_signers: Path | None
) -> int:
    """Write the document to --output, or to stdout."""
    if fmt not in ("md", "html"):
        raise UsageError(f"--format takes md or html, not {fmt!r}")
    data, parsed = open_record(path)
    record = parsed.record
    checklist = registry.by_id(record.checklist_id)
    signatures = _signature_rows(data, str(path), allowed_signers)
    doc = build(record, checklist, signatures)
    text = to_markdown(doc) if fmt == "md" else to_html(doc)
    if output is None:
        import sys

        sys.stdout.write(text)
    else:
        atomic_write(output, text.encode("utf-8"), overwrite=force)
    return 0


def _signature_rows(data: bytes, source: str, allowed_signers: Path | None) -> list[Row]:
    """Each signature with its trust status now, as verify sees it."""
    from smcheck.commands.verify import trust_loader
    from smcheck.verify import Demands, verify_bytes

    report = verify_bytes(
        data,
        source,
        lookup=registry.by_id,
        today=dt.datetime.now(dt.UTC).date(),
        demands=Demands(load_trust=trust_loader(allowed_signers)),
    )
    rows = []
    for r in report.signatures:
        said = f"{r.status}: {r.message}"
        if r.approval is not None:
            comment = f": {r.approval.comment}" if r.approval.comment else ""
            said += f". {r.approval.decision} on {r.approval.time:%Y-%m-%d}{comment}"
        rows.append(Row(r.role, said))
    if not rows:
        rows.append(Row("none", "not signed (integrity only)"))
    rows.append(Row("verify", "VALID" if report.valid else "INVALID"))
    return rows
