"""Plain mode's lines: written once each, in order, wrapped at spaces only, and read after one prompt.

Nothing here moves the cursor, redraws, erases or colours (see :mod:`smcheck.plain`).
"""

from __future__ import annotations

import os
import sys
import textwrap
from typing import TextIO

from smcheck.text import visible

PROMPT = "Answer: "
"""The input prompt, the same at every question and menu."""


def flat(text: str) -> str:
    """Checklist text on one line, made visible. Only a line break or a tab (which the checklist linter
    allows) becomes a space; nothing else is removed, so no hidden character can be stripped away."""
    one = text.replace("\r\n", " ").replace("\n", " ").replace("\t", " ")
    return visible(one).strip(" ")


def sentence(text: str) -> str:
    """``text`` ending with a full stop (a screen reader pauses there), unless it already ends a sentence."""
    text = text.strip()
    return text if not text or text.endswith((".", "?", "!", ":")) else text + "."


class Lines:
    """Plain mode's input and output: ``input`` and ``output`` default to ``sys.stdin`` and
    ``sys.stderr`` (everything the interview says goes to stderr; stdout is for results)."""

    def __init__(
        self, input: TextIO | None = None, output: TextIO | None = None, *, width: int | None = None
    ) -> None:
        self.input = input if input is not None else sys.stdin
        self.output = output if output is not None else sys.stderr
        self.width = width
        """Wrap at this many columns; None: the terminal's width, or no wrapping when not a terminal."""

    def columns(self) -> int:
        """The width to wrap at, 0 for none."""
        if self.width is not None:
            return max(self.width, 0)
        try:
            if not self.output.isatty():
                return 0
            return os.get_terminal_size(self.output.fileno()).columns
        except (OSError, ValueError):  # no file descriptor (io.StringIO), or closed
            return 0

    def say(self, line: str = "", *, indent: str = "") -> None:
        """Write one line (already made visible), wrapped at spaces only, never inside a word."""
        columns = self.columns()
        if columns <= 0 or len(line) <= columns:
            self.output.write(line + "\n")
            return
        parts = textwrap.wrap(
            line,
            width=max(columns, 20),
            subsequent_indent=indent,
            break_long_words=False,
            break_on_hyphens=False,
        )
        self.output.write("\n".join(parts) + "\n")

    def prose(self, text: str, *, prefix: str = "", indent: str = "") -> None:
        """Checklist prose (a help text, an intro, a clause, the declaration), one line per line of it."""
        # split("\n"), not splitlines(): that would also split at (and so hide) U+001C..U+001E, U+0085
        # and U+2028, which visible() must show.
        lines = [flat(line) for line in text.replace("\r\n", "\n").split("\n")]
        for number, line in enumerate(line for line in lines if line):
            self.say((prefix if number == 0 else "") + line, indent=indent)

    def read(self) -> str:
        """One line typed after the prompt; EOFError at end of input (Ctrl-D)."""
        self.output.write(PROMPT)
        self.output.flush()
        try:
            line = self.input.readline()
        except KeyboardInterrupt:
            # End the prompt's line, so that what the caller says next starts on a line of its own.
            self.output.write("\n")
            self.output.flush()
            raise
        if not line:
            self.output.write("\n")
            self.output.flush()
            raise EOFError
        try:
            echoed = self.input.isatty()
        except ValueError:
            echoed = False
        if not echoed:  # a terminal echoes the Enter; from a pipe, end the prompt's line ourselves
            self.output.write("\n")
        return line.rstrip("\r\n")
