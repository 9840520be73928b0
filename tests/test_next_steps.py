"""What happens next (issue 17, point 2): the steps still needed before a channel may launch, read off
verify's verdict, for records in every state; and where they are said (new, show, export)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from helpers.desk import PROPOSER_EMAIL, Desk, open_desk
from helpers.records import EXAMPLE_ANSWERS
from typer.testing import CliRunner

from smcheck import registry
from smcheck.cli import app
from smcheck.nextsteps import HEADING, RENEWAL_HEADING, SigningKey, steps
from smcheck.trust.policy import State
from smcheck.trust.source import reviewer_loader
from smcheck.verify import Demands, Report, verify_path

runner = CliRunner()
NO_KEY = SigningKey(None, False)


@pytest.fixture
def desk(tmp_path: Path) -> Iterator[Desk]:
    yield from open_desk(tmp_path)


def judged(desk: Desk, record: Path, *, trusted: bool = True) -> Report:
    """verify's report on a record, with the reviewer's trust file (or none)."""
    load = reviewer_loader(desk.trust if trusted else None, None, notify=lambda _: None)
    now = dt.datetime.now(dt.UTC)
    return verify_path(
        record,
        lookup=registry.lookup(),
        today=now.date(),
        demands=Demands(load_trust=load if trusted else None, now=now),
    )


def co_signing(items: tuple[str, ...]) -> list[str]:
    return [s for s in items if s.endswith(" --role advancement-office")]


SEND = "Send the record, unchanged, to the Digital Marketing Officer to approve."


def reviewer_step(items: tuple[str, ...]) -> list[str]:
    return [s for s in items if s == SEND]


def records_in_every_state(desk: Desk) -> dict[State, Path]:
    """One record per state verify can give, made the way people make them."""
    unsigned = desk.new(key=None, output="unsigned.smcheck.toml")
    waiting = desk.new(output="waiting.smcheck.toml")
    cosign = desk.new(output="cosign.smcheck.toml")
    assert desk.approve(cosign, "reviewer", "--yes")[0] == 0
    approved = desk.new(output="approved.smcheck.toml")
    assert desk.approve(approved, "reviewer", "--yes")[0] == 0
    assert desk.approve(approved, "advancement", "--role", "advancement-office", "--yes")[0] == 0
    rejected = desk.new(output="rejected.smcheck.toml")
    code, out = desk.approve(
        rejected, "reviewer", "--decision", "rejected", "--comment", "No deputy", "--yes"
    )
    assert code == 0, out
    invalid = desk.root / "invalid.smcheck.toml"
    invalid.write_bytes(waiting.read_bytes().replace(b"essexhistory", b"essexhistorx", 1))
    return {
        State.UNSIGNED: unsigned,
        State.AWAITING_REVIEWER: waiting,
        State.AWAITING_COSIGN: cosign,
        State.APPROVED: approved,
        State.REJECTED: rejected,
        State.INVALID: invalid,
    }


def test_the_steps_follow_verifys_verdict_in_every_state(desk: Desk) -> None:
    made = records_in_every_state(desk)
    for expected, record in made.items():
        report = judged(desk, record)
        assert report.state is expected, (record, report.state)
        # verify's own words agree on the state (the command the reviewer runs).
        said = desk.verify(record)[1]
        items = steps(report, record, key=NO_KEY)
        awaiting = report.standing.awaiting if report.standing is not None else ()
        match expected:
            case State.APPROVED:
                assert "approved" in said
                assert items == ()
            case State.UNSIGNED:
                assert "must sign it" in said
                assert items[0].endswith(f"smcheck keygen --email {PROPOSER_EMAIL}")
                assert "smcheck sign --key " in items[1] and items[1].endswith(f" {record}")
                assert len(reviewer_step(items)) == 1
                # The example contacts alumni: its answers need the Advancement Office.
                assert report.roles.needed == ("advancement-office",)
                assert len(co_signing(items)) == 1
                assert co_signing(items)[0].startswith(
                    "The Advancement Office must then co-sign it:"
                )
            case State.AWAITING_REVIEWER:
                assert "awaiting the Digital Marketing Officer" in said
                assert awaiting == ("reviewer", "advancement-office")
                assert items == (
                    SEND,
                    "The Advancement Office must then co-sign it: smcheck approve"
                    f" {record} --role advancement-office",
                )
            case State.AWAITING_COSIGN:
                assert "awaiting the Advancement Office" in said
                assert awaiting == ("advancement-office",)
                assert items == (
                    "The Advancement Office must co-sign it: smcheck approve"
                    f" {record} --role advancement-office",
                )
            case State.REJECTED:
                assert "rejected by the Digital Marketing Officer" in said
                assert items[0] == (
                    f"Read why the Digital Marketing Officer rejected it: smcheck show {record}"
                )
                assert items[1].endswith(f"smcheck renew {record}")
                assert not co_signing(items)
            case State.INVALID:
                assert "INVALID" in said
                assert items[0].endswith(f"smcheck verify {record}")
                assert not co_signing(items) and not reviewer_step(items)
            case _:
                raise AssertionError(expected)


def test_a_signed_record_without_a_trust_file_awaits_every_role_not_yet_in_it(desk: Desk) -> None:
    record = desk.new(output="signed.smcheck.toml")
    report = judged(desk, record, trusted=False)
    assert report.state is State.NOT_CHECKED
    items = steps(report, record)
    assert len(items) == 2 and reviewer_step(items) and co_signing(items)
    assert desk.approve(record, "reviewer", "--yes")[0] == 0
    items = steps(judged(desk, record, trusted=False), record)
    assert not reviewer_step(items) and len(co_signing(items)) == 1


def test_the_signing_step_names_the_key_there_is(desk: Desk) -> None:
    record = desk.new(key=None, output="unsigned.smcheck.toml")
    report = judged(desk, record)
    key = desk.keys["proposer"]
    assert steps(report, record, key=SigningKey(key, False))[0] == (
        f"Sign the record with your key: smcheck sign --key {key} {record}"
    )
    assert steps(report, record, key=SigningKey(key, True))[0] == (
        f"Sign the record with your key: smcheck sign {record}"
    )
    # Spoken of, not to, the proposer (show, an export): no local key.
    assert steps(report, record, to_proposer=False)[0] == (
        f"The proposer signs the record with their key: smcheck sign --key KEY {record}"
    )


def test_new_ends_with_the_numbered_steps_verify_would_give(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))  # no key made by keygen yet
    out = tmp_path / "r.smcheck.toml"
    result = runner.invoke(
        app, ["new", "--answers", str(EXAMPLE_ANSWERS), "--agree", "--output", str(out)]
    )
    assert result.exit_code == 0, result.output
    text = result.output
    assert "Next: attach this file" not in text
    lines = text.splitlines()
    start = lines.index(HEADING)
    numbered = [line for line in lines[start + 1 :] if line.startswith("  ")]
    assert numbered[0].startswith(
        "  1. Make your signing key and send the line it prints to the Digital Marketing Officer:"
    )
    assert numbered[0].endswith(f"smcheck keygen --email {PROPOSER_EMAIL}")
    assert numbered[1].startswith("  2. Sign the record with it: smcheck sign --key ")
    assert numbered[2] == f"  3. {SEND}"
    assert numbered[3] == (
        "  4. The Advancement Office must then co-sign it:"
        f" smcheck approve {out} --role advancement-office"
    )


def test_show_and_export_open_with_the_steps_until_approved(desk: Desk) -> None:
    record = desk.new(output="waiting.smcheck.toml")
    trust = ["--allowed-signers", str(desk.trust)]
    shown = runner.invoke(app, ["show", *trust, str(record)])
    assert shown.exit_code == 0, shown.output
    lines = shown.stdout.splitlines()
    assert lines[1] == HEADING
    assert lines[2] == f"  1. {SEND}"
    assert lines[3].startswith("  2. The Advancement Office must then co-sign it: smcheck approve ")
    exported = runner.invoke(app, ["export", *trust, "--format", "md", str(record)])
    assert exported.exit_code == 0, exported.output
    assert f"> **{HEADING}**" in exported.stdout
    # The document is read elsewhere: the record by its name, no local folder.
    assert "> 2. The Advancement Office must then co-sign it" in exported.stdout
    assert str(desk.root) not in exported.stdout
    html = runner.invoke(app, ["export", *trust, "--format", "html", str(record)])
    assert "<ol><li>Send the record, unchanged" in html.stdout

    assert desk.approve(record, "reviewer", "--yes")[0] == 0
    assert desk.approve(record, "advancement", "--role", "advancement-office", "--yes")[0] == 0
    shown = runner.invoke(app, ["show", *trust, str(record)])
    assert HEADING not in shown.stdout
    exported = runner.invoke(app, ["export", *trust, "--format", "md", str(record)])
    assert HEADING not in exported.stdout


def test_a_renewal_of_a_live_channel_speaks_of_a_re_review_not_a_launch(desk: Desk) -> None:
    """A renewal (new --answers OLD-RECORD, renew) says the channel is live: new, show and export
    introduce its steps as completing the re-review, from verify's one result."""
    first = desk.new(output="first.smcheck.toml")
    assert not judged(desk, first).renewal
    args = ["new", "--answers", str(first), "--agree", "--sign-with", str(desk.keys["proposer"])]
    renewed = desk.root / "renewed.smcheck.toml"
    made = runner.invoke(app, [*args, "--output", str(renewed)])
    assert made.exit_code == 0, made.output
    assert RENEWAL_HEADING in made.output and HEADING not in made.output
    assert judged(desk, renewed).renewal
    trust = ["--allowed-signers", str(desk.trust)]
    shown = runner.invoke(app, ["show", *trust, str(renewed)])
    assert shown.stdout.splitlines()[1] == RENEWAL_HEADING
    exported = runner.invoke(app, ["export", *trust, "--format", "md", str(renewed)])
    assert f"> **{RENEWAL_HEADING}**" in exported.stdout and HEADING not in exported.stdout
    html = runner.invoke(app, ["export", *trust, "--format", "html", str(renewed)])
    assert f"<strong>{RENEWAL_HEADING}</strong>" in html.stdout
