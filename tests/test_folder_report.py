"""The folder report a reviewer reads (smcheck.report): one line per record with its state and who must
act, problems first; the rows of the records that fail or warn; the repeats in a section of their own;
counts by state. --quiet, --json and --jsonl keep their contracts; the progress bar is stderr's only."""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import pty
import re
import select
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any, NamedTuple, cast

import pytest
from helpers.desk import Desk, open_desk, runner
from helpers.records import EXAMPLE_ANSWERS, make_record_bytes

from smcheck import registry, report
from smcheck.choices import VerifyFormat
from smcheck.cli import app
from smcheck.formats import text
from smcheck.trust.allowed import load_allowed_signers
from smcheck.trust.policy import State
from smcheck.verify import Demands, Report, verify_path

REVIEWER = "the Digital Marketing Officer"
COSIGNER = "the Advancement Office"


class Register(NamedTuple):
    desk: Desk
    folder: Path
    files: dict[str, Path]
    """By the state each is in (with the trust file): named so that the order found (by name) is not
    the order of the report."""


@pytest.fixture
def desk(tmp_path: Path) -> Iterator[Desk]:
    yield from open_desk(tmp_path)


@pytest.fixture
def register(desk: Desk) -> Register:
    """A folder of mixed states: each file's name says where it comes in the order found."""
    folder = desk.root / "register"
    folder.mkdir()
    files: dict[str, Path] = {}
    files["approved"] = desk.new(output="register/a-approved.smcheck.toml")
    assert desk.approve(files["approved"], "reviewer")[0] == 0
    assert desk.approve(files["approved"], "advancement", "--role", "advancement-office")[0] == 0
    files["unsigned"] = desk.new(key=None, output="register/b-unsigned.smcheck.toml")
    files["invalid"] = folder / "c-invalid.smcheck.toml"
    signed = desk.new(output="register/c-invalid.smcheck.toml")
    signed.write_bytes(signed.read_bytes().replace(b"Tom Reid", b"Tim Reid"))
    files["awaiting-reviewer"] = desk.new(output="register/d-awaiting.smcheck.toml")
    files["rejected"] = desk.new(output="register/e-rejected.smcheck.toml")
    assert desk.approve(files["rejected"], "reviewer", "--decision", "rejected")[0] == 0
    files["awaiting-cosign"] = desk.new(output="register/f-cosign.smcheck.toml")
    assert desk.approve(files["awaiting-cosign"], "reviewer")[0] == 0
    files["copy"] = folder / "g-copy.smcheck.toml"
    shutil.copyfile(files["approved"], files["copy"])
    files["warned"] = warned(desk.root, "register/h-warned.smcheck.toml")
    return Register(desk, folder, files)


def warned(root: Path, output: str) -> Path:
    """An unsigned record that is valid with a warning (no deputy, and the cover plan explained)."""
    answers = root / "no-deputy.answers.toml"
    text = EXAMPLE_ANSWERS.read_text()
    for old, new in (
        # 1.3.0: no deputy named fills in "Is there a deputy?" as no; the cover plan is asked.
        ("accepts = true", 'accepts = true\ncover_plan = "The head of department covers."'),
        ('deputy_name = "Tom Reid"\n', ""),
        ('deputy_email = "t.reid@essex.ac.uk"\n', ""),
    ):
        assert old in text, old
        text = text.replace(old, new)
    answers.write_text(text)
    result = runner.invoke(app, ["new", "--answers", str(answers), "--output", str(root / output)])
    assert result.exit_code == 0, result.output
    return root / output


def verify(*args: str | Path) -> tuple[int, str, str]:
    result = runner.invoke(app, ["verify", *map(str, args)])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.output
    return result.exit_code, result.stdout, result.stderr


def listing(out: str) -> list[tuple[str, str, str]]:
    """The first part of the report: (state words, file name, what is said), in the order shown."""
    head, _, _ = out.partition("\n\n")
    lines = head.splitlines()
    assert lines[0] == "Records, problems first", out
    found = []
    for line in lines[1:]:
        match = re.fullmatch(rf"  (.{{{text.LABEL_WIDTH}}})  (\S+) +(.*)", line)
        assert match, line
        found.append((match[1].rstrip(), Path(match[2]).name, match[3]))
    return found


