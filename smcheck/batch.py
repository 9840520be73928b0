"""Verify a batch of record files, on every core when the batch is large enough to pay for it.

:func:`reports` gives each file's :class:`~smcheck.verify.Report` (or the
:class:`~smcheck.errors.CannotOpen` that says why it could not be read) in the order the files were
given, each as soon as it and every file before it are done, so that ``--jsonl`` streams and every
report prints in a stable order. A large batch (:data:`PARALLEL_FROM` files or more, and more than one
CPU) is verified by a pool of forked worker processes, as black and ruff do for many files: each file is
read, parsed and verified by a worker, none by this process, which only hands out the files and collects
the reports. Anything smaller, or a platform without ``fork``, or ``SMCHECK_JOBS=1``, is verified here,
one file after another.

The two paths give the same results: a worker verifies with the same :func:`~smcheck.verify.verify_path`,
with the checklist lookup and the trust file of the run (forked, so each worker has the shipped
checklists and the trust file the parent loaded before it forked, and parses anything else, an archived
version, once per process). A
file that cannot be opened is a ``CannotOpen`` result either way; a known error (a trust file that cannot
be used) is raised here, at the file where it happened, as the serial path raises it; so is a bug, never
printed by a worker. Ctrl-C stops the workers (they ignore it themselves) and raises
``KeyboardInterrupt`` here.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import sys
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from smcheck.errors import CannotOpen, SmcheckError

if TYPE_CHECKING:
    from multiprocessing.context import BaseContext

    from smcheck.verify import ChecklistLookup, Demands, Report

JOBS_ENV = "SMCHECK_JOBS"
"""How many processes verify a large batch (``1``: one after another, here); default: the CPUs usable."""

PARALLEL_FROM = 200
"""A batch of fewer files than this is verified serially: starting workers would cost more than it
saves (a worker takes some 20 ms to start; a record about 1 ms to verify)."""

CHUNK = 25
"""Files per task sent to a worker: enough that the cost of sending a task and its reports back is
small beside verifying them, few enough that results stream."""

AHEAD = 4
"""Tasks kept in flight per worker: the workers never wait for the parent, and reports not yet taken
(a slow terminal) never pile up beyond ``jobs * AHEAD * CHUNK``."""

T = TypeVar("T")
Item = TypeVar("Item", bound="str | os.PathLike[str] | CannotOpen")
"""What :func:`~smcheck.fsutil.find_files` yields (a path, as a ``Path`` or as text, or a
``CannotOpen`` for a folder it could not read): each result is paired with the item it came from."""


def jobs_for(count: int, jobs: int | None = None) -> int:
    """How many processes verify ``count`` files: 1 (here, serially) for a small batch, else ``jobs``,
    else ``$SMCHECK_JOBS``, else the CPUs this process may use."""
    if jobs is None:
        jobs = _env_jobs()
    if jobs is None:
        jobs = usable_cpus()
    if jobs <= 1 or count < PARALLEL_FROM or _fork_context() is None:
        return 1
    return min(jobs, max(1, count // CHUNK))


def usable_cpus() -> int:
    """The CPUs this process may run on (its affinity mask, where the platform says)."""
    counter = getattr(os, "process_cpu_count", None)  # Python 3.13
    if counter is not None:
        return int(counter() or 1)
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0)) or 1
    return os.cpu_count() or 1


def _env_jobs() -> int | None:
    text = os.environ.get(JOBS_ENV, "").strip()
    if not text:
        return None
    try:
        return max(1, int(text))
    except ValueError:
        from smcheck.errors import UsageError

        raise UsageError(
            f"{JOBS_ENV}={text!r} is not a number", hint=f"set {JOBS_ENV} to 1 or more, or unset it"
        ) from None


def _fork_context() -> BaseContext | None:
    """The ``fork`` start method (workers inherit the run's lookup and trust file, nothing pickled),
    where the platform has it; None elsewhere (then batches are serial)."""
    import multiprocessing

    if sys.platform == "win32" or "fork" not in multiprocessing.get_all_start_methods():
        return None
    return multiprocessing.get_context("fork")


def reports(
    items: Iterable[Item],
    *,
    lookup: ChecklistLookup,
    today: dt.date,
    demands: Demands,
    jobs: int | None = None,
) -> Iterator[tuple[Item, Report | CannotOpen]]:
    """Verify every file; yield ``(item, report)`` in the order of ``items``, each as soon as it and
    all before it are done.

    ``items`` are what :func:`~smcheck.fsutil.find_files` yields: paths (``Path`` or text) and
    ``CannotOpen`` for what could not be listed, which comes back as its own result. A file that cannot
    be opened gives its ``CannotOpen``; any other error is raised, at that file, whichever path ran.
    ``lookup``, ``today`` and ``demands`` are as for :func:`~smcheck.verify.verify_path`. ``jobs``
    overrides ``$SMCHECK_JOBS`` and the CPU count; a batch of fewer than :data:`PARALLEL_FROM` files is
    always verified here.
    """
    return _batch(items, None, lookup=lookup, today=today, demands=demands, jobs=jobs)  # type: ignore[return-value]


def results(
    items: Iterable[Item],
    make: Callable[[Report, bytes], T],
    *,
    lookup: ChecklistLookup,
    today: dt.date,
    demands: Demands,
    jobs: int | None = None,
) -> Iterator[tuple[Item, T | CannotOpen]]:
    """:func:`reports`, each report (with the file's bytes) turned into what the caller keeps by
    ``make``, in the worker that verified it: a register's row, say, which is cheaper to send back
    than the report, and is made on every core. ``make`` runs where the file was verified (a forked
    worker inherits it and everything it refers to, as it is when the batch starts)."""
    return _batch(items, make, lookup=lookup, today=today, demands=demands, jobs=jobs)  # type: ignore[return-value]


def _batch(
    items: Iterable[Item],
    make: Callable[[Report, bytes], object] | None,
    *,
    lookup: ChecklistLookup,
    today: dt.date,
    demands: Demands,
    jobs: int | None,
) -> Iterator[tuple[Item, object]]:
    import gc

    # Records make garbage of their own: the collector runs while they are verified, here and in the
    # workers forked from here (smcheck.__main__ turns it off while a command starts).
    gc.enable()
    batch = items if isinstance(items, Sequence) else list(items)
    jobs = jobs_for(len(batch), jobs)
    if jobs <= 1:
        for item in batch:
            yield item, verify_item(item, lookup=lookup, today=today, demands=demands, make=make)
        return
    yield from _parallel(batch, jobs, make, lookup=lookup, today=today, demands=demands)


def verify_item(
    item: str | os.PathLike[str] | CannotOpen,
    *,
    lookup: ChecklistLookup,
    today: dt.date,
    demands: Demands,
    make: Callable[[Report, bytes], object] | None = None,
) -> object:
    """One item of a batch: its report (or what ``make`` makes of it and the file's bytes), or the
    ``CannotOpen`` that says why it cannot be opened (any other error is raised)."""
    from smcheck.layout import MAX_RECORD_BYTES
    from smcheck.recordfile import read_limited
    from smcheck.verify import verify_bytes, verify_path

    if isinstance(item, CannotOpen):
        return item
    try:
        if make is None:
            return verify_path(Path(item), lookup=lookup, today=today, demands=demands)
        data = read_limited(item, MAX_RECORD_BYTES)  # as verify_path reads it, and verify it so
    except CannotOpen as exc:
        return exc
    report = verify_bytes(data, os.fspath(item), lookup=lookup, today=today, demands=demands)
    return make(report, data)


# --- the pool -----------------------------------------------------------------------------------------

_run: tuple[ChecklistLookup, dt.date, Demands, Callable[[Report, bytes], object] | None] | None = (
    None
)
"""In a worker: the run's lookup, date and demands, inherited from the parent when it forked (nothing
is pickled), and so the checklists and the trust file the parent had already loaded."""


def _worker_start(
    lookup: ChecklistLookup,
    today: dt.date,
    demands: Demands,
    make: Callable[[Report, bytes], object] | None,
) -> None:
    """In each worker: the run's lookup, date and demands; Ctrl-C is the parent's to handle (it stops
    the pool), never a worker traceback."""
    import gc
    import signal

    global _run
    _run = (lookup, today, demands, make)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    # What the worker inherited lives as long as it does: out of the collector's sight.
    gc.freeze()


def _verify_chunk(chunk: list[str | CannotOpen]) -> tuple[list[object], BaseException | None]:
    """In a worker: each file's result, and the error that ended the chunk (None if none did).

    An error ends the chunk, as it ends the serial loop: the files after it are not verified. It goes
    back to the parent as itself (smcheck's errors pickle with every field) and is raised there, after
    the results before it.
    """
    assert _run is not None
    lookup, today, demands, make = _run
    done: list[object] = []
    for item in chunk:
        try:
            done.append(verify_item(item, lookup=lookup, today=today, demands=demands, make=make))
        except (
            BaseException
        ) as exc:  # raised in the parent, at its file, as the serial loop raises it
            return done, _picklable(exc)
    return done, None


def _picklable(exc: BaseException) -> BaseException:
    """``exc``, or, for a bug whose exception does not pickle, an error that keeps its words."""
    import pickle

    try:
        pickle.dumps(exc)
    except Exception:
        import traceback

        text = "".join(traceback.format_exception(exc))
        return RuntimeError(f"a verify worker failed:\n{text}")
    return exc


def _parallel(
    batch: Sequence[Item],
    jobs: int,
    make: Callable[[Report, bytes], object] | None,
    *,
    lookup: ChecklistLookup,
    today: dt.date,
    demands: Demands,
) -> Iterator[tuple[Item, object]]:
    from concurrent.futures import Future, ProcessPoolExecutor
    from concurrent.futures.process import BrokenProcessPool

    context = _fork_context()
    assert context is not None
    # Loaded here, before the workers fork, once for every worker instead of once in each: what
    # verifying imports, the shipped checklists and the trust file. No record is read here: each is
    # read, parsed and verified by a worker, on every core.
    _prepare(lookup)
    demands = _loaded(demands)
    spans = chunk_spans(len(batch), jobs)
    chunks: list[list[str | CannotOpen]] = [
        [item if isinstance(item, CannotOpen) else str(item) for item in batch[at:end]]
        for at, end in spans
    ]
    pool = ProcessPoolExecutor(
        jobs,
        mp_context=context,
        initializer=_worker_start,
        initargs=(lookup, today, demands, make),  # forked: inherited, not pickled
    )
    try:
        pending: deque[Future[tuple[list[object], BaseException | None]]] = deque()
        sent = 0
        for number, (at, end) in enumerate(spans):
            try:
                while sent < len(chunks) and len(pending) < jobs * AHEAD:
                    pending.append(pool.submit(_verify_chunk, chunks[sent]))
                    sent += 1
                done, error = pending.popleft().result()
            except BrokenProcessPool:
                # A worker was killed (out of memory, say): the rest is verified here, as if serial.
                for item in batch[at:]:
                    yield (
                        item,
                        verify_item(item, lookup=lookup, today=today, demands=demands, make=make),
                    )
                return
            yield from zip(batch[at:end], done, strict=False)
            if error is not None:
                raise error
            chunks[number] = []  # sent and answered: nothing of it is kept
    finally:
        # On Ctrl-C (or a caller that stops early) the chunks not started are dropped, and the few
        # being verified finish (a chunk takes some tens of milliseconds): no worker is left behind.
        pool.shutdown(wait=True, cancel_futures=True)


TAIL = 5
"""Files per task at the end of a batch: the last :data:`CHUNK` files of each worker go in tasks this
small, so the workers finish together (one left verifying a whole chunk while the others idle was some
15 ms of a 1,000-record folder)."""


def chunk_spans(count: int, jobs: int) -> list[tuple[int, int]]:
    """The ``(start, end)`` of each task for ``count`` files and ``jobs`` workers, in order: tasks of
    :data:`CHUNK` files, then tasks of :data:`TAIL` for the last ``jobs * CHUNK``."""
    taper = min(count, jobs * CHUNK)
    spans = [(at, min(at + CHUNK, count - taper)) for at in range(0, count - taper, CHUNK)]
    small = max(1, min(TAIL, CHUNK))
    spans += [(at, min(at + small, count)) for at in range(count - taper, count, small)]
    return spans


def _prepare(lookup: ChecklistLookup) -> None:
    """Import what verifying a record needs (the TOML parser, signature checking, whose
    ``cryptography`` the trust file also loads) and put every shipped checklist in the run's lookup
    (with its patterns compiled: re2), for the workers to inherit."""
    import importlib

    from smcheck.registry import shipped_paths
    from smcheck.tomlread import parser

    for module in ("smcheck.verify", "smcheck.trust.sshsig"):  # sshsig: when a signature is checked
        importlib.import_module(module)
    parser()
    with contextlib.suppress(SmcheckError):  # no checklists installed: each record says so
        for path in shipped_paths():
            lookup(path.stem)  # a checklist that cannot be loaded is None, for each record to say


def _loaded(demands: Demands) -> Demands:
    """The demands with the trust file read once, here, before the workers fork: they inherit it, and
    its notes (skipped lines) are shown once, not once per worker. A trust file that cannot be used is
    not an error yet: a worker raises it at the first signed record, as the serial path does."""
    if demands.trust is not None or demands.load_trust is None:
        return demands
    with contextlib.suppress(SmcheckError):
        demands.load_trust()
    return demands


__all__ = [
    "JOBS_ENV",
    "PARALLEL_FROM",
    "jobs_for",
    "reports",
    "results",
    "usable_cpus",
    "verify_item",
]
