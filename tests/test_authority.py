"""Signatures that carry authority: who may decide in which role, when, and what the record's state is.

Decisions here are crafted directly (as someone who wants a channel approved without asking anyone would
craft them), bypassing ``approve``'s own refusals, so that each shows what *verify* refuses. The trust
policy under test is :mod:`smcheck.trust.policy`; the threat model's cases 17-19 are named in the tests.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import itertools
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from helpers.records import DATA, TINY_WARNING_ANSWERS
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from smcheck.approval import Approval
from smcheck.choices import Require
from smcheck.layout import append_seal, parse_record, render
from smcheck.loader import load_checklist
from smcheck.outcome import evaluate
from smcheck.record import build_record
from smcheck.signoff import SignOff
from smcheck.trust.allowed import TrustFile, load_allowed_signers
from smcheck.trust.keys import LocalKey
from smcheck.trust.policy import CLOCK_SKEW, State, blob_sha256, namespace_for, sha256_hex
from smcheck.trust.signing import decision_on, seal_decision, seal_record
from smcheck.verify import Demands, Report, Verdict, verify_bytes

TINY = load_checklist(DATA / "tiny.toml")
SIGNED_OFF = dt.datetime(2026, 11, 2, 9, 30, tzinfo=dt.UTC)
NOW = dt.datetime(2026, 11, 20, 12, 0, tzinfo=dt.UTC)
DECIDED = dt.datetime(2026, 11, 10, 15, 0, tzinfo=dt.UTC)
PROPOSER = "prop@example.ac.uk"
REVIEWER = "dmo@example.ac.uk"
MUSIC = "music@example.ac.uk"
COSIGN = "music-office"


def key(name: str) -> Ed25519PrivateKey:
    """A fixed key per name (deterministic: the same name gives the same key in every run)."""
    return Ed25519PrivateKey.from_private_bytes(hashlib.sha256(name.encode()).digest())


def public(name: str) -> str:
    return LocalKey(key(name)).public.openssh()


def trust_file(tmp_path: Path, *lines: str) -> TrustFile:
    path = tmp_path / "allowed_signers"
    path.write_text("\n".join(lines) + "\n")
    return load_allowed_signers(path)


def line(principal: str, name: str, *namespaces: str, options: str = "") -> str:
    granted = f'namespaces="{",".join(namespaces)}"' if namespaces else ""
    parts = [principal, ",".join(p for p in (granted, options) if p), public(name)]
    return " ".join(p for p in parts if p)


def standard(tmp_path: Path, *more: str) -> TrustFile:
    """The proposer, the reviewer and the music office, each with their own key and role."""
    return trust_file(
        tmp_path,
        line(PROPOSER, "proposer", "smcheck-record"),
        line(REVIEWER, "dmo", "smcheck-approval"),
        line(MUSIC, "music", f"smcheck-cosign-{COSIGN}"),
        *more,
    )


def record(*, kind: str = "music", signer: str | None = "proposer", email: str = PROPOSER) -> bytes:
    """A tiny-club record (the music office must co-sign when the club is a music club)."""
    answers: dict[str, Any] = {**TINY_WARNING_ANSWERS, "club.kind": kind}
    built = build_record(
        TINY,
        answers,
        evaluate(TINY, answers, today=dt.date(2026, 11, 2)),
        SignOff("Pat Proposer", email, "Secretary", "Music Society"),
        now=SIGNED_OFF,
        record_id="6f1c2d3e-4b5a-4c6d-8e7f-0a1b2c3d4e5f",
    )
    data = render(built)
    if signer is None:
        return data
    content = parse_record(data).content
    return append_seal(data, seal_record(key(signer), content))


def decide(
    data: bytes,
    signer: str,
    role: str,
    approver: str,
    decision: str = "approved",
    time: dt.datetime = DECIDED,
) -> bytes:
    """A decision crafted by hand and appended, bound to this record as smcheck binds one."""
    approval = decision_on(
        parse_record(data), role=role, decision=decision, approver=approver, time=time
    )
    return append_seal(data, seal_decision(LocalKey(key(signer)), approval))


def check(
    data: bytes, trust: TrustFile | None, *, require: Require | None = None, now: dt.datetime = NOW
) -> Report:
    return verify_bytes(
        data,
        "r.smcheck.toml",
        lookup=lambda _: TINY,
        today=now.date(),
        demands=Demands(trust=trust, require=require, now=now),
    )


def rows(report: Report) -> dict[str, Any]:
    return {c.check: c for c in report.checks}


def approved_fully(data: bytes) -> bytes:
    return decide(decide(data, "dmo", "reviewer", REVIEWER), "music", COSIGN, MUSIC)


def test_the_standard_desk_approves(tmp_path: Path) -> None:
    trust = standard(tmp_path)
    report = check(approved_fully(record()), trust, require=Require.APPROVED)
    assert report.valid and report.state is State.APPROVED, report.checks
    assert rows(report)["cosign"].verdict is Verdict.PASS


# --- 17. one person, one role ------------------------------------------------------------------


def test_one_key_cannot_approve_and_co_sign(tmp_path: Path) -> None:
    """One trusted key approving as the reviewer *and* co-signing: the second decision is refused, even
    where the trust file grants that key both namespaces."""
    trust = trust_file(
        tmp_path,
        line(PROPOSER, "proposer", "smcheck-record"),
        line(REVIEWER, "dmo", "smcheck-approval", f"smcheck-cosign-{COSIGN}"),
    )
    data = decide(decide(record(), "dmo", "reviewer", REVIEWER), "dmo", COSIGN, REVIEWER)
    report = check(data, trust, require=Require.APPROVED)
    assert not report.valid and report.state is State.INVALID
    cosign = rows(report)["cosign"]
    assert cosign.verdict is Verdict.FAIL and cosign.code == "cosign-two-roles"
    assert "the same person decided as the reviewer and as the music office" in cosign.summary


@pytest.mark.parametrize(
    ("cosigner", "cosign_key", "why"),
    [
        (REVIEWER, "music", "same principal, another key"),
        ("DMO@Example.ac.uk", "music", "the same email in other case"),
        (MUSIC, "dmo", "another principal, the same key"),
    ],
)
def test_one_person_cannot_fill_two_roles(
    tmp_path: Path, cosigner: str, cosign_key: str, why: str
) -> None:
    trust = standard(tmp_path, line(cosigner, cosign_key, f"smcheck-cosign-{COSIGN}"))
    data = decide(decide(record(), "dmo", "reviewer", REVIEWER), cosign_key, COSIGN, cosigner)
    report = check(data, trust)
    assert not report.valid, why
    assert rows(report)["cosign"].code == "cosign-two-roles", why


def test_a_key_the_trust_file_also_holds_for_the_other_role_is_that_person(tmp_path: Path) -> None:
    """The music office signs with its own key, but the trust file holds that key for the reviewer too:
    whoever holds it is the reviewer as well, so the two decisions are one person's."""
    trust = standard(tmp_path, line(REVIEWER, "music", "smcheck-record"))
    report = check(approved_fully(record()), trust)
    assert rows(report)["cosign"].code == "cosign-two-roles"


