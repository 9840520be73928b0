"""The pieces every full-screen prompt shares: wrapping at word boundaries, the prompt line (its
instruction, a hint for one keystroke, why an answer was refused), and the keys every prompt takes
(Ctrl-C, Ctrl-D, going back, ? for the policy's words).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import questionary
from prompt_toolkit.application import get_app_or_none, get_app_session
from prompt_toolkit.formatted_text import StyleAndTextTuples
from prompt_toolkit.key_binding import KeyBindings, KeyPressEvent
from prompt_toolkit.styles import Style
from prompt_toolkit.utils import get_cwidth

from smcheck.asking import NO_CLAUSES, GoBack, Position
from smcheck.text import visible

STYLE = Style(
    [
        ("qmark", "fg:ansicyan bold"),
        ("question", "bold"),
        ("answer", "fg:ansigreen bold"),
        ("pointer", "fg:ansicyan bold"),
        ("highlighted", "fg:ansicyan bold"),
        ("selected", "fg:ansigreen"),
        ("instruction", "fg:ansibrightblack"),
        ("hint", "fg:ansiyellow bold"),
        ("error", "fg:ansired bold"),
    ]
)

Fragments = list[tuple[str, str]]
"""Styled text as prompt-toolkit draws it: (style, text) pairs."""


FIRST_QUESTION = "this is the first question: there is nothing to go back to"
MIN_INPUT_ROOM = 20
WENT_BACK = "(back to the previous question)"
"""What a prompt left by going back says on the screen, where an answer would be."""
"""Fewer columns than this left after the prompt line: the answer is typed on a line of its own."""


# -- wrapping --------------------------------------------------------------------------------------


def columns() -> int:
    """The width of the terminal the prompt is drawn on (its output's, so a test can fix it)."""
    app = get_app_or_none()  # get_app() would give a stand-in drawing on nothing, 80 columns wide
    output = app.output if app is not None else get_app_session().output
    return max(20, output.get_size().columns)


def wrap_fragments(fragments: Fragments, width: int, indent: int = 2) -> Fragments:
    """Styled text wrapped at spaces to ``width`` columns, continuation lines indented by ``indent``.

    prompt-toolkit wraps a long line at whatever character meets the edge; this breaks only between
    words. A word longer than a whole line is left to the terminal (there is no better place to break it).
    Existing line breaks are kept. The last column is left free: a character there makes some terminals
    wrap at once.
    """
    width = max(indent + 10, width - 1)
    out: Fragments = []
    column = 0
    pending_space: list[tuple[str, str]] = []  # spaces held until the next word shows they fit
    for fragment in fragments:
        style, text = fragment[0], fragment[1]
        for line_number, line in enumerate(text.split("\n")):
            if line_number:
                out.append((style, "\n"))
                pending_space = []
                column = 0
            word = ""
            for char in line + "\0":
                if char == " " or char == "\0":
                    if word:
                        size = get_cwidth(word)
                        spaces = sum(len(s) for _, s in pending_space)
                        if column > indent and column + spaces + size > width:
                            out.append((style, "\n" + " " * indent))
                            column = indent
                        else:
                            out.extend(pending_space)
                            column += spaces
                        pending_space = []
                        out.append((style, word))
                        column += size
                        word = ""
                    if char == " ":
                        pending_space.append((style, " "))
                else:
                    word += char
    out.extend(pending_space)
    return out


def wrap_label(label: str, width: int, prefix: int) -> str:
    """A choice label wrapped to fit after a ``prefix`` columns wide, continuation lines indented to it."""
    lines = wrap_fragments([("", label)], width - prefix, indent=0)
    text = "".join(t[1] for t in lines)
    return text.replace("\n", "\n" + " " * prefix)


def room_left(fragments: StyleAndTextTuples, width: int) -> int:
    text = "".join(f[1] for f in fragments)
    return width - 1 - get_cwidth(text.rsplit("\n", 1)[-1])


# -- the pieces every prompt shares ------------------------------------------------------------------


@dataclass
class Line:
    """What a prompt's line says besides the question: its instruction, or for one keystroke a hint
    about a key that did nothing, or why an answer was refused."""

    instruction: str
    hint: str | None = None
    error: str | None = None
    policy: str | None = None
    """The policy's words the question comes from, shown as the hint when ? is pressed."""

    def tokens(self) -> Fragments:
        if self.hint:
            return [("class:hint", f"({self.hint})")]
        return [("class:instruction", f"({self.instruction})")]


def prompt_tokens(message: str, line: Line, answer: str | None, *, typed: str = "") -> Fragments:
    """The question's line: the answer once given; else what is being typed (at a list, a name) and
    the instruction, hint or refusal."""
    tokens: Fragments = [("class:qmark", "?"), ("class:question", f" {message} ")]
    if answer is not None:
        tokens.append(("class:answer", answer))
    else:
        if typed:
            tokens += [("class:answer", typed), ("", " ")]
        tokens.extend(line.tokens())
        if line.error:
            tokens.append(("", "\n  "))
            tokens.append(("class:error", f"✗ {line.error}"))
    return wrap_fragments(tokens, columns())


def shared_bindings(
    line: Line,
    can_go_back: bool,
    *,
    back_key: bool,
    back_hint: str | None = None,
    on_back: Callable[[KeyPressEvent], None] | None = None,
) -> KeyBindings:
    """Ctrl-C, Ctrl-D and going back, the same at every prompt (``on_back`` first tidies the line that
    stays on the screen)."""
    bindings = KeyBindings()

    @bindings.add("c-c", eager=True)
    def _interrupt(event: KeyPressEvent) -> None:
        event.app.exit(exception=KeyboardInterrupt())

    @bindings.add("c-d", eager=True)
    def _end(event: KeyPressEvent) -> None:
        event.app.exit(exception=EOFError())

    def back(event: KeyPressEvent) -> None:
        if can_go_back:
            if on_back is not None:
                on_back(event)
            event.app.exit(exception=GoBack())
        else:
            line.hint = back_hint or FIRST_QUESTION

    bindings.add("s-tab", eager=True)(back)
    if back_key:
        bindings.add("<", eager=True)(back)

    @bindings.add("?", eager=True)
    def _policy(event: KeyPressEvent) -> None:
        # ? shows the policy's words in place of the instruction (or says that the question names no
        # clause); typed into an answer it is itself (a text answer may hold a question mark, just not
        # begin with one).
        buffer = event.app.current_buffer
        if buffer.text:
            buffer.insert_text("?")
            return
        line.hint = line.policy if line.policy is not None else NO_CLAUSES

    return bindings


POLICY_WORDS = "? for the policy's words"
"""How a prompt says that ? shows the clauses the question comes from."""


def policy_of(position: Position) -> str | None:
    """The words of the clauses a question comes from, for its ? key (None when it names none)."""
    if not position.clauses:
        return None
    return " ".join(f"{visible(cid)}: {visible(text)}" for cid, text in position.clauses)


def run(question: questionary.Question) -> Any:
    """Ask; ``unsafe_ask`` because ``ask`` would swallow Ctrl-C and go on to the next question."""
    return question.unsafe_ask()


def back_words(can_go_back: bool, typed: bool, prefilled: bool = False) -> list[str]:
    """How to go back, as the instruction says it: ``<`` at a list, ``<`` and Enter at an empty text
    line, Shift-Tab where the line already holds an answer (``<`` would be typed after it)."""
    if not can_go_back:
        return []
    if prefilled:
        return ["Shift-Tab to go back"]
    return ["< and Enter to go back" if typed else "< to go back"]
