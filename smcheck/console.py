"""The only module that imports rich. Untrusted text goes through :func:`safe`, never into markup.

Anything read from a record, an answers file or a draft is untrusted: rich would interpret ``[bold]`` in a
markup string, and a terminal interprets ESC sequences, C1 controls, bidi overrides (Trojan Source) and
zero-width characters. :func:`visible` makes every such character visible as an escape like ``\\x1b`` or
``\\u202e``; :func:`safe` wraps the result in a :class:`rich.text.Text`, which rich never parses for markup.
"""

from __future__ import annotations

import os
import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rich.console import Console
    from rich.text import Text

from smcheck.text import visible

_out: Console | None = None
_err: Console | None = None


def safe(text: object, style: str = "") -> Text:
    """Untrusted text as a rich Text: never parsed as markup, every unsafe character made visible."""
    from rich.text import Text

    return Text(visible(str(text)), style=style)


def stdout() -> Console:
    """The console for results (stdout)."""
    global _out
    if _out is None:
        from rich.console import Console

        _out = Console(highlight=False, soft_wrap=False)
    return _out


def stderr() -> Console:
    """The console for messages and errors (stderr)."""
    global _err
    if _err is None:
        from rich.console import Console

        _err = Console(stderr=True, highlight=False)
    return _err


def error(message: str, hint: str | None = None, details: tuple[str, ...] = ()) -> None:
    """Print one error line, its details (every bad line of a file) and its hint on stderr (messages
    may hold untrusted text: shown safely)."""
    from rich.text import Text

    line = Text("smcheck: error: ", style="bold red")
    line.append_text(safe(message))
    stderr().print(line, soft_wrap=True)
    for detail in details:
        stderr().print(safe(f"  - {detail}"), soft_wrap=True)
    if hint:
        tip = Text("  hint: ", style="yellow")
        tip.append_text(safe(hint))
        stderr().print(tip, soft_wrap=True)


def note(message: str) -> None:
    """A note on stderr: something smcheck skipped or assumed, that the user may want to know."""
    sys.stderr.write(f"smcheck: note: {visible(message)}\n")


def plain_error(message: str) -> None:
    """An error line without rich, for the rare path where rich itself cannot be trusted to load."""
    sys.stderr.write(f"smcheck: error: {visible(message)}\n")


# --------------------------------------------------------------------------------------------------
# Views. Every string from a checklist, an answers file, a draft or a record goes through safe().

if TYPE_CHECKING:
    from smcheck.checklist import Checklist, Question, Section
    from smcheck.interview import Position, ReviewRow
    from smcheck.outcome import Finding, Outcome
    from smcheck.verify import Report

_LEVEL_STYLE = {"warning": "yellow", "blocker": "bold red", "referral": "bold magenta"}


def _clause_lines(checklist: Checklist, clause_ids: tuple[str, ...]) -> list[Text]:
    from rich.text import Text

    lines = []
    for cid in clause_ids:
        clause = checklist.clause(cid)
        if clause is not None:
            line = Text(f"  {cid} ", style="bold cyan")
            line.append_text(safe(clause.text, style="cyan"))
            lines.append(line)
    return lines


def show_title(checklist: Checklist, resumed: bool) -> None:
    """The interview's opening lines."""
    from rich.text import Text

    err = stderr()
    title = Text()
    title.append_text(safe(checklist.title, style="bold"))
    title.append_text(safe(f"  ({checklist.id} {checklist.version})", style="dim"))
    err.print(title)
    err.print(safe(f"Policy: {checklist.policy.title}, {checklist.policy.owner}", style="dim"))
    if resumed:
        err.print(
            Text("Resuming your draft: answered questions are not asked again.", style="green")
        )
    else:
        err.print(
            Text(
                "Your answers are saved after each question; press Ctrl-C at any time to stop and"
                " resume later.",
                style="dim",
            )
        )


def show_section(checklist: Checklist, section: Section, number: int, total: int) -> None:
    """A section's heading, the policy's words for context, and its clauses."""
    from rich.rule import Rule

    err = stderr()
    err.print()
    err.print(Rule(safe(f"Section {number} of {total}: {section.title}"), style="cyan"))
    if section.intro:
        err.print(safe(section.intro.strip()))
    for line in _clause_lines(checklist, section.clauses):
        err.print(line)