def section(out: str, title: str) -> list[str]:
    """The lines of a section, under its title, up to the blank line that ends it."""
    lines = out.splitlines()
    start = lines.index(title)
    end = lines.index("", start)
    return lines[start + 1 : end]


def rows_of(out: str) -> list[str]:
    """The names of the records whose full rows are printed (each block opens with its path)."""
    return [
        Path(line).name
        for line in out.splitlines()
        if line.endswith(".smcheck.toml") and not line.startswith(" ")
    ]


# --- the shape of the folder report -----------------------------------------------------------------


def test_each_state_on_its_line_problems_first_and_counted(register: Register) -> None:
    code, out, _ = verify("--allowed-signers", register.desk.trust, register.folder)
    assert code == 1  # one record is invalid
    assert listing(out) == [
        ("INVALID", "c-invalid.smcheck.toml", "fails: signature"),
        ("REJECTED", "e-rejected.smcheck.toml", f"rejected by {REVIEWER}"),
        (
            "AWAITING REVIEWER",
            "d-awaiting.smcheck.toml",
            f"awaiting {REVIEWER} and {COSIGNER}",
        ),
        ("AWAITING COSIGN", "f-cosign.smcheck.toml", f"awaiting {COSIGNER}"),
        (
            "UNSIGNED",
            "b-unsigned.smcheck.toml",
            "unsigned (integrity only): the proposer must sign it before approval",
        ),
        (
            "UNSIGNED",
            "h-warned.smcheck.toml",
            "unsigned (integrity only): the proposer must sign it before approval; warns: outcome",
        ),
        ("APPROVED", "a-approved.smcheck.toml", "approved"),
        ("APPROVED", "g-copy.smcheck.toml", "approved"),  # within a state: the order found
    ]
    assert out.rstrip().splitlines()[-1] == (
        "8 records: 1 invalid, 1 rejected, 1 awaiting the reviewer, 1 awaiting a co-signer,"
        " 2 unsigned, 2 approved"
    )


def test_full_rows_only_for_records_that_fail_or_warn(register: Register) -> None:
    _, out, _ = verify("--allowed-signers", register.desk.trust, register.folder)
    assert "Records that fail or warn" in out
    assert rows_of(out) == [
        "c-invalid.smcheck.toml",
        "e-rejected.smcheck.toml",
        "h-warned.smcheck.toml",
    ]
    assert out.count("=> ") == 3
    assert "=> INVALID" in out and f"=> VALID (1 warning): rejected by {REVIEWER}" in out


def test_verbose_prints_every_records_rows_in_the_same_order(register: Register) -> None:
    _, short, _ = verify("--allowed-signers", register.desk.trust, register.folder)
    code, out, _ = verify("-v", "--allowed-signers", register.desk.trust, register.folder)
    assert code == 1
    assert "Every record's checks" in out
    assert rows_of(out) == [name for _, name, _ in listing(out)]
    assert out.count("=> ") == 8
    assert listing(out) == listing(short)
    assert section(out, "Repeated records") == section(short, "Repeated records")
    assert out.splitlines()[-1] == short.splitlines()[-1]


def test_repeats_are_a_section_of_their_own_naming_both_files(register: Register) -> None:
    _, out, _ = verify("--allowed-signers", register.desk.trust, register.folder)
    first, copy = register.files["approved"], register.files["copy"]
    assert section(out, "Repeated records") == [
        f"  {copy}: same record id as {first}: a copy, a resubmission or a replay"
    ]  # (the warned record, made by another route, has an id of its own)
    same = section(out, "Same channel")
    channel = "instagram @essexhistory"
    # Every record but the invalid one (its content was never read) is for the same channel.
    assert same == [
        f"  {register.files[name]}: same channel ({channel}) as {first}: a resubmission?"
        for name in (
            "unsigned",
            "awaiting-reviewer",
            "rejected",
            "awaiting-cosign",
            "copy",
            "warned",
        )
    ]
    # ... and none is printed among a record's rows, where it would read as the next one's.
    rows = out.split("Records that fail or warn", 1)[1].split("Repeated records", 1)[0]
    assert "same record id" not in rows and "same channel" not in rows
    assert out.index("Repeated records") < out.index("Same channel") < out.rindex("8 records")


