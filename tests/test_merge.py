"""smcheck merge, and copies of one record signed by different people judged as one (issue 16, point 6).

The records are made once for the module: one signed record, copied, each copy decided on by another
person; every test works on copies of those files in a folder of its own.
"""

from __future__ import annotations

import itertools
import json
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from helpers.desk import Desk, open_desk, runner

from smcheck.cli import app
from smcheck.layout import MARKER, read_layout, render_seals

Copies = dict[str, Path]


@pytest.fixture(scope="module")
def made(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Desk, Copies]]:
    """The desk, and copies of one record: ``reviewer`` (approved by the reviewer), ``cosigned``
    (approved by the Advancement Office), ``rejected`` (rejected by the reviewer), ``broken`` (the
    reviewer's copy with its decision's signature changed), ``other`` (another record)."""
    root = tmp_path_factory.mktemp("merge")
    for desk in open_desk(root):
        record = desk.new(output="sent.smcheck.toml")
        copies: Copies = {}
        for name in ("reviewer", "cosigned", "rejected"):
            copies[name] = root / f"{name}.smcheck.toml"
            shutil.copyfile(record, copies[name])
        assert desk.approve(copies["reviewer"], "reviewer")[0] == 0
        assert (
            desk.approve(copies["cosigned"], "advancement", "--role", "advancement-office")[0] == 0
        )
        assert desk.approve(copies["rejected"], "reviewer", "--decision", "rejected")[0] == 0
        data = copies["reviewer"].read_bytes()
        _, seals = read_layout(data)
        blob = seals[-1].sshsig
        assert blob is not None
        tampered = blob[:-8] + ("A" if blob[-8] != "A" else "B") + blob[-7:]
        copies["broken"] = root / "broken.smcheck.toml"
        copies["broken"].write_bytes(data.replace(blob.encode(), tampered.encode()))
        copies["other"] = desk.new(output="other.smcheck.toml")
        yield desk, copies


@pytest.fixture
def here(made: tuple[Desk, Copies], tmp_path: Path) -> Iterator[tuple[Desk, Copies]]:
    """The module's copies in this test's own folder (the current folder while it runs)."""
    desk, copies = made
    local = {name: tmp_path / path.name for name, path in copies.items()}
    for name, path in copies.items():
        shutil.copyfile(path, local[name])
    old = Path.cwd()
    os.chdir(tmp_path)
    yield desk, local
    os.chdir(old)


def merge(desk: Desk, *args: str | Path) -> tuple[int, str]:
    result = runner.invoke(
        app, ["merge", "--allowed-signers", str(desk.trust), *(str(a) for a in args)]
    )
    return result.exit_code, result.output


def one_line(output: str) -> str:
    return " ".join(output.split())


def test_a_reviewers_copy_and_a_cosigned_copy_merge_into_one_approved_record(
    here: tuple[Desk, Copies], tmp_path: Path
) -> None:
    desk, copies = here
    out = tmp_path / "merged.smcheck.toml"
    code, output = merge(desk, copies["reviewer"], copies["cosigned"], "--output", out)
    assert code == 0, output
    assert "The record now stands: approved." in one_line(output)
    code, output = desk.verify(out, "--require", "approved")
    assert code == 0, output
    # smcheck's own order: digest, proposer, reviewer, co-signer; the content untouched.
    content, seals = read_layout(out.read_bytes())
    assert [(s.method, s.role) for s in seals] == [
        ("sha256", None),
        ("sshsig", "proposer"),
        ("sshsig", "reviewer"),
        ("sshsig", "advancement-office"),
    ]
    assert content == read_layout(copies["reviewer"].read_bytes())[0]


def test_the_order_of_the_copies_changes_nothing(here: tuple[Desk, Copies], tmp_path: Path) -> None:
    desk, copies = here
    written = set()
    for number, pair in enumerate(itertools.permutations([copies["cosigned"], copies["reviewer"]])):
        out = tmp_path / f"m{number}.smcheck.toml"
        assert merge(desk, *pair, "-o", out)[0] == 0
        written.add(out.read_bytes())
    assert len(written) == 1
    results = {
        one_line(merge(desk, *pair, "-o", tmp_path / "x.smcheck.toml")[1])
        for pair in itertools.permutations([copies["reviewer"], copies["rejected"]])
    }
    assert len(results) == 1  # the same refusal, word for word