def show_question_context(
    checklist: Checklist, question: Question, position: Position, error: str | None
) -> None:
    """Progress, the plain-words guidance and the clauses, printed above a prompt."""
    from rich.text import Text

    err = stderr()
    err.print()
    where = (
        f"Question {position.question_number} of {position.question_count}"
        if position.section_number == 0
        else f"Section {position.section_number} of {position.section_count} · question"
        f" {position.question_number} of {position.question_count}"
    )
    line = Text(where, style="dim")
    if question.clauses:
        line.append(" · policy " + ", ".join(question.clauses), style="dim cyan")
    err.print(line)
    if question.help:
        err.print(safe(question.help.strip(), style="italic"))
    if error:
        problem = Text("  ✗ ", style="bold red")
        problem.append_text(safe(error, style="red"))
        err.print(problem)


def show_finding(checklist: Checklist, finding: Finding) -> None:
    """A warning, blocker or referral, when it arises: with its clause and the action that fixes it."""
    from rich.panel import Panel
    from rich.text import Text

    style = _LEVEL_STYLE[finding.level.value]
    body = Text()
    body.append_text(safe(finding.message, style="bold"))
    body.append("\nWhat to do: ", style="bold")
    body.append_text(safe(finding.action))
    if finding.refer_to:
        body.append("\nReferred to: ", style="bold")
        body.append_text(safe(finding.refer_to))
    for line in _clause_lines(checklist, finding.clauses):
        body.append("\n")
        body.append_text(line)
    title = {"warning": "Warning", "blocker": "Blocker", "referral": "Referral"}[
        finding.level.value
    ]
    stderr().print(
        Panel(body, title=f"{title} ({finding.rule})", title_align="left", border_style=style)
    )


def show_review(rows: list[ReviewRow], outcome: Outcome) -> None:
    """The review table of every answer, numbered so one can be picked to change."""
    from rich.table import Table

    from smcheck.values import as_text

    flagged = {f.question: f.level.value for f in outcome.findings}
    table = Table(title="Your answers", title_justify="left", show_lines=False, expand=False)
    table.add_column("#", justify="right", style="dim")
    table.add_column("Question", overflow="fold", ratio=3)
    table.add_column("Answer", overflow="fold", ratio=2)
    for number, row in enumerate(rows, start=1):
        answer = safe(as_text(row.question, row.value) if row.value is not None else "(left blank)")
        level = flagged.get(row.question.id)
        if level:
            answer.stylize(_LEVEL_STYLE[level])
        table.add_row(str(number), safe(row.question.prompt), answer)
    err = stderr()
    err.print()
    err.print(table)
    show_outcome(outcome)


def show_outcome(outcome: Outcome) -> None:
    """One line on where the answers stand, then each action."""
    from rich.text import Text

    err = stderr()
    words = {
        "ready": ("Ready for sign-off: no rule raised a concern.", "green"),
        "ready-with-warnings": (
            "Ready for sign-off, with warnings the reviewer will look at.",
            "yellow",
        ),
        "blocked": ("Blocked: fix the items below before you can sign off.", "bold red"),
        "referred": ("Referred: this channel is not for this process.", "bold magenta"),
    }
    text, style = words[outcome.status.value]
    err.print(Text(text, style=style))
    for finding in outcome.findings:
        line = Text(f"  {finding.level.value.upper():8} ", style=_LEVEL_STYLE[finding.level.value])
        line.append_text(safe(finding.action))
        refs = ", ".join(finding.clauses)
        line.append_text(
            safe(f"  ({refs}; {finding.rule})" if refs else f"  ({finding.rule})", style="dim")
        )
        err.print(line)


def show_signoff(checklist: Checklist) -> None:
    """The declaration, before the sign-off questions."""
    from rich.panel import Panel
    from rich.rule import Rule

    err = stderr()
    err.print()
    err.print(Rule("Sign-off", style="cyan"))
    err.print(Panel(safe(checklist.declaration.strip()), title="Declaration", title_align="left"))


def show_lines(lines: list[str], style: str = "", *, out: bool = False) -> None:
    """Untrusted lines, each made safe and unwrapped: on stderr, or with ``out`` on stdout (results)."""
    target = stdout() if out else stderr()
    for line in lines:
        target.print(safe(line, style=style), soft_wrap=True)


def say(message: str, style: str = "") -> None:
    """A message from smcheck on stderr: never markup, and what it quotes (a file name, a path from a
    record) is made visible like any untrusted text; only its own line breaks are kept."""
    from rich.text import Text

    stderr().print(Text(visible(message, keep_newlines=True), style=style), soft_wrap=True)


# The reviewer's path (verify) prints without rich: importing rich's console and table costs more
# start-up than the whole of verify's own work (tests/benchmark.py). The same visible() guards it.

_SGR = {
    "INFO": "36",
    "PASS": "32",
    "WARN": "33",
    "FAIL": "1;31",
    "SKIP": "2",
    "VALID": "1;32",
    "INVALID": "1;31",
    "bold": "1",
    "dim": "2",
}


