"""smcheck.batch: a large batch verified by worker processes gives exactly what the serial loop gives, in
the same order; SMCHECK_JOBS=1 and small batches stay serial; errors come back as the serial path's."""

from __future__ import annotations

import datetime as dt
import itertools
import multiprocessing
import os
import sys
from collections.abc import Callable, Generator, Iterator, Sequence
from pathlib import Path
from typing import cast

import pytest
from helpers.records import FIXED_NOW, edit, make_record_bytes

from smcheck import batch, registry
from smcheck.errors import CannotOpen, FileProblem, UsageError
from smcheck.fsutil import find_files
from smcheck.layout import append_seal, read_layout
from smcheck.record import SUFFIX
from smcheck.trust.source import trust_loader
from smcheck.verify import Demands, Report

pytestmark = pytest.mark.skipif(
    batch._fork_context() is None, reason="worker processes are forked (Linux, macOS)"
)

TODAY = FIXED_NOW.date()


@pytest.fixture
def folder(tmp_path: Path) -> tuple[Path, Path]:
    """A folder of every kind of file verify meets, several of each; and a trust file for its signer."""
    from cryptography.hazmat.primitives.serialization import load_ssh_private_key

    from smcheck.trust.keys import generate_key_pair
    from smcheck.trust.signing import seal_record

    key = tmp_path / "key"
    public = generate_key_pair(key, passphrase=None, comment="test")
    trust = tmp_path / "allowed_signers"
    trust.write_text(f'h.marsh@essex.ac.uk namespaces="smcheck-record" {public.openssh()}\n')
    private = load_ssh_private_key(key.read_bytes(), None)
    unsigned = make_record_bytes()
    signed = append_seal(unsigned, seal_record(private, read_layout(unsigned)[0]))  # type: ignore[arg-type]
    root = tmp_path / "register"
    root.mkdir()
    kinds = {
        "unsigned": unsigned,
        "signed": signed,
        "tampered": edit(unsigned, b"Essex History", b"Essex Histories"),
        "broken-signature": signed.replace(b"Essex History", b"Essex Histories", 1),
        "empty": b"",
        "not-a-record": b'title = "named like a record, but is not one"\n',
    }
    for number in range(4):
        for kind, data in kinds.items():
            (root / f"{number}-{kind}{SUFFIX}").write_bytes(data)
        os.mkfifo(root / f"{number}-fifo{SUFFIX}")  # refused unread, never waited on
    (root / "late").mkdir()
    (root / "late" / f"z-signed{SUFFIX}").write_bytes(signed)
    return root, trust


def items_of(root: Path) -> list[str | CannotOpen]:
    return [
        item if isinstance(item, CannotOpen) else str(item)
        for item in find_files([root], (SUFFIX,))
    ]


def demands_for(trust: Path) -> Demands:
    return Demands(load_trust=trust_loader(trust), now=FIXED_NOW + dt.timedelta(days=1))


def comparable(
    results: Sequence[tuple[object, Report | CannotOpen]],
) -> list[tuple[object, object]]:
    return [
        (item, (type(r).__name__, r.path, r.reason) if isinstance(r, CannotOpen) else r)
        for item, r in results
    ]


