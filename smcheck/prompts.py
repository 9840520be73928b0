"""The interactive asker: the only module that imports questionary.

Every prompt answers on Enter only, so nothing typed at one prompt can reach the next: a yes/no question
takes whole words (``yes``, ``no``, ``y``, ``n``, any case), a pick-one or tick-box question takes the
choice's number as well as the arrow keys. A key that does nothing says so in the prompt instead of being
dropped. ``<`` (and Shift-Tab anywhere) goes back to the previous question.

Ctrl-C raises ``KeyboardInterrupt`` and Ctrl-D ``EOFError`` at every prompt; the engine's caller turns both
into "your draft is saved, resume with ...". What a person types is judged by the engine's own ``parse``
and ``check`` (the validators an ``--answers`` run uses), never by rules of this module.

The prompts are built from questionary's parts (its list control and layout, its ``Question`` runner) with
prompt-toolkit key bindings and prompt lines of our own: questionary's prompt line is a fixed string, and
here the line shows a hint, or why an answer was refused, in place. Every prompt line and every choice is
wrapped at word boundaries to the terminal's width (prompt-toolkit itself breaks lines mid-word).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import questionary
from prompt_toolkit.application import Application, get_app_or_none, get_app_session
from prompt_toolkit.document import Document
from prompt_toolkit.formatted_text import StyleAndTextTuples
from prompt_toolkit.key_binding import KeyBindings, KeyPressEvent
from prompt_toolkit.keys import Keys
from prompt_toolkit.layout import Layout
from prompt_toolkit.lexers import SimpleLexer
from prompt_toolkit.shortcuts import PromptSession
from prompt_toolkit.styles import Style
from prompt_toolkit.utils import get_cwidth
from questionary.prompts.common import InquirerControl, create_inquirer_layout

from smcheck import console
from smcheck.checklist import Checklist, QType, Question, Section, Value
from smcheck.interview import GoBack, Position, ReviewRow
from smcheck.outcome import Finding, Outcome
from smcheck.text import visible
from smcheck.values import AnswerError

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

YES_WORDS = frozenset({"y", "yes"})
NO_WORDS = frozenset({"n", "no"})

FIRST_QUESTION = "this is the first question: there is nothing to go back to"
MIN_INPUT_ROOM = 20
WENT_BACK = "(back to the previous question)"
"""What a prompt left by going back says on the screen, where an answer would be."""
"""Fewer columns than this left after the prompt line: the answer is typed on a line of its own."""

CONTINUE = "continue"
CHANGE = "change"
FLAGGED = "flagged"
SHOW_ALL = "show-all"


# -- wrapping --------------------------------------------------------------------------------------


def _columns() -> int:
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


def _room_left(fragments: StyleAndTextTuples, width: int) -> int:
    text = "".join(f[1] for f in fragments)
    return width - 1 - get_cwidth(text.rsplit("\n", 1)[-1])


# -- the pieces every prompt shares ------------------------------------------------------------------


@dataclass
class _Line:
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


def _prompt_tokens(message: str, line: _Line, answer: str | None) -> Fragments:
    tokens: Fragments = [("class:qmark", "?"), ("class:question", f" {message} ")]
    if answer is not None:
        tokens.append(("class:answer", answer))
    else:
        tokens.extend(line.tokens())
        if line.error:
            tokens.append(("", "\n  "))
            tokens.append(("class:error", f"✗ {line.error}"))
    return wrap_fragments(tokens, _columns())


def _bindings(
    line: _Line,
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
    if line.policy is not None:

        @bindings.add("?", eager=True)
        def _policy(event: KeyPressEvent) -> None:
            # ? shows the policy's words in place of the instruction; typed into an answer it is
            # itself (a text answer may hold a question mark, just not begin with one).
            buffer = event.app.current_buffer
            if buffer.text:
                buffer.insert_text("?")
                return
            line.hint = line.policy

    return bindings


POLICY_WORDS = "? for the policy's words"
"""How a prompt says that ? shows the clauses the question comes from."""


def _policy(position: Position) -> str | None:
    """The words of the clauses a question comes from, for its ? key (None when it names none)."""
    if not position.clauses:
        return None
    return " ".join(f"{visible(cid)}: {visible(text)}" for cid, text in position.clauses)


def _run(question: questionary.Question) -> Any:
    """Ask; ``unsafe_ask`` because ``ask`` would swallow Ctrl-C and go on to the next question."""
    return question.unsafe_ask()


def _back_words(can_go_back: bool, typed: bool, prefilled: bool = False) -> list[str]:
    """How to go back, as the instruction says it: ``<`` at a list, ``<`` and Enter at an empty text
    line, Shift-Tab where the line already holds an answer (``<`` would be typed after it)."""
    if not can_go_back:
        return []
    if prefilled:
        return ["Shift-Tab to go back"]
    return ["< and Enter to go back" if typed else "< to go back"]


# -- text and yes/no ---------------------------------------------------------------------------------


def _ask_text(
    message: str,
    instruction: str,
    *,
    default: str,
    judge: Callable[[str], str | None],
    can_go_back: bool,
    policy: str | None = None,
) -> str:
    """A line of text, taken on Enter once ``judge`` (which returns why it is refused, or None) accepts
    it. ``<`` as the whole answer raises GoBack when there is somewhere to go back to; ``?`` as the
    first key shows ``policy``, the policy's words the question comes from."""
    line = _Line(instruction, policy=policy)
    # What stays on the screen once the prompt is left: the answer as typed, or that the person went
    # back. It is drawn as part of the wrapped prompt (never as the input line, which prompt_toolkit
    # breaks mid-word at the edge), and the input line is emptied: no stray "<" is left behind.
    done: dict[str, str | None] = {"echo": None}

    def leave(event: KeyPressEvent, echo: str) -> None:
        done["echo"] = echo
        event.app.current_buffer.reset()

    bindings = _bindings(
        line, can_go_back, back_key=False, on_back=lambda event: leave(event, WENT_BACK)
    )

    def tokens() -> StyleAndTextTuples:
        if done["echo"] is not None:
            return list(_prompt_tokens(message, line, done["echo"]))
        shown: StyleAndTextTuples = list(_prompt_tokens(message, line, None))
        if line.error or _room_left(shown, _columns()) < MIN_INPUT_ROOM:
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
        leave(event, visible(text))
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
    return str(_run(questionary.Question(session.app)))


