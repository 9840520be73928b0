"""Records changed on their way (Windows, an e-mail program): CRLF line endings, a byte-order mark, or
both. The refusal names what happened and gives the exact command that restores the original bytes; the
command, run in a shell, gives back a file that verifies (threat model item 15)."""

from __future__ import annotations

import json
import shlex
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from helpers.desk import Desk, open_desk, runner
from pytest import MonkeyPatch

from smcheck.cli import app
from smcheck.layout import MARKER, read_layout
from smcheck.record import RecordError
from smcheck.restore import BOM, read_layout_advised, restoration, restore_command, restored_path

CRLF_CAUSE = "the file's line endings were changed to CRLF (Windows)"
BOM_CAUSE = "a byte-order mark (BOM) was added at the start of the file"


def crlf(data: bytes) -> bytes:
    return data.replace(b"\n", b"\r\n")


def bom(data: bytes) -> bytes:
    return BOM + data


def both(data: bytes) -> bytes:
    return BOM + crlf(data)


# name: (damage, the well-formed code, the cause, the command's form)
CASES: dict[str, tuple[Callable[[bytes], bytes], str, str, str]] = {
    "crlf": (crlf, "line-endings", CRLF_CAUSE, "(set -C; tr -d '\\r' < {src} > {out})"),
    "bom": (bom, "bom", BOM_CAUSE, "(set -C; tail -c +4 < {src} > {out})"),
    "both": (
        both,
        "bom",
        f"{BOM_CAUSE} and {CRLF_CAUSE}",
        "(set -C; tail -c +4 < {src} | tr -d '\\r' > {out})",
    ),
}


@pytest.fixture(params=["unsigned", "signed"])
def desk_and_record(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[Desk, Path]]:
    """A reviewer's desk and a valid record on it, signed by the trusted proposer or not."""
    for desk in open_desk(tmp_path):
        yield desk, desk.new(key="proposer" if request.param == "signed" else None)


def expected_command(case: str, source: str) -> str:
    _, _, _, form = CASES[case]
    return form.format(src=shlex.quote(source), out=shlex.quote(restored_path(source)))


def expected_message(case: str, source: str) -> str:
    """What read_layout says (one line, as show, sign, export and diff print it)."""
    _, _, cause, _ = CASES[case]
    return (
        f"{cause}: an editor or an e-mail program re-saved it; to restore the original bytes,"
        f" run: {expected_command(case, source)}"
    )


def run_in_shell(command: str, cwd: Path) -> None:
    subprocess.run(["sh", "-c", command], cwd=cwd, check=True, timeout=30)


def verifies(desk: Desk, path: Path, signed: bool) -> None:
    code, output = desk.verify(path, *(("--require", "signed") if signed else ()))
    assert code == 0, output
    assert "VALID" in output


# -- the refusal, the command, and the restored file -------------------------------------------


@pytest.mark.parametrize("case", sorted(CASES))
def test_the_refusal_names_the_cause_and_the_command_restores_the_record(
    desk_and_record: tuple[Desk, Path], case: str
) -> None:
    desk, record = desk_and_record
    original = record.read_bytes()
    damage, code, _, _ = CASES[case]
    record.write_bytes(damage(original))
    source = str(record)
    with pytest.raises(RecordError) as info:
        read_layout_advised(record.read_bytes(), source)
    assert (info.value.check, info.value.code) == ("well-formed", code)
    assert info.value.message == expected_message(case, source)
    command = info.value.message.split("run: ", 1)[1]
    restored = Path(restored_path(source))  # before the command takes the name
    run_in_shell(command, desk.root)
    assert restored.name == "r.restored.smcheck.toml"
    assert restored.read_bytes() == original
    verifies(desk, restored, signed=b"sshsig" in original)


@pytest.mark.parametrize("case", sorted(CASES))
def test_show_gives_the_command_for_a_changed_record(
    desk_and_record: tuple[Desk, Path], case: str
) -> None:
    _, record = desk_and_record
    record.write_bytes(CASES[case][0](record.read_bytes()))
    result = runner.invoke(app, ["show", str(record)])
    assert result.exit_code == 1
    assert expected_message(case, str(record)) in result.output.replace("\n", " ")