def test_without_a_trust_file_signed_records_are_not_checked(register: Register) -> None:
    code, out, _ = verify(register.folder)
    assert code == 1
    states = [(state, name) for state, name, _ in listing(out)]
    assert states[:3] == [
        ("INVALID", "c-invalid.smcheck.toml"),
        ("UNSIGNED", "b-unsigned.smcheck.toml"),
        ("UNSIGNED", "h-warned.smcheck.toml"),
    ]
    assert states[3:] == [
        ("NOT CHECKED", name)
        for name in (
            "a-approved.smcheck.toml",
            "d-awaiting.smcheck.toml",
            "e-rejected.smcheck.toml",
            "f-cosign.smcheck.toml",
            "g-copy.smcheck.toml",
        )
    ]
    said = {words for _, _, words in listing(out)[3:]}
    assert said == {
        "signatures not checked: no trust file, so whose they are is not known;"
        " give --allowed-signers FILE"
    }
    assert out.splitlines()[-1] == "8 records: 1 invalid, 2 unsigned, 5 not checked"
    # A rejection nobody can attribute is no warning: no rows for it, nor for the approved ones.
    assert rows_of(out) == ["c-invalid.smcheck.toml", "h-warned.smcheck.toml"]


def test_every_state_in_one_report(register: Register, tmp_path: Path) -> None:
    """The reporter given reports in every state (not checked: one verified with no trust file)."""
    trust = load_allowed_signers(register.desk.trust)
    lookup = registry.lookup(None)
    today = dt.datetime.now(dt.UTC).date()
    with_trust = Demands(trust=trust)
    reports = [
        verify_path(path, lookup=lookup, today=today, demands=with_trust)
        for name, path in register.files.items()
        if name not in ("copy", "warned")
    ]
    reports.insert(
        3, verify_path(register.files["approved"], lookup=lookup, today=today)._replace(path="nc")
    )
    assert {r.state for r in reports} == set(State)
    out = render(reports, total=len(reports))
    assert [state for state, _, _ in listing(out)] == [report.label(s) for s in report.ORDER]
    assert out.splitlines()[-1] == (
        "7 records: 1 invalid, 1 rejected, 1 awaiting the reviewer, 1 awaiting a co-signer,"
        " 1 unsigned, 1 not checked, 1 approved"
    )


def render(reports: list[Report], **options: int | bool) -> str:
    import io
    from contextlib import redirect_stdout

    out = io.StringIO()
    with redirect_stdout(out):
        folder = text.FolderReporter(**options)  # type: ignore[arg-type]
        for one in reports:
            folder.add(one)
        folder.finish()
    return out.getvalue()


def test_files_that_cannot_be_opened_come_first_and_are_counted(
    register: Register, tmp_path: Path
) -> None:
    missing = tmp_path / "gone.smcheck.toml"
    code, out, err = verify(
        "--allowed-signers", register.desk.trust, register.files["approved"], missing
    )
    assert code == 2
    assert listing(out) == [
        ("CANNOT OPEN", "gone.smcheck.toml", "no such file"),
        ("APPROVED", "a-approved.smcheck.toml", "approved"),
    ]
    assert out.splitlines()[-1] == "2 records: 1 approved, 1 could not be opened"
    assert f"{missing}: no such file" in err


def test_one_record_prints_its_full_rows_as_ever(register: Register) -> None:
    code, out, _ = verify("--allowed-signers", register.desk.trust, register.files["rejected"])
    assert code == 0
    assert out.startswith(f"{register.files['rejected']}\n PASS  well-formed")
    assert "Records, problems first" not in out and "records:" not in out
    assert out.rstrip().endswith(f"=> VALID (1 warning): rejected by {REVIEWER}")


def test_a_folder_of_one_record_is_a_folder_report(register: Register, tmp_path: Path) -> None:
    alone = tmp_path / "alone"
    alone.mkdir()
    shutil.copyfile(register.files["approved"], alone / "r.smcheck.toml")
    code, out, _ = verify("--allowed-signers", register.desk.trust, alone)
    assert code == 0
    assert listing(out) == [("APPROVED", "r.smcheck.toml", "approved")]
    assert "=> " not in out  # it neither fails nor warns
    assert out.splitlines()[-1] == "1 record: 1 approved"