@pytest.mark.parametrize(
    ("approver", "signer", "extra"),
    [
        (PROPOSER, "second", line(PROPOSER, "second", "smcheck-approval")),
        ("PROP@example.ac.uk", "second", line("PROP@example.ac.uk", "second", "smcheck-approval")),
        (REVIEWER, "proposer", line(REVIEWER, "proposer", "smcheck-approval")),
        (
            REVIEWER,
            "second",
            line(REVIEWER, "second", "smcheck-approval") + "\n" + line(PROPOSER, "second", "git"),
        ),
    ],
    ids=["own-email-second-key", "own-email-other-case", "own-key", "key-held-for-the-proposer"],
)
def test_the_proposer_cannot_approve_their_own_record(
    tmp_path: Path, approver: str, signer: str, extra: str
) -> None:
    """The self-approval guard compares people, not keys: the sign-off email (whatever its case) and
    every key the trust file holds for it."""
    trust = standard(tmp_path, *extra.split("\n"))
    report = check(decide(record(), signer, "reviewer", approver), trust)
    approval = rows(report)["approval"]
    assert approval.verdict is Verdict.FAIL and approval.code == "approval-own-record"
    assert "no one decides on their own record" in approval.summary


@pytest.mark.parametrize(
    ("options", "reason"),
    [
        ("", "names no namespaces="),
        ('namespaces="*"', "only through the pattern '*'"),
        ('namespaces="smcheck-*"', "only through the pattern 'smcheck-*'"),
    ],
)
def test_a_role_must_be_named_in_the_trust_line(tmp_path: Path, options: str, reason: str) -> None:
    """OpenSSH reads no namespaces= (or a pattern) as any namespace: smcheck grants no approving role
    by it, and says why."""
    trust = trust_file(
        tmp_path,
        line(PROPOSER, "proposer", "smcheck-record"),
        f"{REVIEWER} {options} {public('dmo')}".replace("  ", " "),
    )
    report = check(decide(record(kind="sport"), "dmo", "reviewer", REVIEWER), trust)
    approval = rows(report)["approval"]
    assert approval.verdict is Verdict.FAIL and approval.code == "approval-wrong-namespace"
    assert reason in approval.summary