def each_verification(monkeypatch: pytest.MonkeyPatch, log: Path, say: Callable[[], str]) -> None:
    """Each file verified (here or in a worker) writes ``say()`` on a line of ``log`` first."""
    verify_item = batch.verify_item

    def spied(item: str | os.PathLike[str] | CannotOpen, **kwargs: object) -> object:
        with log.open("a") as out:
            out.write(f"{say()}\n")
        return verify_item(item, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(batch, "verify_item", spied)


@pytest.fixture
def small_chunks(monkeypatch: pytest.MonkeyPatch) -> None:
    """Any batch is large enough for workers, in chunks of three: many chunks, several in flight."""
    monkeypatch.setattr(batch, "PARALLEL_FROM", 1)
    monkeypatch.setattr(batch, "CHUNK", 3)
    monkeypatch.setattr(batch, "AHEAD", 2)


def test_workers_give_the_same_reports_in_the_same_order(
    folder: tuple[Path, Path], small_chunks: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root, trust = folder
    items = items_of(root)
    serial = list(
        batch.reports(
            items, lookup=registry.lookup(), today=TODAY, demands=demands_for(trust), jobs=1
        )
    )
    pids = tmp_path / "pids"
    each_verification(monkeypatch, pids, lambda: str(os.getpid()))
    parallel = list(
        batch.reports(
            items, lookup=registry.lookup(), today=TODAY, demands=demands_for(trust), jobs=2
        )
    )
    assert [item for item, _ in parallel] == items
    assert comparable(parallel) == comparable(serial)
    verifiers = pids.read_text().split()
    # Every file is verified by one of two workers, none here (the parent parses no record).
    assert str(os.getpid()) not in verifiers and len(set(verifiers)) == 2
    states = [r.state.value for _, r in serial if isinstance(r, Report)]
    assert {"unsigned", "awaiting-reviewer", "invalid"} <= set(states)
    reasons = {r.reason for _, r in parallel if isinstance(r, CannotOpen)}
    assert reasons == {"is a named pipe (FIFO), not a regular file: not read"}
    assert multiprocessing.active_children() == []


def test_the_check_results_are_equal_row_by_row(
    folder: tuple[Path, Path], small_chunks: None
) -> None:
    root, trust = folder
    items = items_of(root)
    runs = [
        list(
            batch.reports(
                items, lookup=registry.lookup(), today=TODAY, demands=demands_for(trust), jobs=jobs
            )
        )
        for jobs in (1, 2)
    ]
    for (_, one), (_, two) in zip(*runs, strict=True):
        if isinstance(one, Report):
            assert isinstance(two, Report)
            assert (one.state, one.checks, one.signatures, one.channel, one.record) == (
                two.state,
                two.checks,
                two.signatures,
                two.channel,
                two.record,
            )


def test_a_folder_that_cannot_be_listed_comes_back_in_its_place(small_chunks: None) -> None:
    items: list[str | CannotOpen] = [
        CannotOpen("gone", "cannot read (No such file)"),
        "missing.smcheck.toml",
    ]
    results = list(
        batch.reports(items, lookup=registry.lookup(), today=TODAY, demands=Demands(), jobs=2)
    )
    assert [item for item, _ in results] == items
    assert [(r.path, r.reason) for _, r in results if isinstance(r, CannotOpen)] == [
        ("gone", "cannot read (No such file)"),
        ("missing.smcheck.toml", "no such file"),
    ]


def test_a_trust_file_that_cannot_be_used_is_raised_at_the_first_signed_record(
    folder: tuple[Path, Path], small_chunks: None, tmp_path: Path
) -> None:
    root, _ = folder
    bad = tmp_path / "bad_signers"
    bad.write_bytes(b"SSHKRL\n\x00 a binary revocation list, not a trust file")
    items = items_of(root)
    seen: dict[int, tuple[list[object], str]] = {}
    for jobs in (1, 2):
        got: list[object] = []
        with pytest.raises(UsageError) as raised:
            for item, _ in batch.reports(
                items,
                lookup=registry.lookup(),
                today=TODAY,
                demands=Demands(load_trust=trust_loader(bad)),
                jobs=jobs,
            ):
                got.append(item)
        seen[jobs] = (got, raised.value.message)
    assert seen[1] == seen[2]
    assert seen[1][0] == items[: len(seen[1][0])]
    assert "the trust file cannot be used" in seen[1][1]
    assert multiprocessing.active_children() == []


def test_smcheck_jobs_1_is_serial(
    monkeypatch: pytest.MonkeyPatch, folder: tuple[Path, Path]
) -> None:
    monkeypatch.setenv("SMCHECK_JOBS", "1")
    assert batch.jobs_for(10_000) == 1
    monkeypatch.setattr(batch, "PARALLEL_FROM", 1)
    assert_serial(monkeypatch, items_of(folder[0]))


def test_smcheck_jobs_sets_the_number_of_workers(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SMCHECK_JOBS", "3")
    assert batch.jobs_for(10_000) == 3
    assert batch.jobs_for(10_000, jobs=2) == 2  # an explicit number wins
    monkeypatch.setenv("SMCHECK_JOBS", "many")
    with pytest.raises(UsageError, match="SMCHECK_JOBS='many' is not a number"):
        batch.jobs_for(10_000)


def test_a_small_batch_is_serial(
    monkeypatch: pytest.MonkeyPatch, folder: tuple[Path, Path]
) -> None:
    assert batch.jobs_for(batch.PARALLEL_FROM - 1, jobs=8) == 1
    assert batch.jobs_for(batch.PARALLEL_FROM, jobs=8) > 1
    assert_serial(monkeypatch, items_of(folder[0]), jobs=8)


def assert_serial(
    monkeypatch: pytest.MonkeyPatch, items: list[str | CannotOpen], jobs: int | None = None
) -> None:
    def no_pool(*args: object, **kwargs: object) -> Iterator[object]:
        raise AssertionError("a pool was started")

    monkeypatch.setattr(batch, "_parallel", no_pool)
    results = list(
        batch.reports(items, lookup=registry.lookup(), today=TODAY, demands=Demands(), jobs=jobs)
    )
    assert len(results) == len(items)


def test_stopping_early_stops_the_workers(folder: tuple[Path, Path], small_chunks: None) -> None:
    root, trust = folder
    results = batch.reports(
        items_of(root), lookup=registry.lookup(), today=TODAY, demands=demands_for(trust), jobs=2
    )
    next(results)
    cast(Generator[object, None, None], results).close()  # what Ctrl-C in the loop does to it
    assert multiprocessing.active_children() == []


def test_a_worker_that_dies_leaves_the_rest_to_the_parent(
    folder: tuple[Path, Path], small_chunks: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    root, trust = folder
    items = items_of(root)
    serial = list(
        batch.reports(
            items, lookup=registry.lookup(), today=TODAY, demands=demands_for(trust), jobs=1
        )
    )
    parent = os.getpid()
    verify_item = batch.verify_item

    def fatal(item: str | os.PathLike[str] | CannotOpen, **kwargs: object) -> object:
        if os.getpid() != parent and str(item).endswith(f"2-signed{SUFFIX}"):
            os._exit(9)  # as the kernel's out-of-memory killer would end it
        return verify_item(item, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(batch, "verify_item", fatal)
    parallel = list(
        batch.reports(
            items, lookup=registry.lookup(), today=TODAY, demands=demands_for(trust), jobs=2
        )
    )
    assert comparable(parallel) == comparable(serial)
    assert multiprocessing.active_children() == []


def test_ctrl_c_stops_the_workers_and_is_raised_here(
    folder: tuple[Path, Path], small_chunks: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    import signal
    import threading
    import time

    root, trust = folder
    verify_item = batch.verify_item

    def slow(item: str | os.PathLike[str] | CannotOpen, **kwargs: object) -> object:
        time.sleep(0.05)
        return verify_item(item, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(batch, "verify_item", slow)
    got: list[object] = []
    timer = threading.Timer(0.3, os.kill, (os.getpid(), signal.SIGINT))
    timer.start()
    started = time.monotonic()
    with pytest.raises(KeyboardInterrupt):
        for item, _ in batch.reports(
            items_of(root) * 5,
            lookup=registry.lookup(),
            today=TODAY,
            demands=demands_for(trust),
            jobs=2,
        ):
            got.append(item)
    timer.join()
    assert multiprocessing.active_children() == []
    assert 0 < len(got) < len(items_of(root)) * 5
    assert time.monotonic() - started < 5


def test_a_bug_in_a_worker_is_raised_here_at_its_file(
    folder: tuple[Path, Path], small_chunks: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    root, trust = folder
    items = items_of(root)
    verify_item = batch.verify_item

    def buggy(item: str | os.PathLike[str] | CannotOpen, **kwargs: object) -> object:
        if str(item).endswith(f"2-signed{SUFFIX}"):
            raise ValueError("a bug")
        return verify_item(item, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(batch, "verify_item", buggy)
    for jobs in (1, 2):
        got: list[object] = []
        with pytest.raises(ValueError, match="a bug"):
            for item, _ in batch.reports(
                items, lookup=registry.lookup(), today=TODAY, demands=demands_for(trust), jobs=jobs
            ):
                got.append(item)
        assert got == items[: items.index(str(root / f"2-signed{SUFFIX}"))]
    assert multiprocessing.active_children() == []


def test_a_known_error_in_a_worker_arrives_as_itself_with_every_field(
    folder: tuple[Path, Path], small_chunks: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    root, trust = folder
    items = items_of(root)
    parent = os.getpid()
    verify_item = batch.verify_item

    def failing(item: str | os.PathLike[str] | CannotOpen, **kwargs: object) -> object:
        if str(item).endswith(f"2-signed{SUFFIX}"):
            error = FileProblem(str(item), [f"{item}:1: one", f"{item}:2: two"], hint="fix it")
            error.add_note(f"raised in {'the parent' if os.getpid() == parent else 'a worker'}")
            raise error
        return verify_item(item, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(batch, "verify_item", failing)
    raised: dict[int, FileProblem] = {}
    for jobs in (1, 2):
        got: list[object] = []
        with pytest.raises(FileProblem) as caught:
            for item, _ in batch.reports(
                items, lookup=registry.lookup(), today=TODAY, demands=demands_for(trust), jobs=jobs
            ):
                got.append(item)
        assert got == items[: items.index(str(root / f"2-signed{SUFFIX}"))]
        raised[jobs] = caught.value
    serial, parallel = raised[1], raised[2]
    assert parallel.__notes__ == ["raised in a worker"]  # it did cross the process boundary
    parallel.__notes__ = serial.__notes__
    assert (type(parallel), parallel.args, vars(parallel)) == (
        type(serial),
        serial.args,
        vars(serial),
    )
    assert (parallel.path, parallel.hint, parallel.details) == (
        serial.path,
        "fix it",
        tuple(serial.problems),
    )
    assert multiprocessing.active_children() == []


def test_results_are_made_from_each_report_and_its_bytes_in_the_worker(
    folder: tuple[Path, Path], small_chunks: None
) -> None:
    root, trust = folder
    items = items_of(root)

    def row(report: Report, data: bytes) -> tuple[str, str, int, int]:
        return report.path, report.state.value, len(data), os.getpid()

    runs = [
        list(
            batch.results(
                items,
                row,
                lookup=registry.lookup(),
                today=TODAY,
                demands=demands_for(trust),
                jobs=jobs,
            )
        )
        for jobs in (1, 2)
    ]
    without_pids = [
        [(item, r[:3] if isinstance(r, tuple) else (r.path, r.reason)) for item, r in run]
        for run in runs
    ]
    assert without_pids[0] == without_pids[1]
    assert {r[1] for _, r in runs[0] if isinstance(r, tuple)} == {
        "invalid",
        "unsigned",
        "awaiting-reviewer",
    }
    pids = {r[3] for _, r in runs[1] if isinstance(r, tuple)}
    assert len(pids) == 2 and os.getpid() not in pids  # two workers, not this process


@pytest.mark.parametrize(
    ("count", "jobs"), [(1, 1), (7, 2), (200, 2), (1000, 2), (1001, 3), (60, 3)]
)
def test_tasks_cover_every_file_once_in_order_and_end_small(count: int, jobs: int) -> None:
    spans = batch.chunk_spans(count, jobs)
    assert [i for start, end in spans for i in range(start, end)] == list(range(count))
    assert all(0 < end - start <= batch.CHUNK for start, end in spans)
    # The last jobs * CHUNK files go in small tasks, so that the workers finish together.
    tail = [end - start for start, end in spans if start >= count - jobs * batch.CHUNK]
    assert tail and all(size <= batch.TAIL for size in tail)


def test_the_collector_is_off_only_while_a_command_starts(
    folder: tuple[Path, Path], small_chunks: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """smcheck.__main__ turns the garbage collector off while a verify or a status starts, for speed:
    every record is verified with it on again (in each worker and here), and it is on once main
    returns, however it ends (here: a run, then a trust file that cannot be used)."""
    import gc

    from smcheck.__main__ import main

    root, trust = folder
    states = tmp_path / "states"
    each_verification(monkeypatch, states, lambda: str(gc.isenabled()))
    for command, jobs in itertools.product(("verify", "status"), ("1", "2")):
        monkeypatch.setenv("SMCHECK_JOBS", jobs)  # 1: every record verified here
        states.write_text("")
        # Exit 2, then 1 for status: the FIFOs cannot be opened (status lists them as invalid rows);
        # then 2 both: the trust file is missing (nothing verified).
        for trust_file, code in ((trust, 2 if command == "verify" else 1), (tmp_path / "x", 2)):
            monkeypatch.setattr(
                sys, "argv", ["smcheck", command, "--allowed-signers", str(trust_file), str(root)]
            )
            with pytest.raises(SystemExit) as ended:
                main()
            assert ended.value.code == code, (command, jobs)
            assert gc.isenabled()
            said = states.read_text().split()
            assert len(said) == len(items_of(root)) and set(said) == {"True"}, (command, jobs)
