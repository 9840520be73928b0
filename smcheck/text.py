"""The one rule for "is this text safe to show" and "make it visible".

Text from a record, an answers file, a draft, a checklist, a trust file or a file name is untrusted: a
terminal obeys ESC sequences and C1 controls, bidi overrides reorder what is shown (Trojan Source), and
zero-width or blank characters hide what is there. One rule decides which characters are *hidden*:

- the Unicode categories Cc (controls), Cf (format: bidi, zero-width), Cs (surrogates), Co (private use),
  Cn (unassigned), Zl and Zp (line and paragraph separators);
- and :data:`BLANK`, characters Unicode calls printable that are drawn as nothing.

Answers refuse such characters (:func:`first_hidden`), the checklist linter refuses them in checklist
text (line breaks and tabs aside), and every view shows them as escapes (:func:`visible`).
"""

from __future__ import annotations

import unicodedata
from typing import Literal

HIDDEN_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"})
"""Unicode categories that are never shown as they are."""

BLANK = frozenset("\u115f\u1160\u3164\uffa0\u2800")
"""Printable by Unicode's rules, yet drawn as nothing: Hangul fillers and the blank Braille pattern."""


def is_hidden(char: str) -> bool:
    """Whether one character would not be seen for what it is on a screen."""
    return char in BLANK or unicodedata.category(char) in HIDDEN_CATEGORIES


def _plain(text: str) -> bool:
    """The fast path: printable and without a blank character (isprintable() already refuses every
    category in HIDDEN_CATEGORIES; the blank characters are the only printable ones that hide)."""
    return text.isprintable() and (text.isascii() or BLANK.isdisjoint(text))


def first_hidden(text: str, *, allow: str = "") -> str | None:
    """The first hidden character of ``text`` that is not in ``allow``, or None."""
    if _plain(text):
        return None
    for char in text:
        if char not in allow and is_hidden(char):
            return char
    return None


def codepoint(char: str) -> str:
    """``U+001B``: how a message names a character."""
    return f"U+{ord(char):04X}"


def _escape(char: str) -> str:
    code = ord(char)
    if code < 0x100:
        return f"\\x{code:02x}"
    if code < 0x10000:
        return f"\\u{code:04x}"
    return f"\\U{code:08x}"


def visible(text: str, *, keep_newlines: bool = False) -> str:
    """``text`` with every hidden character shown as an escape (``\\x1b``, ``\\u202e``)."""
    if _plain(text):
        return text
    return "".join(
        char if (keep_newlines and char == "\n") or not is_hidden(char) else _escape(char)
        for char in text
    )


def is_clean(text: str) -> bool:
    """Whether :func:`visible` would show ``text`` unchanged."""
    return _plain(text) or first_hidden(text) is None


def quoted(text: str, limit: int = 80) -> str:
    """Untrusted text quoted for a message: ``'text'``, cut after ``limit`` characters, made visible."""
    if len(text) > limit:
        text = text[:limit] + "..."
    return "'" + visible(text).replace("'", "\\'") + "'"


WordRole = Literal["path", "value"]
"""What a word of a suggested command is: ``path``, a file name (any argument or option value that names
a file), or ``value``, any other option value (a role, an email), taken as it is."""


def shell_word(value: object, role: WordRole = "path") -> str:
    """A file name (or, with ``role="value"``, an option's value) as one word of a command a person can
    paste into bash or zsh, naming exactly that file: the commands smcheck's messages suggest.

    - Quoted for the shell only when it needs to be (:func:`shlex.quote`).
    - A relative file name that starts with ``-`` gets ``./`` before it, so no command reads it as an
      option (an absolute name starts with ``/``).
    - A name whose bytes are not UTF-8 (Python holds them as surrogate escapes), or that holds a
      character a terminal would not show as it is (a control, a bidi override, a zero-width or blank
      character), is written byte for byte in ASCII as bash/zsh ``$'...'`` quoting (``$'caf\\xe9'``):
      what is printed is the exact word, and :func:`visible` leaves it as it is.
    - So is a name that mentions ``smcheck `` (:func:`as_run` would otherwise rewrite it).
    """
    import os
    import shlex

    text = str(value)
    if role == "path":
        try:
            raw = os.fsencode(value if isinstance(value, os.PathLike) else text)
        except (
            UnicodeEncodeError
        ):  # a lone surrogate that no file name held: its code point's bytes
            raw = text.encode("utf-8", "surrogatepass")
        if raw.startswith(b"-"):
            raw = b"./" + raw
    else:
        raw = text.encode("utf-8", "surrogateescape")
    try:
        word = raw.decode("utf-8")
    except UnicodeDecodeError:
        return _dollar_quoted(raw)
    if not is_clean(word) or "smcheck " in word:
        return _dollar_quoted(raw)
    return shlex.quote(word)


def _dollar_quoted(raw: bytes) -> str:
    """``raw`` as one bash/zsh ``$'...'`` word, in printable ASCII: every other byte as ``\\xHH``
    (exactly one byte each), a backslash and a quote escaped, and the space after ``smcheck`` as
    ``\\x20`` so that :func:`as_run` never mistakes part of a name for a command."""
    out = []
    for byte in raw:
        if byte == 0x5C:
            out.append("\\\\")
        elif byte == 0x27:
            out.append("\\'")
        elif 0x20 <= byte < 0x7F:
            out.append(chr(byte))
        else:
            out.append(f"\\x{byte:02x}")
    return "$'" + "".join(out).replace("smcheck ", "smcheck\\x20") + "'"


_COMMANDS = (
    "new",
    "renew",
    "verify",
    "status",
    "export",
    "diff",
    "schema",
    "checklist",
    "keygen",
    "sign",
    "approve",
    "merge",
    "show",
    "drafts",
    "trust",
)


def program() -> str:
    """How to type smcheck again, as it was run: ``smcheck`` when that name finds this same program on
    the PATH, else the path it was run by (``.venv/bin/smcheck``, made a shell word), or
    ``python -m smcheck`` with this interpreter."""
    import shutil
    import sys
    from pathlib import Path

    argv0 = sys.argv[0] if sys.argv else ""
    if argv0.endswith("__main__.py") or argv0 in ("-m", "-c", ""):
        return f"{shell_word(sys.executable)} -m smcheck"
    run_as = Path(argv0)
    found = shutil.which("smcheck")
    try:
        if found is not None and (run_as.name != "smcheck" or Path(found).samefile(run_as)):
            return "smcheck"
    except OSError:
        pass
    if run_as.name == "smcheck" and "/" in argv0:
        return shell_word(argv0)
    return "smcheck"


def as_run(message: str) -> str:
    """A message whose suggested commands (``smcheck verify FILE``) are written the way smcheck was run
    here, so that each works as typed (``.venv/bin/smcheck verify FILE`` when it is not on the PATH)."""
    name = program()
    if name == "smcheck" or "smcheck " not in message:
        return message
    import re

    pattern = r"(?<![\w./-])smcheck (?=(?:" + "|".join(_COMMANDS) + r")\b|--)"
    return re.sub(pattern, lambda _: name + " ", message)


__all__ = [
    "BLANK",
    "HIDDEN_CATEGORIES",
    "WordRole",
    "as_run",
    "codepoint",
    "first_hidden",
    "is_clean",
    "is_hidden",
    "program",
    "quoted",
    "shell_word",
    "visible",
]
