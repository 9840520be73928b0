"""Input is never a bug (smcheck issue 15): each file or environment anyone can make that once ended in
exit 3 ("internal error") is one clear line now, exit 0, 1 or 2 (threat model cases 15, 23, 24).

One regression test per crash found; tests/test_hostile.py generates such inputs for every command."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from helpers.desk import Desk, open_desk
from helpers.records import DATA, edit, make_record_bytes
from typer.testing import CliRunner

from smcheck.cli import app
from smcheck.config import load_config
from smcheck.errors import CannotOpen, FileProblem
from smcheck.fsutil import MAX_FOLDER_DEPTH, find_files
from smcheck.loader import lint_checklist

runner = CliRunner()


def invoke(*args: str, env: dict[str, str] | None = None) -> tuple[int, str, str]:
    """Run a command in process, mapping an escaped exception to exit 3 as ``smcheck.cli.main`` does."""
    result = runner.invoke(app, list(args), env=env)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise AssertionError(f"exit 3: {result.exception!r}") from result.exception
    assert "Traceback" not in result.output and "internal error" not in result.output
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def desk(tmp_path: Path) -> Iterator[Desk]:
    yield from open_desk(tmp_path)


def deep_tree(root: Path, depth: int) -> Path:
    """A folder ``depth`` folders deep (made one step at a time: os.makedirs recurses too) with a record
    at the bottom; returns the bottom folder."""
    root.mkdir()
    old = Path.cwd()
    os.chdir(root)
    try:
        for _ in range(depth):
            Path("d").mkdir()
            os.chdir("d")
        Path("deep.smcheck.toml").write_bytes(make_record_bytes())
        return Path.cwd()
    finally:
        os.chdir(old)


def remove_tree(root: Path) -> None:
    """Remove a folder tree of any depth (shutil.rmtree recurses, and so does pytest's clean-up of old
    temporary folders: a tree deeper than the recursion limit left behind would break every later run)."""
    folders = [root]
    index = 0
    while index < len(folders):
        with os.scandir(folders[index]) as entries:
            for entry in entries:
                if entry.is_dir(follow_symlinks=False):
                    folders.append(Path(entry.path))
                else:
                    Path(entry.path).unlink()
        index += 1
    for folder in reversed(folders):
        folder.rmdir()


# --- folders deeper than the recursion limit --------------------------------------------------------


@pytest.mark.parametrize("command", ["verify", "status"])
def test_a_folder_tree_deeper_than_the_recursion_limit_is_said_not_a_crash(
    tmp_path: Path, command: str
) -> None:
    root = tmp_path / "register"
    deep_tree(root, sys.getrecursionlimit() + 100)
    (root / "top.smcheck.toml").write_bytes(make_record_bytes())
    try:
        code, out, err = invoke(command, str(root))
    finally:
        remove_tree(root)
    assert code == (2 if command == "verify" else 1)
    said = out + err
    if command == "verify":
        assert f"more than {MAX_FOLDER_DEPTH} folders deep: not searched" in said
    else:  # a row of its own, said as a folder
        assert f"folder not searched: more than {MAX_FOLDER_DEPTH} folders deep;" in said
    assert "top.smcheck.toml" in said or command == "status"


def test_find_files_searches_to_its_depth_and_reports_the_folder_below(tmp_path: Path) -> None:
    root = tmp_path / "register"
    deep_tree(root, MAX_FOLDER_DEPTH)  # the record is exactly as deep as is searched
    found = list(find_files([root], (".smcheck.toml",)))
    assert [p.name for p in found if isinstance(p, Path)] == ["deep.smcheck.toml"]
    assert not [p for p in found if isinstance(p, CannotOpen)]

    deeper = tmp_path / "deeper"
    bottom = deep_tree(deeper, MAX_FOLDER_DEPTH + 1)
    found = list(find_files([deeper], (".smcheck.toml",)))
    assert [p for p in found if isinstance(p, Path)] == []
    (skipped,) = [p for p in found if isinstance(p, CannotOpen)]
    assert skipped.path == str(bottom)
    assert skipped.reason == f"more than {MAX_FOLDER_DEPTH} folders deep: not searched"


def test_find_files_keeps_the_order_of_a_sorted_walk_and_notes_links_not_followed(
    tmp_path: Path,
) -> None:
    for name in ("b/y", "a", "b", "c/z"):
        (tmp_path / name).mkdir(parents=True, exist_ok=True)
    for name in ("b/y/2.r", "a/1.r", "b/0.r", "top.r", "c/z/3.r", "c/skip.txt"):
        (tmp_path / name).write_text("x")
    (tmp_path / "link").symlink_to(tmp_path / "a", target_is_directory=True)
    notes: list[str] = []
    found = list(find_files([tmp_path], (".r",), notify=notes.append))
    assert [p.relative_to(tmp_path).as_posix() for p in found if isinstance(p, Path)] == [
        "top.r",
        "a/1.r",
        "b/0.r",
        "b/y/2.r",
        "c/z/3.r",
    ]
    assert notes == [
        f"{tmp_path / 'link'}: a link to a folder, not followed (give the folder itself to search it)"
    ]


def test_a_folder_full_of_links_is_noted_in_few_lines(tmp_path: Path) -> None:
    (tmp_path / "target").mkdir()
    for number in range(50):
        (tmp_path / f"link{number:02d}").symlink_to(tmp_path / "target")
    notes: list[str] = []
    list(find_files([tmp_path], (".r",), notify=notes.append))
    assert len(notes) == 21
    assert notes[-1] == "30 more links to folders were not followed"


def test_a_folder_is_listed_one_entry_at_a_time_keeping_only_names(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A folder of 10,000 records was 2.8 MB of directory entries (each with its full path) held at
    once before the first record was read: only the names are kept, each entry let go as it is read."""

    alive = 0
    most = 0

    class Entry:
        def __init__(self, name: str) -> None:
            nonlocal alive, most
            self.name = name
            alive += 1
            most = max(most, alive)

        def __del__(self) -> None:
            nonlocal alive
            alive -= 1

        def is_dir(self) -> bool:
            return self.name.startswith("sub")

        def is_symlink(self) -> bool:
            return False

    class Listing:
        def __init__(self, folder: Path) -> None:
            self.names = (
                ["sub", *(f"r{n:03}.smcheck.toml" for n in range(200))]
                if folder == tmp_path
                else []
            )

        def __enter__(self) -> Iterator[Entry]:
            return (Entry(name) for name in self.names)

        def __exit__(self, *exc: object) -> None:
            return None

    monkeypatch.setattr(os, "scandir", Listing)
    found = list(find_files([tmp_path], (".smcheck.toml",)))
    assert len(found) == 200 and found[0] == tmp_path / "r000.smcheck.toml"
    assert most <= 2, f"{most} directory entries were held at once"


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads every folder")
def test_an_unreadable_folder_is_reported_and_the_rest_searched(tmp_path: Path) -> None:
    (tmp_path / "closed").mkdir()
    (tmp_path / "open").mkdir()
    (tmp_path / "open" / "r.smcheck.toml").write_text("x")
    (tmp_path / "closed").chmod(0)
    try:
        found = list(find_files([tmp_path], (".smcheck.toml",)))
    finally:
        (tmp_path / "closed").chmod(0o755)
    assert [p for p in found if isinstance(p, Path)] == [tmp_path / "open" / "r.smcheck.toml"]
    (refused,) = [p for p in found if isinstance(p, CannotOpen)]
    assert refused.reason == "cannot read (Permission denied)"