def test_a_wildcard_principal_grants_no_approving_role(tmp_path: Path) -> None:
    trust = trust_file(
        tmp_path,
        line(PROPOSER, "proposer", "smcheck-record"),
        line("d?o@example.ac.uk", "dmo", "smcheck-approval"),
    )
    report = check(decide(record(kind="sport"), "dmo", "reviewer", REVIEWER), trust)
    approval = rows(report)["approval"]
    assert approval.code == "approval-wrong-principal"
    assert "needs a line that names the person" in approval.summary


def test_a_proposer_line_without_namespaces_still_signs_records(tmp_path: Path) -> None:
    """Only approving roles must be named: a proposer's plain line (OpenSSH: any namespace) signs."""
    trust = trust_file(tmp_path, f"{PROPOSER} {public('proposer')}")
    report = check(record(kind="sport"), trust, require=Require.SIGNED)
    assert report.valid and report.state is State.AWAITING_REVIEWER


def test_a_co_signer_signs_in_the_namespace_of_their_role(tmp_path: Path) -> None:
    """A co-signature made in the reviewer's namespace (the old smcheck-approval) is refused."""
    trust = trust_file(
        tmp_path,
        line(PROPOSER, "proposer", "smcheck-record"),
        line(REVIEWER, "dmo", "smcheck-approval"),
        line(MUSIC, "music", "smcheck-approval", f"smcheck-cosign-{COSIGN}"),
    )
    data = decide(record(), "dmo", "reviewer", REVIEWER)
    parsed = parse_record(data)
    from smcheck.approval import render_statement
    from smcheck.record import Seal
    from smcheck.trust.signing import sign
    from smcheck.trust.sshsig import blob_of

    statement = render_statement(
        Approval(
            parsed.record.id,
            sha256_hex(parsed.content),
            blob_sha256(next(s for s in parsed.seals if s.role == "proposer")),
            COSIGN,
            "approved",
            MUSIC,
            DECIDED,
            "",
        )
    )
    blob = blob_of(sign(key("music"), statement.encode(), "smcheck-approval"))
    data = append_seal(data, Seal("sshsig", role=COSIGN, statement=statement, sshsig=blob))
    cosign = rows(check(data, trust))["cosign"]
    assert cosign.code == "cosign-broken"
    assert "namespace 'smcheck-approval', not 'smcheck-cosign-music-office'" in cosign.summary
    assert namespace_for(COSIGN) == "smcheck-cosign-music-office"


