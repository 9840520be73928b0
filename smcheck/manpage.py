"""The man page, smcheck(1), written from the command line's own definitions.

``python -m smcheck.manpage > smcheck/data/man/smcheck.1`` regenerates the checked-in page (run from a checkout: the
EXIT STATUS section is the README's exit-code table). Every command, argument, option, choice,
default, environment variable and example comes from :mod:`smcheck.cli`, so ``--help`` and the man page
say the same; a test fails when the checked-in page differs from what this module makes now.

Only the classic man(7) macros are used (no groff extensions), so groff, mandoc and man-db all read it.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import typer.main
from typer import _click

from smcheck import __version__, cli

SEE_ALSO = (("ssh-keygen", 1), ("ssh-agent", 1), ("ssh-add", 1))
PROLOGUE = (
    "smcheck",
    "check a proposed official social media channel against the University's policy",
)


def escape(text: str) -> str:
    """Text for roff: backslashes and hyphen-minus escaped, `code` in bold, no line a request."""
    text = text.replace("\\", "\\e").replace("-", "\\-")
    return re.sub(r"`([^`]+)`", r"\\fB\1\\fR", text)


def _lines(text: str) -> str:
    """Escaped text, one roff text line per input line, none starting with ``.`` or ``'``."""
    out = []
    for line in escape(text).splitlines():
        out.append(f"\\&{line}" if line.startswith((".", "'")) else line)
    return "\n".join(out)


def paragraphs(text: str | None) -> list[str]:
    """A docstring's paragraphs, each joined into one line (click rewraps them the same way)."""
    blocks = re.split(r"\n\s*\n", (text or "").strip())
    return [" ".join(block.split()) for block in blocks if block.strip()]


def _walk(command: _click.Command, path: tuple[str, ...] = ()) -> Iterator[tuple[str, Any]]:
    """Every command below ``command``, as (path, command), groups before their commands."""
    for name, sub in getattr(command, "commands", {}).items():
        yield " ".join((*path, name)), sub
        yield from _walk(sub, (*path, name))


def _choices(param: Any) -> list[str]:
    descriptor = getattr(param, "type_descriptor", None)
    if descriptor is None or not descriptor.is_choice or descriptor.choices is None:
        return []
    return [str(choice) for choice in descriptor.choices]


def _option_head(param: Any) -> str:
    names = sorted([*param.opts, *param.secondary_opts], key=lambda n: (n.startswith("--"), n))
    head = ", ".join(f"\\fB{escape(name)}\\fR" for name in names)
    if not getattr(param, "is_flag", False) and param.metavar:
        head += f" \\fI{escape(param.metavar)}\\fR"
    return head


def _param_text(param: Any) -> str:
    text = " ".join((param.help or "").split())
    choices = _choices(param)
    shown = f"{text} {param.metavar or ''}"
    if choices and not all(choice in shown for choice in choices):
        text += f" One of: {', '.join(choices)}."
    default = param.default
    if default not in (None, False, "", ()) and not getattr(param, "is_flag", False):
        text += f" Default: {default}."
    return text


def _usage(command: Any, path: str) -> str:
    """``smcheck verify [OPTIONS] RECORD...`` in roff: the command in bold, its words in italics."""
    ctx = _click.Context(command, info_name=f"smcheck {path}")
    words = escape(" ".join(command.collect_usage_pieces(ctx)))
    return f"\\fBsmcheck {escape(path)}\\fR " + re.sub(r"[A-Z][A-Z_|]*", r"\\fI\g<0>\\fR", words)


def _command(path: str, command: Any) -> list[str]:
    out = [f".SS {_usage(command, path)}"]
    for number, paragraph in enumerate(paragraphs(command.help)):
        if number:
            out.append(".PP")
        out.append(_lines(paragraph))
    for param in command.params:
        if param.hidden:
            continue
        if param.param_type_name == "argument":
            head = f"\\fI{escape(cli.argument_word(param))}\\fR"
        else:
            head = _option_head(param)
        out += [".TP", head, _lines(_param_text(param))]
    if path in cli.EXAMPLES and not getattr(command, "commands", None):
        names = ", ".join(f"\\fB{name}\\fR" for name in cli.EXAMPLES[path][1])
        out += [".PP", f"Environment: {names}."]
    return out


