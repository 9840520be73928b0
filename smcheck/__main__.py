"""The entry point of ``smcheck`` and ``python -m smcheck``: a reviewer's ``verify`` starts without typer.

typer (with the pydantic it validates options with) takes some 100 ms to import: more than verifying a
record. :func:`main` reads a ``verify`` command line itself when it is one it reads exactly as typer does
(the options :data:`VERIFY_OPTIONS` lists, each given once, values not starting with ``-``, at least one
record) and runs :func:`smcheck.commands.verify.run` as ``smcheck.cli.verify`` would; anything else (other
commands, ``--help``, a mistyped option, shell completion) goes to :mod:`smcheck.cli`, which says what
typer says. tests/test_fastpath.py runs both on the same command lines and compares every byte and exit
code; tests/test_startup.py keeps typer out of this path.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping, Sequence
from enum import StrEnum
from pathlib import Path
from typing import Any

from smcheck.choices import Require, VerifyFormat

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


def verify_arguments(argv: Sequence[str], environ: Mapping[str, str]) -> dict[str, Any] | None:
    """The keywords of :func:`smcheck.commands.verify.run` for ``argv`` (the arguments after the
    program's name), or None when it is not a ``verify`` command line read here (typer reads it)."""
    if not argv or argv[0] != "verify" or any(_completing(name) for name in environ):
        return None
    values: dict[str, Any] = {}
    given: set[str] = set()  # the aliases given, by name
    records: list[Path] = []
    words = iter(argv[1:])
    for word in words:
        if not word.startswith("-"):
            records.append(Path(word))
            continue
        name, equals, value = word.partition("=")
        if name in VERIFY_ALIASES:
            alias = VERIFY_ALIASES[name][0]
            if equals or alias in given:
                return None  # a value for a flag, or given twice: typer's rules
            given.add(alias)
            continue
        known = VERIFY_OPTIONS.get(name)
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
    if not records or "" in argv:
        return None  # typer's usage error; or "", which typer reads as "."
    defaults = {keyword: kind != FLAG and None for keyword, kind in VERIFY_OPTIONS.values()}
    aliases = {alias: fmt for alias, fmt in VERIFY_ALIASES.values() if alias in given}
    return {"paths": records, **defaults, **values, "aliases": aliases}


def _completing(name: str) -> bool:
    """Whether an environment variable asks for shell completion (click's ``_PROG_COMPLETE``)."""
    return name.startswith("_") and name.endswith("_COMPLETE")


def main() -> None:
    """Run smcheck: a plain ``verify`` here, anything else through the typer application."""
    arguments = verify_arguments(sys.argv[1:], os.environ)
    if arguments is None:
        from smcheck.cli import main as full

        full()
        return
    import gc

    # Starting a verify (its imports, the checklists, the trust file) makes many objects that live as
    # long as the run and little garbage: the collector's passes over them were a tenth of the start-up
    # (some 40 passes, 9 ms). It runs again once everything is loaded (commands.verify.run) and, here,
    # whatever happens.
    gc.disable()
    try:
        _verify(arguments)
    finally:
        gc.enable()


def _verify(arguments: dict[str, Any]) -> None:
    """``smcheck verify`` with its options read, run as ``smcheck.cli.verify`` runs it, under the one
    error handler the typer application runs under (:mod:`smcheck.errorhandler`)."""
    from smcheck.errorhandler import error_handler

    with error_handler():
        from smcheck.commands import verify as command

        raise SystemExit(command.run(**arguments))


if __name__ == "__main__":
    main()
