"""Start-up stays light: heavy libraries are imported only by the commands that need them.

``--help`` and ``verify`` (the reviewer's path) must never import questionary or prompt_toolkit; only the
interactive ``new`` does. ``smcheck verify`` as the console script runs it (smcheck/__main__.py) imports
neither typer nor anything else :data:`NOT_FOR_VERIFY` lists. Timing is measured by tests/benchmark.py,
not here.
"""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path

import pytest
from helpers.records import EXAMPLE_ANSWERS, make_record_bytes

HEAVY = ("questionary", "prompt_toolkit", "cryptography", "platformdirs")

PROBE = """
import json, sys
sys.argv = ["smcheck", *json.loads(sys.argv[1])]
from smcheck.cli import app
try:
    app()
except SystemExit:
    pass
sys.stderr.write("\\nMODULES=" + json.dumps(sorted(sys.modules)) + "\\n")
"""


ENTRY_PROBE = PROBE.replace(
    "from smcheck.cli import app\ntry:\n    app()",
    "from smcheck.__main__ import main\ntry:\n    main()",
)
"""The probe through the console script's entry point (smcheck.__main__.main), not the typer app."""

NOT_FOR_VERIFY = (
    "typer",
    "pydantic",
    "pydantic_core",
    "rich",
    "questionary",
    "prompt_toolkit",
    "tomli_w",  # writing records
    "smcheck.cli",
    "smcheck.interview",
    "smcheck.session",
    "smcheck.answers",
    "smcheck.drafts",
    "smcheck.prompts",
    "smcheck.plain",
    "smcheck.htmlpage",
    "smcheck.schema",
    "smcheck.manpage",
    "smcheck.trust.agent",  # signing
    # A trust file's Ed25519 keys are loaded by cryptography's ed25519 module alone: its serialization
    # package (and every algorithm it imports) was some 15 ms of verify's start-up.
    "cryptography.hazmat.primitives.serialization",
    "difflib",  # only to name a namespace no checklist knows
)
"""What verifying a record, signed or not, never needs: the command-line library (typer and the
pydantic it checks options with: some 100 ms of start-up, more than the verification), rendering
libraries, the modules of making, signing and documenting records, and what only rare lines of a
trust file need."""


def modules_after(args: list[str], cwd: Path, probe: str = PROBE) -> set[str]:
    result = subprocess.run(
        [sys.executable, "-c", probe, json.dumps(args)],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=60,
        stdin=subprocess.DEVNULL,
    )
    line = result.stderr.rsplit("MODULES=", 1)[1]
    return set(json.loads(line))


def heavy(modules: set[str]) -> list[str]:
    return sorted(m for m in modules if m.split(".")[0] in HEAVY)


@pytest.fixture
def record(tmp_path: Path) -> Path:
    path = tmp_path / "r.smcheck.toml"
    path.write_bytes(make_record_bytes())
    return path


def test_help_imports_no_prompt_library(tmp_path: Path) -> None:
    modules = modules_after(["--help"], tmp_path)
    assert "typer" in modules
    assert heavy(modules) == []


def test_help_does_not_import_the_pattern_engine(tmp_path: Path) -> None:
    # re2 is imported only when a checklist pattern is compiled or matched (smcheck.checklist).
    modules = modules_after(["--help"], tmp_path)
    assert "typer" in modules
    assert sorted(m for m in modules if m.split(".")[0] == "re2") == []


def test_the_pattern_engine_is_imported_only_when_a_pattern_is_compiled(tmp_path: Path) -> None:
    probe = (
        "import sys\n"
        "import smcheck.checklist, smcheck.values, smcheck.verify, smcheck.answers\n"
        "assert 're2' not in sys.modules, 'imported by a module'\n"
        "from smcheck.checklist import compile_pattern\n"
        "compile_pattern('[a-z]+')\n"
        "assert 're2' in sys.modules\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, cwd=tmp_path, timeout=60
    )
    assert result.returncode == 0, result.stderr