def test_an_empty_folder_says_so(tmp_path: Path) -> None:
    assert verify(tmp_path) == (0, "0 records\n", "")


def test_hostile_paths_are_shown_visibly(tmp_path: Path) -> None:
    folder = tmp_path / "f"
    folder.mkdir()
    (folder / "evil\x1b[31m\u202e.smcheck.toml").write_bytes(b"")
    (folder / "ok.smcheck.toml").write_bytes(make_record_bytes())
    code, out, _ = verify(folder)
    assert code == 1
    assert "\x1b" not in out and "\u202e" not in out
    assert "evil\\x1b[31m\\u202e.smcheck.toml" in out


def test_quiet_and_verbose_together_is_a_usage_error(tmp_path: Path) -> None:
    assert verify("-q", "-v", tmp_path)[0] == 2


# --- the machine formats keep their contracts --------------------------------------------------------


def test_quiet_prints_only_the_invalid_lines(register: Register) -> None:
    code, out, err = verify("--quiet", "--allowed-signers", register.desk.trust, register.folder)
    assert code == 1
    assert out == f"INVALID {register.files['invalid']}: fails signature\n"
    assert err == ""


def test_jsonl_has_the_state_and_the_repeats_on_every_line(
    register: Register, tmp_path: Path
) -> None:
    missing = tmp_path / "gone.smcheck.toml"
    code, out, _ = verify("--jsonl", "--allowed-signers", register.desk.trust, register.folder)
    assert code == 1
    objects = [json.loads(line) for line in out.splitlines()]
    by_name = {Path(o["path"]).name: o for o in objects}
    assert [Path(o["path"]).name for o in objects] == sorted(by_name)  # the order found
    assert {name: o["state"] for name, o in by_name.items()} == {
        "a-approved.smcheck.toml": "approved",
        "b-unsigned.smcheck.toml": "unsigned",
        "c-invalid.smcheck.toml": "invalid",
        "d-awaiting.smcheck.toml": "awaiting-reviewer",
        "e-rejected.smcheck.toml": "rejected",
        "f-cosign.smcheck.toml": "awaiting-cosign",
        "g-copy.smcheck.toml": "approved",
        "h-warned.smcheck.toml": "unsigned",
    }
    copy = by_name["g-copy.smcheck.toml"]
    assert {w["code"] for w in copy["warnings"]} == {"repeated-record-id", "repeated-channel"}
    assert {w["other"] for w in copy["warnings"]} == {str(register.files["approved"])}
    code, out, _ = verify("--jsonl", missing)
    assert code == 2
    line = json.loads(out)
    # The register's row for it, as status gives it (tests/test_formats.py holds the two together).
    assert line.pop("register")["detail"] == "nobody should act on it: no such file"
    assert line == {
        "path": str(missing),
        "valid": False,
        "state": "invalid",
        "error": "no such file",
        "folder_not_searched": False,
    }


