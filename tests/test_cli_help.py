"""The command line explains itself: words for metavars, choices the parser checks and completion
offers, summaries that are not cut, and help that ends with the environment and real examples."""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import typer.main
from typer import _click
from typer.testing import CliRunner

from smcheck import approval, choices, cli, registry

runner = CliRunner()
ROOT = typer.main.get_command(cli.app)


def walk(command: Any = ROOT, path: tuple[str, ...] = ()) -> Iterator[tuple[str, Any]]:
    """Every command and group, with its path (the root is "")."""
    yield " ".join(path), command
    for name, sub in getattr(command, "commands", {}).items():
        yield from walk(sub, (*path, name))


COMMANDS = dict(walk())
LEAVES = {path: c for path, c in COMMANDS.items() if not getattr(c, "commands", None)}


def help_of(path: str) -> str:
    result = runner.invoke(cli.app, [*path.split(), "--help"], env={"COLUMNS": "80"})
    assert result.exit_code == 0, result.output
    return result.output


def choice_params() -> Iterator[tuple[str, Any]]:
    for path, command in LEAVES.items():
        for param in command.params:
            if param.type_descriptor.is_choice:
                yield path, param


@pytest.mark.parametrize("path", list(COMMANDS))
def test_help_names_values_as_words_never_as_python_types(path: str) -> None:
    text = help_of(path)
    for python in ("<list", "<str>", "<path>", "<bool>", "<int>", "list[", "{", "}"):
        assert python not in text, f"smcheck {path} --help shows {python!r}:\n{text}"
    assert re.search(r"<[a-z]", text) is None, text
    usage = text.splitlines()[0]
    assert re.fullmatch(r"Usage: smcheck[a-z ]* \[OPTIONS\]( [A-Z|.\[\] ]+)?", usage), usage


@pytest.mark.parametrize("path", list(COMMANDS))
def test_help_ends_with_the_environment_and_examples_of_the_command(path: str) -> None:
    text = help_of(path)
    lines = text.rstrip("\n").splitlines()
    examples_at = max(i for i, line in enumerate(lines) if line.strip().startswith("Example"))
    environment_at = lines.index("  Environment:")
    assert environment_at < examples_at
    examples = [line.strip() for line in lines[examples_at + 1 :]]
    assert examples and all(e.startswith("smcheck") for e in examples), examples
    named = f"smcheck {path}".strip()
    assert any(e == named or e.startswith(f"{named} ") for e in examples), examples
    for line in lines[environment_at + 1 : examples_at]:
        if line.strip():
            assert line.split()[0] in cli.ENVIRONMENT, line
    assert lines[-1].strip() == examples[-1]  # nothing after the examples


@pytest.mark.parametrize("path", list(COMMANDS))
def test_help_fits_eighty_columns(path: str) -> None:
    long = [line for line in help_of(path).splitlines() if len(line) > 80]
    assert long == []


@pytest.mark.parametrize("path", [p for p in COMMANDS if p])
def test_every_summary_is_one_whole_sentence_that_fits(path: str) -> None:
    command = COMMANDS[path]
    first = command.help.split("\n\n")[0]
    assert first.endswith("."), first
    # click cuts a summary at 80 - 6 - the longest command name ("checklist"): 65 columns.
    assert len(first) <= 65, first
    assert command.get_short_help_str(limit=65) == first


@pytest.mark.parametrize("path", [p for p, c in COMMANDS.items() if getattr(c, "commands", None)])
def test_command_lists_show_whole_summaries(path: str) -> None:
    text = help_of(path)
    listing = text.split("Commands:\n", 1)[1].split("\n\n", 1)[0]
    assert listing and "..." not in listing, listing


def test_every_command_has_examples_and_a_known_environment() -> None:
    assert set(cli.EXAMPLES) == set(COMMANDS)
    for examples, environment in cli.EXAMPLES.values():
        assert examples and all(len(e) <= 72 for e in examples), examples
        assert set(environment) <= set(cli.ENVIRONMENT)
        assert set(cli.COMMON) <= set(environment)


@pytest.mark.parametrize(
    ("path", "example"),
    [(path, example) for path, (examples, _) in cli.EXAMPLES.items() for example in examples],
)
def test_every_example_is_a_command_line_the_parser_takes(path: str, example: str) -> None:
    words = shlex.split(example)
    for stop in (">", "|"):
        if stop in words:
            words = words[: words.index(stop)]
    assert words[0] == "smcheck"
    command: Any = ROOT
    args = words[1:]
    while args and args[0] in getattr(command, "commands", {}):
        command, args = command.commands[args[0]], args[1:]
    command.make_context("smcheck", list(args))  # raises a usage error for a bad option or value


