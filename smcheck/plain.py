"""The plain asker: the interview line by line, for screen readers, braille displays and dumb terminals.

Modelled on GitHub CLI's accessible prompter (``GH_ACCESSIBLE_PROMPTER``) and charmbracelet huh's accessible
mode: every line is written once, in order, and nothing moves the cursor, redraws, erases, colours or draws
boxes, so a screen reader speaks each line as it arrives and a braille display can be panned through it.
Pick-one and tick-box questions are numbered lists answered by number; yes/no takes whole words only;
every accepted answer is read back; a refused one gets its reason on a line of its own. How each kind of
answer is taken (yes/no, a line of text, pick one, pick many) is a piece of its own in
:mod:`smcheck.plain_widgets`; this module prints, reads and runs the menus.

Every answer goes through the engine's own ``parse``/``check`` (the validators of the full-screen prompts and
of ``--answers``): this module only turns what was typed (a number, a word) into the value to check. All text
from a checklist, a draft or an answer is untrusted and passes through :func:`smcheck.text.visible`.

Wrapping: on a terminal, lines are wrapped at spaces to its width (a word is never broken), because a
screen reader's review cursor and a braille display read the terminal's *rows*, and the terminal's own wrap
breaks a word across two rows. When the output is not a terminal (a file, a pipe, an editor's shell buffer),
lines are not wrapped at all: whatever reads them reflows them itself, and a hard break mid-sentence would
only make speech pause there. ``width`` overrides both (``0``: never wrap).
"""

from __future__ import annotations

import os
import sys
import textwrap
from collections.abc import Callable, Mapping, Sequence
from typing import TextIO

from smcheck.asking import GoBack, Position, ReviewRow
from smcheck.checklist import Checklist, Level, Question, Section, Value
from smcheck.outcome import Finding, Outcome, Status
from smcheck.plain_widgets import NO_WORDS, YES_WORDS, is_number, widget_for
from smcheck.text import visible
from smcheck.values import AnswerError, as_text

BACK = "<"
"""Typed alone at a question: go back to the previous one."""
BLANK = "-"
"""Typed alone at an optional question that has an answer: leave it blank instead."""
PROMPT = "Answer: "
"""The input prompt, the same at every question and menu."""
CLAUSES = "?"
"""Typed alone at a question: the policy's words it comes from (``clauses`` does the same)."""

_OFF = frozenset({"0", "false", "no", "off"})

_LEVEL = {Level.WARNING: "Warning", Level.BLOCKER: "Blocker", Level.REFERRAL: "Referral"}
_STATUS = {
    Status.READY: "Ready for sign-off: no rule raised a concern.",
    Status.WARNINGS: "Ready for sign-off, with warnings the reviewer will look at.",
    Status.BLOCKED: "Blocked: fix the items below before you can sign off.",
    Status.REFERRED: "Referred: this channel is not for this process.",
}
_SUBJECTLESS = frozenset({"is", "must", "should", "has", "contains", "needs", "does"})
"""First words of an AnswerError that speaks of "the answer" without naming it ("must not be empty")."""


def wanted(flag: bool, environ: Mapping[str, str]) -> bool:
    """Whether to use plain mode: ``--plain``, ``SMCHECK_PLAIN``, ``ACCESSIBLE`` or ``TERM=dumb``.

    ``SMCHECK_PLAIN`` and ``ACCESSIBLE`` are on when set to anything but ``0``, ``false``, ``no`` or ``off``
    (in any case; empty means unset). smcheck's own ``SMCHECK_PLAIN``, when set, decides alone, so
    ``SMCHECK_PLAIN=0`` turns plain mode off even under ``ACCESSIBLE=1`` or ``TERM=dumb``; the flag wins
    over everything.
    """
    if flag:
        return True
    own = environ.get("SMCHECK_PLAIN", "").strip()
    if own:
        return own.lower() not in _OFF
    common = environ.get("ACCESSIBLE", "").strip()
    if common and common.lower() not in _OFF:
        return True
    return environ.get("TERM", "").strip().lower() == "dumb"


def _flat(text: str) -> str:
    """Checklist text on one line, made visible. Only a line break or a tab (which the checklist linter
    allows) becomes a space; nothing else is removed, so no hidden character can be stripped away."""
    one = text.replace("\r\n", " ").replace("\n", " ").replace("\t", " ")
    return visible(one).strip(" ")


def _sentence(text: str) -> str:
    """``text`` ending with a full stop (a screen reader pauses there), unless it already ends a sentence."""
    text = text.strip()
    return text if not text or text.endswith((".", "?", "!", ":")) else text + "."


