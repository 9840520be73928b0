"""The entry point of ``smcheck`` and ``python -m smcheck``: a reviewer's ``verify`` and ``status`` start
without typer.

typer (with the pydantic it validates options with) takes some 100 ms to import: more than verifying a
record. :func:`main` reads a ``verify`` or ``status`` command line itself when it is one it reads exactly
as typer does (the options :data:`VERIFY_OPTIONS` and :data:`STATUS_OPTIONS` list, each given once,
values not starting with ``-``, at least one path) and runs the command's ``run`` as ``smcheck.cli``
would; anything else (other commands, ``--help``, a mistyped option, shell completion) goes to
:mod:`smcheck.cli`, which says what typer says. tests/test_fastpath.py
runs both on the same command lines and compares every byte and exit code; tests/test_startup.py keeps
typer out of this path.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping, Sequence
from enum import StrEnum
from pathlib import Path
from typing import Any, NamedTuple

from smcheck.choices import Require, StatusFormat, VerifyFormat

FLAG, TEXT, PATH = "flag", "text", "path"
Kind = str | type[StrEnum]
"""What an option takes: nothing (:data:`FLAG`), a text, a path, or one of a choice's values."""

VERIFY_OPTIONS: dict[str, tuple[str, Kind]] = {
    "--checklist": ("checklist_ref", TEXT),
    "-c": ("checklist_ref", TEXT),
    "--format": ("fmt", VerifyFormat),
    "-f": ("fmt", VerifyFormat),
    "--verbose": ("verbose", FLAG),
    "-v": ("verbose", FLAG),
    "--allowed-signers": ("allowed_signers", PATH),
    "--require": ("require", Require),
    "--revoked": ("revoked", PATH),
}
"""``smcheck verify``'s options as ``smcheck.cli.verify`` declares them: the keyword of
:func:`smcheck.commands.verify.run` each sets, and what it takes (tests/test_fastpath.py checks this
against the typer command, so an option added there and not here fails)."""

VERIFY_ALIASES: dict[str, tuple[str, VerifyFormat]] = {
    "--json": ("--json", VerifyFormat.JSON),
    "--jsonl": ("--jsonl", VerifyFormat.JSONL),
    "--quiet": ("--quiet", VerifyFormat.QUIET),
    "-q": ("--quiet", VerifyFormat.QUIET),
}
"""The hidden flags that stand for a ``--format`` (kept for a release): the name ``run``'s ``aliases``
gives each by, in the order ``smcheck.cli.verify`` lists them (which says the first two of any given)."""

STATUS_OPTIONS: dict[str, tuple[str, Kind]] = {
    "--format": ("fmt", StatusFormat),
    "-f": ("fmt", StatusFormat),
    "--output": ("output", PATH),
    "-o": ("output", PATH),
    "--todo": ("todo", FLAG),
    "--role": ("role", TEXT),
    "--force": ("force", FLAG),
    "--allowed-signers": ("allowed_signers", PATH),
    "--revoked": ("revoked", PATH),
    "--html": ("html", PATH),
}
"""``smcheck status``'s options as ``smcheck.cli.status`` declares them."""

STATUS_ALIASES: dict[str, tuple[str, StatusFormat]] = {"--json": ("--json", StatusFormat.JSON)}
"""``smcheck status``'s hidden flag that stands for a ``--format``."""

STATUS_VALUED: dict[str, tuple[str, StatusFormat]] = {"--html": ("html", StatusFormat.HTML)}
"""``smcheck status``'s hidden option that takes a value and stands for a ``--format`` too (``--html
FILE``: ``--format html --output FILE``): the keyword it sets, and its format."""


class Fast(NamedTuple):
    """A command read here: its options, its hidden format flags and the hidden options that also stand
    for a format (each listed after the flags, as ``smcheck.cli`` lists them), and the module whose
    ``run`` it calls."""

    options: dict[str, tuple[str, Kind]]
    aliases: Mapping[str, tuple[str, StrEnum]]
    valued: Mapping[str, tuple[str, StrEnum]]
    module: str


FAST: dict[str, Fast] = {
    "verify": Fast(VERIFY_OPTIONS, VERIFY_ALIASES, {}, "smcheck.commands.verify"),
    "status": Fast(STATUS_OPTIONS, STATUS_ALIASES, STATUS_VALUED, "smcheck.commands.status"),
}
"""The commands read here, by name."""


def command_arguments(argv: Sequence[str], environ: Mapping[str, str]) -> dict[str, Any] | None:
    """The keywords of the ``run`` of the command ``argv`` names (one of :data:`FAST`; ``argv`` is the
    arguments after the program's name), or None when it is not a command line read here (typer reads
    it)."""
    if not argv or any(_completing(name) for name in environ):
        return None
    fast = FAST.get(argv[0])
    if fast is None:
        return None
    values: dict[str, Any] = {}
    given: set[str] = set()  # the aliases given, by name
    paths: list[Path] = []
    words = iter(argv[1:])
    for word in words:
        if not word.startswith("-"):
            paths.append(Path(word))
            continue
        name, equals, value = word.partition("=")
        if name in fast.aliases:
            alias = fast.aliases[name][0]
            if equals or alias in given:
                return None  # a value for a flag, or given twice: typer's rules
            given.add(alias)
            continue
        known = fast.options.get(name)
        if known is None:
            return None  # --help, --, -, -qv, -cID, a typo: typer's to read (or refuse)
        keyword, kind = known
        if keyword in values:
            return None  # given twice: typer's rules
        if kind == FLAG:
            if equals:
                return None
            values[keyword] = True
            continue
        if not equals:
            value = next(words, "")
        if not value or value.startswith("-"):
            return None
        if isinstance(kind, type):
            if value not in {member.value for member in kind}:
                return None  # typer's to refuse, listing the choices
            values[keyword] = kind(value)
        else:
            values[keyword] = Path(value) if kind == PATH else value
    if not paths or "" in argv:
        return None  # typer's usage error; or "", which typer reads as "."
    defaults = {keyword: kind != FLAG and None for keyword, kind in fast.options.values()}
    aliases = {alias: fmt for alias, fmt in fast.aliases.values() if alias in given}
    aliases |= {name: fmt for name, (keyword, fmt) in fast.valued.items() if keyword in values}
    return {"paths": paths, **defaults, **values, "aliases": aliases}


def _completing(name: str) -> bool:
    """Whether an environment variable asks for shell completion (click's ``_PROG_COMPLETE``)."""
    return name.startswith("_") and name.endswith("_COMPLETE")


def main() -> None:
    """Run smcheck: a plain ``verify`` or ``status`` here, anything else through the typer
    application."""
    arguments = command_arguments(sys.argv[1:], os.environ)
    if arguments is None:
        from smcheck.cli import main as full

        full()
        return
    import gc

    # Starting a verify (its imports, the checklists, the trust file) makes many objects that live as
    # long as the run and little garbage: the collector's passes over them were a tenth of the start-up
    # (some 40 passes, 9 ms). It runs again once records are verified (smcheck.batch turns it on) and,
    # here, whatever happens.
    gc.disable()
    try:
        _run(FAST[sys.argv[1]].module, arguments)
    finally:
        gc.enable()


def _run(module: str, arguments: dict[str, Any]) -> None:
    """A command with its options read, run as ``smcheck.cli`` runs it, under the one error handler
    the typer application runs under (:mod:`smcheck.errorhandler`)."""
    import importlib

    from smcheck.errorhandler import error_handler

    with error_handler():
        command = importlib.import_module(module)
        raise SystemExit(command.run(**arguments))


if __name__ == "__main__":
    main()