# --- 18. times -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("time", "status", "words"),
    [
        (
            dt.datetime(2001, 1, 1, tzinfo=dt.UTC),
            "before-signoff",
            "before the record was signed off",
        ),
        (
            SIGNED_OFF - dt.timedelta(seconds=1),
            "before-signoff",
            "before the record was signed off",
        ),
        (dt.datetime(2099, 1, 1, tzinfo=dt.UTC), "in-future", "in the future"),
        (NOW + CLOCK_SKEW + dt.timedelta(seconds=1), "in-future", "in the future"),
    ],
)
def test_an_approval_dated_before_the_sign_off_or_in_the_future(
    tmp_path: Path, time: dt.datetime, status: str, words: str
) -> None:
    trust = standard(tmp_path)
    report = check(decide(record(kind="sport"), "dmo", "reviewer", REVIEWER, time=time), trust)
    approval = rows(report)["approval"]
    assert approval.verdict is Verdict.FAIL and approval.code == f"approval-{status}"
    assert words in approval.summary


@pytest.mark.parametrize(
    "time", [SIGNED_OFF, NOW, NOW + CLOCK_SKEW], ids=["at-sign-off", "now", "within-skew"]
)
def test_an_approval_at_the_edges_of_its_time_stands(tmp_path: Path, time: dt.datetime) -> None:
    trust = standard(tmp_path)
    report = check(decide(record(kind="sport"), "dmo", "reviewer", REVIEWER, time=time), trust)
    assert report.valid and rows(report)["approval"].verdict is Verdict.PASS


@pytest.mark.parametrize(
    ("window", "code"),
    [
        (
            'valid-after="20261115Z"',
            "approval-not-yet-valid",
        ),  # valid now, not yet when it approved
        ('valid-before="20261105Z"', "approval-expired"),  # ended before it approved
    ],
)
def test_an_approval_outside_its_keys_window(tmp_path: Path, window: str, code: str) -> None:
    trust = trust_file(
        tmp_path,
        line(PROPOSER, "proposer", "smcheck-record"),
        line(REVIEWER, "dmo", "smcheck-approval", options=window),
    )
    report = check(decide(record(kind="sport"), "dmo", "reviewer", REVIEWER), trust)
    approval = rows(report)["approval"]
    assert approval.verdict is Verdict.FAIL
    assert approval.code == code
    assert "(when it was signed, " in approval.summary


def test_an_approval_made_before_the_approvers_role_ended_stands(tmp_path: Path) -> None:
    """Staff who move on (git's rule for commit signatures): the key's window is judged when it
    signed, so an approval made while the line was valid stays valid after its valid-before; the
    register says whose role ended, so that the office can plan a re-review."""
    from smcheck.register import record_entry

    trust = trust_file(
        tmp_path,
        line(PROPOSER, "proposer", "smcheck-record"),
        line(REVIEWER, "dmo", "smcheck-approval", options='valid-before="20261115Z"'),
    )
    data = decide(record(kind="sport"), "dmo", "reviewer", REVIEWER)  # on 2026-11-10
    report = check(data, trust)  # on 2026-11-20
    assert report.valid and report.state is State.APPROVED
    assert rows(report)["approval"].verdict is Verdict.PASS
    assert rows(report)["approval"].summary == (
        f"approved by {REVIEWER} on 2026-11-10, whose role ended on 2026-11-15"
    )
    assert report.judged is not None
    (decision,) = report.judged.decisions
    assert decision.ended == dt.datetime(2026, 11, 15, tzinfo=dt.UTC)
    entry = record_entry(report, lookup=lambda _: TINY, today=NOW.date(), data=data)
    assert entry.state == "approved"
    assert f"approved by {REVIEWER}, whose role ended on 2026-11-15" in entry.detail
    # Before the line ended, nothing is said of it.
    early = check(data, trust, now=dt.datetime(2026, 11, 12, tzinfo=dt.UTC))
    assert early.judged is not None and early.judged.decisions[0].ended is None
    # A revoked key still invalidates everything it signed.
    revoked = verify_bytes(
        data,
        "r.smcheck.toml",
        lookup=lambda _: TINY,
        today=NOW.date(),
        demands=Demands(
            trust=trust, revoked=frozenset({LocalKey(key("dmo")).public.wire()}), now=NOW
        ),
    )
    assert not revoked.valid and rows(revoked)["approval"].code == "approval-revoked"


