"""``smcheck diff OLD NEW``: what changed between two records of one channel (a resubmission)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from smcheck import channel, console, registry
from smcheck.checklist import Checklist, Question, format_value
from smcheck.choices import TextFormat, choose
from smcheck.record import Record, Seal
from smcheck.recordfile import open_record
from smcheck.registry import Lookup
from smcheck.report import decisions
from smcheck.text import shell_word

if TYPE_CHECKING:
    from smcheck.verify import Demands, Report


class Change(NamedTuple):
    """One difference between the two records."""

    part: str
    """``record``, ``answers``, ``outcome`` or ``signatures``."""
    kind: str
    """``added``, ``removed`` or ``changed``."""
    what: str
    """The question id, rule id, role or field."""
    old: str | None
    new: str | None
    label: str = ""
    """The question's prompt, when there is one."""
    old_text: str | None = None
    """``old`` in words, where they differ from the value (a choice's label); ``new_text`` likewise.
    The text view shows these; ``--json`` keeps the values (a choice's code) beside them."""
    new_text: str | None = None

    def shown(self) -> tuple[str | None, str | None]:
        """The old and new values as people read them."""
        return (self.old_text or self.old, self.new_text or self.new)


def _read(path: Path, lookup: Lookup, demands: Demands) -> tuple[Record, tuple[Seal, ...], Report]:
    """A record, its trailing entries, and what verify says of it (a diff is no kinder than verify)."""
    from smcheck.verify import verify_now

    data, parsed = open_record(path)
    report = verify_now(data, str(path), lookup=lookup, demands=demands)
    return parsed.record, parsed.seals, report


def verdict(report: Report) -> str:
    """One line on what verify says of a record."""
    from smcheck.verify import Verdict

    if report.valid:
        return f"verifies ({report.state.value.replace('-', ' ')})"
    failed = ", ".join(c.title for c in report.checks if c.verdict is Verdict.FAIL)
    return f"DOES NOT VERIFY (fails {failed}): smcheck verify {shell_word(report.path)}"


def _text(value: object, question: Question | None = None) -> str:
    """An answer in the words the proposer chose it by: a choice by its label (``Daily``), not its
    code (``daily``); anything else as the record writes it."""
    from smcheck.values import as_text

    if question is not None and isinstance(value, bool | str | dt.date | tuple):
        return as_text(question, value)
    return format_value(value)


def _both(value: object, question: Question | None) -> tuple[str, str | None]:
    """An answer as the record writes it, and in words where those differ (a choice's label)."""
    code, words = format_value(value), _text(value, question)
    return code, (words if words != code else None)


def compare(
    old: Record,
    new: Record,
    old_seals: tuple[Seal, ...] = (),
    new_seals: tuple[Seal, ...] = (),
    checklist: Checklist | None = None,
    reports: tuple[Report, Report] | None = None,
) -> list[Change]:
    """Every difference, in a stable order: record facts, answers (checklist order), outcome, signatures."""
    changes: list[Change] = []
    for field in ("checklist_id", "checklist_version", "status"):
        before, after = getattr(old, field), getattr(new, field)
        if before != after:
            changes.append(Change("record", "changed", field, str(before), str(after)))
    order = [q.id for q in checklist.questions] if checklist is not None else []
    ids = sorted(
        set(old.answers) | set(new.answers),
        key=lambda q: (order.index(q) if q in order else len(order), q),
    )
    for qid in ids:
        question = checklist.question(qid) if checklist is not None else None
        label = question.prompt if question is not None else ""
        before = _both(old.answers[qid], question) if qid in old.answers else (None, None)
        after = _both(new.answers[qid], question) if qid in new.answers else (None, None)
        if qid not in old.answers:
            kind = "added"
        elif qid not in new.answers:
            kind = "removed"
        elif old.answers[qid] != new.answers[qid]:
            kind = "changed"
        else:
            continue
        changes.append(
            Change("answers", kind, qid, before[0], after[0], label, before[1], after[1])
        )
    old_rules = {f.rule: f for f in old.actions}
    new_rules = {f.rule: f for f in new.actions}
    for rule in sorted(old_rules.keys() - new_rules.keys()):
        changes.append(Change("outcome", "removed", rule, old_rules[rule].action, None))
    for rule in sorted(new_rules.keys() - old_rules.keys()):
        changes.append(Change("outcome", "added", rule, None, new_rules[rule].action))
    # Decisions as verify judged them (who, when, and the comment), never a bare "signed".
    old_said = decisions(reports[0] if reports else None, old_seals)
    new_said = decisions(reports[1] if reports else None, new_seals)
    for role in sorted(old_said.keys() - new_said.keys()):
        changes.append(Change("signatures", "removed", role, old_said[role], None))
    for role in sorted(new_said.keys() - old_said.keys()):
        changes.append(Change("signatures", "added", role, None, new_said[role]))
    for role in sorted(old_said.keys() & new_said.keys()):
        if old_said[role] != new_said[role]:
            changes.append(Change("signatures", "changed", role, old_said[role], new_said[role]))
    return changes


def run(
    old_path: Path,
    new_path: Path,
    *,
    fmt: TextFormat | None = None,
    aliases: Mapping[str, TextFormat] | None = None,
    allowed_signers: Path | None = None,
    revoked: Path | None = None,
) -> int:
    """Print the differences as text or JSON (``fmt``, or the hidden ``--json`` in ``aliases``); exit
    0 when the records say the same, 1 when they differ (or when either does not verify)."""
    json_out = choose(fmt, TextFormat.TEXT, aliases or {}) is TextFormat.JSON
    from smcheck.trust.source import reviewer_loader
    from smcheck.verify import Demands

    lookup = registry.lookup()
    demands = Demands(load_trust=reviewer_loader(allowed_signers, revoked, notify=console.note))
    old, old_seals, old_report = _read(old_path, lookup, demands)
    new, new_seals, new_report = _read(new_path, lookup, demands)
    checklist = lookup(new.checklist_id)
    changes = compare(old, new, old_seals, new_seals, checklist, (old_report, new_report))
    same_channel = checklist is None or channel.same_channel(
        channel.channel_of(checklist, old.answers), channel.channel_of(checklist, new.answers)
    )
    if json_out:
        console.print_json(
            {
                "old": str(old_path),
                "new": str(new_path),
                "same_channel": same_channel,
                "old_valid": old_report.valid,
                "new_valid": new_report.valid,
                "old_state": old_report.state.value,
                "new_state": new_report.state.value,
                "changes": [c._asdict() for c in changes],
            }
        )
        return 1 if changes or not (old_report.valid and new_report.valid) else 0
    lines = [
        f"--- {old_path}  ({old.id}, {old.created:%Y-%m-%d})",
        f"+++ {new_path}  ({new.id}, {new.created:%Y-%m-%d})",
    ]
    lines.append(f"old: {verdict(old_report)}")
    lines.append(f"new: {verdict(new_report)}")
    if not same_channel:
        lines.append("! these records are about different channels")
    part = ""
    for change in changes:
        if change.part != part:
            part = change.part
            lines.append(f"{part}:")
        mark = {"added": "+", "removed": "-", "changed": "~"}[change.kind]
        label = f" ({change.label})" if change.label else ""
        before, after = change.shown()
        if change.kind == "changed":
            lines.append(f"  {mark} {change.what}{label}: {before} -> {after}")
        else:
            lines.append(f"  {mark} {change.what}{label}: {after if after is not None else before}")
    if not changes:
        lines.append("no differences in answers, outcome or signatures")
    console.show_lines(lines, out=True)
    return 1 if changes or not (old_report.valid and new_report.valid) else 0
