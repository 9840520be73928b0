"""The entry point's ``verify`` fast path (smcheck/__main__.py) says and exits exactly as typer's command.

A plain ``smcheck verify`` is read without typer (some 100 ms of start-up); every command line is run both
ways, through the entry point and through ``smcheck.cli.main`` (typer alone), and the exit code, the
output and the errors must be byte for byte the same, including for command lines the fast path leaves
to typer (help, usage errors, shell completion). Which ones it reads itself is tested too, and that its
option table is the typer command's.
"""

from __future__ import annotations

import inspect
import os
import re
import shlex
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from helpers.desk import Desk, open_desk
from helpers.records import edit

from smcheck.__main__ import (
    FAST,
    FLAG,
    PATH,
    STATUS_ALIASES,
    STATUS_OPTIONS,
    TEXT,
    VERIFY_ALIASES,
    VERIFY_OPTIONS,
    command_arguments,
)
from smcheck.choices import Require, StatusFormat, VerifyFormat

RUN = "import sys; sys.argv[0] = 'smcheck'; from {module} import main; main()"


@pytest.fixture(scope="module")
def desk(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Desk]:
    """A signed record (good), a tampered copy (bad), a folder of both, and the trust file."""
    for desk in open_desk(tmp_path_factory.mktemp("desk")):
        good = desk.new(output="good.smcheck.toml")
        folder = desk.root / "folder"
        folder.mkdir()
        (folder / "a.smcheck.toml").write_bytes(good.read_bytes())
        bad = edit(good.read_bytes(), b"Essex History", b"Essex Histories")
        (desk.root / "bad.smcheck.toml").write_bytes(bad)
        (folder / "b.smcheck.toml").write_bytes(bad)
        yield desk


