"""The architecture, checked from the source: who may import whom (read with ``ast``, not grep).

- ``cli.py`` dispatches to ``smcheck.commands``; commands import core modules only, never each other,
  and nothing else imports a command;
- the interview engine takes an injected asker and imports no prompt library;
- rich, questionary and prompt_toolkit are imported only where they are today (so that ``--help`` and
  ``verify`` stay fast, and the askers stay swappable), and at module level only by the interactive asker.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path
from typing import NamedTuple

PACKAGE = Path(__file__).resolve().parent.parent / "smcheck"
COMMANDS = PACKAGE / "commands"
PROMPT_LIBRARIES = ("rich", "questionary", "prompt_toolkit")


class Import(NamedTuple):
    """One module an import statement names (``from a import b`` names ``a`` and ``a.b``)."""

    module: str
    line: int
    in_function: bool
    """Inside a function (imported when it runs), not at module level."""
    type_checking: bool
    """Under ``if TYPE_CHECKING:`` (never imported at run time)."""


def module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _resolve(path: Path, node: ast.ImportFrom) -> str:
    """The absolute module of a ``from`` import, relative ones included."""
    if not node.level:
        return node.module or ""
    package = module_name(path).split(".")
    if path.name != "__init__.py":
        package.pop()
    base = package[: len(package) - (node.level - 1)]
    return ".".join([*base, *([node.module] if node.module else [])])


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def imports(path: Path, source: str | None = None) -> list[Import]:
    """Every module ``path`` imports (or ``source``, read as if it were ``path``), at any depth: module
    level, in functions, under conditions; also ``importlib.import_module("...")`` and
    ``__import__("...")`` with a literal name."""
    found: list[Import] = []

    def visit(node: ast.AST, in_function: bool, type_checking: bool) -> None:
        if isinstance(node, ast.Import):
            for alias in node.names:
                found.append(Import(alias.name, node.lineno, in_function, type_checking))
        elif isinstance(node, ast.ImportFrom):
            base = _resolve(path, node)
            found.append(Import(base, node.lineno, in_function, type_checking))
            for alias in node.names:
                found.append(
                    Import(f"{base}.{alias.name}", node.lineno, in_function, type_checking)
                )
        elif (
            isinstance(node, ast.Call)
            and (
                (isinstance(node.func, ast.Attribute) and node.func.attr == "import_module")
                or (
                    isinstance(node.func, ast.Name)
                    and node.func.id in ("__import__", "import_module")
                )
            )
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
        ):
            found.append(Import(node.args[0].value, node.lineno, in_function, type_checking))
        for child in ast.iter_child_nodes(node):
            visit(
                child,
                in_function
                or isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)),
                type_checking or (isinstance(node, ast.If) and _is_type_checking(node.test)),
            )

    text = path.read_text(encoding="utf-8") if source is None else source
    visit(ast.parse(text, str(path)), False, False)
    return found


def sources() -> list[Path]:
    return sorted(PACKAGE.rglob("*.py"))


def command_modules() -> dict[str, Path]:
    return {
        module_name(path): path
        for path in sorted(COMMANDS.glob("*.py"))
        if path.name != "__init__.py"
    }


def _under(module: str, package: str) -> bool:
    return module == package or module.startswith(package + ".")


def test_the_reader_sees_every_import_form() -> None:
    """The checks below are only as good as this reader: every way of importing a command is seen."""
    text = (
        "import smcheck.commands.a\n"
        "from smcheck.commands import b\n"
        "from smcheck.commands.c import run\n"
        "from . import d\n"
        "from .e import run as e\n"
        "def f():\n"
        "    from smcheck.commands import g\n"
        "    import importlib\n"
        "    importlib.import_module('smcheck.commands.h')\n"
        "if TYPE_CHECKING:\n"
        "    from rich.text import Text\n"
    )
    found = imports(COMMANDS / "probe.py", text)
    named = {i.module for i in found}
    for letter in "abcdegh":
        assert f"smcheck.commands.{letter}" in named, letter
    assert [i.in_function for i in found if i.module == "smcheck.commands.g"] == [True]
    assert [i.type_checking for i in found if i.module == "rich.text.Text"] == [True]


def test_commands_never_import_each_other() -> None:
    commands = command_modules()
    offences = [
        f"{path.relative_to(PACKAGE.parent)}:{imp.line} imports {imp.module}"
        for name, path in commands.items()
        for imp in imports(path)
        if _under(imp.module, "smcheck.commands")
        and imp.module not in ("smcheck.commands", name)
        and not _under(imp.module, name)
    ]
    assert offences == [], "a command imports another: move what they share into a core module"
    # ...nor reach one through the package itself (``from smcheck.commands import x`` is caught above).


def test_only_cli_imports_the_commands() -> None:
    commands = set(command_modules())
    assert "smcheck.commands.status" in commands  # the list is real
    importers: dict[str, set[str]] = {}
    for path in sources():
        if path.parent == COMMANDS:
            continue
        for imp in imports(path):
            if _under(imp.module, "smcheck.commands"):
                importers.setdefault(module_name(path), set()).add(imp.module)
    # ...and the entry point, to verify alone: a plain ``smcheck verify`` starts without typer.
    front_door = importers.pop("smcheck.__main__", set())
    assert front_door <= {"smcheck.commands", "smcheck.commands.verify"}, front_door
    assert set(importers) == {"smcheck.cli"}, "only cli.py dispatches to a command"
    # cli.py imports each command inside the function that runs it (start-up stays small).
    cli = imports(PACKAGE / "cli.py")
    assert all(i.in_function for i in cli if _under(i.module, "smcheck.commands"))
    named = {m for m in importers["smcheck.cli"] if m in commands}
    assert named == commands, f"commands cli.py does not dispatch to: {sorted(commands - named)}"


def _users(library: str) -> dict[str, list[Import]]:
    users: dict[str, list[Import]] = {}
    for path in sources():
        for imp in imports(path):
            if _under(imp.module, library):
                users.setdefault(module_name(path), []).append(imp)
    return users


def test_the_interview_engine_imports_no_prompt_library() -> None:
    engine = imports(PACKAGE / "interview.py")
    assert [i for i in engine if i.module.split(".")[0] in PROMPT_LIBRARIES] == []
    # Nor through what it imports: the engine, loaded alone, loads none of them.
    code = (
        "import sys, smcheck.interview\n"
        f"heavy = sorted(m for m in sys.modules if m.split('.')[0] in {PROMPT_LIBRARIES!r})\n"
        "assert not heavy, heavy\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 0, result.stderr


def test_prompt_libraries_are_imported_only_where_they_are_today() -> None:
    """rich in console.py only (and there only inside functions or for type checking: verify prints
    without it); questionary and prompt_toolkit in the interactive asker only; the plain asker and the
    answers file use none of them."""
    assert set(_users("rich")) == {"smcheck.console"}
    # The full-screen asker is a package (one module per part: its widgets, lists, text lines).
    full_screen = {"smcheck.prompts.common", "smcheck.prompts.lists", "smcheck.prompts.text"}
    assert set(_users("questionary")) == full_screen
    assert set(_users("prompt_toolkit")) == full_screen
    at_module_level = {
        (name.rsplit(".", 1)[0], imp.module.split(".")[0])
        for library in PROMPT_LIBRARIES
        for name, found in _users(library).items()
        for imp in found
        if not imp.in_function and not imp.type_checking
    }
    assert at_module_level == {
        ("smcheck.prompts", "questionary"),
        ("smcheck.prompts", "prompt_toolkit"),
    }
    for asker in (
        "plain.py",
        "plain_lines.py",
        "plain_review.py",
        "plain_widgets.py",
        "answers.py",
        "interview.py",
        "asking.py",
        "qtypes.py",
    ):
        assert [
            i for i in imports(PACKAGE / asker) if i.module.split(".")[0] in PROMPT_LIBRARIES
        ] == [], asker


def test_no_test_imports_another_test_module_or_conftest() -> None:
    """What tests share lives in tests/helpers (an importable package): importing a test module runs
    its fixtures' definitions twice and ties one file's tests to another's names."""
    tests = Path(__file__).resolve().parent
    offenders = []
    for path in sorted(tests.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = (
                [alias.name for alias in node.names]
                if isinstance(node, ast.Import)
                else [node.module or ""]
                if isinstance(node, ast.ImportFrom) and node.level == 0
                else []
            )
            offenders += [
                f"{path.name}: {name}"
                for name in names
                if name.split(".")[0].startswith("test_") or name.split(".")[0] == "conftest"
            ]
    assert offenders == []
