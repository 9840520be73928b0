"""A line of text and a yes/no word: the full-screen controls that take an answer as typed, on Enter."""

from __future__ import annotations

from collections.abc import Callable

import questionary
from prompt_toolkit.document import Document
from prompt_toolkit.formatted_text import StyleAndTextTuples
from prompt_toolkit.key_binding import KeyPressEvent
from prompt_toolkit.lexers import SimpleLexer
from prompt_toolkit.shortcuts import PromptSession

from smcheck.asking import GoBack
from smcheck.checklist import Value
from smcheck.prompts.common import (
    MIN_INPUT_ROOM,
    POLICY_WORDS,
    STYLE,
    WENT_BACK,
    Line,
    back_words,
    columns,
    prompt_tokens,
    room_left,
    run,
    shared_bindings,
)
from smcheck.text import visible
from smcheck.values import AnswerError

# -- text and yes/no ---------------------------------------------------------------------------------


def ask_text(
    message: str,
    instruction: str,
    *,
    default: str,
    judge: Callable[[str], str | None],
    can_go_back: bool,
    policy: str | None = None,
    echo: Callable[[str], str] | None = None,
) -> str:
    """A line of text, taken on Enter once ``judge`` (which returns why it is refused, or None) accepts
    it. ``<`` as the whole answer raises GoBack when there is somewhere to go back to; ``?`` as the
    first key shows ``policy``, the policy's words the question comes from. What stays on the screen
    is the text as typed, or ``echo`` of it (the answer as recorded, where it differs)."""
    line = Line(instruction, policy=policy)
    # What stays on the screen once the prompt is left: the answer as typed, or that the person went
    # back. It is drawn as part of the wrapped prompt (never as the input line, which prompt_toolkit
    # breaks mid-word at the edge), and the input line is emptied: no stray "<" is left behind.
    done: dict[str, str | None] = {"echo": None}

    def leave(event: KeyPressEvent, echo: str) -> None:
        done["echo"] = echo
        event.app.current_buffer.reset()

    bindings = shared_bindings(
        line, can_go_back, back_key=False, on_back=lambda event: leave(event, WENT_BACK)
    )

    def tokens() -> StyleAndTextTuples:
        if done["echo"] is not None:
            return list(prompt_tokens(message, line, done["echo"]))
        shown: StyleAndTextTuples = list(prompt_tokens(message, line, None))
        if line.error or room_left(shown, columns()) < MIN_INPUT_ROOM:
            return [*shown, ("", "\n  ")]
        return [*shown, ("", " ")]

    @bindings.add("enter", eager=True)
    def _submit(event: KeyPressEvent) -> None:
        text = event.app.current_buffer.text
        if can_go_back and text.strip() == "<":
            leave(event, WENT_BACK)
            event.app.exit(exception=GoBack())
            return
        refusal = judge(text)
        if refusal is not None:
            line.error = refusal
            return
        line.error = None
        leave(event, visible(echo(text) if echo is not None else text))
        event.app.exit(result=text)

    session: PromptSession[str] = PromptSession(
        tokens,
        style=STYLE,
        key_bindings=bindings,
        lexer=SimpleLexer("class:answer"),
        reserve_space_for_menu=0,
    )

    def changed(_buffer: object) -> None:
        line.hint = None

    session.default_buffer.on_text_changed += changed
    session.default_buffer.reset(Document(default))
    return str(run(questionary.Question(session.app)))


def ask_yes_no(
    message: str,
    *,
    current: bool | None,
    parse: Callable[[str], Value | None],
    can_go_back: bool,
    required: bool = True,
    policy: str | None = None,
) -> bool | None:
    """A yes/no question answered by a whole word and Enter. Enter alone keeps ``current``; with no
    current answer it is refused (an accidental Enter must not answer a compliance question)."""
    shown = {True: "Y/n", False: "y/N", None: "y/n"}[current]
    words = [f"{shown}: type yes or no, then Enter"]
    if current is not None:
        words.append(f"Enter alone keeps {'yes' if current else 'no'}")
    words.extend(back_words(can_go_back, typed=True))
    if policy is not None:
        words.append(POLICY_WORDS)

    def judge(text: str) -> str | None:
        if not text.strip():
            if current is not None or not required:
                return None
            return "type yes or no"
        try:
            parse(text)
        except AnswerError as exc:
            return str(exc)
        return None

    typed = ask_text(
        message, "; ".join(words), default="", judge=judge, can_go_back=can_go_back, policy=policy
    )
    if not typed.strip():
        return current
    value = parse(typed)
    assert value is None or isinstance(value, bool)
    return value