def run(module: str, args: list[str], cwd: Path) -> tuple[int, str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SMCHECK_")}
    env.update(COLUMNS="100", NO_COLOR="1")
    result = subprocess.run(
        [sys.executable, "-c", RUN.format(module=module), *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=env,
        stdin=subprocess.DEVNULL,
        timeout=60,
    )
    # A JUnit report says when it ran and for how long: the one thing two runs may not share.
    stdout = re.sub(r' (time|timestamp)="[^"]*"', r' \1="..."', result.stdout)
    return result.returncode, stdout, result.stderr


TRUST = ["--allowed-signers", "allowed_signers"]
READ_HERE = [
    ["verify", "good.smcheck.toml"],
    ["verify", *TRUST, "good.smcheck.toml"],
    ["verify", "--allowed-signers=allowed_signers", "--require", "signed", "good.smcheck.toml"],
    ["verify", *TRUST, "good.smcheck.toml", "--require=approved"],
    ["verify", *TRUST, "--quiet", "bad.smcheck.toml", "good.smcheck.toml"],
    ["verify", *TRUST, "-q", "folder"],
    ["verify", *TRUST, "-v", "folder"],
    ["verify", *TRUST, "--verbose", "--quiet", "good.smcheck.toml"],
    ["verify", *TRUST, "--json", "bad.smcheck.toml"],
    ["verify", *TRUST, "--jsonl", "folder", "good.smcheck.toml"],
    ["verify", "--json", "--jsonl", "good.smcheck.toml"],
    ["verify", "--quiet", "--json", "good.smcheck.toml"],
    ["verify", *TRUST, "--format", "json", "folder"],
    ["verify", *TRUST, "-f", "quiet", "bad.smcheck.toml"],
    ["verify", *TRUST, "--format=junit", "folder"],
    ["verify", *TRUST, "--format", "jsonl", "--jsonl", "good.smcheck.toml"],
    ["verify", "--format", "text", "-q", "good.smcheck.toml"],
    ["verify", "-c", "essex-social-media", "good.smcheck.toml"],
    ["verify", "--checklist=no-such-checklist", "good.smcheck.toml"],
    ["verify", "--checklist", "missing.toml", "good.smcheck.toml"],
    ["verify", "missing.smcheck.toml"],
    ["verify", "good.smcheck.toml", "missing.smcheck.toml"],
    ["verify", "--allowed-signers", "missing", "good.smcheck.toml"],
    ["verify", *TRUST, "--revoked", "missing", "good.smcheck.toml"],
    ["verify", "."],
    ["status", "folder"],
    ["status", *TRUST, "folder"],
    ["status", *TRUST, "--todo", "folder", "good.smcheck.toml"],
    ["status", *TRUST, "--role", "reviewer", "folder"],
    ["status", *TRUST, "--role=advancement-office", "--todo", "folder"],
    ["status", "--role", "nobody", "folder"],
    ["status", *TRUST, "--format", "json", "folder"],
    ["status", *TRUST, "-f", "csv", "folder"],
    ["status", *TRUST, "--format=html", "folder"],
    ["status", *TRUST, "--json", "folder"],
    ["status", "--json", "--format", "csv", "folder"],
    ["status", *TRUST, "--format", "json", "--json", "folder"],
    ["status", *TRUST, "--output", "out.html", "--format", "html", "folder"],
    ["status", *TRUST, "-o", "out.html", "folder"],
    ["status", *TRUST, "--force", "-o", "there.html", "folder"],
    ["status", *TRUST, "-o", "there.html", "folder"],
    ["status", "--allowed-signers", "missing", "folder"],
    ["status", *TRUST, "--revoked", "missing", "folder"],
    ["status", "missing-folder"],
    ["status", "."],
    ["status", *TRUST, "--html", "out.html", "folder"],
    ["status", "--html=out.html", "--format", "csv", "folder"],
    ["status", "--json", "--html", "out.html", "folder"],
    ["status", "--html", "out.html", "-o", "there.html", "folder"],
    ["status", "--html", "there.html", "folder"],
]
LEFT_TO_TYPER = [
    ["verify"],
    ["verify", "--help"],
    ["verify", "-h", "good.smcheck.toml"],
    ["verify", "-qv", "good.smcheck.toml"],
    ["verify", "-cessex-social-media", "good.smcheck.toml"],
    ["verify", "--require", "bogus", "good.smcheck.toml"],
    ["verify", "--require", "SIGNED", "good.smcheck.toml"],
    ["verify", "--format", "xml", "good.smcheck.toml"],
    ["verify", "-q", "--quiet", "good.smcheck.toml"],
    ["verify", "--format", "json", "-f", "json", "good.smcheck.toml"],
    ["verify", "good.smcheck.toml", "--allowed-signers"],
    ["verify", "--allowed-signers", "--quiet", "good.smcheck.toml"],
    ["verify", "--quiet", "--quiet", "good.smcheck.toml"],
    ["verify", "--checklist", "a", "--checklist", "b", "good.smcheck.toml"],
    ["verify", "--json=yes", "good.smcheck.toml"],
    ["verify", "--bogus", "good.smcheck.toml"],
    ["verify", "--quie", "good.smcheck.toml"],
    ["verify", "--", "good.smcheck.toml"],
    ["verify", "-", "good.smcheck.toml"],
    ["verify", ""],
    ["verify", "--version"],
    ["--version"],
    ["--help"],
    [],
    ["verif", "good.smcheck.toml"],
    ["status"],
    ["status", "--help"],
    ["status", "--html", "folder"],
    ["status", "--html", "a", "--html", "b", "folder"],
    ["status", "--format", "pdf", "folder"],
    ["status", "--todo", "--todo", "folder"],
    ["status", "--todo=yes", "folder"],
    ["status", "--json", "--json", "folder"],
    ["status", "--role", "folder"],
    ["status", "--role", "-x", "folder"],
    ["status", "-o", "a", "--output", "b", "folder"],
    ["status", "--quiet", "folder"],
    ["status", ""],
    ["statu", "folder"],
]


def test_the_command_lines_here_are_read_here() -> None:
    for args in READ_HERE:
        assert command_arguments(args, {}) is not None, args
    for args in LEFT_TO_TYPER:
        assert command_arguments(args, {}) is None, args
    # Shell completion is typer's, whatever the command line.
    for args in (READ_HERE[0], ["status", "folder"]):
        assert command_arguments(args, {"_SMCHECK_COMPLETE": "bash_complete"}) is None


def test_the_keywords_are_those_the_command_takes() -> None:
    from smcheck.commands import verify as command

    read = command_arguments(
        shlex.split(
            "verify -c x --format json --quiet --jsonl --json -v --allowed-signers t"
            " --require approved --revoked r a b"
        ),
        {},
    )
    assert read == {
        "paths": [Path("a"), Path("b")],
        "checklist_ref": "x",
        "fmt": VerifyFormat.JSON,
        "aliases": {  # in the order cli.verify lists them, as its refusal names the first two
            "--json": VerifyFormat.JSON,
            "--jsonl": VerifyFormat.JSONL,
            "--quiet": VerifyFormat.QUIET,
        },
        "verbose": True,
        "allowed_signers": Path("t"),
        "require": Require.APPROVED,
        "revoked": Path("r"),
    }
    assert list(read["aliases"]) == ["--json", "--jsonl", "--quiet"]
    assert set(read) == set(inspect.signature(command.run).parameters)
    assert command_arguments(["verify", "a"], {}) == {
        "paths": [Path("a")],
        "checklist_ref": None,
        "fmt": None,
        "aliases": {},
        "verbose": False,
        "allowed_signers": None,
        "require": None,
        "revoked": None,
    }
    assert command_arguments(["verify", "-q", "a"], {})["aliases"] == {  # type: ignore[index]
        "--quiet": VerifyFormat.QUIET
    }


def test_status_keywords_are_those_the_command_takes() -> None:
    from smcheck.commands import status as command

    read = command_arguments(
        shlex.split(
            "status --format csv --json -o out.csv --todo --role reviewer --force"
            " --allowed-signers t --revoked r a b"
        ),
        {},
    )
    assert read == {
        "paths": [Path("a"), Path("b")],
        "fmt": StatusFormat.CSV,
        "aliases": {"--json": StatusFormat.JSON},
        "html": None,
        "output": Path("out.csv"),
        "todo": True,
        "role": "reviewer",
        "force": True,
        "allowed_signers": Path("t"),
        "revoked": Path("r"),
    }
    assert set(read) == set(inspect.signature(command.run).parameters)
    # --html FILE sets html and stands for a format too, named after the flags, as cli.status names it.
    both = command_arguments(["status", "--html", "p.html", "--json", "a"], {})
    assert both is not None and both["html"] == Path("p.html")
    assert list(both["aliases"].items()) == [
        ("--json", StatusFormat.JSON),
        ("--html", StatusFormat.HTML),
    ]
    assert command_arguments(["status", "a"], {}) == {
        "paths": [Path("a")],
        "fmt": None,
        "aliases": {},
        "html": None,
        "output": None,
        "todo": False,
        "role": None,
        "force": False,
        "allowed_signers": None,
        "revoked": None,
    }


@pytest.mark.parametrize(
    ("name", "options", "aliases"),
    [("verify", VERIFY_OPTIONS, VERIFY_ALIASES), ("status", STATUS_OPTIONS, STATUS_ALIASES)],
)
def test_the_option_table_is_the_typer_commands(
    name: str,
    options: dict[str, tuple[str, object]],
    aliases: dict[str, object],
) -> None:
    """Every option of ``smcheck verify`` and ``smcheck status`` as typer declares it, with the kind of
    value it takes: an option added to cli.py and not to the fast path fails here."""
    import typer.main

    from smcheck.cli import app

    assert set(FAST) == {"verify", "status"}
    group = typer.main.get_command(app)
    command = group.commands[name]  # type: ignore[attr-defined]
    declared: dict[str, object] = {}
    kinds = {bool: FLAG, str: TEXT, Path: PATH}
    for param in command.params:
        if param.param_type_name != "option":
            continue
        assert param.envvar is None  # the fast path reads no option from the environment
        annotation = param.type_descriptor.annotation
        kind = kinds.get(annotation, annotation)
        assert (kind == FLAG) == bool(param.is_flag)
        for option in [*param.opts, *param.secondary_opts]:
            declared[option] = kind
    hidden = {alias: FLAG for alias in aliases}  # flags standing for a --format value
    assert declared == {option: kind for option, (_, kind) in options.items()} | hidden


@pytest.mark.parametrize("args", READ_HERE + LEFT_TO_TYPER, ids=" ".join)
def test_the_entry_point_says_what_typer_says(desk: Desk, args: list[str]) -> None:
    def fresh() -> None:
        """Each run finds the folder as the other did: no output written yet, and one already there."""
        for name in ("out.html", "a", "b"):
            (desk.root / name).unlink(missing_ok=True)
        (desk.root / "there.html").write_text("written before\n")

    fresh()
    fast = run("smcheck.__main__", args, desk.root)
    written = (desk.root / "out.html").read_bytes() if (desk.root / "out.html").exists() else None
    fresh()
    typer = run("smcheck.cli", args, desk.root)
    assert fast == typer
    if written is not None:  # the same page written
        assert (desk.root / "out.html").read_bytes() == written
    fresh()
