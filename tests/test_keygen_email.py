"""One institutional address, never a pattern: ``keygen --email`` and the sign-off's email share a validator.

An ``allowed_signers`` principal is a pattern list: ``*@essex.ac.uk``, ``a@x,b@x`` or ``!x@y`` pasted as
keygen's trust line would let one key sign as anyone. The sign-off's email question (with the checklist's
``[signoff] email_domains``) refuses them, and so does keygen, through the very same question.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from helpers.desk import Desk, open_desk
from helpers.records import FIXED_NOW, edit, make_record_bytes
from typer.testing import CliRunner

from smcheck import registry
from smcheck.checklist import Checklist, Question
from smcheck.cli import app
from smcheck.commands.keygen import signoff_email
from smcheck.errors import UsageError
from smcheck.signoff import signoff_questions
from smcheck.values import AnswerError, check_typed, parse_text
from smcheck.verify import Verdict, verify_bytes

runner = CliRunner()

REFUSED = {
    "wildcard": ("*@essex.ac.uk", "contains '*'"),
    "question-mark": ("h.mars?@essex.ac.uk", "contains '?'"),
    "list": ("h.marsh@essex.ac.uk,dmo@essex.ac.uk", "contains ','"),
    "negation": ("!dmo@essex.ac.uk", "contains '!'"),
    "look-alike-suffix": ("h.marsh@essex.ac.uk.evil.com", "must be an address at essex.ac.uk"),
    "look-alike-dash": ("h.marsh@essex-ac.uk", "must be an address at essex.ac.uk"),
    "cyrillic-e": ("h.marsh@\u0435ssex.ac.uk", "contains U+0435 (CYRILLIC SMALL LETTER IE)"),
    "cyrillic-a-local": ("h.m\u0430rsh@essex.ac.uk", "contains U+0430 (CYRILLIC SMALL LETTER A)"),
    "space": ("h.marsh @essex.ac.uk", "contains a space"),
    "two-addresses": ("h.marsh@essex.ac.uk dmo@essex.ac.uk", "contains a space"),
    "double-quote": ('"h.marsh"@essex.ac.uk', 'contains a quote (")'),
    "single-quote": ("h'marsh@essex.ac.uk", "contains a quote (')"),
    "tab": ("h.marsh@essex.ac.uk\tx", "contains a control or invisible character (U+0009)"),
    "other-domain": ("h.marsh@gmail.com", "must be an address at essex.ac.uk"),
}
"""Addresses refused by the sign-off's email question and keygen alike, with the words that say why."""


@pytest.fixture(scope="module")
def signoff_email_question() -> Question:
    essex = registry.by_id("essex-social-media")
    assert essex is not None
    return next(q for q in signoff_questions(essex) if q.id == "signoff.email")


@pytest.mark.parametrize(("email", "why"), REFUSED.values(), ids=REFUSED.keys())
def test_keygen_refuses_an_address_that_is_not_one_institutional_address(
    email: str, why: str, tmp_path: Path
) -> None:
    key = tmp_path / "id_ed25519"
    result = runner.invoke(app, ["keygen", "--email", email, "--output", str(key)])
    assert result.exit_code == 2, result.output
    lines = result.output.splitlines()
    assert lines[0].startswith("smcheck: error: --email ")
    assert why in lines[0]
    assert lines[1].startswith("  hint: give the one address you sign records off with at essex")
    assert len(lines) == 2  # one line and a hint: no trust line, no traceback
    assert not key.exists() and not key.with_suffix(".pub").exists()


@pytest.mark.parametrize(("email", "why"), REFUSED.values(), ids=REFUSED.keys())
def test_the_sign_off_email_refuses_the_same_addresses_with_the_same_words(
    email: str, why: str, signoff_email_question: Question
) -> None:
    with pytest.raises(AnswerError) as typed:
        parse_text(signoff_email_question, email, today=FIXED_NOW.date())
    with pytest.raises(UsageError) as given:
        signoff_email(email)
    assert why in str(typed.value)
    assert str(typed.value) in given.value.message  # one validator: keygen says what it says