def yes_no_word(text: str) -> bool | None:
    """``yes``/``y`` True, ``no``/``n`` False (any case, spaces around), anything else None."""
    word = text.strip().lower()
    if word in YES_WORDS:
        return True
    if word in NO_WORDS:
        return False
    return None


def _ask_yes_no(
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
    words.extend(_back_words(can_go_back, typed=True))
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

    typed = _ask_text(
        message, "; ".join(words), default="", judge=judge, can_go_back=can_go_back, policy=policy
    )
    if not typed.strip():
        return current
    value = parse(typed)
    assert value is None or isinstance(value, bool)
    return value


# -- pick one, tick boxes -----------------------------------------------------------------------------


def _ask_choices(
    message: str,
    labels: Sequence[str],
    *,
    multi: bool,
    pointed: int,
    ticked: set[int],
    can_go_back: bool,
    submit: Callable[[int, list[int]], tuple[object, str]],
    instruction: str | None = None,
    back_hint: str | None = None,
    policy: str | None = None,
) -> object:
    """A numbered list: one to pick (``multi`` False) or boxes to tick.

    Digits move to the choice with that number and, at tick boxes, tick or untick it. With more than
    nine choices digits build a number: ``1`` then ``2`` goes to 12. A number is complete when no
    further digit could follow (``2`` of 12 choices) or at the next other key; at tick boxes the choice
    is ticked then (so ``1`` ``2`` ticks only 12, and ``1`` then Space ticks 1). ``submit(pointed,
    ticked)`` returns the answer and the words shown once it is given, or raises AnswerError, whose
    reason is shown in place while the list stays as it was.
    """
    count = len(labels)
    digits = len(str(count))
    prefix = 3 + (2 if multi else 0) + digits + 2  # pointer, tick mark, "12. "
    width = _columns()
    choices = [
        questionary.Choice(
            title=f"{n:>{digits}}. " + wrap_label(visible(label), width, prefix),
            value=n - 1,
            checked=(n - 1) in ticked,
        )
        for n, label in enumerate(labels, start=1)
    ]
    ic = InquirerControl(
        choices, None, pointer="»", use_indicator=multi, initial_choice=choices[pointed]
    )
    if instruction is None:
        if multi:
            instruction = "type a number or Space to tick, ↑↓ to move, Enter when done"
        else:
            instruction = "type its number or use ↑↓, then Enter"
        instruction = "; ".join([instruction, *_back_words(can_go_back, typed=False)])
        if policy is not None:
            instruction += "; " + POLICY_WORDS
    line = _Line(instruction, policy=policy)
    state: dict[str, Any] = {"pending": 0, "answer": None}
    out_of_range = f"type a number from 1 to {count}"
    ignored = out_of_range + (", Space to tick" if multi else "") + ", or use ↑↓"

    def tokens() -> Fragments:
        if state["pending"] and line.hint is None:
            low, high = state["pending"] * 10, min(count, state["pending"] * 10 + 9)
            pending = _Line(
                f"{state['pending']}: type another digit for {low} to {high}, or go on",
                error=line.error,
            )
            return _prompt_tokens(message, pending, None)
        return _prompt_tokens(message, line, state["answer"])

    def went_back(_event: KeyPressEvent) -> None:
        # The list folds away like an answered one: what stays on the screen says where they went.
        state["pending"] = 0
        state["answer"] = WENT_BACK
        ic.is_answered = True

    bindings = _bindings(line, can_go_back, back_key=True, back_hint=back_hint, on_back=went_back)

    def toggle(index: int) -> None:
        value = ic.choices[index].value
        if value in ic.selected_options:
            ic.selected_options.remove(value)
        else:
            ic.selected_options.append(value)

    def finish_number() -> bool:
        """Complete a number being typed; True if there was one."""
        number = int(state["pending"])
        state["pending"] = 0
        if number and multi:
            toggle(number - 1)
        return bool(number)

    after_number = {"yes": False}
    """Whether the last key completed a number: a Space or comma then only separates numbers, as a
    person types "1 3" or "1,3" (the plain mode's way), and does not untick the choice just ticked."""

    def digit(event: KeyPressEvent) -> None:
        line.hint = None
        after_number["yes"] = True
        typed = int(event.data)
        pending = int(state["pending"])
        longer = pending * 10 + typed
        if pending and longer <= count:
            state["pending"] = longer
        else:
            finish_number()
            if not 1 <= typed <= count:
                line.hint = out_of_range
                return
            state["pending"] = typed
        ic.pointed_at = int(state["pending"]) - 1
        if state["pending"] * 10 > count:
            finish_number()

    for key in "0123456789":
        bindings.add(key, eager=True)(digit)

    def move(step: int) -> Callable[[KeyPressEvent], None]:
        def handler(event: KeyPressEvent) -> None:
            line.hint = None
            after_number["yes"] = False
            finish_number()
            ic.pointed_at = (ic.pointed_at + step) % count

        return handler

    def move_to(index: int) -> Callable[[KeyPressEvent], None]:
        def handler(event: KeyPressEvent) -> None:
            line.hint = None
            finish_number()
            ic.pointed_at = index

        return handler

    for key in ("down", "c-n"):
        bindings.add(key, eager=True)(move(1))
    for key in ("up", "c-p"):
        bindings.add(key, eager=True)(move(-1))

    @bindings.add(",", eager=True)
    def _comma(event: KeyPressEvent) -> None:
        separated = after_number["yes"]  # "1, 3": a space after the comma separates too
        finish_number()
        line.hint = None if separated else ignored

    @bindings.add(" ", eager=True)
    def _space(event: KeyPressEvent) -> None:
        line.hint = None
        if after_number["yes"]:  # "1 3": the space separates two numbers
            after_number["yes"] = False
            finish_number()
            return
        if not multi:
            finish_number()
            line.hint = ignored
        elif not finish_number():
            toggle(ic.pointed_at)

    @bindings.add("enter", eager=True)
    def _enter(event: KeyPressEvent) -> None:
        line.hint = None
        finish_number()
        ticked_now = [int(str(c.value)) for c in ic.choices if c.value in ic.selected_options]
        try:
            answer, words = submit(ic.pointed_at, ticked_now)
        except AnswerError as exc:
            line.error = str(exc)
            return
        line.error = None
        state["answer"] = words
        ic.is_answered = True
        event.app.exit(result=answer)

    for key in ("home", "end"):
        bindings.add(key, eager=True)(move_to(0 if key == "home" else count - 1))

    @bindings.add("backspace", eager=True)
    @bindings.add("left", eager=True)
    @bindings.add("right", eager=True)
    @bindings.add("delete", eager=True)
    @bindings.add("tab", eager=True)
    @bindings.add(Keys.Any)
    def _other(event: KeyPressEvent) -> None:
        # Keys that would edit the hidden input line under the list (prompt-toolkit's own bindings)
        # are caught here too, so that no key is silently ignored.
        if event.key_sequence[0].key == Keys.Backspace:
            state["pending"] = 0  # Backspace drops a number being typed rather than ticking it
        after_number["yes"] = False
        finish_number()
        line.hint = ignored

    layout: Layout = create_inquirer_layout(ic, tokens)
    application: Application[object] = Application(
        layout=layout, key_bindings=bindings, style=STYLE
    )
    return _run(questionary.Question(application))


def _as_words(question: Question, value: Value) -> str:
    from smcheck.values import as_text

    return visible(as_text(question, value))


# -- the asker ----------------------------------------------------------------------------------------


class QuestionaryAsker:
    """Asks the engine's questions in a terminal with questionary, and shows context with rich."""

    def __init__(
        self, checklist: Checklist | None = None, today: Callable[[], dt.date] = dt.date.today
    ) -> None:
        self.today = today
        self.checklist = checklist
        self._declared: str | None = None

    def start_section(
        self, checklist: Checklist, section: Section, number: int, total: int
    ) -> None:
        """Show the section heading and the policy's words."""
        self.checklist = checklist
        console.show_section(checklist, section, number, total)

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
        """Ask one question with the prompt that suits its type; raise GoBack to go back."""
        if self.checklist is not None:
            shown = question
            if question.help.strip() and question.help.strip() == self._declared:
                shown = question._replace(help="")  # the declaration is shown once, above
            console.show_question_context(self.checklist, shown, position, error)
        elif error:
            console.say(f"  ✗ {error}", style="red")
        message = visible(question.prompt)
        back = position.can_go_back
        if question.type is QType.YESNO:
            return _ask_yes_no(
                message,
                current=current if isinstance(current, bool) else None,
                parse=parse,
                can_go_back=back,
                required=question.required,
                policy=_policy(position),
            )
        if question.type in (QType.CHOICE, QType.MULTI):
            return self._ask_list(question, position, current, check)
        words = [
            "a date as YYYY-MM-DD, then Enter"
            if question.type is QType.DATE
            else "type your answer, then Enter"
        ]
        if not question.required:
            words.append("optional: Enter alone leaves it blank")
        default = _text_default(current)
        words.extend(_back_words(back, typed=True, prefilled=bool(default)))
        if position.clauses:
            words.append(POLICY_WORDS)

        def judge(text: str) -> str | None:
            try:
                parse(text)
            except AnswerError as exc:
                return str(exc)
            return None

        typed = _ask_text(
            message,
            "; ".join(words),
            default=default,
            judge=judge,
            can_go_back=back,
            policy=_policy(position),
        )
        return parse(typed)

    def _ask_list(
        self,
        question: Question,
        position: Position,
        current: Value | None,
        check: Callable[[object], Value],
    ) -> Value:
        values = [c.value for c in question.choices]
        multi = question.type is QType.MULTI
        if multi:
            ticked = (
                {values.index(v) for v in current or () if v in values}
                if isinstance(current, tuple)
                else set()
            )
            pointed = 0
        else:
            ticked = set()
            pointed = values.index(current) if isinstance(current, str) and current in values else 0

        def submit(at: int, ticks: list[int]) -> tuple[object, str]:
            value = check(tuple(values[i] for i in ticks)) if multi else check(values[at])
            return value, _as_words(question, value)

        answer = _ask_choices(
            visible(question.prompt),
            [c.label for c in question.choices],
            multi=multi,
            pointed=pointed,
            ticked=ticked,
            can_go_back=position.can_go_back,
            submit=submit,
            policy=_policy(position),
        )
        assert isinstance(answer, str | tuple)
        return answer

    def finding(self, checklist: Checklist, finding: Finding) -> None:
        """Show a warning, blocker or referral as soon as it arises."""
        console.show_finding(checklist, finding)

    def offer_stop(self, checklist: Checklist, finding: Finding) -> bool:
        """A referral arose: ask whether to end the interview now (True ends it)."""

        def parse(text: str) -> Value | None:
            word = yes_no_word(text)
            if word is None:
                raise AnswerError("answer yes or no")
            return word

        where = f" (referred to {visible(finding.refer_to)})" if finding.refer_to else ""
        answer = _ask_yes_no(
            f"This channel is not for this process{where}. End the interview now and keep the"
            " draft?",
            current=None,
            parse=parse,
            can_go_back=False,
        )
        return answer is True

    def review(
        self, rows: Sequence[ReviewRow], outcome: Outcome, *, changed: frozenset[str] | None
    ) -> list[str]:
        """Show the answers (only those changed, when ``changed`` is given); return the ids of the
        questions to ask again, in order, or [] to go on."""
        console.show_review(list(rows), outcome, changed=changed)
        can_sign = outcome.status.can_sign_off
        flagged = [r.question.id for r in rows if r.findings]
        options: list[tuple[str, str]] = [
            (CONTINUE, "Go on to sign-off" if can_sign else "Save the draft and stop here"),
            (CHANGE, "Change an answer"),
        ]
        if flagged:
            options.append((FLAGGED, f"Go through the flagged answers ({len(flagged)})"))
        options.append((SHOW_ALL, "Show all answers"))

        def submit(at: int, _ticks: list[int]) -> tuple[object, str]:
            return options[at][0], options[at][1]

        while True:
            choice = _ask_choices(
                "What next?",
                [label for _, label in options],
                multi=False,
                pointed=0,
                ticked=set(),
                can_go_back=False,
                submit=submit,
                back_hint="to change an answer, choose 'Change an answer'",
            )
            if choice == CONTINUE:
                return []
            if choice == FLAGGED:
                return flagged
            if choice == SHOW_ALL:
                console.show_review(list(rows), outcome, changed=None)
                continue
            number = self._row_number(len(rows))
            if number is not None:
                return [rows[number - 1].question.id]

    def _row_number(self, count: int) -> int | None:
        """The row number to change; None (Enter alone, ``<`` or Shift-Tab) goes back to the menu."""

        def judge(text: str) -> str | None:
            # ASCII digits only: str.isdigit() accepts "²", on which int() raises.
            digits = text.strip()
            if (
                not digits
                or digits == "<"
                or (digits.isascii() and digits.isdigit() and 1 <= int(digits) <= count)
            ):
                return None
            return f"type a number from 1 to {count}, as shown above (Enter alone goes back)"

        try:
            typed = _ask_text(
                "Which answer do you want to change?",
                "its row number, then Enter; Enter alone goes back to the menu",
                default="",
                judge=judge,
                can_go_back=True,
            ).strip()
        except GoBack:
            return None
        return int(typed) if typed and typed != "<" else None

    def start_signoff(self, checklist: Checklist, outcome: Outcome) -> None:
        """Show the declaration (once: the agree question that follows has no help of its own)."""
        self.checklist = checklist
        self._declared = checklist.declaration.strip()
        console.show_signoff(checklist)


def _text_default(current: Value | None) -> str:
    if current is None:
        return ""
    if isinstance(current, dt.date):
        return current.isoformat()
    if isinstance(current, bool):
        return "yes" if current else "no"
    if isinstance(current, tuple):
        return ", ".join(current)
    return str(current)