def _colour() -> bool:
    return (
        sys.stdout.isatty() and not os.environ.get("NO_COLOR") and os.environ.get("TERM") != "dumb"
    )


def _paint(text: str, key: str, colour: bool) -> str:
    return f"\x1b[{_SGR[key]}m{text}\x1b[0m" if colour else text


def _width() -> int:
    import shutil

    return max(60, shutil.get_terminal_size((100, 24)).columns)


def _wrap(text: str, width: int) -> list[str]:
    """Wrap at spaces only, so that an escape such as \\u202e is never split across two lines."""
    import textwrap

    return textwrap.wrap(text, width=width, break_long_words=False, break_on_hyphens=False)


def report_text(report: Report, *, colour: bool = False, width: int = 100) -> str:
    """One record's verify report as text: one row per check, untrusted text made visible."""

    lines = [_paint(visible(report.path), "bold", colour)]
    label = max(len(c.title) for c in report.checks)
    indent = " " * (1 + 4 + 2 + label + 2)
    for row in report.checks:
        first = f" {_paint(row.verdict.value, row.verdict.value, colour)}  {row.title:<{label}}  "
        wrapped = _wrap(visible(row.summary), max(30, width - len(indent))) or [""]
        lines.append(first + wrapped[0])
        lines.extend(indent + more for more in wrapped[1:])
        for detail in row.details:
            if detail.code == "restore-command":  # a command to paste: whole, on a line of its own
                lines.append(indent + "run: " + _paint(visible(detail.message), "bold", colour))
                continue
            where = f"{detail.where}: " if detail.where else ""
            if f"{where}{detail.message}" == row.summary:
                continue  # the summary already says it
            text = visible(f"- {where}{detail.message}")
            for number, part in enumerate(_wrap(text, max(30, width - len(indent) - 2))):
                lines.append(indent + ("" if number == 0 else "  ") + _paint(part, "dim", colour))
    if report.valid:
        extra = (
            f" ({report.warnings} warning{'s' if report.warnings != 1 else ''})"
            if report.warnings
            else ""
        )
        standing = f": {report.standing.summary}" if report.standing is not None else ""
        lines.append("  => " + _paint(f"VALID{extra}", "VALID", colour) + visible(standing))
    else:
        lines.append("  => " + _paint("INVALID", "INVALID", colour))
    return "\n".join(lines) + "\n\n"


def show_report(report: Report) -> None:
    """Print one record's verify report on stdout."""
    sys.stdout.write(report_text(report, colour=_colour(), width=_width()))
    sys.stdout.flush()


class Progress:
    """A progress bar on stderr for large batches; reports printed meanwhile appear above it."""

    def __init__(self, total: int, label: str) -> None:
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TextColumn,
            TimeRemainingColumn,
        )

        self._progress = Progress(
            TextColumn(label),
            BarColumn(),
            MofNCompleteColumn(),
            TimeRemainingColumn(),
            console=stderr(),
            transient=True,
            redirect_stdout=True,
        )
        self._task = self._progress.add_task(label, total=total)
        self._progress.start()

    def advance(self) -> None:
        """One more item done."""
        self._progress.advance(self._task)

    def close(self) -> None:
        """Remove the bar."""
        self._progress.stop()


def show_table(rows: list[tuple[str, str, str]]) -> None:
    """The summary table after several records: state, path, what failed."""
    colour = _colour()
    width = max((len(visible(path)) for _, path, _ in rows), default=0)
    lines = ["Summary"]
    for state, path, detail in rows:
        key = {"VALID": "PASS", "INVALID": "FAIL", "UNREAD": "FAIL"}[state]
        shown = visible(path).ljust(width)
        lines.append(
            f"  {_paint(state.ljust(7), key, colour)}  {shown}  {visible(detail)}".rstrip()
        )
    sys.stdout.write("\n".join(lines) + "\n")


def show_summary(valid: int, invalid: int, unreadable: int) -> None:
    """The summary line after several records."""
    colour = _colour()
    total = valid + invalid + unreadable
    parts = [
        _paint(f"{valid} valid", "PASS", colour),
        _paint(f"{invalid} invalid", "FAIL" if invalid else "dim", colour),
    ]
    if unreadable:
        parts.append(_paint(f"{unreadable} could not be opened", "FAIL", colour))
    sys.stdout.write(f"{total} record{'s' if total != 1 else ''}: " + ", ".join(parts) + "\n")


def print_json(data: object) -> None:
    """JSON on stdout, ASCII-only so no byte of untrusted text reaches the terminal raw."""
    import json

    sys.stdout.write(json.dumps(data, indent=2, ensure_ascii=True, default=str) + "\n")