def test_keygen_prints_a_trust_line_for_the_one_address_given(tmp_path: Path) -> None:
    key = tmp_path / "id_ed25519"
    result = runner.invoke(
        app, ["keygen", "--email", " h.marsh@essex.ac.uk ", "--output", str(key)]
    )
    assert result.exit_code == 0, result.output
    public = key.with_name("id_ed25519.pub").read_text().split()
    line = f'h.marsh@essex.ac.uk namespaces="smcheck-record" {public[0]} {public[1]}'
    assert line in result.output.splitlines()
    # A subdomain of the institution's is the institution's (as the checklist says).
    assert signoff_email("x@dept.essex.ac.uk") == "x@dept.essex.ac.uk"


def test_every_email_question_refuses_a_pattern(essex: Checklist, tiny: Checklist) -> None:
    # The tiny checklist's sign-off takes any domain: a pattern is refused all the same.
    owner = next(q for q in signoff_questions(tiny) if q.id == "signoff.email")
    assert not owner.validate.domains
    with pytest.raises(AnswerError, match=r"contains '\*'"):
        check_typed(owner, "*@example.ac.uk", today=FIXED_NOW.date())
    assert check_typed(owner, "a@example.ac.uk", today=FIXED_NOW.date()) == "a@example.ac.uk"
    administrator = essex.question("administrator.email")
    assert administrator is not None
    with pytest.raises(AnswerError, match="contains '!'"):
        check_typed(administrator, "!h.marsh@essex.ac.uk", today=FIXED_NOW.date())


@pytest.mark.parametrize("email", [b"*@essex.ac.uk", b"h.marsh@essex.ac.uk,*@essex.ac.uk"])
def test_verify_refuses_a_record_signed_off_by_a_pattern(email: bytes) -> None:
    signoff = b'[signoff]\nname = "Dr Helen Marsh"\nemail = "'
    data = edit(make_record_bytes(), signoff + b'h.marsh@essex.ac.uk"', signoff + email + b'"')
    report = verify_bytes(
        data, "r.smcheck.toml", lookup=registry.lookup(), today=dt.date(2026, 11, 2)
    )
    assert not report.valid
    failed = {c.check for c in report.checks if c.verdict is Verdict.FAIL}
    assert failed == {"signoff"}


# -- sign: the trust line its hint suggests ----------------------------------------------------------


@pytest.fixture
def desk(tmp_path: Path) -> Iterator[Desk]:
    yield from open_desk(tmp_path)


def test_signs_hint_binds_the_signers_key_to_the_sign_off_email_and_works_as_given(
    desk: Desk,
) -> None:
    record = desk.new(key=None)  # unsigned, signed off by h.marsh@essex.ac.uk
    attacker = desk.keys["attacker"]
    args = ["sign", "--key", str(attacker), "--allowed-signers", str(desk.trust), str(record)]
    refused = runner.invoke(app, args)
    assert refused.exit_code == 1, refused.output
    hint = next(line for line in refused.output.splitlines() if "hint:" in line)
    line = hint.split("needs your line: ", 1)[1]
    public = attacker.with_name("attacker.pub").read_text().split()
    assert line == f'h.marsh@essex.ac.uk namespaces="smcheck-record" {public[0]} {public[1]}'
    # Added to the trust file as given, it trusts that key for that one person: the record signs.
    with desk.trust.open("a") as trust:
        trust.write(line + "\n")
    signed = runner.invoke(app, args)
    assert signed.exit_code == 0, signed.output


def test_a_record_signed_off_by_a_pattern_is_not_signed_and_no_trust_line_is_offered(
    desk: Desk,
) -> None:
    record = desk.new(key=None)
    signoff = b'[signoff]\nname = "Dr Helen Marsh"\nemail = "'
    record.write_bytes(
        edit(record.read_bytes(), signoff + b'h.marsh@essex.ac.uk"', signoff + b'*@essex.ac.uk"')
    )
    args = ["sign", "--key", str(desk.keys["attacker"]), "--allowed-signers", str(desk.trust)]
    refused = runner.invoke(app, [*args, str(record)])
    assert refused.exit_code == 1, refused.output
    assert "does not verify (sign-off" in refused.output
    assert "namespaces=" not in refused.output