@pytest.mark.parametrize("case", sorted(CASES))
def test_verify_names_the_cause_and_the_command(
    desk_and_record: tuple[Desk, Path], case: str
) -> None:
    desk, record = desk_and_record
    original = record.read_bytes()
    record.write_bytes(CASES[case][0](original))
    code, output = desk.verify(record, "--json")
    assert code == 1
    (report,) = json.loads(output)
    failing = next(c for c in report["checks"] if c["status"] == "FAIL")
    assert (failing["check"], failing["code"]) == ("well-formed", CASES[case][1])
    _, _, cause, _ = CASES[case]
    # The message holds the command too: every view that shows it alone (status, show) has it.
    assert failing["message"] == (
        f"{cause}: an editor or an e-mail program re-saved it; to restore the original bytes,"
        f" run: {expected_command(case, str(record))}"
    )
    assert report["restore_command"] == expected_command(case, str(record))
    restored = Path(restored_path(str(record)))  # before the command takes the name
    run_in_shell(report["restore_command"], desk.root)
    verifies(desk, restored, signed=b"sshsig" in original)


@pytest.mark.parametrize("case", sorted(CASES))
def test_every_view_gives_the_command_and_the_text_report_prints_it_once(
    desk_and_record: tuple[Desk, Path], case: str
) -> None:
    desk, record = desk_and_record
    record.write_bytes(CASES[case][0](record.read_bytes()))
    command = expected_command(case, str(record))
    # The register gives it in its row (it used to point at "the command below", where none was).
    result = runner.invoke(
        app,
        ["status", str(record.parent), "--allowed-signers", str(desk.trust), "--format", "json"],
    )
    (row,) = [r for r in json.loads(result.output)["channels"] if r["path"] == str(record)]
    assert row["detail"].endswith(f"to restore the original bytes, run: {command}")
    # verify's text report says it once, on a line of its own, and points at it.
    code, output = desk.verify(record)
    assert code == 1
    assert output.count(command) == 1
    assert f"run: {command}\n" in output
    assert "run the command below" in " ".join(output.split())


# -- CRLF in the content only (the marker line intact): an integrity failure ----------------------


def crlf_content_only(data: bytes) -> bytes:
    start = data.index(MARKER)
    return crlf(data[:start]) + data[start:]


def test_crlf_in_the_content_only_is_restored_exactly(desk_and_record: tuple[Desk, Path]) -> None:
    desk, record = desk_and_record
    original = record.read_bytes()
    record.write_bytes(crlf_content_only(original))
    read_layout_advised(
        record.read_bytes(), str(record)
    )  # the layout reads: verify's integrity fails
    fix = restoration(record.read_bytes(), str(record))
    assert fix is not None and fix.intact
    assert fix.cause == CRLF_CAUSE
    assert fix.restored == original
    assert fix.command is not None
    run_in_shell(fix.command, desk.root)
    verifies(desk, Path(fix.output), signed=b"sshsig" in original)


def test_verify_gives_the_command_for_crlf_in_the_content_only(
    desk_and_record: tuple[Desk, Path],
) -> None:
    desk, record = desk_and_record
    signed = b"sshsig" in record.read_bytes()
    record.write_bytes(crlf_content_only(record.read_bytes()))
    code, output = desk.verify(record, "--json")
    assert code == 1
    (report,) = json.loads(output)
    failing = next(c for c in report["checks"] if c["status"] == "FAIL")
    # A signed record fails at its signature, checked before anything else; an unsigned one at its
    # digest. Either way the cause is named and the command given.
    expected = ("signature", "signature-broken") if signed else ("integrity", "digest-mismatch")
    assert (failing["check"], failing["code"]) == expected
    assert f"only {CRLF_CAUSE}, nothing else" in failing["message"]
    restored = Path(restored_path(str(record)))  # before the command takes the name
    command = f"(set -C; tr -d '\\r' < {shlex.quote(str(record))} > {shlex.quote(str(restored))})"
    assert report["restore_command"] == command
    run_in_shell(command, desk.root)
    verifies(desk, restored, signed=signed)


