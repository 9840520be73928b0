"""Every command that writes a file: it cannot lose or clobber (threat model item 25).

Two approvers at once both land, or the second is refused and told so (never two "Approved" with one
decision kept); a rewrite keeps the file's mode and a new file honours the umask; no command writes
through a symbolic link or over an existing file without --force; nothing is left behind in the folder.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import os
import shutil
import stat
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from helpers.desk import Desk, open_desk, runner
from pytest import MonkeyPatch

from smcheck import fsutil
from smcheck.checklist import Checklist
from smcheck.choices import Decision
from smcheck.cli import app
from smcheck.commands import approve, sign
from smcheck.drafts import new_draft_path, save_draft
from smcheck.errors import OutputExists, SmcheckError
from smcheck.fsutil import LINK_HINT, atomic_write, rewrite_locked
from smcheck.interview import Progress
from smcheck.layout import parse_record

CHANGED = "changed while smcheck worked on it (someone else signed it?): nothing was written"
ROUNDS = 30


@pytest.fixture
def desk(tmp_path: Path) -> Iterator[Desk]:
    yield from open_desk(tmp_path)


@pytest.fixture
def umask() -> Iterator[Callable[[int], None]]:
    """Set the process's umask for one test, and put it back."""
    old = os.umask(0o022)

    def set_to(value: int) -> None:
        os.umask(value)

    yield set_to
    os.umask(old)


def mode_of(path: Path) -> int:
    return stat.S_IMODE(path.lstat().st_mode)


def decisions(path: Path) -> list[tuple[str, str]]:
    """(role, decision) of every decision in a record, in file order."""
    found = []
    for seal in parse_record(path.read_bytes()).seals:
        if seal.statement:
            role = seal.role or ""
            decision = "approved" if 'decision = "approved"' in seal.statement else "rejected"
            found.append((role, decision))
    return found


def leftovers(folder: Path, expected: set[str]) -> set[str]:
    """Names in ``folder`` other than ``expected``: temporary files or lock files left behind."""
    return {p.name for p in folder.iterdir()} - expected


# -- two approvers at the same moment ---------------------------------------------------------------


def widen_the_window(monkeypatch: MonkeyPatch, seconds: float = 0.03) -> None:
    """Make every write slow, so that two approvers' read-check-write overlap in every round (without a
    lock, each checks the file unchanged, then both write, and one decision is lost)."""
    real = fsutil.atomic_write

    def slow(*args: object, **kwargs: object) -> None:
        time.sleep(seconds)
        real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(fsutil, "atomic_write", slow)


