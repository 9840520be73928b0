"""A known answer: a fixed key signing a fixed record gives the same bytes every time (Ed25519 is
deterministic), and a self-approval crafted by hand is refused by verify, not only by approve."""

from __future__ import annotations

import datetime as dt
import hashlib

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from helpers.records import FIXED_ID, FIXED_NOW, TINY_WARNING_ANSWERS

from smcheck.approval import Approval, render_statement
from smcheck.checklist import Checklist
from smcheck.layout import append_seal, read_layout, render
from smcheck.outcome import evaluate
from smcheck.record import Seal, build_record
from smcheck.signoff import SignOff
from smcheck.trust.policy import NAMESPACE_APPROVAL, blob_sha256
from smcheck.trust.signing import seal_record, sign
from smcheck.trust.sshsig import blob_of
from smcheck.verify import Demands, Verdict, verify_bytes

SEED = bytes(range(32))
SIGNOFF = SignOff("Ann Lee", "ann@example.ac.uk", "Secretary", "Chess Club")


def fixed_record(tiny: Checklist) -> bytes:
    outcome = evaluate(tiny, TINY_WARNING_ANSWERS, today=dt.date(2026, 11, 2))
    record = build_record(
        tiny, TINY_WARNING_ANSWERS, outcome, SIGNOFF, now=FIXED_NOW, record_id=FIXED_ID
    )
    return render(record)


def test_a_fixed_key_signs_a_fixed_record_to_known_bytes(tiny: Checklist) -> None:
    data = fixed_record(tiny)
    content, _ = read_layout(data)
    key = Ed25519PrivateKey.from_private_bytes(SEED)
    seal = seal_record(key, content)
    again = seal_record(Ed25519PrivateKey.from_private_bytes(SEED), content)
    assert seal == again  # deterministic
    assert seal.sshsig is not None
    # Frozen: a change in the record's bytes or in the signing code shows up here.
    assert hashlib.sha256(content).hexdigest() == KNOWN_CONTENT_SHA256
    assert seal.sshsig == KNOWN_SSHSIG


def test_a_self_approval_crafted_by_hand_is_refused_by_verify(tiny: Checklist) -> None:
    key = Ed25519PrivateKey.from_private_bytes(SEED)
    data = fixed_record(tiny)
    content, _ = read_layout(data)
    proposer = seal_record(key, content)
    signed = append_seal(data, proposer)
    statement = render_statement(
        Approval(
            record_id=FIXED_ID,
            content_sha256=hashlib.sha256(content).hexdigest(),
            proposer_signature_sha256=blob_sha256(proposer),
            role="reviewer",
            decision="approved",
            approver="ann@example.ac.uk",
            time=FIXED_NOW,
            comment="",
        )
    )
    approval = Seal(
        "sshsig",
        role="reviewer",
        statement=statement,
        sshsig=blob_of(sign(key, statement.encode(), NAMESPACE_APPROVAL)),
    )
    # No trust file is needed: the refusal comes before any trust decision.
    report = verify_bytes(
        append_seal(signed, approval),
        "self.smcheck.toml",
        lookup=lambda _: tiny,
        today=FIXED_NOW.date(),
        demands=Demands(now=FIXED_NOW + dt.timedelta(days=1)),
    )
    approval_row = next(c for c in report.checks if c.check == "approval")
    assert approval_row.verdict is Verdict.FAIL
    assert "no one decides on their own record" in approval_row.summary
    assert not report.valid


KNOWN_CONTENT_SHA256 = "788e4639b43f0a33f32c7cd77508afb30a956e7a7150bb019964ea77b37812fb"
KNOWN_SSHSIG = (
    "U1NIU0lHAAAAAQAAADMAAAALc3NoLWVkMjU1MTkAAAAgA6EHv/POEL4dcN0Y50vAmWfk1jCbpQ1fHdyG"
    "ZBJVMbgAAAAOc21jaGVjay1yZWNvcmQAAAAAAAAABnNoYTUxMgAAAFMAAAALc3NoLWVkMjU1MTkAAABA"
    "NFSsaqtAGMSXOXdN6QwufyioT+DlBDliDC81P9vA+1lp9nOuXfrS7/wiKVCuOGnFQps5J677d2EmOYvj"
    "awagDA=="
)
