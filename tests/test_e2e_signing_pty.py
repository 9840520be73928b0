"""End to end: keys, a signed record, two approvals and ``verify --require approved`` with the installed
``smcheck`` script, the interactive parts in a real pseudo-terminal (pexpect).

What only a terminal shows: ``keygen --passphrase`` asking twice without echo (and writing nothing when
the two differ), ``approve`` asking for the passphrase of a protected key, and the report as a reviewer
sees it. The record itself is made with ``new --answers`` (the interview is covered by
``test_e2e_pty``). Spawns are few: each costs about half a second.
"""

from __future__ import annotations

import os
import re
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from helpers.terminal import ENTER, Terminal, plain, smcheck_script, start_terminal

from smcheck.trust.keys import load_private_key
from smcheck.trust.wire import KeyProblem

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="needs a POSIX pseudo-terminal")

EXAMPLE_ANSWERS = (
    Path(__file__).resolve().parent.parent
    / "checklists"
    / "examples"
    / "essex-history-instagram.answers.toml"
)
PROPOSER, REVIEWER, ADVANCEMENT = "h.marsh@essex.ac.uk", "dmo@essex.ac.uk", "p.shah@essex.ac.uk"
PASSPHRASE = "correct horse battery staple"
_KEPT_OUT = frozenset(
    {"COLUMNS", "LINES", "FORCE_COLOR", "TTY_COMPATIBLE", "TTY_INTERACTIVE", "SMCHECK_DEBUG"}
    | {"SMCHECK_ALLOWED_SIGNERS"}
)