# -- no command where it would not restore a record --------------------------------------------


def test_no_command_when_undoing_would_not_give_a_record(
    desk_and_record: tuple[Desk, Path],
) -> None:
    _, record = desk_and_record
    data = crlf(record.read_bytes())
    truncated = data[:-20]  # CRLF, and cut short inside the signatures part
    assert restoration(truncated, "r.smcheck.toml") is None
    with pytest.raises(RecordError) as info:
        read_layout_advised(truncated, "r.smcheck.toml")
    assert info.value.code == "line-endings"
    assert "run:" not in info.value.message and "CRLF" in info.value.message


def test_no_command_for_a_stray_cr_or_an_undamaged_file(
    desk_and_record: tuple[Desk, Path],
) -> None:
    _, record = desk_and_record
    data = record.read_bytes()
    assert restoration(data, "r.smcheck.toml") is None  # nothing to undo
    stray = crlf(data).replace(b"\r\n", b"\r\r\n", 1)  # a CR that is not part of a CRLF
    assert restoration(stray, "r.smcheck.toml") is None
    # A BOM inside the file, not at its start: removing the first three bytes would not undo it.
    inner = data.replace(MARKER, MARKER + BOM)
    assert restoration(inner, "r.smcheck.toml") is None


def test_without_a_source_the_message_is_as_before(desk_and_record: tuple[Desk, Path]) -> None:
    _, record = desk_and_record
    with pytest.raises(RecordError) as info:
        read_layout(crlf(record.read_bytes()))
    assert info.value.message == (
        "the file's line endings were changed to CRLF (Windows); records must keep LF line endings"
    )


# -- the command for awkward names ---------------------------------------------------------------


@pytest.mark.parametrize(
    "name", ["-rf it's a record.smcheck.toml", "$(touch pwned).smcheck.toml", "plain.toml"]
)
def test_the_command_quotes_any_plain_name(desk_and_record: tuple[Desk, Path], name: str) -> None:
    desk, record = desk_and_record
    original = record.read_bytes()
    damaged = desk.root / name
    damaged.write_bytes(both(original))
    fix = restoration(damaged.read_bytes(), name)
    assert fix is not None and fix.command is not None
    run_in_shell(fix.command, desk.root)  # run where the file is, with the name as given
    assert (desk.root / fix.output).read_bytes() == original
    assert not (desk.root / "pwned").exists()
    assert fix.output.endswith(".restored.smcheck.toml")


def test_a_name_with_a_hidden_character_gets_no_command(
    desk_and_record: tuple[Desk, Path],
) -> None:
    _, record = desk_and_record
    fix = restoration(bom(record.read_bytes()), "r\x1b[2J.smcheck.toml")
    assert fix is not None and fix.command is None
    assert "rename the file to plain characters" in fix.advice


@pytest.mark.parametrize(
    ("source", "output"),
    [
        ("x.smcheck.toml", "x.restored.smcheck.toml"),
        ("inbox/x.smcheck.toml", "inbox/x.restored.smcheck.toml"),
        ("/tmp/x.toml", "/tmp/x.restored.smcheck.toml"),
        ("/x.smcheck.toml", "/x.restored.smcheck.toml"),
        ("record", "record.restored.smcheck.toml"),
        (".smcheck.toml", ".smcheck.restored.smcheck.toml"),
    ],
)
def test_the_restored_copy_is_beside_the_file_and_still_a_record(source: str, output: str) -> None:
    assert restored_path(source) == output


def test_the_commands() -> None:
    assert restore_command("a b", "c", bom=False, crlf=True) == "(set -C; tr -d '\\r' < 'a b' > c)"
    assert restore_command("a", "c", bom=True, crlf=False) == "(set -C; tail -c +4 < a > c)"
    assert (
        restore_command("a", "c", bom=True, crlf=True)
        == "(set -C; tail -c +4 < a | tr -d '\\r' > c)"
    )