def reason(message: str) -> str:
    """An :class:`AnswerError`'s message as the line that refuses an answer: "Not recorded: ..."."""
    shown = visible(message).strip(" ")
    if shown.split(" ", 1)[0].lower() in _SUBJECTLESS:
        shown = "the answer " + shown
    return "Not recorded: " + _sentence(shown)


class _Refused(Exception):
    """What was typed is not an answer; the message is the whole line to print (not a validator's)."""


class PlainAsker:
    """Asks the engine's questions line by line on plain streams (see the module's docstring).

    ``input`` and ``output`` default to ``sys.stdin`` and ``sys.stderr`` (everything the interview says
    goes to stderr, as with the full-screen asker; stdout is for results).
    """

    def __init__(
        self,
        input: TextIO | None = None,
        output: TextIO | None = None,
        *,
        width: int | None = None,
    ) -> None:
        self._in = input if input is not None else sys.stdin
        self._out = output if output is not None else sys.stderr
        self.width = width
        """Wrap at this many columns; None: the terminal's width, or no wrapping when not a terminal."""
        self._declaration: str | None = None
        self._section: str | None = None
        """The section last named, so that each question does not name it again."""
        self._told_clauses = False
        """Whether the person was told that ? shows the policy's words (once a run)."""

    # -- writing and reading ------------------------------------------------------------------------

    def _columns(self) -> int:
        """The width to wrap at, 0 for none."""
        if self.width is not None:
            return max(self.width, 0)
        try:
            if not self._out.isatty():
                return 0
            return os.get_terminal_size(self._out.fileno()).columns
        except (OSError, ValueError):  # no file descriptor (io.StringIO), or closed
            return 0

    def _say(self, line: str = "", *, indent: str = "") -> None:
        """Write one line (already made visible), wrapped at spaces only, never inside a word."""
        columns = self._columns()
        if columns <= 0 or len(line) <= columns:
            self._out.write(line + "\n")
            return
        parts = textwrap.wrap(
            line,
            width=max(columns, 20),
            subsequent_indent=indent,
            break_long_words=False,
            break_on_hyphens=False,
        )
        self._out.write("\n".join(parts) + "\n")

    def _prose(self, text: str, *, prefix: str = "", indent: str = "") -> None:
        """Checklist prose (a help text, an intro, a clause, the declaration), one line per line of it."""
        # split("\n"), not splitlines(): that would also split at (and so hide) U+001C..U+001E, U+0085
        # and U+2028, which visible() must show.
        lines = [_flat(line) for line in text.replace("\r\n", "\n").split("\n")]
        for number, line in enumerate(line for line in lines if line):
            self._say((prefix if number == 0 else "") + line, indent=indent)

    def _read(self) -> str:
        """One line typed after the prompt; EOFError at end of input (Ctrl-D)."""
        self._out.write(PROMPT)
        self._out.flush()
        try:
            line = self._in.readline()
        except KeyboardInterrupt:
            # End the prompt's line, so that what the caller says next starts on a line of its own.
            self._out.write("\n")
            self._out.flush()
            raise
        if not line:
            self._out.write("\n")
            self._out.flush()
            raise EOFError
        try:
            echoed = self._in.isatty()
        except ValueError:
            echoed = False
        if not echoed:  # a terminal echoes the Enter; from a pipe, end the prompt's line ourselves
            self._out.write("\n")
        return line.rstrip("\r\n")

    # -- the engine's calls ---------------------------------------------------------------------------

    def start_section(
        self, checklist: Checklist, section: Section, number: int, total: int
    ) -> None:
        """The section's heading, its introduction and its clauses ("GG-1: text")."""
        self._say()
        self._say(_sentence(f"Section {number} of {total}: {_flat(section.title)}"))
        self._section = section.title
        if section.intro.strip():
            self._prose(section.intro)
        self._clauses(checklist, section.clauses)
        if not self._told_clauses:
            self._told_clauses = True
            self._say(f"Type {CLAUSES} at any question to read the policy's words it comes from.")

    def ask(
        self,
        question: Question,
        *,
        position: Position,
        current: Value | None,
        error: str | None,
        parse: Callable[[str], Value | None],
        check: Callable[[object], Value],
    ) -> Value | None:
        """Print the question once, then read lines until one is an answer the validators accept."""
        self._say()
        if error:
            self._say(reason(error))
        self._say(self._where(position))
        self._prose(question.prompt)
        if question.help.strip() and question.help.strip() != self._declaration:
            self._prose(question.help)  # (the declaration is shown once, by start_signoff)
        if question.clauses:
            self._say("Policy: " + ", ".join(visible(c) for c in question.clauses) + ".")
        for number, choice in enumerate(question.choices, start=1):
            self._say(f"{number}. {_flat(choice.label)}", indent=" " * (len(str(number)) + 2))
        keep = current
        for line in self._how(question, position, keep):
            self._say(line)
        while True:
            text = self._read()
            try:
                value = self._take(question, text, position, keep, parse, check)
            except AnswerError as exc:
                self._say(reason(str(exc)))
                if keep is not None and not text.strip():
                    keep = None  # the answer kept no longer passes: Enter must not offer it again
            except _Refused as exc:
                self._say(str(exc))
            else:
                shown = "left blank" if value is None else visible(as_text(question, value))
                self._say(f"Recorded: {shown}")
                return value
            self._say(f"{_flat(question.prompt)} {self._short(question, keep)}")

    def finding(self, checklist: Checklist, finding: Finding) -> None:
        """A warning, blocker or referral, in one line: level, rule, message, what to do, clauses."""
        self._say()
        self._say(self._finding(finding))

    def offer_stop(self, checklist: Checklist, finding: Finding) -> bool:
        """A referral: "End the interview now?"; True ends it."""
        where = (
            f"This channel is referred to {_flat(finding.refer_to)}"
            if finding.refer_to
            else "This channel is not for this process"
        )
        self._say()
        self._say(_sentence(where) + " End the interview now? Type yes or no.")
        while True:
            text = self._read().strip().lower()
            if text in YES_WORDS:
                self._say("Recorded: yes, end the interview now.")
                return True
            if text in NO_WORDS:
                self._say("Recorded: no, go on with the interview.")
                return False
            self._say("Not recorded: type yes or no.")
            self._say("End the interview now? Type yes or no.")

    def review(
        self, rows: Sequence[ReviewRow], outcome: Outcome, *, changed: frozenset[str] | None
    ) -> list[str]:
        """The answers grouped by section (or only the changed ones), the outcome, then a numbered menu.

        Returns the ids to ask again in order: one row to change, or every flagged row; [] to go on.
        """
        self._rows(rows, changed)
        self._outcome(rows, outcome)
        flagged = [row for row in rows if row.findings]
        go_on = (
            "Go on to sign-off." if outcome.status.can_sign_off else "Save the draft and stop here."
        )
        options: list[tuple[str, str]] = [("go", go_on), ("change", "Change an answer.")]
        if flagged:
            where = ", ".join(str(row.number) for row in flagged)
            rows_word = "row" if len(flagged) == 1 else "rows"
            options.append(("flagged", f"Go through the flagged answers, {rows_word} {where}."))
        options.append(("all", "Show all answers."))
        while True:
            self._say()
            self._say("What next?")
            for number, (_, label) in enumerate(options, start=1):
                self._say(f"{number}. {label}", indent="   ")
            self._say(f"Type a number from 1 to {len(options)}.")
            pick = self._number(len(options), "What next?")
            key = options[pick - 1][0]
            if key == "go":
                return []
            if key == "flagged":
                return [row.question.id for row in flagged]
            if key == "all":
                self._rows(rows, None)
                self._outcome(rows, outcome)
                continue
            chosen = self._row(rows)
            if chosen is not None:
                return [chosen.question.id]

    def start_signoff(self, checklist: Checklist, outcome: Outcome) -> None:
        """The declaration, shown once, before the sign-off questions."""
        self._say()
        self._say("Sign-off.")
        self._say("The declaration you will be asked to make:")
        self._prose(checklist.declaration)
        self._declaration = checklist.declaration.strip()

    # -- questions --------------------------------------------------------------------------------

    def _where(self, position: Position) -> str:
        if position.section_number == 0:
            return f"Sign-off, question {position.number} of {position.about}."
        where = f"Question {position.number} of about {position.about}."
        if position.section_title == self._section:  # said by the section's heading or just before
            return where
        self._section = position.section_title
        return _sentence(
            f"{where} Section {position.section_number} of {position.section_count}:"
            f" {_flat(position.section_title)}"
        )

    @staticmethod
    def _short(question: Question, keep: Value | None) -> str:
        """How to answer, in one sentence (repeated after a refusal)."""
        text = widget_for(question).short(question)
        if keep is not None:
            text += " Press Enter to keep the answer."
        return text

    def _how(self, question: Question, position: Position, keep: Value | None) -> list[str]:
        """The lines that say how to answer: the kind of answer, Enter, going back."""
        first = widget_for(question).how(question)
        if position.can_go_back:
            first += " Type < to go back."
        lines = [first]
        if keep is not None:
            lines.append("Press Enter to keep: " + visible(as_text(question, keep)))
            if not question.required:
                lines.append("Type - alone to leave it blank.")
        elif not question.required:
            lines.append("Press Enter to leave it blank.")
        return lines

    def _take(
        self,
        question: Question,
        text: str,
        position: Position,
        keep: Value | None,
        parse: Callable[[str], Value | None],
        check: Callable[[object], Value],
    ) -> Value | None:
        """What was typed, as a checked answer; raises AnswerError (a validator's reason) or _Refused."""
        typed = text.strip()
        if typed in (CLAUSES, "clauses") and position.clauses:
            for cid, words in position.clauses:
                self._prose(words, prefix=f"{visible(cid)}: ", indent="  ")
            raise _Refused("")  # then the question again, in one line, as after a refusal
        if typed == BACK:
            if position.can_go_back:
                self._say("Going back to the previous question.")
                raise GoBack
            if position.number <= 1:
                raise _Refused("This is the first question.")
            raise _Refused("You cannot go back from this question.")
        widget = widget_for(question)
        if not typed:
            if keep is not None:
                return check(keep)
            return widget.blank(question, check, parse)
        if typed == BLANK and not question.required:
            return None
        return widget.take(question, typed, check, parse)

    # -- findings and the review ------------------------------------------------------------------

    def _clauses(self, checklist: Checklist, clause_ids: Sequence[str]) -> None:
        for cid in clause_ids:
            clause = checklist.clause(cid)
            if clause is not None:
                self._prose(clause.text, prefix=f"{visible(cid)}: ", indent="  ")

    @staticmethod
    def _finding(finding: Finding, row: int | None = None) -> str:
        where = f", row {row}" if row is not None else ""
        parts = [
            f"{_LEVEL[finding.level]} ({visible(finding.rule)}){where}:"
            f" {_sentence(_flat(finding.message))}",
            f"What to do: {_sentence(_flat(finding.action))}",
        ]
        if finding.refer_to:
            parts.append(f"Referred to: {_sentence(_flat(finding.refer_to))}")
        if finding.clauses:
            parts.append("Policy: " + ", ".join(visible(c) for c in finding.clauses) + ".")
        return " ".join(parts)

    def _rows(self, rows: Sequence[ReviewRow], changed: frozenset[str] | None) -> None:
        """The answers under their section titles: every row, or with ``changed`` only those."""
        self._say()
        shown = list(rows) if changed is None else [r for r in rows if r.question.id in changed]
        if changed is None:
            self._say(f"Your answers, {len(rows)} in all.")
        elif not shown:
            self._say("No answer changed.")
        else:
            many = "answer" if len(shown) == 1 else "answers"
            self._say(f"{len(shown)} {many} changed since the last review:")
        title: str | None = None
        for row in shown:
            if row.section_title != title:
                title = row.section_title
                self._say(_sentence(_flat(title)))
            prompt = _flat(row.question.prompt)
            joint = " " if prompt.endswith(("?", ":")) else ": "
            answer = (
                "left blank" if row.value is None else visible(as_text(row.question, row.value))
            )
            marks = "; ".join(f"{f.level.value.upper()}: {visible(f.rule)}" for f in row.findings)
            if row.filled_note:
                answer += f" ({row.filled_note})"
            line = f"{row.number}. {prompt}{joint}{answer}" + (f" ({marks})" if marks else "")
            self._say(line, indent=" " * (len(str(row.number)) + 2))

    def _outcome(self, rows: Sequence[ReviewRow], outcome: Outcome) -> None:
        """Where the answers stand, then each finding with the row that changes it."""
        numbers = {row.question.id: row.number for row in rows}
        self._say()
        self._say(_STATUS[outcome.status])
        for finding in outcome.findings:
            line = self._finding(finding, numbers.get(finding.question))
            if finding.explained_by is not None and finding.explained_by in numbers:
                line += f" Your explanation: row {numbers[finding.explained_by]}."
            self._say(line)

    def _number(self, top: int, again: str) -> int:
        """A number from 1 to ``top`` typed at a menu, asked until one is."""
        while True:
            typed = self._read().strip()
            if is_number(typed) and 1 <= int(typed) <= top:
                return int(typed)
            self._say(f"Not recorded: type a number from 1 to {top}.")
            self._say(f"{again} Type a number from 1 to {top}.")

    def _row(self, rows: Sequence[ReviewRow]) -> ReviewRow | None:
        """The row the person wants to change; None (back to the menu) on Enter alone."""
        by_number = {row.number: row for row in rows}
        low, high = min(by_number, default=0), max(by_number, default=0)
        ask = f"Type the row number of the answer to change, from {low} to {high}."
        self._say(ask + " Press Enter alone to go back to the menu.")
        while True:
            typed = self._read().strip()
            if not typed:
                return None
            if is_number(typed) and int(typed) in by_number:
                row = by_number[int(typed)]
                self._say(f"Changing row {row.number}: {_flat(row.question.prompt)}")
                return row
            self._say(f"Not recorded: there is no row {visible(typed)}.")
            self._say(ask + " Press Enter alone to go back to the menu.")