def test_jsonl_streams_each_line_before_the_next_record_is_verified(
    register: Register, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import smcheck.verify
    from smcheck.commands import verify as command

    seen: list[int] = []
    written: list[str] = []
    real = smcheck.verify.verify_bytes

    def spy(data: bytes, source: str, **kwargs: object) -> Report:
        written.append(capsys.readouterr().out)
        seen.append(sum(chunk.count("\n") for chunk in written))
        return real(data, source, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(smcheck.verify, "verify_bytes", spy)
    command.run([register.folder], checklist_ref=None, fmt=VerifyFormat.JSONL)
    # The k-th record: k lines already out (after them, the copies of one record are verified
    # together, as one).
    assert seen[: len(register.files)] == list(range(len(register.files)))


def test_json_is_one_array_with_states(register: Register) -> None:
    code, out, _ = verify("--json", "--allowed-signers", register.desk.trust, register.folder)
    assert code == 1
    objects = json.loads(out)
    assert len(objects) == len(register.files)
    assert all(o["state"] in set(State) for o in objects)


# --- the progress bar: stderr only, when stderr is a terminal, for the text report only --------------


def test_no_progress_bar_unless_stderr_is_a_terminal() -> None:
    assert text.progress(text.PROGRESS_FROM - 1) is None
    assert text.progress(1000) is None  # pytest captures stderr: not a terminal


def _run_with_stderr_on_a_terminal(args: list[str], cwd: Path) -> tuple[int, bytes, bytes]:
    """The installed command with stdout to a pipe and stderr to a pseudo-terminal."""
    exe = Path(sys.executable).with_name("smcheck")
    env = {k: v for k, v in os.environ.items() if k not in ("FORCE_COLOR", "COLUMNS", "NO_COLOR")}
    env["TERM"] = "xterm"
    master, slave = pty.openpty()
    child = subprocess.Popen(
        [str(exe), *args], stdout=subprocess.PIPE, stderr=slave, stdin=subprocess.DEVNULL, cwd=cwd
    )
    os.close(slave)
    terminal = b""
    assert child.stdout is not None
    out = b""
    while True:
        ready, _, _ = select.select([master, cast(Any, child.stdout)], [], [], 30)
        assert ready, "the command hung"
        if master in ready:
            try:
                chunk = os.read(master, 65536)
            except OSError:  # the terminal closed with the child
                chunk = b""
            terminal += chunk
            if not chunk and child.poll() is not None:
                break
        if child.stdout in ready:
            chunk = cast(io.BufferedReader, child.stdout).read1(65536)
            out += chunk
            if not chunk:
                child.wait(30)
                try:
                    while more := os.read(master, 65536):
                        terminal += more
                except OSError:
                    pass
                break
    os.close(master)
    return child.wait(30), out, terminal


@pytest.mark.pty
def test_the_progress_bar_is_on_stderr_and_never_on_stdout(tmp_path: Path) -> None:
    for number in range(text.PROGRESS_FROM + 5):
        (tmp_path / f"r{number:02}.smcheck.toml").write_bytes(make_record_bytes())
    code, out, terminal = _run_with_stderr_on_a_terminal(["verify", str(tmp_path)], tmp_path)
    assert code == 0
    assert b"Verifying" in terminal
    assert b"Verifying" not in out and b"\x1b" not in out  # a pipe: no bar, no colour
    assert out.decode().splitlines()[-1] == "25 records: 25 unsigned"
    code, out, terminal = _run_with_stderr_on_a_terminal(
        ["verify", "--jsonl", str(tmp_path)], tmp_path
    )
    assert code == 0 and b"Verifying" not in terminal  # the text report's only
    assert len(out.splitlines()) == 25


def test_drafts_in_a_folder_are_not_verified_and_a_note_says_so(tmp_path: Path) -> None:
    """A register folder may hold drafts beside the records (status lists them): verify leaves them
    out of its report and says how many it left, on stderr; a draft given by name is verified, and
    named as a draft."""
    folder = tmp_path / "register"
    folder.mkdir()
    (folder / "a.smcheck.toml").write_bytes(make_record_bytes())
    draft = folder / "b.draft.toml"
    draft.write_text('# smcheck draft: x\n\n[draft]\nchecklist = "x"\n', encoding="utf-8")
    result = runner.invoke(app, ["verify", "--format", "jsonl", str(folder)])
    assert result.exit_code == 0, result.output
    assert [json.loads(line)["path"] for line in result.stdout.splitlines()] == [
        str(folder / "a.smcheck.toml")
    ]
    assert (
        "smcheck: note: 1 draft in the folder was not verified: an unfinished interview, never"
        " signed off (smcheck status lists it)" in result.stderr
    )
    (folder / "c.draft.toml").write_bytes(draft.read_bytes())
    said = runner.invoke(app, ["verify", str(folder)]).stderr
    assert "2 drafts in the folder were not verified" in said
    other = tmp_path / "other"
    other.mkdir()
    said = runner.invoke(app, ["verify", str(folder), str(other)]).stderr
    assert "2 drafts in the folders were not verified" in said
    named = runner.invoke(app, ["verify", "--format", "jsonl", str(draft)])
    assert named.exit_code == 1 and "not verified" not in named.stderr
    assert json.loads(named.stdout)["checks"][0]["code"] == "draft"