def test_only_the_checklist_model_imports_the_pattern_engine() -> None:
    package = Path(__file__).resolve().parent.parent / "smcheck"
    users = sorted(
        p.relative_to(package).as_posix()
        for p in package.rglob("*.py")
        if "import re2" in p.read_text() or "from re2" in p.read_text()
    )
    assert users == ["checklist.py"]


def test_verify_imports_no_prompt_library(tmp_path: Path, record: Path) -> None:
    modules = modules_after(["verify", str(record)], tmp_path)
    assert "smcheck.verify" in modules  # the command really ran
    assert heavy(modules) == []


def test_verify_from_the_entry_point_imports_only_what_verifying_needs(
    tmp_path: Path, record: Path
) -> None:
    from helpers.desk import open_desk

    for desk in open_desk(tmp_path):
        signed = desk.new(output="signed.smcheck.toml")
        for args in (
            ["verify", str(record)],
            ["verify", "--allowed-signers", str(desk.trust), "--quiet", str(signed)],
            ["verify", "--allowed-signers", str(desk.trust), "--json", str(signed), str(record)],
        ):
            modules = modules_after(args, tmp_path, ENTRY_PROBE)
            assert "smcheck.verify" in modules  # the command really ran
            unwanted = sorted(m for m in modules if any(_under(m, name) for name in NOT_FOR_VERIFY))
            assert unwanted == [], args
        assert "cryptography" in {m.split(".")[0] for m in modules}  # the signature was checked
    # Where the compiled TOML parser is installed, the pure-Python one is not even imported.
    if importlib.util.find_spec("tomli") is not None:
        assert "tomllib" not in modules


def test_status_from_the_entry_point_imports_no_command_line_library(tmp_path: Path) -> None:
    """``smcheck status`` (a reviewer's register) starts without typer too, in every format but the HTML
    page's, which needs its writer only."""
    from helpers.desk import open_desk

    for desk in open_desk(tmp_path):
        desk.new(output="signed.smcheck.toml")
        for args in (
            ["status", str(desk.root)],
            ["status", "--allowed-signers", str(desk.trust), "--todo", str(desk.root)],
            ["status", "--allowed-signers", str(desk.trust), "--format", "json", str(desk.root)],
            ["status", "--format", "html", "-o", str(tmp_path / "r.html"), str(desk.root)],
        ):
            modules = modules_after(args, tmp_path, ENTRY_PROBE)
            assert "smcheck.register" in modules  # the command really ran
            allowed = {"smcheck.htmlpage"} if "html" in args else set()
            unwanted = sorted(
                m
                for m in modules
                if any(_under(m, name) for name in NOT_FOR_VERIFY) and m not in allowed
            )
            assert unwanted == [], args


def test_an_unsigned_record_from_the_entry_point_imports_no_cryptography(
    tmp_path: Path, record: Path
) -> None:
    modules = modules_after(["verify", str(record)], tmp_path, ENTRY_PROBE)
    assert "smcheck.verify" in modules
    assert heavy(modules) == []


def _under(module: str, name: str) -> bool:
    return module == name or module.startswith(name + ".")


def test_new_with_answers_imports_no_prompt_library(tmp_path: Path) -> None:
    modules = modules_after(["new", "--answers", str(EXAMPLE_ANSWERS)], tmp_path)
    assert "smcheck.answers" in modules
    # It reads the config (platformdirs) for a default signing key; it never prompts.
    assert [m for m in heavy(modules) if not m.startswith("platformdirs")] == []
    assert list(tmp_path.glob("*.smcheck.toml"))


def test_the_interactive_asker_is_the_only_questionary_user() -> None:
    package = Path(__file__).resolve().parent.parent / "smcheck"
    users = sorted(
        p.relative_to(package).as_posix()
        for p in package.rglob("*.py")
        if "import questionary" in p.read_text() or "from questionary" in p.read_text()
    )
    assert users == ["prompts/common.py", "prompts/lists.py", "prompts/text.py"]  # one package
    rich_users = sorted(
        p.relative_to(package).as_posix()
        for p in package.rglob("*.py")
        if "from rich" in p.read_text() or "import rich" in p.read_text()
    )
    assert rich_users == ["console.py"]