@pytest.mark.pty
@pytest.mark.timeout(120)
def test_keys_a_signed_record_two_approvals_and_verify_in_a_real_terminal(tmp_path: Path) -> None:
    work = tmp_path / "work"
    (work / "keys").mkdir(parents=True)
    env = {k: v for k, v in os.environ.items() if k not in _KEPT_OUT}
    env.update(
        PROMPT_TOOLKIT_NO_CPR="1",
        NO_COLOR="1",
        TERM="xterm",
        PYTHONUTF8="1",
        HOME=str(tmp_path),
        SMCHECK_CONFIG=str(tmp_path / "no-config.toml"),
        SMCHECK_DRAFTS=str(tmp_path / "drafts"),
    )
    spawned: list[Terminal] = []

    def spawn(*args: str) -> Terminal:
        spawned.append(start_terminal(args, env=env, cwd=work))
        return spawned[-1]

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [smcheck_script(), *args],
            capture_output=True,
            text=True,
            env=env,
            cwd=work,
            stdin=subprocess.DEVNULL,
            timeout=30,
            check=False,
        )

    try:
        # 1. The proposer's and the Advancement Office's keys, without a passphrase.
        lines: dict[str, str] = {}
        for name, email in (("proposer", PROPOSER), ("advancement", ADVANCEMENT)):
            made = run("keygen", "--output", f"keys/{name}", "--email", email)
            assert made.returncode == 0, made.stderr
            public = (work / "keys" / f"{name}.pub").read_text().split()
            assert public[2] == email
            # keygen prints the very line the reviewer adds to their trust file.
            line = f'{email} namespaces="smcheck-record" {public[0]} {public[1]}'
            assert line in made.stdout.splitlines(), made.stdout
            lines[name] = line

        # 2. The reviewer's key with a passphrase, typed twice at the terminal, never echoed.
        term = spawn("keygen", "--passphrase", "--output", "keys/reviewer", "--email", REVIEWER)
        term.answer("Passphrase for the new key:", PASSPHRASE + ENTER)
        term.answer("Same passphrase again:", PASSPHRASE + ENTER)
        assert term.finish() == 0, term.transcript
        assert PASSPHRASE not in term.transcript
        assert "Private key: keys/reviewer" in term.transcript
        reviewer_key = work / "keys" / "reviewer"
        assert stat.S_IMODE(reviewer_key.stat().st_mode) == 0o600
        assert reviewer_key.read_bytes().startswith(b"-----BEGIN OPENSSH PRIVATE KEY-----")
        with pytest.raises(KeyProblem, match="protected by a passphrase"):
            load_private_key(reviewer_key)
        load_private_key(reviewer_key, PASSPHRASE.encode())  # the passphrase typed unlocks it
        public = (work / "keys" / "reviewer.pub").read_text().split()
        lines["reviewer"] = f'{REVIEWER} namespaces="smcheck-approval" {public[0]} {public[1]}'
        lines["advancement"] = lines["advancement"].replace(
            "smcheck-record", "smcheck-cosign-advancement-office"
        )

        # Two passphrases that differ: refused, and no key (nor .pub) written.
        term = spawn("keygen", "--passphrase", "--output", "keys/typo")
        term.answer("Passphrase for the new key:", PASSPHRASE + ENTER)
        term.answer("Same passphrase again:", PASSPHRASE + "!" + ENTER)
        assert term.finish() == 2
        assert "the two passphrases differ; no key was written" in term.transcript
        assert sorted(p.name for p in (work / "keys").iterdir()) == [
            "advancement",
            "advancement.pub",
            "proposer",
            "proposer.pub",
            "reviewer",
            "reviewer.pub",
        ]

        trust = work / "allowed_signers"
        trust.write_text(
            "\n".join([lines["proposer"], lines["reviewer"], lines["advancement"]]) + "\n"
        )

        # 3. The proposer's signed record, in the terminal (the interview's own screens are covered
        #    by test_e2e_pty; here the answers come from the example file).
        term = spawn(
            "new", "--answers", str(EXAMPLE_ANSWERS), "--sign-with", "keys/proposer",
            "--output", "history.smcheck.toml",
        )  # fmt: skip
        term.expect("Record written: history.smcheck.toml")
        assert term.finish() == 0, term.transcript
        record = work / "history.smcheck.toml"
        assert b'role = "proposer"' in record.read_bytes()

        # 4. The reviewer approves: the protected key asks for its passphrase.
        term = spawn(
            "approve", "history.smcheck.toml", "--key", "keys/reviewer",
            "--allowed-signers", "allowed_signers", "--comment", "Good plan; launch when ready.",
        )  # fmt: skip
        # In a terminal, approve shows the record and asks first; the passphrase only on a yes.
        term.answer(
            "Approve history.smcheck.toml as the Digital Marketing Officer? [y/N]", "y" + ENTER
        )
        term.answer("Passphrase for keys/reviewer:", PASSPHRASE + ENTER)
        term.expect(f"Approved history.smcheck.toml as the Digital Marketing Officer ({REVIEWER}).")
        assert term.finish() == 0, term.transcript
        assert PASSPHRASE not in term.transcript

        # 5. The Advancement Office co-signs (its key has no passphrase: nothing is asked).
        term = spawn(
            "approve", "history.smcheck.toml", "--key", "keys/advancement",
            "--allowed-signers", "allowed_signers", "--role", "advancement-office",
        )  # fmt: skip
        term.answer("Approve history.smcheck.toml as the Advancement Office? [y/N]", "yes" + ENTER)
        term.expect(f"Approved history.smcheck.toml as the Advancement Office ({ADVANCEMENT}).")
        assert term.finish() == 0, term.transcript
        assert "Passphrase" not in term.transcript

        # 6. The reviewer's report, as the terminal shows it.
        term = spawn(
            "verify", "--allowed-signers", "allowed_signers", "--require", "approved",
            "history.smcheck.toml",
        )  # fmt: skip
        term.expect("=> VALID")
        assert term.finish() == 0, term.transcript
        report = term.transcript
        assert "INVALID" not in report and "FAIL" not in report and "WARN" not in report
        rows = {
            m.group(2): (m.group(1), m.group(3))
            for m in re.finditer(
                r"^ *(PASS|WARN|FAIL|SKIP|INFO) +(\S+(?: \S+)?) {2,}(.*)$", report, re.MULTILINE
            )
        }
        for check in ("well-formed", "answers", "outcome", "integrity", "signature", "approval"):
            assert rows[check][0] == "PASS", (check, report)
        assert rows["co-signatures"][0] == "PASS", report
        assert rows["signature"][1].startswith(f"signed by {PROPOSER} (key SHA256:")
        assert rows["signature"][1].endswith("): trusted")
        assert rows["approval"][1].startswith(f"approved by {REVIEWER} on ")
        assert rows["approval"][1].endswith(": Good plan; launch when ready.")
        assert f"the Advancement Office: approved by {ADVANCEMENT}" in rows["co-signatures"][1]
        assert record.read_bytes().count(b"[[signature]]") == 4  # digest, proposer, two approvals
    finally:
        for terminal in spawned:
            if terminal.child.isalive():
                terminal.child.terminate(force=True)
    assert "Traceback" not in plain("".join(t.log.getvalue() for t in spawned))