def race(
    desk: Desk, record: Path, callers: list[tuple[str, str, Decision]]
) -> list[int | SmcheckError]:
    """The approve command's core run by each (key, role, decision) at once, in threads; what each
    returned, or the known failure it raised."""
    start = threading.Barrier(len(callers))
    results: list[int | SmcheckError] = [0] * len(callers)

    def one(index: int, key: str, role: str, decision: Decision) -> None:
        start.wait()
        try:
            results[index] = approve.run(
                record,
                key_path=desk.keys[key],
                decision=decision,
                comment="",
                role=role,
                allowed_signers=desk.trust,
            )
        except SmcheckError as exc:
            results[index] = exc

    threads = [
        threading.Thread(target=one, args=(index, *caller)) for index, caller in enumerate(callers)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


def test_a_reviewer_and_a_co_signer_at_once_both_land(
    desk: Desk, monkeypatch: MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    signed = desk.new().read_bytes()
    widen_the_window(monkeypatch)
    callers = [
        ("reviewer", "reviewer", Decision.APPROVED),
        ("advancement", "advancement-office", Decision.APPROVED),
    ]
    for number in range(ROUNDS):
        record = desk.root / f"round-{number}.smcheck.toml"
        record.write_bytes(signed)
        results = race(desk, record, callers)
        kept = decisions(record)
        # Each decision told "Approved" is in the file; a refused one is refused as changed, exit 1.
        for (_, role, _), result in zip(callers, results, strict=True):
            if result == 0:
                assert (role, "approved") in kept, (number, results, kept)
            else:
                assert isinstance(result, SmcheckError), result
                assert result.exit_code == 1
                assert result.message == f"{record} {CHANGED}"
                assert (role, "approved") not in kept
        assert len(kept) == sum(1 for r in results if r == 0), (number, results, kept)
        # Where both are of different roles, the second builds on the first: both land.
        assert results == [0, 0], (number, results)
        code, output = desk.verify(record, "--require", "approved")
        assert code == 0, output
    capsys.readouterr()
    assert leftovers(desk.root, {f"round-{n}.smcheck.toml" for n in range(ROUNDS)}) == {
        "keys",
        "allowed_signers",
        "r.smcheck.toml",
    }


def test_two_decisions_for_one_role_at_once_one_lands_and_the_other_is_refused(
    desk: Desk, monkeypatch: MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    signed = desk.new().read_bytes()
    widen_the_window(monkeypatch)
    callers = [
        ("reviewer", "reviewer", Decision.APPROVED),
        ("reviewer", "reviewer", Decision.REJECTED),
    ]
    for number in range(ROUNDS):
        record = desk.root / f"round-{number}.smcheck.toml"
        record.write_bytes(signed)
        results = race(desk, record, callers)
        assert sorted(r == 0 for r in results) == [False, True], (number, results)
        (landed,) = (c for c, r in zip(callers, results, strict=True) if r == 0)
        (refused,) = (r for r in results if r != 0)
        assert isinstance(refused, SmcheckError)
        assert (refused.exit_code, refused.message) == (1, f"{record} {CHANGED}")
        assert refused.hint == "run the same command again"
        assert decisions(record) == [("reviewer", landed[2].value)]
        code, output = desk.verify(record)
        assert code == 0, output
    capsys.readouterr()


def signing_race(desk: Desk, record: Path) -> list[int | SmcheckError]:
    """The sign command's core run twice at once with the proposer's key, in threads."""
    start = threading.Barrier(2)
    results: list[int | SmcheckError] = [0, 0]

    def one(index: int) -> None:
        start.wait()
        try:
            results[index] = sign.run(
                record, key_path=desk.keys["proposer"], allowed_signers=desk.trust
            )
        except SmcheckError as exc:
            results[index] = exc

    threads = [threading.Thread(target=one, args=(index,)) for index in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


def test_two_proposers_signing_at_once_one_lands_and_the_other_is_refused(
    desk: Desk, monkeypatch: MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    unsigned = desk.new(key=None).read_bytes()
    widen_the_window(monkeypatch)
    for number in range(10):
        record = desk.root / f"round-{number}.smcheck.toml"
        record.write_bytes(unsigned)
        results = signing_race(desk, record)
        assert sorted(r == 0 for r in results) == [False, True], (number, results)
        (refused,) = (r for r in results if r != 0)
        assert isinstance(refused, SmcheckError)
        # Refused as changed under the lock, or, read after the first landed, as already signed.
        assert (refused.exit_code, refused.message) in (
            (1, f"{record} {CHANGED}"),
            (2, f"{record} is already signed"),
        ), refused.message
        seals = [s for s in parse_record(record.read_bytes()).seals if s.role == "proposer"]
        assert len(seals) == 1
        code, output = desk.verify(record, "--require", "signed")
        assert code == 0, output
    capsys.readouterr()


def test_two_approve_processes_at_once(desk: Desk) -> None:
    """The installed command, twice at the same moment: the lock holds between processes too."""
    smcheck = shutil.which("smcheck", path=str(Path(sys.executable).parent))
    assert smcheck is not None
    signed = desk.new().read_bytes()
    trust = ["--allowed-signers", str(desk.trust)]
    for number in range(5):
        record = desk.root / f"round-{number}.smcheck.toml"
        record.write_bytes(signed)
        runs = [
            subprocess.Popen(
                [smcheck, "approve", str(record), "--key", str(desk.keys[key]), *role, *trust],
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            for key, role in (
                ("reviewer", []),
                ("advancement", ["--role", "advancement-office"]),
            )
        ]
        outputs = [run.communicate(timeout=60) for run in runs]
        codes = [run.returncode for run in runs]
        said = [(out + err).count("Approved") for out, err in outputs]
        kept = decisions(record)
        assert len(kept) == sum(said), (codes, outputs, kept)
        for code, (_, err) in zip(codes, outputs, strict=True):
            assert code == 0 or (code == 1 and CHANGED in err.replace("\n", " ")), (code, err)
        assert kept, outputs
        result = runner.invoke(app, ["verify", "--allowed-signers", str(desk.trust), str(record)])
        assert result.exit_code == 0, result.output


def test_a_rewrite_waits_for_the_lock_and_builds_on_what_was_written_meanwhile(
    tmp_path: Path,
) -> None:
    path = tmp_path / "r.smcheck.toml"
    path.write_bytes(b"one\n")
    holder = os.open(path, os.O_RDONLY)
    fcntl.flock(holder, fcntl.LOCK_EX)
    seen: list[bytes] = []

    def other_writer() -> None:
        time.sleep(0.2)
        atomic_write(path, b"one\ntwo\n", overwrite=True)  # renamed over the locked file
        os.close(holder)  # the lock goes with it

    thread = threading.Thread(target=other_writer)
    thread.start()
    started = time.monotonic()

    def change(now: bytes) -> bytes:
        seen.append(now)
        return now + b"three\n"

    written = rewrite_locked(path, change, limit=100)
    thread.join()
    assert time.monotonic() - started >= 0.2
    # The rewrite saw the other writer's bytes, not the file it first opened.
    assert seen == [b"one\ntwo\n"]
    assert written == path.read_bytes() == b"one\ntwo\nthree\n"
    assert leftovers(tmp_path, {"r.smcheck.toml"}) == set()


def test_a_lock_held_too_long_is_one_clear_refusal(
    tmp_path: Path, monkeypatch: MonkeyPatch
) -> None:
    monkeypatch.setattr(fsutil, "LOCK_WAIT", 0.2)
    path = tmp_path / "r.smcheck.toml"
    path.write_bytes(b"one\n")
    holder = os.open(path, os.O_RDONLY)
    fcntl.flock(holder, fcntl.LOCK_EX)
    try:
        with pytest.raises(SmcheckError) as caught:
            rewrite_locked(path, lambda now: now + b"two\n", limit=100)
    finally:
        os.close(holder)
    assert caught.value.exit_code == 1
    assert caught.value.message == (
        f"{path} is being changed by another smcheck command, which did not finish within 0"
        " seconds: nothing was written"
    )
    assert path.read_bytes() == b"one\n"
    assert leftovers(tmp_path, {"r.smcheck.toml"}) == set()


def test_a_refused_change_writes_nothing(tmp_path: Path) -> None:
    path = tmp_path / "r.smcheck.toml"
    path.write_bytes(b"one\n")

    def refuse(now: bytes) -> bytes:
        raise SmcheckError("no")

    with pytest.raises(SmcheckError, match="no"):
        rewrite_locked(path, refuse, limit=100)
    assert path.read_bytes() == b"one\n"
    assert leftovers(tmp_path, {"r.smcheck.toml"}) == set()


# -- modes: a rewrite keeps the file's, a new file honours the umask ---------------------------------


@pytest.mark.parametrize("mode", [0o600, 0o640, 0o644, 0o400])
def test_sign_and_approve_keep_the_records_mode(desk: Desk, mode: int) -> None:
    record = desk.new(key=None)
    record.chmod(mode)
    result = runner.invoke(
        app,
        [
            "sign",
            str(record),
            "--key",
            str(desk.keys["proposer"]),
            "--allowed-signers",
            str(desk.trust),
        ],
    )
    assert result.exit_code == 0, result.output
    assert mode_of(record) == mode
    code, output = desk.approve(record, "reviewer")
    assert code == 0, output
    assert mode_of(record) == mode


@pytest.mark.parametrize(("mask", "expected"), [(0o077, 0o600), (0o027, 0o640), (0o002, 0o664)])
def test_new_files_honour_the_umask(
    desk: Desk, umask: Callable[[int], None], mask: int, expected: int
) -> None:
    umask(mask)
    record = desk.new(output=f"r-{mask:o}.smcheck.toml")
    assert mode_of(record) == expected
    page = desk.root / f"page-{mask:o}.html"
    result = runner.invoke(app, ["export", "-f", "html", "-o", str(page), str(record)])
    assert result.exit_code == 0, result.output
    assert mode_of(page) == expected
    register = desk.root / f"register-{mask:o}.html"
    result = runner.invoke(app, ["status", "--html", str(register), str(record)])
    assert mode_of(register) == expected, result.output


@pytest.mark.parametrize(("mask", "public"), [(0o000, 0o644), (0o077, 0o600)])
def test_a_private_key_stays_private_and_the_public_half_honours_the_umask(
    tmp_path: Path, umask: Callable[[int], None], mask: int, public: int
) -> None:
    umask(mask)
    result = runner.invoke(
        app, ["keygen", "--output", str(tmp_path / "id"), "--email", "a@essex.ac.uk"]
    )
    assert result.exit_code == 0, result.output
    assert mode_of(tmp_path / "id") == 0o600
    assert mode_of(tmp_path / "id.pub") == public  # 0644 asked for, narrowed by the umask


def test_force_keeps_the_mode_of_the_file_it_replaces(desk: Desk) -> None:
    record = desk.new()
    page = desk.root / "page.md"
    page.write_text("mine\n")
    page.chmod(0o600)
    result = runner.invoke(app, ["export", "-o", str(page), "--force", str(record)])
    assert result.exit_code == 0, result.output
    assert page.read_text() != "mine\n"
    assert mode_of(page) == 0o600


# -- links and existing files: never written through, never replaced without --force ----------------


@pytest.fixture
def victim(tmp_path: Path) -> Path:
    path = tmp_path / "precious.txt"
    path.write_text("someone else's file\n")
    return path


@pytest.mark.parametrize("command", ["sign", "approve"])
def test_sign_and_approve_refuse_a_record_given_by_a_link(desk: Desk, command: str) -> None:
    record = desk.new(key=None if command == "sign" else "proposer")
    before = record.read_bytes()
    link = desk.root / "link.smcheck.toml"
    link.symlink_to(record)
    key = "proposer" if command == "sign" else "reviewer"
    result = runner.invoke(
        app,
        [command, str(link), "--key", str(desk.keys[key]), "--allowed-signers", str(desk.trust)],
    )
    assert result.exit_code == 1, result.output
    assert (
        f"{link} is a symbolic link: smcheck does not write through a link; nothing was written"
        in result.output.replace("\n", " ")
    )
    assert "give the file the link points to by its own name" in result.output
    assert link.is_symlink()
    assert record.read_bytes() == before


@pytest.mark.parametrize("points_to", ["a file", "nothing"])
@pytest.mark.parametrize("command", ["new", "export", "status"])
def test_an_output_that_is_a_link_is_refused_without_force_and_replaced_itself_with_it(
    desk: Desk, victim: Path, command: str, points_to: str
) -> None:
    record = desk.new(output="source.smcheck.toml")
    target = victim if points_to == "a file" else desk.root / "nowhere"
    link = desk.root / "out"
    link.symlink_to(target)
    args = {
        "new": ["new", "--answers", str(desk.root / "answers.toml"), "--output", str(link)],
        "export": ["export", "--output", str(link), str(record)],
        "status": ["status", "--html", str(link), str(record)],
    }[command]
    if command == "new":
        from helpers.records import EXAMPLE_ANSWERS

        args[2] = str(EXAMPLE_ANSWERS)
    result = runner.invoke(app, args)
    assert result.exit_code == 1, result.output
    said = result.output.replace("\n", " ")
    assert f"{link} is a symbolic link: smcheck does not write through a link" in said
    assert link.is_symlink() and victim.read_text() == "someone else's file\n"
    assert not (desk.root / "nowhere").exists()
    result = runner.invoke(app, [*args, "--force"])
    assert result.exit_code in (0, 1), result.output  # status: 1 if a file fails verify
    assert not link.is_symlink() and link.is_file()  # the link itself replaced
    assert victim.read_text() == "someone else's file\n"
    assert not (desk.root / "nowhere").exists()


def test_the_link_message_has_the_force_hint(desk: Desk) -> None:
    record = desk.new(output="source.smcheck.toml")
    (desk.root / "out.md").symlink_to(desk.root / "nowhere")
    with pytest.raises(OutputExists) as caught:
        atomic_write(desk.root / "out.md", b"x", overwrite=False)
    assert caught.value.message == (
        f"{desk.root / 'out.md'} is a symbolic link: smcheck does not write through a link"
    )
    assert caught.value.hint == LINK_HINT
    assert LINK_HINT == (
        "choose another --output, or add --force to replace the link itself (what it points to is"
        " left alone)"
    )
    assert record.exists()


@pytest.mark.parametrize("force", [False, True])
def test_an_existing_output_is_replaced_only_with_force(desk: Desk, force: bool) -> None:
    record = desk.new(output="source.smcheck.toml")
    out = desk.root / "out.md"
    out.write_text("mine\n")
    result = runner.invoke(app, ["export", "-o", str(out), str(record), *(["--force"] * force)])
    if force:
        assert result.exit_code == 0, result.output
        assert out.read_text() != "mine\n"
    else:
        assert result.exit_code == 1
        assert f"{out} already exists" in result.output.replace("\n", " ")
        assert out.read_text() == "mine\n"


@pytest.mark.parametrize("points_to", ["a file", "nothing"])
def test_a_default_record_name_that_is_a_link_is_passed_over(
    desk: Desk, victim: Path, points_to: str
) -> None:
    from helpers.records import EXAMPLE_ANSWERS

    runner.invoke(app, ["new", "--answers", str(EXAMPLE_ANSWERS)])
    (first,) = (p for p in desk.root.glob("*.smcheck.toml") if p.name != "r.smcheck.toml")
    first.unlink()
    first.symlink_to(victim if points_to == "a file" else desk.root / "nowhere")  # name taken
    result = runner.invoke(app, ["new", "--answers", str(EXAMPLE_ANSWERS), "--force"])
    assert result.exit_code == 0, result.output
    assert first.is_symlink() and victim.read_text() == "someone else's file\n"
    assert not (desk.root / "nowhere").exists()
    assert first.with_name(first.name.replace(".smcheck.toml", "-2.smcheck.toml")).is_file()


def test_the_draft_autosave_never_writes_through_a_link(
    tiny: Checklist, tmp_path: Path, monkeypatch: MonkeyPatch, victim: Path
) -> None:
    monkeypatch.setenv("SMCHECK_DRAFTS", str(tmp_path / "drafts"))
    started = dt.datetime(2026, 11, 2, 9, 30, tzinfo=dt.UTC)
    path = new_draft_path(tiny, started)
    path.parent.mkdir()
    path.symlink_to(victim)
    with pytest.raises(OutputExists) as caught:
        save_draft(path, tiny, Progress(), started)
    assert caught.value.message == (
        f"{path} is a symbolic link: smcheck does not write through a link"
    )
    assert caught.value.hint == (
        "remove the link: smcheck saves a draft only in a file of its own, never through a link"
    )
    assert path.is_symlink() and victim.read_text() == "someone else's file\n"


@pytest.mark.parametrize("command", ["sign", "approve"])
def test_a_link_is_refused_before_the_key_is_even_looked_at(desk: Desk, command: str) -> None:
    record = desk.new(key=None if command == "sign" else "proposer")
    link = desk.root / "link.smcheck.toml"
    link.symlink_to(record)
    missing = desk.root / "no-such-key"
    result = runner.invoke(
        app, [command, str(link), "--key", str(missing), "--allowed-signers", str(desk.trust)]
    )
    assert result.exit_code == 1, result.output
    assert "is a symbolic link" in result.output and "no-such-key" not in result.output


@pytest.mark.parametrize("taken", ["file", "link"])
def test_renew_refuses_a_taken_output_before_the_interview(
    desk: Desk, victim: Path, taken: str
) -> None:
    record = desk.new()
    out = desk.root / "next.smcheck.toml"
    if taken == "file":
        out.write_text("mine\n")
    else:
        out.symlink_to(victim)
    result = runner.invoke(app, ["renew", str(record), "--output", str(out)])
    assert result.exit_code == 1, result.output
    said = result.output.replace("\n", " ")
    if taken == "file":
        assert f"{out} already exists" in said and out.read_text() == "mine\n"
    else:
        assert f"{out} is a symbolic link" in said and out.is_symlink()
    assert victim.read_text() == "someone else's file\n"