def test_the_environment_documented_is_the_environment_read() -> None:
    package = Path(cli.__file__).parent
    own = Path(cli.__file__).read_text()
    # cli.py reads SMCHECK_DEBUG itself; its table of descriptions is not a reader.
    own = own[: own.index("ENVIRONMENT: dict")] + own[own.index('"""Every environment variable') :]
    sources = own + "\n".join(
        p.read_text() for p in package.rglob("*.py") if p.name not in ("cli.py", "manpage.py")
    )
    for name in cli.ENVIRONMENT:
        assert f'"{name}"' in sources, f"{name} is documented but nothing reads it"


# Choices: enums given to the parser.

BAD_CHOICES = {
    ("verify", "require"): ["verify", "--require", "sealed", "r.smcheck.toml"],
    ("approve", "decision"): ["approve", "--decision", "maybe", "r.smcheck.toml"],
    ("export", "fmt"): ["export", "--format", "pdf", "r.smcheck.toml"],
    ("status", "fmt"): ["status", "--format", "xlsx", "register"],
    ("schema", "kind"): ["schema", "answerz"],
    ("verify", "fmt"): ["verify", "--format", "xml", "r.smcheck.toml"],
    ("diff", "fmt"): ["diff", "--format", "csv", "a.smcheck.toml", "b.smcheck.toml"],
    ("checklist list", "fmt"): ["checklist", "list", "--format", "yaml"],
    ("checklist show", "fmt"): ["checklist", "show", "--format", "yaml", "essex-social-media"],
}


def test_every_choice_has_a_bad_value_case() -> None:
    assert {(path, param.name) for path, param in choice_params()} == set(BAD_CHOICES)


@pytest.mark.parametrize("key", list(BAD_CHOICES))
def test_a_bad_choice_is_refused_by_the_parser_with_the_list(key: tuple[str, str]) -> None:
    path, name = key
    param = next(p for p in LEAVES[path].params if p.name == name)
    result = runner.invoke(cli.app, BAD_CHOICES[key])
    assert result.exit_code == 2, result.output
    valid = ", ".join(f"'{choice}'" for choice in param.type_descriptor.choices)
    assert f"is not one of {valid}." in result.output
    assert "Traceback" not in result.output


@pytest.mark.parametrize(("path", "param"), list(choice_params()))
def test_help_lists_the_choices(path: str, param: Any) -> None:
    text = help_of(path)
    for choice in param.type_descriptor.choices:
        assert choice in text


@pytest.mark.parametrize(("path", "param"), list(choice_params()))
def test_completion_offers_the_choices(path: str, param: Any) -> None:
    ctx = _click.Context(LEAVES[path], info_name=path)
    offered = [item.value for item in param.shell_complete(ctx, "")]
    assert offered == [str(c) for c in param.type_descriptor.choices]


def test_the_enums_are_the_values_the_core_takes() -> None:
    assert tuple(choices.Decision) == approval.DECISIONS
    assert choices.or_list(choices.SchemaKind) == "checklist, record, answers or report"
    assert choices.one_of(choices.StatusFormat) == "text|html|json|csv"
    assert choices.one_of(choices.VerifyFormat) == "text|quiet|json|jsonl|junit"
    assert choices.one_of(choices.TextFormat) == "text|json"
    assert choices.one_of(choices.ExportFormat) == "md|html"


def test_a_good_choice_reaches_the_command_as_its_enum() -> None:
    result = runner.invoke(cli.app, ["schema", "checklist"])
    assert result.exit_code == 0 and '"$schema"' in result.output


# Completion where the choices are data: checklist ids and roles.


def test_the_completion_folder_is_the_registry_folder() -> None:
    assert choices.checklists_folder() == registry.checklists_dir()
    assert choices.checklist_ids() == [p.stem for p in registry.shipped_paths()]


def test_checklist_ids_complete_without_parsing() -> None:
    assert "essex-social-media" in choices.complete_checklist("")
    assert choices.complete_checklist("essex") == ["essex-social-media"]
    assert choices.complete_checklist("./my") == []  # the shell completes a file name instead