def test_the_proposers_key_must_be_valid_at_the_sign_off_too(tmp_path: Path) -> None:
    trust = trust_file(
        tmp_path, line(PROPOSER, "proposer", "smcheck-record", options='valid-after="20261110Z"')
    )
    signature = rows(check(record(kind="sport"), trust))["signature"]
    assert (
        signature.code == "signature-not-yet-valid" and "(when it was signed, " in signature.summary
    )


# --- 19. every signature present is judged, and the decisions ------------------------------------


def broken(data: bytes) -> bytes:
    """The last entry's signature damaged (one base64 character of its signature value)."""
    head, _, tail = data.rpartition(b'sshsig = "')
    blob, _, rest = tail.partition(b'"')
    flipped = blob[:-8] + (b"A" if blob[-8:-7] != b"A" else b"B") + blob[-7:]
    return head + b'sshsig = "' + flipped + b'"' + rest


OUTCOMES = ("missing", "approved", "rejected", "broken")


def expected_state(reviewer: str, cosigner: str, *, cosign_needed: bool) -> State:
    """The decision rule, written out as the README states it."""
    both = (reviewer, cosigner)
    if "broken" in both:
        return State.INVALID
    if "rejected" in both:
        return State.REJECTED
    if reviewer == "missing":
        return State.AWAITING_REVIEWER
    if cosigner == "missing" and cosign_needed:
        return State.AWAITING_COSIGN
    return State.APPROVED


@pytest.mark.parametrize("kind", ["music", "sport"], ids=["cosign-needed", "cosign-not-needed"])
@pytest.mark.parametrize(("reviewer", "cosigner"), list(itertools.product(OUTCOMES, OUTCOMES)))
@pytest.mark.parametrize("cosign_first", [False, True], ids=["reviewer-first", "cosign-first"])
def test_every_combination_of_decisions(
    tmp_path: Path, kind: str, reviewer: str, cosigner: str, cosign_first: bool
) -> None:
    """approve / reject / missing / broken over the two roles, needed or not, in either order: verify,
    the register and the export say the same state."""
    from smcheck.commands.export import banner_of
    from smcheck.register import record_entry

    trust = standard(tmp_path)
    data = record(kind=kind)
    steps = [("dmo", "reviewer", REVIEWER, reviewer), ("music", COSIGN, MUSIC, cosigner)]
    for signer, role, approver, outcome in reversed(steps) if cosign_first else steps:
        if outcome == "missing":
            continue
        data = decide(
            data, signer, role, approver, "rejected" if outcome == "rejected" else "approved"
        )
        if outcome == "broken":
            data = broken(data)
    report = check(data, trust)
    state = expected_state(reviewer, cosigner, cosign_needed=kind == "music")
    assert report.state is state, [c for c in report.checks if c.verdict is not Verdict.PASS]
    assert report.valid == (state is not State.INVALID)
    approved = check(data, trust, require=Require.APPROVED)
    assert approved.valid == (state is State.APPROVED)
    # The register and the export ask the same policy: no view is kinder than verify.
    entry = record_entry(report, lookup=lambda _: TINY, today=NOW.date(), data=data)
    assert entry.state == state.value
    banner = banner_of(report)
    assert banner.valid == report.valid
    if state is State.INVALID:
        assert "refused" in banner.headline and banner.reasons
    if cosigner == "approved" and kind == "sport" and state is State.APPROVED:
        assert "not required by these answers" in rows(report)["cosign"].summary