# --- checklists with a wrong type anywhere ------------------------------------------------------------


def test_a_question_id_of_the_wrong_type_beside_a_normalize_condition_is_a_problem_not_a_crash(
    tmp_path: Path,
) -> None:
    text = (DATA / "tiny.toml").read_text()
    assert 'id = "club.name"' in text
    bad = tmp_path / "bad.toml"
    bad.write_text(
        text.replace(
            'id = "club.name"',
            'id = 7\nnormalize = { prefix = "@", when = { question = "club.kind", answered = true } }',
            1,
        )
    )
    problems = lint_checklist(bad)
    assert any(
        p.endswith("sections[0].questions[0].id: must be a string, not an integer")
        for p in problems
    )
    code, _, err = invoke("checklist", "lint", str(bad))
    assert code == 1 and "must be a string, not an integer" in err


def test_a_broken_question_that_a_normalize_condition_belongs_to_is_skipped_not_looked_up(
    tmp_path: Path,
) -> None:
    text = (DATA / "tiny.toml").read_text()
    bad = tmp_path / "bad.toml"
    bad.write_text(
        text.replace(
            'id = "club.name"',
            'id = "club.name"\ntype = 5\nnormalize = { prefix = "@", when = { question = "club.kind",'
            " answered = true } }",
            1,
        ).replace('type = "text"', "", 1)
    )
    problems = lint_checklist(bad)
    assert problems and all("KeyError" not in p for p in problems)


# --- records whose answers have the wrong shape ----------------------------------------------------


