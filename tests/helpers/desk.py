"""The reviewer's desk the signing tests share: keys made by ``smcheck keygen``'s own function, a trust
file, signed records made with ``smcheck new --answers``, and reading one row of a verify report."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path

from typer.testing import CliRunner

from helpers.records import EXAMPLE_ANSWERS
from smcheck.cli import app
from smcheck.trust.keys import generate_key_pair

runner = CliRunner()
PROPOSER_EMAIL = "h.marsh@essex.ac.uk"  # the example's sign-off email


class Desk:
    """A folder with keys, a trust file and a signed record: the reviewer's desk."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.keys: dict[str, Path] = {}
        self.lines: list[str] = []
        self.trust = root / "allowed_signers"

    def key(self, name: str) -> Path:
        path = self.root / "keys" / name
        path.parent.mkdir(exist_ok=True)
        public = generate_key_pair(path, passphrase=None, comment=name)
        self.keys[name] = path
        self._public = public
        return path

    def trust_line(self, principal: str, name: str, options: str) -> None:
        public = (self.root / "keys" / f"{name}.pub").read_text().split()
        self.lines.append(f"{principal} {options} {public[0]} {public[1]}")
        self.trust.write_text("\n".join(self.lines) + "\n")

    def new(
        self, *extra: str, key: str | None = "proposer", output: str = "r.smcheck.toml"
    ) -> Path:
        args = ["new", "--answers", str(EXAMPLE_ANSWERS), "--output", str(self.root / output)]
        if key:
            args += ["--sign-with", str(self.keys[key])]
        result = runner.invoke(app, [*args, *extra])
        assert result.exit_code == 0, result.output
        return self.root / output

    def verify(self, record: Path, *extra: str) -> tuple[int, str]:
        result = runner.invoke(
            app, ["verify", "--allowed-signers", str(self.trust), *extra, str(record)]
        )
        return result.exit_code, result.output

    def approve(self, record: Path, key: str, *extra: str) -> tuple[int, str]:
        result = runner.invoke(
            app,
            [
                "approve",
                str(record),
                "--key",
                str(self.keys[key]),
                "--allowed-signers",
                str(self.trust),
                *extra,
            ],
        )
        return result.exit_code, result.output


def open_desk(tmp_path: Path) -> Iterator[Desk]:
    """A desk with the proposer's, the reviewer's, the Advancement Office's and an attacker's keys; the
    first three trusted. Works in tmp_path (the current folder) while it is open."""
    desk = Desk(tmp_path)
    desk.key("proposer")
    desk.key("reviewer")
    desk.key("advancement")
    desk.key("attacker")
    desk.trust_line(PROPOSER_EMAIL, "proposer", 'namespaces="smcheck-record"')
    desk.trust_line("dmo@essex.ac.uk", "reviewer", 'namespaces="smcheck-approval"')
    desk.trust_line(
        "p.shah@essex.ac.uk", "advancement", 'namespaces="smcheck-cosign-advancement-office"'
    )
    old = Path.cwd()
    os.chdir(tmp_path)
    yield desk
    os.chdir(old)


def row(output: str, check: str) -> str:
    """The report row of one check, with its wrapped continuation lines joined."""
    lines = output.splitlines()
    for index, line in enumerate(lines):
        if re.match(rf"\s*(PASS|WARN|FAIL|SKIP|INFO)\s+{re.escape(check)}\b", line):
            text = line
            for more in lines[index + 1 :]:
                if not more.startswith("      ") or re.match(
                    r"\s*(PASS|WARN|FAIL|SKIP|INFO)\s", more
                ):
                    break
                text += " " + more.strip()
            return text
    raise AssertionError(f"no {check} row in:\n{output}")