# -- the command never overwrites a file, nor writes through a link (threat model item 25) --------


def run_in_bash(command: str, cwd: Path) -> int:
    return subprocess.run(["bash", "-c", command], cwd=cwd, check=False, timeout=30).returncode


@pytest.mark.parametrize("taken", ["file", "link", "dangling link"])
def test_the_command_writes_to_a_free_name_when_the_default_one_is_taken(
    desk_and_record: tuple[Desk, Path], taken: str
) -> None:
    desk, record = desk_and_record
    original = record.read_bytes()
    record.write_bytes(crlf(original))
    default = desk.root / "r.restored.smcheck.toml"
    victim = desk.root / "precious.txt"
    victim.write_bytes(b"someone else's file\n")
    if taken == "file":
        default.write_bytes(b"an older restored copy\n")
    elif taken == "link":
        default.symlink_to(victim)
    else:
        default.symlink_to(desk.root / "nowhere")
    code, output = desk.verify(record, "--json")
    assert code == 1
    (report,) = json.loads(output)
    free = desk.root / "r.restored-2.smcheck.toml"
    assert report["restore_command"] == (
        f"(set -C; tr -d '\\r' < {shlex.quote(str(record))} > {shlex.quote(str(free))})"
    )
    assert run_in_bash(report["restore_command"], desk.root) == 0
    assert free.read_bytes() == original
    verifies(desk, free, signed=b"sshsig" in original)
    assert victim.read_bytes() == b"someone else's file\n"
    if taken == "file":
        assert default.read_bytes() == b"an older restored copy\n"
    else:
        assert default.is_symlink()
    assert not (desk.root / "nowhere").exists()


def test_the_names_count_up_past_every_taken_one(tmp_path: Path, monkeypatch: MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert restored_path("x.smcheck.toml") == "x.restored.smcheck.toml"
    Path("x.restored.smcheck.toml").touch()
    Path("x.restored-2.smcheck.toml").symlink_to("nowhere")
    assert restored_path("x.smcheck.toml") == "x.restored-3.smcheck.toml"
    (tmp_path / "in").mkdir()
    Path("in/x.restored.smcheck.toml").touch()
    assert restored_path("in/x.smcheck.toml") == "in/x.restored-2.smcheck.toml"
    assert restored_path(str(tmp_path / "in/x.toml")) == str(
        tmp_path / "in/x.restored-2.smcheck.toml"
    )


@pytest.mark.parametrize("shell", ["bash", "sh"])
@pytest.mark.parametrize("case", sorted(CASES))
@pytest.mark.parametrize("planted", ["file", "link", "dangling link"])
def test_a_name_taken_after_the_command_was_given_is_refused_not_overwritten(
    desk_and_record: tuple[Desk, Path], shell: str, case: str, planted: str
) -> None:
    desk, record = desk_and_record
    original = record.read_bytes()
    record.write_bytes(CASES[case][0](original))
    fix = restoration(record.read_bytes(), str(record))
    assert fix is not None and fix.command is not None
    output = Path(fix.output)
    victim = desk.root / "precious.txt"
    victim.write_bytes(b"someone else's file\n")
    # Between the suggestion and the run, the name is taken: a race, or the command pasted twice.
    if planted == "file":
        output.write_bytes(b"made meanwhile\n")
    elif planted == "link":
        output.symlink_to(victim)
    else:
        output.symlink_to(desk.root / "nowhere")
    result = subprocess.run(
        [shell, "-c", fix.command], cwd=desk.root, check=False, timeout=30, capture_output=True
    )
    assert result.returncode != 0
    assert victim.read_bytes() == b"someone else's file\n"
    assert not (desk.root / "nowhere").exists()
    if planted == "file":
        assert output.read_bytes() == b"made meanwhile\n"
    else:
        assert output.is_symlink()
