"""``smcheck approve`` in a real terminal: each record's summary, then a yes/no question, before anything
is signed; several records in turn; ``--yes``; and, without a terminal, no question at all.

The installed command in a pseudo-terminal (pexpect), as a reviewer runs it. The records are made
in-process (``smcheck new --answers``), so only the approvals are spawned.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from helpers.desk import PROPOSER_EMAIL, Desk
from helpers.records import EXAMPLE_ANSWERS
from helpers.terminal import CTRL_C, ENTER, Terminal, smcheck_script, start_terminal

from smcheck.trust.keys import generate_key_pair

pytestmark = [
    pytest.mark.skipif(sys.platform == "win32", reason="needs a POSIX pseudo-terminal"),
    pytest.mark.pty,
]

REVIEWER = "dmo@essex.ac.uk"
PASSPHRASE = "a long and careful passphrase"
QUESTION = "as the Digital Marketing Officer? [y/N]"

WARNED = (
    EXAMPLE_ANSWERS.read_text(encoding="utf-8")
    # 1.3.0: nobody named as having agreed the marketing use, nor a deputy, fills in "agreed?" and
    # "a deputy?" as no; "will you tell them?" is then asked (yes), and the cover plan.
    .replace(
        'kinds = ["marketing", "students", "alumni"]',
        'kinds = ["marketing", "students", "alumni"]\nstudents_monitoring = true',
    )
    .replace("accepts = true", 'accepts = true\ncover_plan = "The head of department covers."')
)
"""Two warnings: marketing not agreed (no explanation asked) and no deputy (explained)."""
WARNED = "\n".join(
    line
    for line in WARNED.splitlines()
    if not line.startswith(("deputy_name", "deputy_email", "marketing_contact"))
)


@pytest.fixture
def desk(tmp_path: Path) -> Desk:
    """Keys (the reviewer's with a passphrase, made here), a trust file, and records to approve."""
    root = tmp_path / "work"
    root.mkdir()
    desk = Desk(root)
    desk.key("proposer")
    (root / "keys" / "reviewer").parent.mkdir(exist_ok=True)
    generate_key_pair(root / "keys" / "reviewer", passphrase=PASSPHRASE.encode(), comment="r")
    desk.keys["reviewer"] = root / "keys" / "reviewer"
    desk.key("advancement")
    desk.trust_line(PROPOSER_EMAIL, "proposer", 'namespaces="smcheck-record"')
    desk.trust_line(REVIEWER, "reviewer", 'namespaces="smcheck-approval"')
    desk.trust_line(
        "p.shah@essex.ac.uk", "advancement", 'namespaces="smcheck-cosign-advancement-office"'
    )
    (root / "warned.answers.toml").write_text(WARNED + "\n", encoding="utf-8")
    return desk


def _approve(desk: Desk, env: dict[str, str], *args: str) -> Terminal:
    return start_terminal(
        ["approve", "--key", "keys/reviewer", "--allowed-signers", "allowed_signers", *args],
        env=env,
        cwd=desk.root,
    )


def _decisions(record: Path) -> int:
    return record.read_bytes().count(b'role = "reviewer"')


@pytest.mark.timeout(60)
def test_approve_shows_the_record_then_asks_and_signs_on_yes(
    desk: Desk, env: dict[str, str]
) -> None:
    record = desk.new("--answers", str(desk.root / "warned.answers.toml"), output="w.smcheck.toml")
    term = _approve(desk, env, "w.smcheck.toml")
    shown = term.answer(f"Approve w.smcheck.toml {QUESTION}", "y" + ENTER)
    # The summary, every line of it verify's: channel, department, findings with the proposer's
    # explanation, the proposer's signature, the decisions and co-signatures present and missing.
    lines = [line.strip() for line in shown.splitlines()]
    assert "w.smcheck.toml" in lines
    assert "Channel: Instagram, Essex History, @essexhistory" in lines
    assert "Department: Department of History" in lines
    assert "Findings: ready, with 2 warnings for the reviewer" in lines
    assert any(
        line.startswith("- administrator.no-deputy: No one can look after") for line in lines
    )
    assert "the proposer explains: The head of department covers." in lines
    assert any(
        line.startswith("- uses.marketing-not-agreed: The channel's marketing") for line in lines
    )
    assert shown.count("uses.marketing-not-agreed") == 1  # each warning once
    assert any(line.startswith(f"Signed: signed by {PROPOSER_EMAIL}") for line in lines)
    assert "Approval: not approved yet" in lines
    assert any(
        line.startswith("Co-signatures: awaiting the Advancement Office's co-signature")
        for line in lines
    )
    assert "Stands: awaiting the Digital Marketing Officer and the Advancement Office" in lines
    assert _decisions(record) == 0  # nothing is signed before the answer
    term.answer("Passphrase for keys/reviewer:", PASSPHRASE + ENTER)
    term.expect(f"Approved w.smcheck.toml as the Digital Marketing Officer ({REVIEWER}).")
    assert term.finish() == 0, term.transcript
    assert _decisions(record) == 1
    assert "Traceback" not in term.transcript


@pytest.mark.timeout(60)
def test_no_an_empty_answer_and_ctrl_c_write_nothing(desk: Desk, env: dict[str, str]) -> None:
    record = desk.new()
    # A co-signer's comment is untrusted text: the summary shows it as itself, never interpreted.
    hostile = "[b]ok[/]\x1b[31mRED\u202egnp"
    code, out = desk.approve(
        record, "advancement", "--role", "advancement-office", "--comment", hostile
    )
    assert code == 0, out
    before = record.read_bytes()
    term = _approve(desk, env, "r.smcheck.toml")
    shown = term.answer(f"Approve r.smcheck.toml {QUESTION}", "n" + ENTER)
    term.expect("Nothing decided on r.smcheck.toml.")
    assert term.finish() == 1, term.transcript
    assert "\x1b[31m" not in term.log.getvalue() and "\u202e" not in term.log.getvalue()
    assert "[b]ok[/]\\x1b[31mRED\\u202egnp" in shown.replace("\n", "")
    # Only whole words count; asked again until one is given; an empty answer is no.
    term = _approve(desk, env, "r.smcheck.toml")
    term.answer(f"Approve r.smcheck.toml {QUESTION}", "maybe" + ENTER)
    term.answer("Please answer y (yes) or n (no).", ENTER)
    term.expect("Nothing decided on r.smcheck.toml.")
    assert term.finish() == 1, term.transcript
    assert "Passphrase" not in term.transcript  # a no never asks for the key
    assert record.read_bytes() == before
    term = _approve(desk, env, "--decision", "rejected", "--comment", "No", "r.smcheck.toml")
    term.answer(f"Reject r.smcheck.toml {QUESTION}", CTRL_C)
    term.expect("Stopped: nothing decided on r.smcheck.toml.")
    assert term.finish() == 130, term.transcript
    assert record.read_bytes() == before


@pytest.mark.timeout(60)
def test_several_records_in_turn_one_passphrase_and_a_summary(
    desk: Desk, env: dict[str, str]
) -> None:
    first, second, third = (desk.new(output=f"{name}.smcheck.toml") for name in "abc")
    unsigned = desk.new(key=None, output="u.smcheck.toml")
    kept = {path: path.read_bytes() for path in (second, unsigned)}
    term = _approve(desk, env, *(p.name for p in (first, unsigned, second, third)))
    term.answer(f"Approve a.smcheck.toml {QUESTION}", "yes" + ENTER)
    term.answer("Passphrase for keys/reviewer:", PASSPHRASE + ENTER)
    term.expect("Approved a.smcheck.toml as the Digital Marketing Officer")
    # The unsigned record is refused with its reason; the run goes on to the next.
    term.expect("u.smcheck.toml is not signed by its proposer")
    term.answer(f"Approve b.smcheck.toml {QUESTION}", "n" + ENTER)
    term.expect("Nothing decided on b.smcheck.toml.")
    term.answer(f"Approve c.smcheck.toml {QUESTION}", "y" + ENTER)
    term.expect("Approved c.smcheck.toml as the Digital Marketing Officer")
    term.expect("Approved 2 of 4 records; 1 declined; 1 refused")
    assert term.finish() == 1, term.transcript
    assert term.transcript.count("Passphrase for keys/reviewer:") == 1  # the key is unlocked once
    assert _decisions(first) == 1 and _decisions(third) == 1
    assert all(path.read_bytes() == data for path, data in kept.items())


@pytest.mark.timeout(60)
def test_yes_skips_the_question_and_the_summary(desk: Desk, env: dict[str, str]) -> None:
    records = [desk.new(output=f"{name}.smcheck.toml") for name in "ab"]
    term = _approve(desk, env, "--yes", "a.smcheck.toml", "b.smcheck.toml")
    term.answer("Passphrase for keys/reviewer:", PASSPHRASE + ENTER)
    term.expect("Approved 2 of 2 records")
    assert term.finish() == 0, term.transcript
    assert "[y/N]" not in term.transcript and "Findings:" not in term.transcript
    assert all(_decisions(r) == 1 for r in records)


def test_without_a_terminal_it_decides_without_asking(desk: Desk, env: dict[str, str]) -> None:
    """Scripts see today's behaviour: no summary, no question; several records go in turn."""
    plain = Desk(desk.root)  # the same folder; a key without a passphrase for a script
    plain.key("script")
    plain.lines = list(desk.lines)
    plain.trust_line(REVIEWER, "script", 'namespaces="smcheck-approval"')
    records = [desk.new(output=f"{name}.smcheck.toml") for name in "ab"]
    done = subprocess.run(
        [
            smcheck_script(),
            "approve",
            "--key",
            "keys/script",
            "--allowed-signers",
            "allowed_signers",
        ]
        + [r.name for r in records],
        cwd=desk.root,
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout == ""
    assert done.stderr.splitlines() == [
        f"Approved a.smcheck.toml as the Digital Marketing Officer ({REVIEWER}).",
        "The record now stands: awaiting the Advancement Office.",
        f"Approved b.smcheck.toml as the Digital Marketing Officer ({REVIEWER}).",
        "The record now stands: awaiting the Advancement Office.",
        "Approved 2 of 2 records",
    ]
    assert all(_decisions(r) == 1 for r in records)
