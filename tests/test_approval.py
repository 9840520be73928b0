"""Approval statements: what an approver signs is rendered and read back exactly, and strictly."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from smcheck.approval import Approval, StatementError, parse_statement, render_statement

APPROVAL = Approval(
    record_id="6f1c2d3e-4b5a-4c6d-8e7f-0a1b2c3d4e5f",
    content_sha256="a" * 64,
    proposer_signature_sha256="b" * 64,
    role="reviewer",
    decision="approved",
    approver="dmo@essex.ac.uk",
    time=dt.datetime(2026, 11, 23, 10, 0, tzinfo=dt.UTC),
    comment="Looks good.",
)


def test_round_trip() -> None:
    text = render_statement(APPROVAL)
    assert text.startswith("[approval]\n")
    assert parse_statement(text) == APPROVAL


@given(st.text(max_size=200))
def test_any_comment_round_trips(comment: str) -> None:
    approval = APPROVAL._replace(comment=comment)
    assert parse_statement(render_statement(approval)) == approval


@pytest.mark.parametrize(
    ("old", "new", "problem"),
    [
        (
            'decision = "approved"',
            'decision = "maybe"',
            "approval.decision: must be approved or rejected, not 'maybe'",
        ),
        (
            'content_sha256 = "' + "a" * 64,
            'content_sha256 = "' + "A" * 64,
            "approval.content_sha256: must be 64 lower-case hex digits",
        ),
        (
            'comment = "Looks good."',
            'comment = "Looks good."\nextra = 1',
            "approval.extra: unknown key",
        ),
        ('comment = "Looks good."', "", "approval.comment: missing"),
        ('role = "reviewer"', "role = 1", "approval.role: must be a string, not an integer"),
        ("[approval]", "[approval]]", "is not valid TOML"),
    ],
)
def test_a_statement_smcheck_did_not_write_is_refused(old: str, new: str, problem: str) -> None:
    text = render_statement(APPROVAL)
    assert old in text
    with pytest.raises(StatementError) as info:
        parse_statement(text.replace(old, new))
    assert problem in str(info.value)
