"""The one place where a failure becomes an exit code (pre-commit's ``error_handler.py``).

Every run of smcheck, from its console script or from a test's runner, goes through
:func:`error_handler` (:mod:`smcheck.cli` puts it around the root command), and nothing else catches
an error to choose an exit code:

- a known failure (:class:`~smcheck.errors.SmcheckError` and its subclasses): one line, its details
  and its hint on stderr, never a traceback; exit 1, or 2 for a command called wrongly (the error's
  ``exit_code``). Ctrl-C or Ctrl-D in an interview (:class:`~smcheck.errors.Interrupted`) says where the
  draft is, and exits 130;
- output that cannot be written (a closed pipe, a full disk): one line, exit 1;
- Ctrl-C anywhere else: exit 130 (typer says nothing, and neither does smcheck);
- anything else is a bug: one line asking for a report, exit 3 (its traceback with ``SMCHECK_DEBUG``).

Only the standard library is imported here: it runs for ``--help`` too.
"""

from __future__ import annotations

import contextlib
import errno
import os
import sys
from collections.abc import Iterator
from typing import Any, NoReturn

from smcheck.errors import Interrupted, SmcheckError

BUG = 3
"""The exit code of an internal error: a bug in smcheck, never the user's input."""

INTERRUPTED = 130
"""The exit code of Ctrl-C (128 + SIGINT), as a shell reports it."""

OUTPUT_ERRORS = frozenset(
    getattr(errno, name)
    for name in ("EPIPE", "ENOSPC", "EIO", "EDQUOT", "EFBIG", "ECONNRESET")
    if hasattr(errno, name)
)
"""Why writing to standard output (or error) fails: a closed pipe, a full disk, a failing device. Every
file smcheck reads or writes itself turns its own failures into known errors, so one of these reaching
the handler is the output: the user's to fix, never a bug."""


@contextlib.contextmanager
def error_handler() -> Iterator[None]:
    """Run the body; turn whatever escapes it into one message and an exit code (see the module)."""
    try:
        try:
            yield
        except SmcheckError as exc:
            _tell(exc)
            _flush_and_exit(exc.exit_code)
        except SystemExit as exc:  # typer's exit, with the command's code
            _flush_and_exit(exc.code)
    except OSError as exc:
        if exc.errno is None or exc.errno not in OUTPUT_ERRORS:
            _internal_error(exc)
        _cannot_write(exc.errno)
    except KeyboardInterrupt:
        raise SystemExit(INTERRUPTED) from None
    except Exception as exc:
        _internal_error(exc)


def _tell(exc: SmcheckError) -> None:
    """A known failure, on stderr: one line (safely shown), its details and its hint."""
    from smcheck import console

    if isinstance(exc, Interrupted):
        console.say("")
        console.say(exc.message, style="bold yellow")
        if exc.hint:
            console.say(f"  {exc.hint}", style="yellow")
    else:
        console.error(exc.message, exc.hint, exc.details)


def _flush_and_exit(code: Any) -> NoReturn:
    """Exit with ``code``, the output written first, while a failure to write it can still be told
    (Python's own flush at exit would print "Exception ignored" and exit 120)."""
    # typer's answer to a closed pipe is a silent exit 1, with the streams wrapped so the flush at
    # exit says nothing; smcheck says what happened, as for a full disk.
    if type(sys.stdout).__name__ == "PacifyFlushWrapper":
        _cannot_write(errno.EPIPE)
    sys.stdout.flush()
    raise SystemExit(code)


def _internal_error(exc: Exception) -> NoReturn:
    """A bug: one line and exit 3 (the traceback with SMCHECK_DEBUG set)."""
    if os.environ.get("SMCHECK_DEBUG"):
        raise exc
    sys.stderr.write(
        f"smcheck: internal error: {type(exc).__name__}: {exc}\n"
        "  hint: this is a bug in smcheck; run again with SMCHECK_DEBUG=1 for the details and report it\n"
    )
    sys.exit(BUG)


def _cannot_write(number: int) -> NoReturn:
    """Output that cannot be written: one line on stderr (none if stderr cannot be written either), and
    exit 1. The stream that failed is pointed at the null device first, so nothing still in its buffer,
    and no flush at exit, tries it again (Python would print "Exception ignored ... BrokenPipeError")."""
    stdout_ok = _flushed(sys.stdout)
    if not stdout_ok:
        _to_devnull(sys.stdout)
    try:
        sys.stderr.write(f"smcheck: cannot write the output ({os.strerror(number)})\n")
        sys.stderr.flush()
    except (OSError, ValueError):
        _to_devnull(sys.stderr)
    sys.exit(1)


def _flushed(stream: Any) -> bool:
    try:
        stream.flush()
    except (OSError, ValueError):
        return False
    return True


def _to_devnull(stream: Any) -> None:
    """Send whatever still goes to ``stream`` to the null device (a stream with no file, as in tests,
    is left alone)."""
    try:
        fd = stream.fileno()
    except (OSError, ValueError, AttributeError):
        return
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, fd)
    finally:
        os.close(devnull)


__all__ = ["BUG", "INTERRUPTED", "OUTPUT_ERRORS", "error_handler"]
