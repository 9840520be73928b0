"""A screen that keeps what the full-screen prompts draw, and a typist that types as a person does: the
next keys only once the text they answer is on the screen (pyte emulates the terminal)."""

from __future__ import annotations

import io
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

import pyte
from prompt_toolkit.application import create_app_session
from prompt_toolkit.data_structures import Size
from prompt_toolkit.input import create_pipe_input
from prompt_toolkit.output.vt100 import Vt100_Output


class Screen:
    """A prompt_toolkit output that keeps what it draws, and a typist that waits to see a text on it
    before typing the next keys (as a person would), in a thread beside the prompt.

    prompt_toolkit redraws only the characters that changed, so a text can be on the screen without
    being in the bytes written in one piece: the bytes are also fed to a terminal emulator (pyte), and
    a text counts as shown once either holds it."""

    def __init__(self, columns: int = 200, rows: int = 40) -> None:
        self.buffer = io.StringIO()
        self.output = Vt100_Output(
            self.buffer, lambda: Size(rows=rows, columns=columns), term="xterm"
        )
        self.screen = pyte.Screen(columns, rows)
        self.stream = pyte.Stream(self.screen)
        self.fed = 0

    @property
    def text(self) -> str:
        return self.buffer.getvalue()

    def shown(self) -> str:
        """The emulated screen now, its lines joined."""
        written = self.text
        self.stream.feed(written[self.fed :])
        self.fed = len(written)
        return "\n".join(line.rstrip() for line in self.screen.display)

    def lines(self) -> list[str]:
        """The emulated screen now, line by line, without the blank lines below what was drawn."""
        shown = self.shown().split("\n")
        while shown and not shown[-1]:
            shown.pop()
        return shown

    def wait_for(self, text: str, start: int, timeout: float = 10.0) -> int:
        """Where ``text`` first appears at or after ``start`` (waiting for it); -1 after ``timeout``."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = self.text.find(text, start)
            if found >= 0:
                return found
            if text in self.shown():
                return max(start, self.fed - len(text))
            time.sleep(0.005)
        return -1

    @contextmanager
    def typing(self, script: Sequence[tuple[str | None, str]]) -> Iterator[list[str]]:
        """Run the body while a typist types each step's keys once its text (if any) is on screen.

        Yields a list that, after the body, names every awaited text that never appeared.
        """
        missed: list[str] = []
        with create_pipe_input() as pipe, create_app_session(input=pipe, output=self.output):

            def typist() -> None:
                start = 0
                for awaited, keys in script:
                    if awaited is not None:
                        found = self.wait_for(awaited, start)
                        if found < 0:
                            missed.append(awaited)
                            break
                        start = found + len(awaited)
                    pipe.send_text(keys)
                pipe.close()

            thread = threading.Thread(target=typist, daemon=True)
            thread.start()
            try:
                yield missed
            except EOFError:
                thread.join(timeout=15)
                if missed:
                    raise AssertionError(f"never shown: {missed!r}\n{self.text!r}") from None
                raise
            finally:
                thread.join(timeout=15)