def test_an_unneeded_rejecting_co_signature_is_never_a_silent_pass(tmp_path: Path) -> None:
    trust = standard(tmp_path)
    data = decide(
        decide(record(kind="sport"), "dmo", "reviewer", REVIEWER),
        "music",
        COSIGN,
        MUSIC,
        "rejected",
    )
    report = check(data, trust)
    assert report.state is State.REJECTED and report.standing is not None
    assert report.standing.summary == "rejected by the music office"
    cosign = rows(report)["cosign"]
    assert cosign.verdict is Verdict.WARN and cosign.code == "rejected"
    assert not check(data, trust, require=Require.APPROVED).valid


def test_an_unneeded_co_signature_by_a_stranger_fails(tmp_path: Path) -> None:
    trust = standard(tmp_path)
    data = decide(
        decide(record(kind="sport"), "dmo", "reviewer", REVIEWER), "stranger", COSIGN, MUSIC
    )
    cosign = rows(check(data, trust))["cosign"]
    assert cosign.verdict is Verdict.FAIL and cosign.code == "cosign-unknown"


def test_a_second_decision_for_a_role_is_refused_in_either_order(tmp_path: Path) -> None:
    """The signatures part is not signed: a later decision could be stripped to uncover an earlier one,
    so a role decides once per record."""
    trust = standard(tmp_path)
    first = decide(record(kind="sport"), "dmo", "reviewer", REVIEWER, "rejected")
    data = decide(first, "dmo", "reviewer", REVIEWER, time=DECIDED + dt.timedelta(hours=1))
    approval = rows(check(data, trust))["approval"]
    assert approval.verdict is Verdict.FAIL and approval.code == "approval-repeated"


def test_a_decision_on_an_unsigned_record_binds_nothing(tmp_path: Path) -> None:
    trust = standard(tmp_path)
    signed = decide(record(kind="sport"), "dmo", "reviewer", REVIEWER)
    unsigned = record(kind="sport", signer=None)
    decision = signed[signed.rindex(b"[[signature]]") :]
    report = check(unsigned + b"\n" + decision, trust)
    assert rows(report)["approval"].code == "approval-unsigned-record"
    assert report.state is State.INVALID


def test_without_a_trust_file_no_state_depends_on_signatures() -> None:
    report = check(approved_fully(record()), None)
    assert report.valid and report.state is State.NOT_CHECKED
    verdicts = {c.check: c.verdict for c in report.checks}
    assert verdicts["signature"] is Verdict.INFO and verdicts["approval"] is Verdict.INFO
    assert all(s.status == "not-checked" and s.principal is None for s in report.signatures)
    for require in Require:
        assert not check(approved_fully(record()), None, require=require).valid


# --- the rules at random: only what they allow verifies -----------------------------------------

PEOPLE = ("prop@example.ac.uk", "Prop@example.ac.uk", "dmo@example.ac.uk", "music@example.ac.uk")
KEYS = ("k0", "k1", "k2", "k3")
NAMESPACES = ("smcheck-record", "smcheck-approval", f"smcheck-cosign-{COSIGN}")
ROLES = ("reviewer", COSIGN)