def test_a_signature_in_two_copies_is_kept_once(here: tuple[Desk, Copies], tmp_path: Path) -> None:
    desk, copies = here
    twin = tmp_path / "twin.smcheck.toml"
    shutil.copyfile(copies["reviewer"], twin)
    out = tmp_path / "m.smcheck.toml"
    code, output = merge(desk, copies["reviewer"], twin, copies["cosigned"], "-o", out)
    assert code == 0, output
    _, seals = read_layout(out.read_bytes())
    assert [s.role for s in seals if s.method == "sshsig"] == [
        "proposer",
        "reviewer",
        "advancement-office",
    ]
    assert sum(s.method == "sha256" for s in seals) == 1


def test_copies_whose_content_differs_are_refused_naming_the_line(
    here: tuple[Desk, Copies], tmp_path: Path
) -> None:
    desk, copies = here
    out = tmp_path / "m.smcheck.toml"
    code, output = merge(desk, copies["reviewer"], copies["other"], "-o", out)
    assert code == 1
    # The two records differ first at their ids ([record] id = ...), line 6 of the content.
    content = read_layout(copies["reviewer"].read_bytes())[0].split(b"\n")
    line = 1 + next(
        i
        for i, (a, b) in enumerate(
            zip(content, read_layout(copies["other"].read_bytes())[0].split(b"\n"), strict=False)
        )
        if a != b
    )
    assert (
        f"smcheck: error: other.smcheck.toml and reviewer.smcheck.toml are not copies of one"
        f" record: their signed content differs from line {line}; nothing was merged"
    ) in one_line(output).replace(str(tmp_path) + "/", "")
    assert not out.exists()


def test_different_decisions_by_one_role_are_a_conflict_never_resolved(
    here: tuple[Desk, Copies], tmp_path: Path
) -> None:
    desk, copies = here
    out = tmp_path / "m.smcheck.toml"
    code, output = merge(desk, copies["rejected"], copies["reviewer"], "-o", out)
    assert code == 1
    text = one_line(output).replace(str(tmp_path) + "/", "")
    assert "smcheck: error: the copies carry different decisions as " in text
    assert "approved by dmo@essex.ac.uk on " in text and " in reviewer.smcheck.toml" in text
    assert "rejected by dmo@essex.ac.uk on " in text and " in rejected.smcheck.toml" in text
    assert "a conflict: nothing was merged" in text
    assert not out.exists()


def test_a_copy_with_a_broken_signature_is_refused_not_dropped(
    here: tuple[Desk, Copies], tmp_path: Path
) -> None:
    desk, copies = here
    out = tmp_path / "m.smcheck.toml"
    code, output = merge(desk, copies["cosigned"], copies["broken"], "-o", out)
    assert code == 1
    text = one_line(output).replace(str(tmp_path) + "/", "")
    assert "smcheck: error: broken.smcheck.toml does not verify (approval: " in text
    assert "nothing was merged" in text
    assert not out.exists()


def test_an_existing_output_or_a_link_is_refused_without_force(
    here: tuple[Desk, Copies], tmp_path: Path
) -> None:
    desk, copies = here
    pair = (copies["reviewer"], copies["cosigned"])
    existing = tmp_path / "exists.smcheck.toml"
    existing.write_text("mine\n")
    code, output = merge(desk, *pair, "-o", existing)
    assert code == 1 and "exists" in output
    assert existing.read_text() == "mine\n"
    target = tmp_path / "target"
    target.write_text("theirs\n")
    link = tmp_path / "link.smcheck.toml"
    link.symlink_to(target)
    code, output = merge(desk, *pair, "-o", link)
    assert code == 1
    assert target.read_text() == "theirs\n" and link.is_symlink()
    assert merge(desk, *pair, "-o", existing, "--force")[0] == 0
    assert desk.verify(existing, "--require", "approved")[0] == 0


def test_a_private_copy_stays_private(here: tuple[Desk, Copies], tmp_path: Path) -> None:
    desk, copies = here
    copies["reviewer"].chmod(0o600)
    out = tmp_path / "m.smcheck.toml"
    assert merge(desk, copies["reviewer"], copies["cosigned"], "-o", out)[0] == 0
    assert out.stat().st_mode & 0o077 == 0


def test_one_copy_is_a_usage_error(here: tuple[Desk, Copies], tmp_path: Path) -> None:
    desk, copies = here
    code, output = merge(desk, copies["reviewer"], "-o", tmp_path / "m.smcheck.toml")
    assert code == 2
    assert "give at least two copies of the record to merge" in output