def exit_codes(readme: str) -> list[tuple[str, str]]:
    """The rows of the README's "Exit codes" table: (code, meaning)."""
    section = readme.split("\n## Exit codes\n", 1)[1].split("\n## ", 1)[0]
    rows = []
    for line in section.splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) == 2 and cells[0].isdigit():
            rows.append((cells[0], cells[1]))
    if not rows:
        raise ValueError("the README's Exit codes section holds no table")
    return rows


def render(readme: str) -> str:
    """The whole page, as roff."""
    root = typer.main.get_command(cli.app)
    commands = list(_walk(root))
    name, summary = PROLOGUE
    out = [
        '.\\" Generated by: python -m smcheck.manpage > smcheck/data/man/smcheck.1 (do not edit by hand)',
        f'.TH SMCHECK 1 "" "smcheck {__version__}" "User Commands"',
        ".nh",
        ".ad l",
        ".SH NAME",
        f"{name} \\- {escape(summary)}",
        ".SH SYNOPSIS",
    ]
    leaves = [(path, c) for path, c in commands if not getattr(c, "commands", None)]
    for number, (path, command) in enumerate(leaves):
        if number:
            out.append(".br")
        out.append(_usage(command, path))
    out.append(".SH DESCRIPTION")
    for number, paragraph in enumerate(paragraphs(root.help)):
        if number:
            out.append(".PP")
        out.append(_lines(paragraph))
    out.append(".SH OPTIONS")
    for param in root.params:
        out += [".TP", _option_head(param), _lines(_param_text(param))]
    out += [".TP", "\\fB\\-h\\fR, \\fB\\-\\-help\\fR", "Show the help of smcheck, or of a command."]
    out.append(".SH COMMANDS")
    for path, command in commands:
        out += _command(path, command)
    out.append(".SH ENVIRONMENT")
    reads = {path: env for path, (_, env) in cli.EXAMPLES.items() if path in dict(leaves)}
    for variable, (_, text) in cli.ENVIRONMENT.items():
        readers = [path for path, env in reads.items() if variable in env]
        by = (
            "Read by every command."
            if len(readers) == len(reads)
            else f"Read by: {', '.join(readers)}."
        )
        out += [".TP", f"\\fB{escape(variable)}\\fR", _lines(f"{text} {by}")]
    out.append(".SH EXIT STATUS")
    for code, meaning in exit_codes(readme):
        out += [".TP", f"\\fB{code}\\fR", _lines(meaning)]
    out.append(".SH EXAMPLES")
    for path, _ in leaves:
        out += [".PP", ".nf"]
        out += [_lines(example) for example in cli.EXAMPLES[path][0]]
        out.append(".fi")
    out.append(".SH SEE ALSO")
    last = len(SEE_ALSO) - 1
    out += [
        f".BR {escape(page)} ({section}){'' if number == last else ','}"
        for number, (page, section) in enumerate(SEE_ALSO)
    ]
    out += [
        ".PP",
        "The README and docs/ (https://github.com/essex-digital/smcheck/tree/main/docs): the"
        " interview, reviewing, signatures and trust, the record format, configuration, scripts and CI.",
    ]
    return "\n".join(out) + "\n"


def main(argv: list[str] | None = None) -> int:
    """Write the page to standard output; the README is the checkout's, or the file given."""
    args = sys.argv[1:] if argv is None else argv
    readme = Path(args[0]) if args else Path(__file__).resolve().parent.parent / "README.md"
    try:
        text = readme.read_text(encoding="utf-8")
    except OSError as exc:
        sys.stderr.write(
            f"smcheck.manpage: cannot read {readme} ({exc.strerror}): run it from a checkout\n"
        )
        return 2
    sys.stdout.write(render(text))
    return 0


if __name__ == "__main__":
    sys.exit(main())