RANDOM_LINE = st.tuples(
    st.sampled_from(PEOPLE),
    st.sampled_from(KEYS),
    st.one_of(st.none(), st.frozensets(st.sampled_from(NAMESPACES), min_size=1)),
)
DESK = [
    ("prop@example.ac.uk", "k0", frozenset({"smcheck-record"})),
    ("dmo@example.ac.uk", "k1", frozenset({"smcheck-approval"})),
    ("music@example.ac.uk", "k2", frozenset({f"smcheck-cosign-{COSIGN}"})),
]
# A desk that mostly works, with a few lines added at random, so that every state is reached.
lines_strategy = st.builds(
    lambda keep, extra: [entry for entry, kept in zip(DESK, keep, strict=True) if kept] + extra,
    st.lists(st.booleans().map(lambda b: b or True), min_size=3, max_size=3)
    | st.lists(st.booleans(), min_size=3, max_size=3),
    st.lists(RANDOM_LINE, max_size=2),
)
LIKELY_DECISION = st.sampled_from(
    [("reviewer", "k1", "dmo@example.ac.uk"), (COSIGN, "k2", "music@example.ac.uk")]
)
ANY_DECISION = st.tuples(st.sampled_from(ROLES), st.sampled_from(KEYS), st.sampled_from(PEOPLE))
DECISION = st.tuples(
    LIKELY_DECISION | LIKELY_DECISION | ANY_DECISION,
    st.sampled_from(("approved", "approved", "rejected")),
).map(lambda pair: (*pair[0], pair[1]))
BOTH_ROLES = (
    st.permutations(
        [("reviewer", "k1", "dmo@example.ac.uk"), (COSIGN, "k2", "music@example.ac.uk")]
    )
    .flatmap(
        lambda pair: st.tuples(
            *(st.sampled_from([(*d, "approved"), (*d, "rejected")]) for d in pair)
        )
    )
    .map(list)
)
decisions_strategy = (
    BOTH_ROLES
    | st.lists(DECISION, max_size=2, unique_by=lambda d: d[0])
    | st.lists(DECISION, max_size=3)
)


def model(
    lines: list[tuple[str, str, frozenset[str] | None]],
    proposer_key: str,
    decisions: list[tuple[str, str, str, str]],
) -> tuple[bool, State]:
    """The rules, as plainly as they can be written: which records are valid, and their state."""

    def holds(principal: str, signer: str, namespace: str, *, named: bool) -> bool:
        return any(
            p == principal
            and k == signer
            and ((ns is None and not named) or (ns is not None and namespace in ns))
            for p, k, ns in lines
        )

    def keys_for(principal: str) -> set[str]:
        return {k for p, k, _ in lines if p.casefold() == principal.casefold()}

    if not holds(PROPOSER, proposer_key, "smcheck-record", named=False):
        return False, State.INVALID
    proposer = (PROPOSER.casefold(), {proposer_key} | keys_for(PROPOSER))
    seen: list[tuple[str, tuple[str, set[str]]]] = []
    for role, signer, approver, _ in decisions:
        person = (approver.casefold(), {signer} | keys_for(approver))
        if person[0] == proposer[0] or person[1] & proposer[1]:
            return False, State.INVALID
        if not holds(approver, signer, namespace_for(role), named=True):
            return False, State.INVALID
        for other_role, other in seen:
            if other_role == role or other[0] == person[0] or other[1] & person[1]:
                return False, State.INVALID
        seen.append((role, person))
    if any(decision == "rejected" for *_, decision in decisions):
        return True, State.REJECTED
    done = {role for role, *_ in decisions}
    if "reviewer" not in done:
        return True, State.AWAITING_REVIEWER
    if COSIGN not in done:
        return True, State.AWAITING_COSIGN
    return True, State.APPROVED


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    lines=lines_strategy,
    proposer_key=st.sampled_from(("k0", "k0", "k0", *KEYS)),
    decisions=decisions_strategy,
)
def test_only_what_the_rules_allow_verifies(
    tmp_path: Path,
    lines: list[tuple[str, str, frozenset[str] | None]],
    proposer_key: str,
    decisions: list[tuple[str, str, str, str]],
) -> None:
    """Principals, keys and roles assigned at random: verify's verdict and state match the rules."""
    trust = trust_file(
        tmp_path,
        *(f"{p} {public(k)}" if ns is None else line(p, k, *sorted(ns)) for p, k, ns in lines),
    )
    data = record(signer=proposer_key)
    for index, (role, signer, approver, decision) in enumerate(decisions):
        data = decide(
            data, signer, role, approver, decision, time=DECIDED + dt.timedelta(minutes=index)
        )
    valid, state = model(lines, proposer_key, decisions)
    report = check(data, trust)
    assert (report.valid, report.state) == (valid, state), [
        (c.check, c.code, c.summary) for c in report.checks if c.verdict is Verdict.FAIL
    ]