def _folder(tmp_path: Path, *paths: Path) -> Path:
    folder = tmp_path / "register"
    folder.mkdir()
    for path in paths:
        shutil.copyfile(path, folder / path.name)
    return folder


def status(desk: Desk, folder: Path) -> tuple[int, list[dict[str, object]]]:
    result = runner.invoke(
        app, ["status", "--json", "--allowed-signers", str(desk.trust), str(folder)]
    )
    return result.exit_code, json.loads(result.stdout)["channels"]


def test_status_judges_copies_together_as_approved_naming_both(
    here: tuple[Desk, Copies], tmp_path: Path
) -> None:
    desk, copies = here
    folder = _folder(tmp_path, copies["reviewer"], copies["cosigned"])
    code, rows = status(desk, folder)
    assert code == 0
    assert len(rows) == 1
    row = rows[0]
    assert row["state"] == "approved"
    notes = row["notes"]
    assert isinstance(notes, list)
    said = " ".join([str(row["path"]), *notes])
    assert "cosigned.smcheck.toml" in said and "reviewer.smcheck.toml" in said
    assert (
        f"smcheck merge {folder}/cosigned.smcheck.toml {folder}/reviewer.smcheck.toml --output"
        f" {folder}/cosigned.merged.smcheck.toml" in said
    )


def test_status_shows_a_conflict_between_copies(here: tuple[Desk, Copies], tmp_path: Path) -> None:
    desk, copies = here
    folder = _folder(tmp_path, copies["rejected"], copies["reviewer"], copies["cosigned"])
    code, rows = status(desk, folder)
    assert code == 1
    conflict = [r for r in rows if "a conflict" in str(r["detail"])]
    assert len(conflict) == 1 and conflict[0]["state"] == "invalid"
    assert "different decisions as " in str(conflict[0]["detail"])
    assert not any(r["state"] == "approved" for r in rows)


def test_status_shows_a_tampered_copy_invalid_beside_the_union(
    here: tuple[Desk, Copies], tmp_path: Path
) -> None:
    desk, copies = here
    folder = _folder(tmp_path, copies["broken"], copies["cosigned"], copies["reviewer"])
    code, rows = status(desk, folder)
    assert code == 1
    states = {Path(str(r["path"])).name: r["state"] for r in rows}
    # The two good copies together are approved; the tampered one is not dropped into them.
    assert states == {"broken.smcheck.toml": "invalid", "cosigned.smcheck.toml": "approved"}