def test_roles_complete_from_the_shipped_checklists() -> None:
    loaded = sorted({c.role for checklist in registry.shipped() for c in checklist.cosigners})
    assert loaded and [role for role, _ in choices.cosigner_roles()] == loaded
    assert (
        dict(choices.cosigner_roles())["advancement-office"] == "co-signer: the Advancement Office"
    )
    any_role = [role for role, _ in choices.complete_any_role("")]
    assert any_role == ["proposer", "reviewer", *loaded]
    approver = [role for role, _ in choices.complete_approver_role("")]
    assert approver == ["reviewer", *loaded]
    assert [r for r, _ in choices.complete_approver_role("adv")] == ["advancement-office"]


def test_role_completion_skips_a_checklist_that_does_not_parse(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "broken.toml").write_text("[[cosign]\nrole = ")
    (tmp_path / "odd.toml").write_text('cosign = "no"\n[[x]]\nrole = "y"\n')
    (tmp_path / "good.toml").write_text('[[cosign]]\nrole = "estates"\ntitle = "Estates"\n')
    monkeypatch.setattr(choices, "checklists_folder", lambda: tmp_path)
    assert choices.cosigner_roles() == [("estates", "co-signer: Estates")]
    assert choices.checklist_ids() == ["broken", "good", "odd"]


OPTIONS_COMPLETED = {
    ("new", "checklist"): "complete_checklist",
    ("verify", "checklist"): "complete_checklist",
    ("schema", "checklist"): "complete_checklist",
    ("checklist show", "checklist"): "complete_checklist",
    ("checklist template", "checklist"): "complete_checklist",
    ("keygen", "role"): "complete_any_role",
    ("approve", "role"): "complete_approver_role",
    ("show", "signature"): "complete_any_role",
    ("show", "statement"): "complete_approver_role",
    ("status", "role"): "complete_any_role",
}


@pytest.mark.parametrize("key", list(OPTIONS_COMPLETED))
def test_checklist_and_role_parameters_complete(key: tuple[str, str]) -> None:
    path, name = key
    param = next(p for p in LEAVES[path].params if p.name == name)
    ctx = _click.Context(LEAVES[path], info_name=path)
    offered = [item.value for item in param.shell_complete(ctx, "")]
    helper = getattr(choices, OPTIONS_COMPLETED[key])
    expected = [item if isinstance(item, str) else item[0] for item in helper("")]
    assert offered == expected and offered


def test_every_checklist_and_role_parameter_completes() -> None:
    named = {
        (path, param.name)
        for path, command in LEAVES.items()
        for param in command.params
        if param.metavar in ("ID|FILE", "ROLE")
    }
    assert named == set(OPTIONS_COMPLETED)


def _complete(words: str) -> list[str]:
    script = Path(sys.executable).with_name("smcheck")
    if not script.exists():
        pytest.skip("the smcheck script is not installed beside this Python")
    env = {
        **os.environ,
        "_SMCHECK_COMPLETE": "complete_bash",
        "COMP_WORDS": words,
        "COMP_CWORD": str(len(words.split(" ")) - 1),
    }
    result = subprocess.run(
        [str(script)], env=env, capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.split()


def test_the_installed_script_completes_choices_ids_and_roles() -> None:
    assert _complete("smcheck export --format ") == ["md", "html"]
    assert _complete("smcheck schema ") == ["checklist", "record", "answers", "report"]
    assert _complete("smcheck status --format ") == ["text", "html", "json", "csv"]
    assert _complete("smcheck verify --format ") == ["text", "quiet", "json", "jsonl", "junit"]
    assert _complete("smcheck verify --checklist ess") == ["essex-social-media"]
    assert _complete("smcheck approve --role ") == ["reviewer", "advancement-office"]


# Roles are data, so the commands keep their own check.


def test_keygen_refuses_a_malformed_role_naming_the_known_ones(tmp_path: Path) -> None:
    result = runner.invoke(
        cli.app, ["keygen", "--output", str(tmp_path / "k"), "--role", "Bad Role"]
    )
    assert result.exit_code == 2
    assert "--role takes proposer, reviewer or a co-signer's role" in result.output
    assert "the shipped checklists' co-signer roles: advancement-office" in result.output
    assert not (tmp_path / "k").exists()


def test_checklist_lint_of_a_missing_file_is_a_usage_error(tmp_path: Path) -> None:
    result = runner.invoke(cli.app, ["checklist", "lint", str(tmp_path / "absent.toml")])
    assert result.exit_code == 2, result.output
    assert "absent.toml" in result.output
