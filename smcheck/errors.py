"""One error base for every known failure; the CLI catches it once and prints one line and a hint.

Every error pickles as itself, with all its fields, whatever its ``__init__`` takes: a batch's worker
process raises it in the parent as the serial path would (:mod:`smcheck.batch`).
"""

from __future__ import annotations

from typing import Any, TypeVar

_E = TypeVar("_E", bound=BaseException)


def _restore(kind: type[_E], args: tuple[object, ...]) -> _E:
    """An error as it was pickled: made without its ``__init__`` (whose arguments differ from
    ``args``), its fields set by pickle from the state :meth:`SmcheckError.__reduce__` gave."""
    return kind.__new__(kind, *args)


class SmcheckError(Exception):
    """A known failure. ``str(error)`` is the one line shown to the user."""

    exit_code: int = 1

    def __init__(
        self, message: str, *, hint: str | None = None, details: tuple[str, ...] = ()
    ) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint
        self.details = details
        """Further lines shown under the message (every bad line of a file, say)."""

    def __reduce__(self) -> tuple[Any, ...]:
        # Exception's own reduce calls ``type(self)(*self.args)``: wrong for every subclass whose
        # ``__init__`` takes other arguments (FileProblem's path and problems), and it drops the hint.
        return (_restore, (type(self), self.args), dict(vars(self)))


class UsageError(SmcheckError):
    """The command was called wrongly (exit 2)."""

    exit_code = 2


class FileProblem(SmcheckError):
    """A file could not be read, or did not parse into the expected model.

    ``problems`` holds every problem found, each already prefixed with the file and the place in it.
    """

    def __init__(self, path: str, problems: list[str], *, hint: str | None = None) -> None:
        first = problems[0] if problems else f"{path}: unreadable"
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        super().__init__(
            first + more, hint=hint, details=tuple(problems) if len(problems) > 1 else ()
        )
        self.path = path
        self.problems = problems


class CannotOpen(SmcheckError):
    """A file given on the command line cannot be opened at all (exit 2)."""

    exit_code = 2

    def __init__(self, path: str, reason: str, *, hint: str | None = None) -> None:
        super().__init__(f"{path}: {reason}", hint=hint)
        self.path = path
        self.reason = reason


class Interrupted(SmcheckError):
    """The user pressed Ctrl-C or Ctrl-D during the interview; their draft is saved (exit 130)."""

    exit_code = 130


class OutputExists(SmcheckError):
    """Refusing to overwrite an existing file without ``--force`` (exit 1)."""