def test_status_is_the_same_whatever_the_order_found(
    here: tuple[Desk, Copies], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import smcheck.fsutil

    desk, copies = here
    folder = _folder(tmp_path, copies["reviewer"], copies["cosigned"], copies["rejected"])
    real = smcheck.fsutil.find_files
    seen = []
    for flip in (False, True):

        def found(*args: object, flip: bool = flip, **kwargs: object) -> list[Any]:
            items = list(real(*args, **kwargs))  # type: ignore[arg-type]
            return items[::-1] if flip else items

        monkeypatch.setattr("smcheck.commands.status.find_files", found)
        seen.append(status(desk, folder))
    assert seen[0] == seen[1]
    assert [r["state"] for r in seen[0][1]] == ["invalid"]  # the conflict, whichever came first


def verify_folder(desk: Desk, folder: Path) -> tuple[int, str]:
    result = runner.invoke(app, ["verify", "--allowed-signers", str(desk.trust), str(folder)])
    return result.exit_code, result.output


def test_verify_folder_report_names_both_copies_and_their_union(
    here: tuple[Desk, Copies], tmp_path: Path
) -> None:
    desk, copies = here
    folder = _folder(tmp_path, copies["reviewer"], copies["cosigned"])
    code, output = verify_folder(desk, folder)
    assert code == 0, output
    text = one_line(output)
    assert (
        f"{folder}/cosigned.smcheck.toml + {folder}/reviewer.smcheck.toml: copies of one record,"
        " judged together: approved" in text
    )
    assert f"smcheck merge {folder}/cosigned.smcheck.toml {folder}/reviewer.smcheck.toml" in text


def test_verify_folder_report_shows_a_conflict_between_copies(
    here: tuple[Desk, Copies], tmp_path: Path
) -> None:
    desk, copies = here
    folder = _folder(tmp_path, copies["reviewer"], copies["rejected"])
    code, output = verify_folder(desk, folder)
    assert code == 1, output
    text = one_line(output)
    assert "copies of one record, judged together: INVALID: different decisions as " in text
    assert "a conflict" in text


def test_every_format_of_verify_fails_a_conflict_between_copies(
    here: tuple[Desk, Copies], tmp_path: Path
) -> None:
    desk, copies = here
    folder = _folder(tmp_path, copies["reviewer"], copies["rejected"])
    trust = ["--allowed-signers", str(desk.trust)]
    quiet = runner.invoke(app, ["verify", "--quiet", *trust, str(folder)])
    assert quiet.exit_code == 1
    assert quiet.stdout == (
        f"INVALID {folder}/rejected.smcheck.toml + {folder}/reviewer.smcheck.toml: fails approval"
        " (copies in conflict)\n"
    )
    as_json = runner.invoke(app, ["verify", "--json", *trust, str(folder)])
    assert as_json.exit_code == 1
    codes = [[w["code"] for w in r["warnings"]] for r in json.loads(as_json.stdout)]
    assert all("copies-conflict" in c for c in codes) and len(codes) == 2
    assert runner.invoke(app, ["verify", "--jsonl", *trust, str(folder)]).exit_code == 1


def test_junit_fails_each_copy_in_conflict_and_notes_copies_together(
    here: tuple[Desk, Copies], tmp_path: Path
) -> None:
    import xml.etree.ElementTree as ET

    desk, copies = here
    trust = ["--allowed-signers", str(desk.trust)]
    (tmp_path / "conflict").mkdir()
    (tmp_path / "together").mkdir()
    conflict = _folder(tmp_path / "conflict", copies["reviewer"], copies["rejected"])
    result = runner.invoke(app, ["verify", "--format", "junit", *trust, str(conflict)])
    assert result.exit_code == 1
    suite = ET.fromstring(result.stdout_bytes).find("testsuite")
    assert suite is not None and (suite.get("tests"), suite.get("failures")) == ("2", "2")
    for case in suite.findall("testcase"):
        failure = case.find("failure")
        assert failure is not None and failure.get("type") == "copies-conflict"
        assert (failure.get("message") or "").startswith(
            "copies of one record in conflict: different decisions as "
        )
    together = _folder(tmp_path / "together", copies["reviewer"], copies["cosigned"])
    result = runner.invoke(app, ["verify", "--format", "junit", *trust, str(together)])
    assert result.exit_code == 0
    suite = ET.fromstring(result.stdout_bytes).find("testsuite")
    assert suite is not None and (suite.get("tests"), suite.get("failures")) == ("2", "0")
    for case in suite.findall("testcase"):
        out = case.findtext("system-out") or ""
        assert "judged together: approved; to make one file of them: smcheck merge " in out


def test_verify_json_says_what_copies_are_together(
    here: tuple[Desk, Copies], tmp_path: Path
) -> None:
    desk, copies = here
    folder = _folder(tmp_path, copies["reviewer"], copies["cosigned"])
    result = runner.invoke(
        app, ["verify", "--json", "--allowed-signers", str(desk.trust), str(folder)]
    )
    assert result.exit_code == 0
    together = [
        w
        for r in json.loads(result.stdout)
        for w in r["warnings"]
        if w["code"] == "copies-together"
    ]
    assert len(together) == 2 and {w["state"] for w in together} == {"approved"}


def test_an_unsigned_copy_is_not_merged_with_a_signed_one(
    here: tuple[Desk, Copies], tmp_path: Path
) -> None:
    desk, copies = here
    content, seals = read_layout(copies["reviewer"].read_bytes())
    unsigned = tmp_path / "unsigned.smcheck.toml"
    # The content and its digest, without the proposer's signature or any decision.
    unsigned.write_bytes(
        content + MARKER + render_seals([s for s in seals if s.method == "sha256"])
    )
    assert desk.verify(unsigned)[0] == 0
    code, output = merge(desk, copies["reviewer"], unsigned, "-o", tmp_path / "m.smcheck.toml")
    assert code == 1
    assert "carry different proposer signatures over the same content (or only one is signed)" in (
        one_line(output)
    )


def test_copies_that_together_would_not_verify_are_refused_and_shown_invalid(
    here: tuple[Desk, Copies], tmp_path: Path
) -> None:
    """One person deciding as the reviewer on one copy and as the co-signer on another: each copy
    alone verifies; together they do not (one person, two roles), so no merge is written or
    suggested."""
    desk, copies = here
    public = " ".join((desk.root / "keys" / "reviewer.pub").read_text().split()[:2])
    trust = tmp_path / "two_roles"
    trust.write_text(
        desk.trust.read_text()
        + f'dmo@essex.ac.uk namespaces="smcheck-cosign-advancement-office" {public}\n'
    )
    second = tmp_path / "second.smcheck.toml"
    shutil.copyfile(desk.root / "sent.smcheck.toml", second)
    result = runner.invoke(
        app,
        [
            "approve",
            str(second),
            "--key",
            str(desk.keys["reviewer"]),
            "--role",
            "advancement-office",
            "--allowed-signers",
            str(trust),
        ],
    )
    assert result.exit_code == 0, result.output
    out = tmp_path / "m.smcheck.toml"
    pair = (copies["reviewer"], second)
    result = runner.invoke(
        app, ["merge", "--allowed-signers", str(trust), *map(str, pair), "-o", str(out)]
    )
    assert result.exit_code == 1
    assert "the copies together would not verify (co-signatures: the same person decided as" in (
        one_line(result.output)
    )
    assert not out.exists()
    folder = _folder(tmp_path, *pair)
    result = runner.invoke(app, ["status", "--json", "--allowed-signers", str(trust), str(folder)])
    assert result.exit_code == 1
    rows = json.loads(result.stdout)["channels"]
    assert [r["state"] for r in rows] == ["invalid"]
    assert "smcheck merge" not in " ".join(rows[0]["notes"])
    assert "same record as " in " ".join(rows[0]["notes"])


def test_the_suggested_merge_works_as_typed_for_a_name_starting_with_a_dash(
    here: tuple[Desk, Copies], tmp_path: Path
) -> None:
    """status names the copies and the command that merges them; for a file named like an option the
    command still names the file (./-...), and run as printed it writes the merged record."""
    import shlex

    desk, copies = here
    shutil.copyfile(copies["reviewer"], tmp_path / "-r.smcheck.toml")
    shutil.copyfile(copies["cosigned"], tmp_path / "c.smcheck.toml")
    result = runner.invoke(
        app,
        [
            "status",
            "--json",
            "--allowed-signers",
            str(desk.trust),
            "--",
            "-r.smcheck.toml",
            "c.smcheck.toml",
        ],
    )
    assert result.exit_code == 0, result.output
    (row,) = json.loads(result.stdout)["channels"]
    assert row["state"] == "approved"
    note = next(n for n in row["notes"] if "smcheck merge" in n)
    command = note[note.index("smcheck merge") :]
    assert command == (
        "smcheck merge ./-r.smcheck.toml c.smcheck.toml --output ./-r.merged.smcheck.toml"
    )
    words = shlex.split(command)[2:]
    code, output = merge(desk, *words)
    assert code == 0, output
    assert desk.verify(tmp_path / "-r.merged.smcheck.toml", "--require", "approved")[0] == 0


def test_hostile_copies_are_refused_in_one_line_never_a_crash(
    here: tuple[Desk, Copies], tmp_path: Path
) -> None:
    """A copy changed anywhere (a byte flipped, cut short, markup or escapes added, its trailer
    rewritten): merge exits 0 with a record that verifies, or refuses (1 or 2) without a traceback and
    without writing."""
    import random

    desk, copies = here
    data = copies["reviewer"].read_bytes()
    rng = random.Random(16)
    mutants = [data[: rng.randrange(len(data))] for _ in range(4)] + [
        data.replace(b"dmo@essex.ac.uk", b"[bold red]x[/]\x1b]8;;http://x\x07\xe2\x80\xae", 1),
        data + b'\n[[signature]]\nmethod = "sha256"\ndigest = "' + b"0" * 64 + b'"\n',
        data.replace(b"\n", b"\r\n"),
        b"\xef\xbb\xbf" + data,
        data + b"\n[answers]\nx = 1\n",
    ]
    for _ in range(12):
        at = rng.randrange(len(data))
        mutants.append(data[:at] + bytes([data[at] ^ (1 << rng.randrange(8))]) + data[at + 1 :])
    out = tmp_path / "m.smcheck.toml"
    for number, mutant in enumerate(mutants):
        copy = tmp_path / f"mutant{number}.smcheck.toml"
        copy.write_bytes(mutant)
        code, output = merge(desk, copy, copies["cosigned"], "-o", out)
        assert code in (0, 1, 2), (number, output)
        assert "Traceback" not in output and "\x1b" not in output, (number, output)
        if code == 0:
            assert desk.verify(out, "--require", "approved")[0] == 0, number
            out.unlink()
        else:
            assert output.startswith("smcheck: error: "), (number, output)
            assert not out.exists(), number
