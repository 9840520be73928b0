"""The man page is generated from the command line's definitions, checked in, and renders cleanly."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import typer.main

from smcheck import cli, manpage

REPO = Path(__file__).resolve().parent.parent
PAGE = REPO / "smcheck" / "data" / "man" / "smcheck.1"
README = REPO / "README.md"
REGENERATE = "python -m smcheck.manpage > smcheck/data/man/smcheck.1"


@pytest.fixture(scope="module")
def generated() -> str:
    return manpage.render(README.read_text(encoding="utf-8"))


def test_the_checked_in_page_is_what_the_generator_makes_now(generated: str) -> None:
    assert PAGE.read_text(encoding="utf-8") == generated, f"the man page is stale: run {REGENERATE}"


def test_the_generator_runs_as_a_module(generated: str) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "smcheck.manpage"],
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout == generated


def test_the_generator_says_when_it_has_no_readme(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert manpage.main([str(tmp_path / "README.md")]) == 2
    assert "cannot read" in capsys.readouterr().err


def test_the_page_has_the_sections_of_a_man_page_in_order(generated: str) -> None:
    sections = [line[4:] for line in generated.splitlines() if line.startswith(".SH ")]
    assert sections == [
        "NAME",
        "SYNOPSIS",
        "DESCRIPTION",
        "OPTIONS",
        "COMMANDS",
        "ENVIRONMENT",
        "EXIT STATUS",
        "EXAMPLES",
        "SEE ALSO",
    ]


def _walk(command: object, path: tuple[str, ...] = ()) -> list[tuple[str, object]]:
    found = []
    for name, sub in getattr(command, "commands", {}).items():
        found.append((" ".join((*path, name)), sub))
        found += _walk(sub, (*path, name))
    return found


def test_every_command_option_choice_and_example_is_in_the_page(generated: str) -> None:
    commands = _walk(typer.main.get_command(cli.app))
    for path, command in commands:
        assert f".SS \\fBsmcheck {manpage.escape(path)}\\fR" in generated, path
        for param in getattr(command, "params", []):
            if getattr(param, "hidden", False):
                # A deprecated alias (verify --json, status --html, ...): as hidden here as in --help.
                assert param.help and "(deprecated)" in param.help, (path, param.name)
                assert f"\\fB{manpage.escape(param.opts[0])}\\fR" not in generated, (
                    path,
                    param.name,
                )
                continue
            for name in param.opts:
                if name.startswith("-"):
                    assert f"\\fB{manpage.escape(name)}\\fR" in generated, (path, name)
            if param.metavar:
                assert manpage.escape(param.metavar) in generated
            for choice in param.type_descriptor.choices or ():
                assert str(choice) in generated
    for path, command in commands:
        if not getattr(command, "commands", None):
            for example in cli.EXAMPLES[path][0]:
                assert f"\n{manpage.escape(example)}\n" in generated
    for variable in cli.ENVIRONMENT:
        assert f".TP\n\\fB{manpage.escape(variable)}\\fR\n" in generated


def test_the_exit_status_is_the_readme_table(generated: str) -> None:
    rows = manpage.exit_codes(README.read_text(encoding="utf-8"))
    assert [code for code, _ in rows] == ["0", "1", "2", "3", "130"]
    for code, meaning in rows:
        assert f".TP\n\\fB{code}\\fR\n{manpage._lines(meaning)}\n" in generated
    with pytest.raises(ValueError, match="no table"):
        manpage.exit_codes("# x\n\n## Exit codes\n\nNone.\n\n## Next\n")


def test_text_cannot_become_a_roff_request() -> None:
    assert manpage._lines(".SH evil\n'br\nfine") == "\\&.SH evil\n\\&'br\nfine"
    assert manpage.escape("a\\b -x `code`") == "a\\eb \\-x \\fBcode\\fR"


def test_the_page_renders_without_warnings() -> None:
    env = {**os.environ, "LC_ALL": "C.UTF-8", "MANWIDTH": "80"}
    if shutil.which("groff"):
        command = ["groff", "-man", "-Tutf8", "-ww", "-z", str(PAGE)]
    elif shutil.which("man"):
        command = ["man", "--warnings", "-l", str(PAGE)]
    else:
        pytest.skip("neither groff nor man is installed")
    result = subprocess.run(
        command, capture_output=True, text=True, env=env, timeout=60, check=False
    )
    assert result.returncode == 0 and result.stderr == "", result.stderr


def test_the_rendered_page_reads_as_text() -> None:
    if not shutil.which("groff"):
        pytest.skip("groff is not installed")
    env = {**os.environ, "LC_ALL": "C.UTF-8"}
    result = subprocess.run(
        ["groff", "-man", "-Tutf8", "-P-cbou", "-rLL=80n", str(PAGE)],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=True,
    )
    text = result.stdout
    assert "smcheck verify [OPTIONS] RECORD..." in text
    assert "--require signed|approved" in text.replace("\u2010", "-").replace("\u2212", "-")
    assert max(len(line) for line in text.splitlines()) <= 80
