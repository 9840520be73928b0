"""smcheck.errors: every known error, of every subclass there is, pickles as itself with all its fields
(a batch's worker raises it in the parent: smcheck.batch)."""

from __future__ import annotations

import copy
import importlib
import inspect
import pickle
import types
import typing
from pathlib import Path
from typing import Any

import pytest

import smcheck
from smcheck.errors import SmcheckError


def every_subclass() -> list[type[SmcheckError]]:
    """SmcheckError and every subclass of it in the package (every module imported first, so a new
    one anywhere is found)."""
    root = Path(smcheck.__file__).parent
    for path in sorted(root.rglob("*.py")):  # smcheck.trust has no __init__: pkgutil would miss it
        name = ".".join(("smcheck", *path.relative_to(root).with_suffix("").parts))
        if not name.endswith(("__init__", "__main__")):  # __main__ runs the program
            importlib.import_module(name)
    found: list[type[SmcheckError]] = []
    todo: list[type[SmcheckError]] = [SmcheckError]
    while todo:
        kind = todo.pop()
        found.append(kind)
        todo.extend(kind.__subclasses__())
    return sorted(set(found), key=lambda kind: f"{kind.__module__}.{kind.__qualname__}")


def sample(name: str, hint: object) -> object:
    """A value for a constructor's parameter, told apart from every other parameter's."""
    if isinstance(hint, types.UnionType) or typing.get_origin(hint) is typing.Union:
        return sample(name, next(arm for arm in typing.get_args(hint) if arm is not type(None)))
    origin = typing.get_origin(hint)
    if hint is str:
        return f"the {name}"
    if hint is int:
        return 7
    if origin is list:
        return [f"the first {name}", f"the second {name}"]
    if origin is tuple:
        return (f"the first {name}", f"the second {name}")
    raise AssertionError(f"add a sample for {name}: {hint!r}")


def made(kind: type[SmcheckError]) -> SmcheckError:
    """An instance of ``kind`` with every parameter of its constructor given."""
    hints = typing.get_type_hints(kind.__init__)
    given: dict[str, Any] = {}
    args: list[Any] = []
    for name, parameter in inspect.signature(kind.__init__).parameters.items():
        if name == "self":
            continue
        value = sample(name, hints[name])
        if parameter.kind is parameter.KEYWORD_ONLY:
            given[name] = value
        else:
            args.append(value)
    return kind(*args, **given)


def fields(error: BaseException) -> tuple[object, ...]:
    return (type(error), error.args, vars(error), str(error))


SUBCLASSES = every_subclass()


def test_every_subclass_is_found() -> None:
    names = {kind.__name__ for kind in SUBCLASSES}
    assert {"SmcheckError", "FileProblem", "CannotOpen", "KeyProblem", "NotInAgent"} <= names


@pytest.mark.parametrize("kind", SUBCLASSES, ids=lambda kind: kind.__qualname__)
def test_every_error_pickles_with_all_its_fields(kind: type[SmcheckError]) -> None:
    error = made(kind)
    error.add_note("a note")
    for protocol in range(pickle.HIGHEST_PROTOCOL + 1):
        again = pickle.loads(pickle.dumps(error, protocol))
        assert fields(again) == fields(error)
        assert again.exit_code == error.exit_code
    assert fields(copy.copy(error)) == fields(error)
    assert fields(copy.deepcopy(error)) == fields(error)


def test_a_file_problem_keeps_its_path_problems_and_hint() -> None:
    from smcheck.errors import FileProblem

    error = FileProblem("r.toml", ["r.toml:1: one", "r.toml:2: two"], hint="fix it")
    again = pickle.loads(pickle.dumps(error))
    assert (again.path, again.problems, again.hint) == ("r.toml", error.problems, "fix it")
    assert (again.message, again.details) == ("r.toml:1: one (and 1 more)", tuple(error.problems))