@pytest.mark.parametrize(
    "items",
    [b"1, ", b"[1], ", b"{ a = 1 }, ", b"1979-05-27T07:32:00Z, ", b"true, "],
    ids=["integer", "array", "table", "datetime", "boolean"],
)
def test_show_shows_a_multi_answer_holding_what_is_not_text(tmp_path: Path, items: bytes) -> None:
    record = tmp_path / "r.smcheck.toml"
    record.write_bytes(
        edit(make_record_bytes(), b"audiences = [\n", b"audiences = [" + items + b"\n")
    )
    code, out, _ = invoke("show", str(record))
    assert code == 0
    assert "DOES NOT VERIFY" in out
    assert "prospective-students, current-students, alumni" in out


def test_shows_verdict_line_does_not_end_a_summary_with_the_colon_of_details_it_leaves_out(
    tmp_path: Path,
) -> None:
    record = tmp_path / "r.smcheck.toml"
    extra = b'k1 = "v"\nk2 = "v"\n'
    record.write_bytes(
        edit(
            make_record_bytes(),
            b"[answers.administrator]\n",
            b"[answers.zz]\n" + extra + b"\n[answers.administrator]\n",
        )
    )
    _, out, _ = invoke("show", str(record))
    assert out.splitlines()[0].startswith(
        "smcheck verify: DOES NOT VERIFY (answers: 2 answers cannot stand). What follows"
    )


# --- config paths and environment variables ------------------------------------------------------


def test_a_config_path_naming_an_unknown_user_is_a_problem_in_the_config_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = tmp_path / "config.toml"
    config.write_text('[verify]\nallowed_signers = "~nosuchuser-smcheck/allowed_signers"\n')
    monkeypatch.setenv("SMCHECK_CONFIG", str(config))
    with pytest.raises(FileProblem) as caught:
        load_config()
    assert caught.value.message == (
        f"{config}: verify.allowed_signers: '~nosuchuser-smcheck/allowed_signers' starts with"
        " ~nosuchuser-smcheck, but there is no user 'nosuchuser-smcheck' on this computer"
    )
    assert (
        caught.value.hint == "write the path in full, or start it with ~/ for your own home folder"
    )


def test_verify_with_such_a_config_is_one_line_and_exit_2(desk: Desk) -> None:
    config = desk.root / "config.toml"
    config.write_text('[signing]\nkey = "~nosuchuser-smcheck/.ssh/id_ed25519"\n')
    record = desk.new()
    code, _, err = invoke("verify", str(record), env={"SMCHECK_CONFIG": str(config)})
    assert code == 2
    assert "there is no user 'nosuchuser-smcheck' on this computer" in err


@pytest.mark.parametrize(
    "value",
    ["", "folder", "fifo", "nonutf8", "long", "tilde", "dash", "device"],
)
@pytest.mark.parametrize(
    "variable", ["SMCHECK_CONFIG", "SMCHECK_ALLOWED_SIGNERS", "SMCHECK_DRAFTS"]
)
def test_a_hostile_environment_variable_is_never_a_crash(
    desk: Desk, variable: str, value: str
) -> None:
    record = desk.new()
    fifo = desk.root / "fifo"
    os.mkfifo(fifo)
    values = {
        "": "",
        "folder": str(desk.root),
        "fifo": str(fifo),
        "nonutf8": os.fsdecode(bytes(desk.root) + b"/\xff\xfe.toml"),
        "long": "/" + "a" * 5000,
        "tilde": "~nosuchuser-smcheck/x",
        "dash": "-x",
        "device": "/dev/zero",
    }
    env = {variable: values[value]}
    for args in (
        ["verify", str(record)],
        ["status", str(desk.root)],
        ["drafts"],
        ["show", str(record)],
    ):
        code, _, _ = invoke(*args, env=env)
        assert code in (0, 1, 2), args


def test_a_config_file_name_too_long_is_said(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SMCHECK_CONFIG", str(tmp_path / ("a" * 300)))
    with pytest.raises(FileProblem) as caught:
        load_config()
    assert caught.value.message.endswith(": cannot read (File name too long)")


# --- output that cannot be written ---------------------------------------------------------------


OUTPUT_COMMANDS = [
    ["verify", "{record}"],
    ["verify", "--json", "{record}"],
    ["status", "{folder}"],
    ["show", "{record}"],
    ["checklist", "show", "essex-social-media"],
    ["schema", "answers"],
    ["--help"],
]


def _smcheck(args: list[str], *, stdout: int, stderr: int) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [sys.executable, "-c", "from smcheck.cli import main; main()", *args],
        stdout=stdout,
        stderr=stderr,
        stdin=subprocess.DEVNULL,
        timeout=60,
        check=False,
    )


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("output")
    (root / "r.smcheck.toml").write_bytes(make_record_bytes())
    return root


def _filled(args: list[str], folder: Path) -> list[str]:
    return [a.format(record=folder / "r.smcheck.toml", folder=folder) for a in args]


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")
@pytest.mark.parametrize("args", OUTPUT_COMMANDS, ids=lambda a: " ".join(a))
def test_a_full_disk_on_stdout_is_one_line_and_exit_1(folder: Path, args: list[str]) -> None:
    full = os.open("/dev/full", os.O_WRONLY)
    try:
        done = _smcheck(_filled(args, folder), stdout=full, stderr=subprocess.PIPE)
    finally:
        os.close(full)
    assert done.returncode == 1
    assert done.stderr.decode() == "smcheck: cannot write the output (No space left on device)\n"


@pytest.mark.parametrize("args", OUTPUT_COMMANDS, ids=lambda a: " ".join(a))
def test_a_closed_pipe_on_stdout_is_one_line_and_exit_1(folder: Path, args: list[str]) -> None:
    read, write = os.pipe()
    os.close(read)  # closed before smcheck writes a byte: every write is EPIPE
    try:
        done = _smcheck(_filled(args, folder), stdout=write, stderr=subprocess.PIPE)
    finally:
        os.close(write)
    assert done.returncode == 1
    assert done.stderr.decode() == "smcheck: cannot write the output (Broken pipe)\n"


def test_a_closed_pipe_on_both_streams_is_silent_and_exit_1(folder: Path) -> None:
    out_read, out_write = os.pipe()
    err_read, err_write = os.pipe()
    os.close(out_read)
    os.close(err_read)  # nothing can be said: the exit code is all there is
    try:
        done = _smcheck(
            ["verify", str(folder / "r.smcheck.toml")], stdout=out_write, stderr=err_write
        )
    finally:
        os.close(out_write)
        os.close(err_write)
    assert done.returncode == 1


def test_a_closed_pipe_on_stdout_with_stderr_a_pipe_says_so_once(folder: Path) -> None:
    out_read, out_write = os.pipe()
    err_read, err_write = os.pipe()
    os.close(out_read)
    try:
        done = _smcheck(
            ["verify", str(folder / "r.smcheck.toml")], stdout=out_write, stderr=err_write
        )
    finally:
        os.close(out_write)
        os.close(err_write)
    said = os.read(err_read, 4096)
    os.close(err_read)
    assert done.returncode == 1
    assert said == b"smcheck: cannot write the output (Broken pipe)\n"


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")
def test_a_full_disk_on_stderr_is_silent_and_exit_1_not_3(folder: Path) -> None:
    full = os.open("/dev/full", os.O_WRONLY)
    try:
        done = _smcheck(
            ["verify", str(folder / "missing.smcheck.toml")],
            stdout=subprocess.PIPE,
            stderr=full,
        )
    finally:
        os.close(full)
    assert done.returncode == 1


def test_a_closed_pipe_mid_output_leaves_no_python_noise(tmp_path: Path) -> None:
    record = tmp_path / "r.smcheck.toml"
    record.write_bytes(_many_answers(5000))
    reader = subprocess.Popen(
        ["head", "-c", "10"], stdin=subprocess.PIPE, stdout=subprocess.DEVNULL
    )
    assert reader.stdin is not None
    done = _smcheck(["show", str(record)], stdout=reader.stdin.fileno(), stderr=subprocess.PIPE)
    reader.stdin.close()
    reader.wait()
    assert done.returncode in (0, 1)
    assert b"Exception ignored" not in done.stderr and b"Traceback" not in done.stderr
    assert done.stderr in (b"", b"smcheck: cannot write the output (Broken pipe)\n")


# --- a record of very many answers ------------------------------------------------------------


def _many_answers(count: int) -> bytes:
    extra = "".join(f'k{number:05d} = "v"\n' for number in range(count)).encode()
    return edit(
        make_record_bytes(),
        b"[answers.administrator]\n",
        b"[answers.zz]\n" + extra + b"\n[answers.administrator]\n",
    )


def test_show_of_twenty_thousand_answers_writes_in_a_few_writes_and_soon(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from rich.console import Console

    record = tmp_path / "r.smcheck.toml"
    record.write_bytes(_many_answers(20_000))
    assert len(record.read_bytes()) < 1024 * 1024  # under the size cap: read whole
    printed: list[object] = []
    real = Console.print

    def counted(self: Console, *objects: object, **kwargs: object) -> None:
        printed.append(objects)
        real(self, *objects, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(Console, "print", counted)
    started = time.monotonic()
    code, out, _ = invoke("show", str(record))
    elapsed = time.monotonic() - started
    assert code == 0
    assert out.count("\n") > 40_000 and "k19999" in out
    # rich took a third of a millisecond a line (15 s under a profiler): lines are written in chunks.
    assert len(printed) < 10
    assert elapsed < 10
