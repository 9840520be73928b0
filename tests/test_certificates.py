"""Staff certificates from an SSH certificate authority (issue 20): every accept and refuse decision is
checked against stock ``ssh-keygen -Y verify`` on the same trust file, signature and message, with
certificates made in the tests by ``ssh-keygen -s``.

The experiments that taught the rules (smcheck/trust/certs.py writes them down) are the cases of
:func:`test_certificate_decisions_agree_with_ssh_keygen`; revocation by key, CA, serial and key id are
those of :func:`test_revocation_agrees_with_ssh_keygen`.
"""

from __future__ import annotations

import base64
import datetime as dt
import os
import shutil
import struct
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import NamedTuple

import pytest
from helpers.desk import PROPOSER_EMAIL, Desk, open_desk, runner
from helpers.records import EXAMPLE_ANSWERS, FIXED_NOW, make_record_bytes
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from smcheck import registry
from smcheck.choices import Require
from smcheck.cli import app
from smcheck.errors import FileProblem
from smcheck.layout import append_seal, read_layout
from smcheck.record import Seal
from smcheck.trust.allowed import Trust, decide_trust, load_allowed_signers, load_revoked
from smcheck.trust.certs import Certificate
from smcheck.trust.keys import CertifiedKey, LocalKey, load_private_key, read_certificate
from smcheck.trust.policy import NAMESPACE_APPROVAL, NAMESPACE_RECORD
from smcheck.trust.signing import seal_record, sign
from smcheck.trust.sshsig import (
    SignatureError,
    armour,
    blob_of,
    parse_signature,
    signature_from_base64,
    verify,
)
from smcheck.trust.wire import KeyProblem
from smcheck.verify import Demands, verify_bytes

SSH_KEYGEN = shutil.which("ssh-keygen")
pytestmark = pytest.mark.skipif(
    SSH_KEYGEN is None,
    reason="stock OpenSSH ssh-keygen is needed as the oracle (apt-get install openssh-client)",
)

ALICE = "alice@essex.ac.uk"
MESSAGE = b"the exact bytes of a record\n"


def keygen(*args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
    """Run ssh-keygen in UTC (its times without Z are local)."""
    assert SSH_KEYGEN is not None
    return subprocess.run(
        [SSH_KEYGEN, *args],
        input=stdin,
        capture_output=True,
        check=False,
        env={**os.environ, "TZ": "UTC"},
        timeout=30,
    )


def make_key(path: Path, kind: str = "ed25519") -> Path:
    made = keygen("-q", "-t", kind, "-N", "", "-C", path.name, "-f", str(path))
    assert made.returncode == 0, made.stderr
    return path


def certify(ca: Path, user: Path, *options: str) -> Path:
    """``ssh-keygen -s CA -I ID ... USER.pub``: the CA signs the user's key; returns USER-cert.pub."""
    made = keygen("-q", "-s", str(ca), *options, f"{user}.pub")
    assert made.returncode == 0, made.stderr
    return user.with_name(user.name + "-cert.pub")


def cert_signature(key: Path, cert: Path, data: bytes, namespace: str = NAMESPACE_RECORD) -> str:
    """What ``ssh-keygen -Y sign -f KEY-cert.pub`` makes (Ed25519 is deterministic): a signature that
    carries the certificate. Made in Python, since ssh-agent refuses an expired certificate."""
    signer = CertifiedKey(LocalKey(load_private_key(key)), read_certificate(cert), cert)
    return sign(signer, data, namespace)


class Verdicts(NamedTuple):
    ours: bool
    why: str
    theirs: bool
    said: str


def judge(
    tmp: Path,
    allowed: str,
    signature: str,
    principal: str,
    *,
    namespace: str = NAMESPACE_RECORD,
    revoked: Path | None = None,
    at: dt.datetime | None = None,
) -> Verdicts:
    """smcheck's verdict and ssh-keygen's on the same trust file, signature and message."""
    trust_path = tmp / "allowed_signers"
    trust_path.write_text(allowed)
    sig_path = tmp / "message.sig"
    sig_path.write_text(signature)
    when = at or dt.datetime.now(dt.UTC)
    try:
        sig = parse_signature(signature)
        verify(sig, MESSAGE, namespace)
        decision = decide_trust(
            sig.public_key,
            trust=load_allowed_signers(trust_path),
            revoked=load_revoked(revoked) if revoked else frozenset(),
            principal=principal,
            namespace=namespace,
            at=when,
            certificate=sig.certificate,
        )
        ours, why = decision.status is Trust.TRUSTED, decision.message
    except SignatureError as exc:
        ours, why = False, exc.message
    args = ["-Y", "verify", "-f", str(trust_path), "-I", principal, "-n", namespace]
    args += ["-s", str(sig_path)]
    if revoked is not None:
        args += ["-r", str(revoked)]
    if at is not None:
        args += [f"-Overify-time={at:%Y%m%d%H%M%S}"]
    done = keygen(*args, stdin=MESSAGE)
    said = (done.stdout + done.stderr).decode()
    return Verdicts(ours, why, done.returncode == 0, said)


class Lab(NamedTuple):
    root: Path
    ca: Path
    other_ca: Path
    user: Path


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Lab:
    root = tmp_path_factory.mktemp("ca")
    return Lab(root, make_key(root / "ca"), make_key(root / "other_ca"), make_key(root / "alice"))


def ca_line(lab: Lab, principals: str, options: str = "", ca: Path | None = None) -> str:
    joined = f"cert-authority,{options}" if options else "cert-authority"
    return f"{principals} {joined} {(ca or lab.ca).with_suffix('.pub').read_text().strip()}\n"


# Each certificate: the ssh-keygen -s options that make it (times are relative to now, or fixed).
CERTS: dict[str, tuple[str, ...]] = {
    "good": ("-I", "alice-laptop", "-n", f"{ALICE},alice", "-z", "42", "-V", "-1d:+52w"),
    "expired": ("-I", "old", "-n", ALICE, "-V", "20200101:20210101"),
    "not-yet-valid": ("-I", "later", "-n", ALICE, "-V", "+52w:+104w"),
    "host": ("-I", "host", "-h", "-n", ALICE, "-V", "-1d:+52w"),
    "no-principals": ("-I", "anyone", "-V", "-1d:+52w"),
    "other-principal": ("-I", "bob", "-n", "bob@essex.ac.uk", "-V", "-1d:+52w"),
    "capitalised": ("-I", "cap", "-n", "Alice@essex.ac.uk", "-V", "-1d:+52w"),
    "pattern-principal": ("-I", "wild", "-n", "*@essex.ac.uk", "-V", "-1d:+52w"),
    "forever": ("-I", "forever", "-n", ALICE),
    "options": (
        "-I",
        "opts",
        "-n",
        ALICE,
        "-O",
        "source-address=10.0.0.1",
        "-O",
        "force-command=/bin/false",
    ),
}

LINES = {
    "everyone": lambda lab: ca_line(lab, "*@essex.ac.uk"),
    "alice": lambda lab: ca_line(lab, ALICE),
    "bob": lambda lab: ca_line(lab, "bob@essex.ac.uk"),
    "records": lambda lab: ca_line(lab, "*@essex.ac.uk", 'namespaces="smcheck-record"'),
    "git-only": lambda lab: ca_line(lab, "*@essex.ac.uk", 'namespaces="git"'),
    "ended": lambda lab: ca_line(lab, "*@essex.ac.uk", 'valid-before="20200101Z"'),
    "other-ca": lambda lab: ca_line(lab, "*@essex.ac.uk", ca=lab.other_ca),
    "the-key-itself": lambda lab: f"{ALICE} {(lab.user.with_suffix('.pub')).read_text()}",
    "negated": lambda lab: ca_line(lab, "*@essex.ac.uk,!alice@essex.ac.uk"),
}


@pytest.fixture(scope="module")
def signatures(lab: Lab) -> dict[str, str]:
    made = {}
    for name, options in CERTS.items():
        user = lab.root / f"user-{name}"
        if not user.exists():
            make_key(user)
        cert = certify(lab.ca, user, *options)
        made[name] = cert_signature(user, cert, MESSAGE)
    return made


@pytest.mark.parametrize("principal", [ALICE, "carol@essex.ac.uk", "Alice@essex.ac.uk"])
@pytest.mark.parametrize("line", sorted(LINES))
def test_certificate_decisions_agree_with_ssh_keygen(
    lab: Lab, signatures: dict[str, str], tmp_path: Path, line: str, principal: str
) -> None:
    """Every certificate against every kind of line, as three principals: smcheck accepts exactly
    what ssh-keygen -Y verify accepts."""
    allowed = LINES[line](lab)
    for name, signature in signatures.items():
        verdict = judge(tmp_path, allowed, signature, principal)
        assert verdict.ours == verdict.theirs, (name, line, principal, verdict)


def test_the_rules_as_learnt(lab: Lab, signatures: dict[str, str], tmp_path: Path) -> None:
    """The experiments' outcomes, in words: what each refusal says."""
    everyone = LINES["everyone"](lab)
    good = judge(tmp_path, everyone, signatures["good"], ALICE)
    assert good.ours and good.theirs
    assert good.why.startswith(f"signed by '{ALICE}' with key SHA256:")
    assert "certified by the CA SHA256:" in good.why
    assert "(certificate 'alice-laptop', serial 42)" in good.why
    refusals = {
        "expired": "does not count: it expired at 2021-01-01 00:00:00 UTC",
        "host": "does not count: it is a host certificate, not a user certificate",
        "no-principals": "does not count: it lists no principals",
        "other-principal": f"it is for 'bob@essex.ac.uk', not for '{ALICE}'",
        "capitalised": f"it is for 'Alice@essex.ac.uk', not for '{ALICE}'",
        "not-yet-valid": "does not count: it is not valid until",
    }
    for name, words in refusals.items():
        verdict = judge(tmp_path, everyone, signatures[name], ALICE)
        assert not verdict.ours and not verdict.theirs, name
        assert words in verdict.why, (name, verdict.why)
    other = judge(tmp_path, LINES["other-ca"](lab), signatures["good"], ALICE)
    assert not other.ours and not other.theirs
    assert "which no cert-authority line of the trust file" in other.why
    itself = judge(tmp_path, LINES["the-key-itself"](lab), signatures["good"], ALICE)
    assert not itself.ours and not itself.theirs


def test_a_certificate_is_judged_at_the_time_of_signing(
    lab: Lab, signatures: dict[str, str], tmp_path: Path
) -> None:
    """An expired certificate verifies for a time within its window (-Overify-time), as a plain key
    whose line has ended does: what was signed while valid stays valid."""
    everyone = LINES["everyone"](lab)
    inside = dt.datetime(2020, 6, 1, tzinfo=dt.UTC)
    verdict = judge(tmp_path, everyone, signatures["expired"], ALICE, at=inside)
    assert verdict.ours and verdict.theirs, verdict
    for edge, accepted in [
        (dt.datetime(2020, 1, 1, tzinfo=dt.UTC), True),
        (dt.datetime(2019, 12, 31, 23, 59, 59, tzinfo=dt.UTC), False),
        (dt.datetime(2020, 12, 31, 23, 59, 59, tzinfo=dt.UTC), True),
        (dt.datetime(2021, 1, 1, tzinfo=dt.UTC), False),
    ]:
        verdict = judge(tmp_path, everyone, signatures["expired"], ALICE, at=edge)
        assert verdict.ours == verdict.theirs == accepted, (edge, verdict)


def test_an_approving_role_is_never_granted_by_a_ca_for_everyone(
    lab: Lab, signatures: dict[str, str], tmp_path: Path
) -> None:
    """ssh-keygen accepts a CA line for *@essex.ac.uk in smcheck-approval; smcheck's policy (one
    person, one role) needs a line naming the person for an approving role."""
    path = tmp_path / "allowed_signers"
    path.write_text(ca_line(lab, "*@essex.ac.uk", f'namespaces="{NAMESPACE_APPROVAL}"'))
    user = lab.root / "user-good"
    signature = cert_signature(
        user, user.with_name("user-good-cert.pub"), MESSAGE, NAMESPACE_APPROVAL
    )
    sig = parse_signature(signature)
    at = dt.datetime.now(dt.UTC)
    pattern = decide_trust(
        sig.public_key,
        trust=load_allowed_signers(path),
        revoked=frozenset(),
        principal=ALICE,
        namespace=NAMESPACE_APPROVAL,
        at=at,
        named=True,
        certificate=sig.certificate,
    )
    assert pattern.status is Trust.WRONG_PRINCIPAL
    assert "needs a line that names the person" in pattern.message
    path.write_text(ca_line(lab, ALICE, f'namespaces="{NAMESPACE_APPROVAL}"'))
    named = decide_trust(
        sig.public_key,
        trust=load_allowed_signers(path),
        revoked=frozenset(),
        principal=ALICE,
        namespace=NAMESPACE_APPROVAL,
        at=at,
        named=True,
        certificate=sig.certificate,
    )
    assert named.status is Trust.TRUSTED, named.message


@pytest.mark.parametrize("kind", ["ecdsa", "rsa"])
def test_ecdsa_and_rsa_cas(lab: Lab, tmp_path: Path, kind: str) -> None:
    """A CA key of another kind signs Ed25519 keys' certificates; both verifiers accept them, and
    refuse them for a principal the certificate does not list."""
    ca = make_key(tmp_path / f"ca-{kind}", kind)
    user = make_key(tmp_path / "user")
    cert = certify(ca, user, "-I", "x", "-n", ALICE, "-V", "-1d:+1d")
    signature = cert_signature(user, cert, MESSAGE)
    allowed = ca_line(lab, "*@essex.ac.uk", ca=ca)
    for principal, accepted in [(ALICE, True), ("bob@essex.ac.uk", False)]:
        verdict = judge(tmp_path, allowed, signature, principal)
        assert verdict.ours == verdict.theirs == accepted, verdict


def test_a_forged_certificate_is_refused(lab: Lab, signatures: dict[str, str]) -> None:
    """A certificate whose bytes were changed after the CA signed it (another principal written in)
    no longer carries the CA's signature."""
    blob = base64.b64decode("".join(signatures["good"].splitlines()[1:-1]))
    forged = blob.replace(b"alice@essex.ac.uk", b"dmo@essex.ac.uk\x00\x00")
    assert forged != blob
    text = "\n".join(
        [
            "-----BEGIN SSH SIGNATURE-----",
            base64.b64encode(forged).decode(),
            "-----END SSH SIGNATURE-----",
        ]
    )
    with pytest.raises(SignatureError) as caught:
        parse_signature(text + "\n")
    assert "certificate" in caught.value.message


# --- revocation ------------------------------------------------------------------------------------


KRL_HEAD = b"SSHKRL\n\x00" + struct.pack(">I", 1) + bytes(24) + struct.pack(">II", 0, 0)
"""A KRL's header (PROTOCOL.krl): magic, format version 1, KRL version, date, flags, reserved, comment."""


def ssh_string(data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + data


def krl(tmp: Path, name: str, spec: str, ca: Path | None) -> Path:
    (tmp / f"{name}.spec").write_text(spec)
    args = ["-k", "-f", str(tmp / name)]
    if ca is not None:
        args += ["-s", f"{ca}.pub"]
    made = keygen(*args, str(tmp / f"{name}.spec"))
    assert made.returncode == 0, made.stderr
    return tmp / name


def test_revocation_agrees_with_ssh_keygen(
    lab: Lab, signatures: dict[str, str], tmp_path: Path
) -> None:
    """Revoked by serial (one, a range, a bitmap), by key id, by key, by fingerprint, by the CA's key,
    in a KRL or a plain list; and KRLs that revoke something else: both verifiers agree."""
    user = lab.root / "user-good"
    user_pub = f"{user}.pub"
    key_line = Path(user_pub).read_text()
    fingerprint = keygen("-l", "-f", user_pub).stdout.split()[1].decode()
    cases = {
        "serial": (krl(tmp_path, "k1", "serial: 42\n", lab.ca), False),
        "serial-range": (krl(tmp_path, "k2", "serial: 40-50\n", lab.ca), False),
        "serials-bitmap": (
            krl(tmp_path, "k3", "".join(f"serial: {n}\n" for n in range(30, 60, 2)), lab.ca),
            False,
        ),
        "key-id": (krl(tmp_path, "k4", "id: alice-laptop\n", lab.ca), False),
        "other-serial": (krl(tmp_path, "k5", "serial: 43\nid: someone-else\n", lab.ca), True),
        "other-ca's-serial": (krl(tmp_path, "k6", "serial: 42\n", lab.other_ca), True),
        "key-in-krl": (krl(tmp_path, "k7", f"key: {key_line}", None), False),
        "hash-in-krl": (krl(tmp_path, "k8", f"hash: {fingerprint}\n", None), False),
        "ca-in-krl": (
            krl(tmp_path, "k9", f"key: {Path(f'{lab.ca}.pub').read_text()}", None),
            False,
        ),
    }
    listed = tmp_path / "list-key"
    listed.write_text(key_line)
    cases["key-in-list"] = (listed, False)
    listed_ca = tmp_path / "list-ca"
    listed_ca.write_text(Path(f"{lab.ca}.pub").read_text())
    cases["ca-in-list"] = (listed_ca, False)
    listed_cert = tmp_path / "list-cert"
    listed_cert.write_text(Path(f"{user}-cert.pub").read_text())
    cases["cert-in-list"] = (listed_cert, False)
    everyone = LINES["everyone"](lab)
    for name, (path, accepted) in cases.items():
        verdict = judge(tmp_path, everyone, signatures["good"], ALICE, revoked=path)
        assert verdict.ours == verdict.theirs == accepted, (name, verdict)
        if not accepted:
            assert "revoked" in verdict.why, (name, verdict.why)
    said = judge(tmp_path, everyone, signatures["good"], ALICE, revoked=cases["serial"][0]).why
    assert said.startswith("the certificate 'alice-laptop' (serial 42) of the key SHA256:")
    assert said.endswith("has been revoked")


def test_serial_zero_is_never_revoked_by_serial(lab: Lab, tmp_path: Path) -> None:
    """A certificate made without a serial (0) is not revoked by a range of serials; a KRL that names
    serial 0 is refused whole by both (ssh-keygen -k will not write one: it is made by hand here)."""
    user = make_key(tmp_path / "zero")
    cert = certify(lab.ca, user, "-I", "zero", "-n", ALICE, "-V", "-1d:+1d")
    signature = cert_signature(user, cert, MESSAGE)
    everyone = LINES["everyone"](lab)
    low = krl(tmp_path, "k1", "serial: 1-10\n", lab.ca)
    verdict = judge(tmp_path, everyone, signature, ALICE, revoked=low)
    assert verdict.ours and verdict.theirs, verdict
    ca_blob = base64.b64decode(Path(f"{lab.ca}.pub").read_text().split()[1])
    ranged = b"\x21" + ssh_string(struct.pack(">QQ", 0, 10))
    section = ssh_string(ca_blob) + ssh_string(b"") + ranged
    path = tmp_path / "k0"
    path.write_bytes(KRL_HEAD + b"\x01" + ssh_string(section))
    with pytest.raises(FileProblem) as caught:
        load_revoked(path)
    assert caught.value.message == f"{path}: the KRL revokes serial number 0, which OpenSSH refuses"
    theirs = keygen("-Q", "-l", "-f", str(path))
    assert theirs.returncode != 0 and b"Invalid KRL file" in theirs.stderr


@pytest.mark.parametrize(
    ("tail", "message"),
    [
        (b"\x07" + struct.pack(">I", 0), "the KRL has a section of an unknown type (7)"),
        (b"\x01" + struct.pack(">I", 2) + b"\x00\x00", "the KRL's certificates section is damaged"),
        (b"\x01", "the KRL is damaged: it is cut short in the section"),
    ],
)
def test_damaged_krls_are_refused_by_name(tmp_path: Path, tail: bytes, message: str) -> None:
    path = tmp_path / "krl"
    path.write_bytes(KRL_HEAD + tail)
    with pytest.raises(FileProblem) as caught:
        load_revoked(path)
    assert caught.value.message.startswith(f"{path}: {message}"), caught.value.message
    assert caught.value.hint == (
        "make it again with ssh-keygen -k, or list revoked public keys one per line"
    )


# --- records and the commands ----------------------------------------------------------------------


@pytest.fixture
def desk(tmp_path: Path) -> object:
    yield from open_desk(tmp_path)


def staff_ca(desk: Desk, principal: str = PROPOSER_EMAIL, *extra: str) -> Path:
    """The University's CA, and a certificate for the proposer's key (valid around FIXED_NOW)."""
    ca = desk.root / "keys" / "university_ca"
    if not ca.exists():
        make_key(ca)
    return certify(
        ca,
        desk.keys["proposer"],
        "-I",
        "h.marsh-2026",
        "-z",
        "7",
        "-n",
        principal,
        "-V",
        "20260101:20270101",
        *extra,
    )


def test_a_record_signed_with_a_certificate_verifies_through_the_ca_line(desk: Desk) -> None:
    staff_ca(desk)
    ca_pub = (desk.root / "keys" / "university_ca.pub").read_text().strip()
    desk.trust.write_text(f'*@essex.ac.uk cert-authority,namespaces="smcheck-record" {ca_pub}\n')
    data = make_record_bytes()
    content, _ = read_layout(data)
    key = CertifiedKey(
        LocalKey(load_private_key(desk.keys["proposer"])),
        read_certificate(desk.root / "keys" / "proposer-cert.pub"),
        desk.root / "keys" / "proposer-cert.pub",
    )
    signed = append_seal(data, seal_record(key, content))
    trust = load_allowed_signers(desk.trust)
    report = verify_bytes(
        signed,
        "r",
        lookup=registry.lookup(),
        today=FIXED_NOW.date(),
        demands=Demands(trust=trust, now=FIXED_NOW, require=Require.SIGNED),
    )
    assert report.valid, report.checks
    assert report.judged is not None and report.judged.proposer is not None
    assert report.judged.proposer.status == "trusted"
    assert "certified by the CA" in report.judged.proposer.message
    # The same signature verifies with ssh-keygen against the same line.
    sig_path = desk.root / "r.sig"
    _, seals = read_layout(signed)
    (blob,) = [seal.sshsig for seal in seals if seal.sshsig is not None]
    sig_path.write_text(armour(blob))
    done = keygen(
        "-Y",
        "verify",
        "-f",
        str(desk.trust),
        "-I",
        PROPOSER_EMAIL,
        "-n",
        NAMESPACE_RECORD,
        "-s",
        str(sig_path),
        f"-Overify-time={FIXED_NOW:%Y%m%d%H%M%S}",
        stdin=content,
    )
    assert done.returncode == 0, done.stderr


def relative_certificate(desk: Desk, name: str, principal: str, key_id: str) -> Path:
    """A certificate from the desk's University CA for one of its keys, valid from a year ago."""
    ca = desk.root / "keys" / "university_ca"
    if not ca.exists():
        make_key(ca)
    return certify(ca, desk.keys[name], "-I", key_id, "-z", "7", "-n", principal, "-V", "-52w:+52w")


def university_ca(desk: Desk) -> str:
    return (desk.root / "keys" / "university_ca.pub").read_text().strip()


def cli(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, " ".join(result.output.split())


def carried(record: Path, role: str = "proposer") -> Certificate | None:
    _, seals = read_layout(record.read_bytes())
    (blob,) = [s.sshsig for s in seals if s.sshsig is not None and (s.role or "reviewer") == role]
    assert blob is not None
    return signature_from_base64(blob).certificate


def test_sign_uses_the_certificate_beside_the_key(desk: Desk) -> None:
    relative_certificate(desk, "proposer", PROPOSER_EMAIL, "h.marsh-2026")
    desk.trust.write_text(
        f'*@essex.ac.uk cert-authority,namespaces="smcheck-record" {university_ca(desk)}\n'
    )
    record = desk.new(key=None)
    code, out = cli(
        "sign",
        "--key",
        str(desk.keys["proposer"]),
        "--allowed-signers",
        str(desk.trust),
        str(record),
    )
    assert code == 0, out
    assert f"trusted for {PROPOSER_EMAIL} through its certificate from the CA" in out
    assert (
        f"The signature carries the certificate 'h.marsh-2026' (serial 7) for '{PROPOSER_EMAIL}',"
        " valid from "
    ) in out
    assert ", signed by the CA SHA256:" in out
    cert = carried(record)
    assert cert is not None and cert.key_id == "h.marsh-2026"
    code, out = desk.verify(record, "--require", "signed")
    assert code == 0, out


def test_sign_leaves_out_a_certificate_the_trust_file_does_not_accept(desk: Desk) -> None:
    """The desk's trust file names the proposer's key, not the CA: the key alone signs, and a note
    says why the certificate was left out."""
    relative_certificate(desk, "proposer", PROPOSER_EMAIL, "h.marsh-2026")
    record = desk.new(key=None)
    code, out = cli(
        "sign",
        "--key",
        str(desk.keys["proposer"]),
        "--allowed-signers",
        str(desk.trust),
        str(record),
    )
    assert code == 0, out
    assert (
        "smcheck: note: the certificate 'h.marsh-2026' was not used: this key may not sign the"
        f" record as its proposer ({PROPOSER_EMAIL}): the key SHA256:"
    ) in out
    assert "which no cert-authority line of the trust file" in out
    assert carried(record) is None
    assert desk.verify(record, "--require", "signed")[0] == 0


def test_sign_refuses_a_certificate_from_a_ca_nobody_trusts(desk: Desk) -> None:
    relative_certificate(desk, "proposer", PROPOSER_EMAIL, "h.marsh-2026")
    desk.trust.write_text(desk.trust.read_text().split("\n", 1)[1])  # the proposer's line removed
    record = desk.new(key=None)
    code, out = cli(
        "sign",
        "--key",
        str(desk.keys["proposer"]),
        "--allowed-signers",
        str(desk.trust),
        str(record),
    )
    assert code == 1, out
    assert out.startswith(
        f"smcheck: error: this key may not sign the record as its proposer ({PROPOSER_EMAIL}):"
        " the key SHA256:"
    )
    assert "signed with a certificate from the CA SHA256:" in out
    assert "hint: the trust file" in out and "needs a cert-authority line for the CA" in out


def test_new_signs_with_the_certificate(desk: Desk) -> None:
    relative_certificate(desk, "proposer", PROPOSER_EMAIL, "h.marsh-2026")
    desk.trust.write_text(
        f'*@essex.ac.uk cert-authority,namespaces="smcheck-record" {university_ca(desk)}\n'
    )
    output = str(desk.root / "r.smcheck.toml")
    sign_with = ["--sign-with", str(desk.keys["proposer"])]
    result = runner.invoke(
        app, ["new", "--answers", str(EXAMPLE_ANSWERS), "--output", output, *sign_with]
    )
    assert result.exit_code == 0, result.output
    assert (
        "smcheck: note: the record will be signed with the certificate 'h.marsh-2026' (serial 7)"
        f" for '{PROPOSER_EMAIL}', valid from "
    ) in " ".join(result.stderr.split())
    record = desk.root / "r.smcheck.toml"
    cert = carried(record)
    assert cert is not None and cert.principals == (PROPOSER_EMAIL,)
    code, out = desk.verify(record, "--require", "signed")
    assert code == 0, out
    # The person the CA vouches for, not the line's pattern (*@essex.ac.uk), and the certificate.
    flat = " ".join(out.split())
    assert f"PASS signature signed by {PROPOSER_EMAIL} (key SHA256:" in flat
    assert f", certificate 'h.marsh-2026' from the CA {cert.ca_fingerprint}): trusted" in flat


def test_approve_with_a_certificate_needs_a_line_naming_the_reviewer(desk: Desk) -> None:
    """A CA line for everyone never grants the reviewer's role (refused, with why); a CA line that
    names the reviewer does, and the decision carries the certificate."""
    relative_certificate(desk, "reviewer", "dmo@essex.ac.uk", "dmo-2026")
    proposer_line = desk.trust.read_text().splitlines()[0]
    ca = university_ca(desk)
    desk.trust.write_text(
        f'{proposer_line}\n*@essex.ac.uk cert-authority,namespaces="smcheck-approval" {ca}\n'
    )
    record = desk.new()
    code, out = desk.approve(record, "reviewer")
    assert code == 1, out
    assert "a CA alone never grants an approving role" in " ".join(out.split())
    desk.trust.write_text(
        f'{proposer_line}\ndmo@essex.ac.uk cert-authority,namespaces="smcheck-approval" {ca}\n'
    )
    code, out = desk.approve(record, "reviewer")
    flat = " ".join(out.split())
    assert code == 0, out
    assert (
        "The decision carries the certificate 'dmo-2026' (serial 7) for 'dmo@essex.ac.uk'" in flat
    )
    cert = carried(record, "reviewer")
    assert cert is not None and cert.key_id == "dmo-2026"
    code, out = desk.verify(record)
    assert code == 0, out
    assert "APPROVED" in out or "approved" in out


def test_trust_check_lists_the_ca_lines(desk: Desk) -> None:
    relative_certificate(desk, "proposer", PROPOSER_EMAIL, "x")
    ca = university_ca(desk)
    desk.trust.write_text(
        desk.trust.read_text()
        + f'*@essex.ac.uk,!bot@essex.ac.uk cert-authority,namespaces="smcheck-record" {ca}\n'
        + f'dmo@essex.ac.uk cert-authority,namespaces="smcheck-approval",valid-before="20200101Z" {ca}\n'
    )
    code, out = cli("trust", "check", "--allowed-signers", str(desk.trust))
    assert code == 0, out
    assert f"{desk.trust}: 5 lines smcheck uses" in out
    fingerprint = keygen("-l", "-f", f"{desk.root / 'keys' / 'university_ca'}.pub").stdout.split()[
        1
    ]
    assert (
        f"Certificate authorities (cert-authority lines): line 4: the Ed25519 CA"
        f" {fingerprint.decode()} vouches for anyone matching '*@essex.ac.uk', not"
        " 'bot@essex.ac.uk', each with a user certificate that lists them, in smcheck-record"
        f" line 5: the Ed25519 CA {fingerprint.decode()} vouches for 'dmo@essex.ac.uk', each with a"
        " user certificate that lists them, in smcheck-approval; ended at 2020-01-01 00:00:00 UTC"
    ) in out
    assert "proposer (smcheck-record): h.marsh@essex.ac.uk, anyone matching *@essex.ac.uk" in out


def test_keygen_explains_how_to_ask_the_ca(tmp_path: Path) -> None:
    key = tmp_path / "id_ed25519"
    result = runner.invoke(app, ["keygen", "--output", str(key), "--email", PROPOSER_EMAIL])
    assert result.exit_code == 0, result.output
    assert result.stdout.count("\n") == 1  # the trust line alone: `>> allowed_signers` adds it
    said = " ".join(result.stderr.split())
    assert (
        "If your University's SSH certificate authority certifies staff keys, send it the public"
        f" key ({key}.pub) instead; the CA runs: ssh-keygen -s CA_KEY -I {PROPOSER_EMAIL} -n"
        f" {PROPOSER_EMAIL} -V +52w id_ed25519.pub and returns id_ed25519-cert.pub: save it beside"
        f" the key, as {key}-cert.pub;"
    ) in said


@pytest.fixture
def agent_socket(monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A real ssh-agent for one test (started and stopped here), named by SSH_AUTH_SOCK."""
    agent = shutil.which("ssh-agent")
    if agent is None or shutil.which("ssh-add") is None:
        pytest.skip("OpenSSH's ssh-agent and ssh-add are needed")
    folder = Path(tempfile.mkdtemp(prefix="smca", dir="/tmp" if Path("/tmp").is_dir() else None))
    socket = folder / "agent.sock"
    process = subprocess.Popen(
        [agent, "-D", "-a", str(socket)],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 10
        while not socket.exists():
            assert process.poll() is None and time.monotonic() < deadline, "no ssh-agent"
            time.sleep(0.02)
        monkeypatch.setenv("SSH_AUTH_SOCK", str(socket))
        yield socket
    finally:
        process.terminate()
        process.wait(timeout=10)
        shutil.rmtree(folder, ignore_errors=True)


def test_through_the_agent_and_as_ssh_keygen_signs(desk: Desk, agent_socket: Path) -> None:
    """ssh-add adds the key and its certificate; ssh-keygen -Y sign -f KEY-cert.pub makes, byte for
    byte, the signature smcheck makes (Ed25519 is deterministic); smcheck sign --key KEY.pub signs
    through the agent with the certificate beside the key."""
    cert = relative_certificate(desk, "proposer", PROPOSER_EMAIL, "h.marsh-2026")
    key = desk.keys["proposer"]
    added = subprocess.run(
        ["ssh-add", str(key)],
        capture_output=True,
        check=False,
        timeout=30,
        stdin=subprocess.DEVNULL,
    )
    assert added.returncode == 0 and b"Certificate added" in added.stderr, added.stderr
    message = desk.root / "message"
    message.write_bytes(MESSAGE)
    made = keygen("-Y", "sign", "-f", str(cert), "-n", NAMESPACE_RECORD, str(message))
    assert made.returncode == 0, made.stderr
    assert (desk.root / "message.sig").read_text() == cert_signature(key, cert, MESSAGE)
    desk.trust.write_text(
        f'*@essex.ac.uk cert-authority,namespaces="smcheck-record" {university_ca(desk)}\n'
    )
    record = desk.new(key=None)
    code, out = cli(
        "sign", "--key", f"{key}.pub", "--allowed-signers", str(desk.trust), str(record)
    )
    assert code == 0, out
    assert "The signature carries the certificate 'h.marsh-2026'" in out
    assert carried(record) is not None
    assert desk.verify(record, "--require", "signed")[0] == 0


@pytest.mark.parametrize(
    ("case", "options", "words"),
    [
        (
            "another CA",
            ("-n", PROPOSER_EMAIL, "-V", "-52w:+52w"),
            "signed with a certificate from the CA SHA256:",
        ),
        (
            "a host certificate",
            ("-h", "-n", PROPOSER_EMAIL, "-V", "-52w:+52w"),
            "it is a host certificate, not a user certificate",
        ),
        ("expired", ("-n", PROPOSER_EMAIL, "-V", "-104w:-52w"), "does not count: it expired at"),
        (
            "another principal",
            ("-n", "dmo@essex.ac.uk", "-V", "-52w:+52w"),
            f"it is for 'dmo@essex.ac.uk', not for '{PROPOSER_EMAIL}'",
        ),
        (
            "a revoked serial",
            ("-n", PROPOSER_EMAIL, "-V", "-52w:+52w", "-z", "99"),
            "(serial 99) of the key SHA256:",
        ),
    ],
)
def test_verify_refuses_a_record_signed_with_a_certificate_that_does_not_count(
    desk: Desk, case: str, options: tuple[str, ...], words: str
) -> None:
    """The threat model's certificate cases, at the record level: the signature row fails with the
    reason, no `smcheck trust add` is suggested (a key line would not help), exit 1."""
    make_key(desk.root / "keys" / "university_ca")
    ca = desk.root / "keys" / ("rogue_ca" if case == "another CA" else "university_ca")
    if not ca.exists():
        make_key(ca)
    cert = certify(ca, desk.keys["proposer"], "-I", "h.marsh", *options)
    desk.trust.write_text(
        f'*@essex.ac.uk cert-authority,namespaces="smcheck-record" {university_ca(desk)}\n'
    )
    revoked = krl(desk.root, "revoked.krl", "serial: 99\n", desk.root / "keys" / "university_ca")
    record = desk.new(key=None)
    data = record.read_bytes()
    content, _ = read_layout(data)
    signature = cert_signature(desk.keys["proposer"], cert, content)
    record.write_bytes(
        append_seal(data, Seal("sshsig", role="proposer", sshsig=blob_of(signature)))
    )
    code, out = desk.verify(record, "--revoked", str(revoked))
    flat = " ".join(out.split())
    assert code == 1, out
    assert "FAIL signature" in flat and words in flat, flat
    assert "trust add" not in flat
    code, out = cli("trust", "add", "--yes", "--allowed-signers", str(desk.trust), str(record))
    assert code == 1, out
    assert "a line for the key would not make it verify" in out


def test_trust_add_refuses_a_certified_signature(desk: Desk) -> None:
    relative_certificate(desk, "proposer", PROPOSER_EMAIL, "h.marsh-2026")
    record = desk.new()
    code, out = cli("trust", "add", "--yes", "--allowed-signers", str(desk.trust), str(record))
    assert code == 1, out
    assert out.startswith(
        f"smcheck: error: {record} is signed with a certificate 'h.marsh-2026' (serial 7) for"
        f" '{PROPOSER_EMAIL}', valid from "
    )
    assert (
        ": a line for the key would not make it verify, as a certified signature is judged by"
        " cert-authority lines only; nothing added"
    ) in out


# --- generated trust files, certificates and revocations, against ssh-keygen ------------------------

GEN_TIMES = ["20260101", "20260601120000", "20261231235959"]
GEN_PRINCIPALS = ["jo@x.ac.uk", "sam@x.ac.uk", "JO@x.ac.uk"]
GEN_PATTERNS = [
    "jo@x.ac.uk",
    "sam@x.ac.uk",
    "*@x.ac.uk",
    "*@x.ac.uk",
    "j?@x.ac.uk",
    "*",
    "!jo@x.ac.uk",
]
GEN_NAMESPACES = ["smcheck-record", "smcheck-approval", "smcheck-*", "git", "*"]


class Generated(NamedTuple):
    root: Path
    cas: tuple[Path, Path]
    certs: tuple[tuple[Path, Path], ...]
    """(key, its certificate): every kind the generator draws from."""
    revoked: tuple[Path, ...]


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Generated:
    root = tmp_path_factory.mktemp("generated")
    cas = (make_key(root / "ca1"), make_key(root / "ca2"))
    kinds = [
        (0, ("-n", "jo@x.ac.uk", "-z", "5", "-V", "20260101:20261231")),
        (0, ("-n", "jo@x.ac.uk,sam@x.ac.uk", "-z", "6", "-V", "20260301:20270101")),
        (0, ("-n", "JO@x.ac.uk", "-z", "7")),
        (0, ("-h", "-n", "jo@x.ac.uk", "-z", "8")),
        (
            0,
            (
                "-z",
                "9",
            ),
        ),
        (1, ("-n", "jo@x.ac.uk", "-z", "5")),
    ]
    certs = []
    for number, (ca, options) in enumerate(kinds):
        key = make_key(root / f"user{number}")
        certs.append((key, certify(cas[ca], key, "-I", f"id{number}", *options)))
    revoked = (
        krl(root, "none", "serial: 1000\n", cas[0]),
        krl(root, "serial5", "serial: 5\n", cas[0]),
        krl(root, "range", "serial: 6-8\n", cas[0]),
        krl(root, "id1", "id: id1\n", cas[0]),
        krl(root, "ca2", f"key: {Path(f'{cas[1]}.pub').read_text()}", None),
    )
    return Generated(root, cas, tuple(certs), revoked)


@st.composite
def ca_lines(draw: st.DrawFn) -> tuple[int, str]:
    """A cert-authority line for one of the two CAs: principal patterns and options."""
    ca = draw(st.sampled_from([0, 0, 0, 1]))
    principals = draw(st.lists(st.sampled_from(GEN_PATTERNS), min_size=1, max_size=2))
    options = ["cert-authority"]
    if draw(st.sampled_from([True, False, False])):
        namespaces = draw(st.lists(st.sampled_from(GEN_NAMESPACES), min_size=1, max_size=2))
        options.append(f'namespaces="{",".join(namespaces)}"')
    window = sorted(draw(st.lists(st.sampled_from(GEN_TIMES), max_size=2, unique=True)))
    if len(window) == 2:
        options += [f'valid-after="{window[0]}Z"', f'valid-before="{window[1]}Z"']
    return ca, f"{','.join(principals)} {','.join(options)}"


@settings(
    max_examples=80,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    lines=st.lists(ca_lines(), min_size=1, max_size=3),
    which=st.sampled_from([0, 0, 0, 1, 1, 2, 3, 4, 5]),
    principal=st.sampled_from([*GEN_PRINCIPALS, "jo@x.ac.uk", "jo@x.ac.uk"]),
    role=st.sampled_from(["proposer", "reviewer"]),
    signed=st.sampled_from(["20251231235959", *GEN_TIMES, "20260901", "20260901", "20270101"]),
    revoked=st.sampled_from([0, 0, 0, 0, 1, 2, 3, 4]),
)
def test_certificates_agree_with_ssh_keygen_over_generated_trust_files(
    generated: Generated,
    lines: list[tuple[int, str]],
    which: int,
    principal: str,
    role: str,
    signed: str,
    revoked: int,
) -> None:
    """smcheck's trust in a certified signature (judged when it signed: -Overify-time) is ssh-keygen's
    for the proposer; for an approving role smcheck is stricter (granted by name only), so what it
    trusts ssh-keygen accepts."""
    from smcheck.trust.policy import TRUSTED, namespace_for, trust_at

    namespace = namespace_for(role)
    key, cert = generated.certs[which]
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        text = "".join(
            f"{options} {Path(f'{generated.cas[ca]}.pub').read_text()}" for ca, options in lines
        )
        (root / "allowed_signers").write_text(text)
        signature = cert_signature(key, cert, MESSAGE, namespace)
        (root / "data.sig").write_text(signature)
        done = keygen(
            "-Y", "verify", "-f", str(root / "allowed_signers"), "-I", principal, "-n", namespace,
            "-s", str(root / "data.sig"), "-r", str(generated.revoked[revoked]),
            f"-Overify-time={signed}Z", stdin=MESSAGE,
        )  # fmt: skip
        trust = load_allowed_signers(root / "allowed_signers")
    sig = parse_signature(signature)
    at = dt.datetime.strptime(signed.ljust(14, "0"), "%Y%m%d%H%M%S").replace(tzinfo=dt.UTC)
    found = trust_at(
        sig.public_key,
        role=role,
        principal=principal,
        trust=trust,
        revoked=load_revoked(generated.revoked[revoked]),
        signed_at=at,
        now=dt.datetime(2030, 1, 1, tzinfo=dt.UTC),
        certificate=sig.certificate,
    )
    ours = found.status == TRUSTED
    theirs = done.returncode == 0
    why = (text, which, principal, namespace, signed, revoked, found, done.stderr)
    if role == "proposer":
        assert ours == theirs, why
    else:
        assert theirs or not ours, why


def test_a_krl_specification_given_as_the_revoked_file_says_how_to_make_the_krl(
    tmp_path: Path,
) -> None:
    path = tmp_path / "revoked"
    path.write_text("serial: 42\nid: alice-laptop\n")
    with pytest.raises(FileProblem) as caught:
        load_revoked(path)
    assert caught.value.problems[0] == f"{path}:1: the key is not valid base64"
    assert caught.value.hint == (
        "lines such as serial: N or id: KEYID are for ssh-keygen -k, which makes the KRL:"
        " ssh-keygen -k -f revoked.krl -s CA.pub SPEC-FILE, then give revoked.krl"
    )


def test_a_krl_given_as_the_trust_file_is_refused_by_name(lab: Lab, tmp_path: Path) -> None:
    path = krl(tmp_path, "revoked.krl", "serial: 42\n", lab.ca)
    with pytest.raises(FileProblem) as caught:
        load_allowed_signers(path)
    assert caught.value.message == (
        f"{path}: this is a key revocation list (KRL), not the allowed signers file"
    )
    assert caught.value.hint == (
        "give it as the revoked keys (--revoked), and the allowed signers file here"
    )


def test_an_rsa_ca_signing_with_sha1_is_refused(lab: Lab, tmp_path: Path) -> None:
    """smcheck refuses SHA-1 everywhere: a certificate an RSA CA signed with ssh-rsa (SHA-1) is refused
    when read, with how the CA signs instead (OpenSSH 9.2's ssh-keygen -Y verify still accepts it)."""
    ca = make_key(tmp_path / "ca-rsa", "rsa")
    user = make_key(tmp_path / "user")
    made = keygen("-q", "-s", str(ca), "-t", "ssh-rsa", "-I", "x", "-n", ALICE, f"{user}.pub")
    assert made.returncode == 0, made.stderr
    cert = user.with_name("user-cert.pub")
    with pytest.raises(KeyProblem) as caught:
        read_certificate(cert)
    assert caught.value.message == (
        f"{cert} is signed by its CA with RSA and SHA-1 (ssh-rsa), which smcheck does not accept"
    )
    assert caught.value.hint == (
        "the CA should sign with ssh-keygen -s CA -t rsa-sha2-512, or use an Ed25519 CA key"
    )
    # The same certificate inside a signature (made by hand: smcheck will not make it).
    good = make_key(tmp_path / "good")
    sha2 = certify(ca, good, "-t", "rsa-sha2-512", "-I", "y", "-n", ALICE)
    signature = cert_signature(good, sha2, MESSAGE)
    blob = base64.b64decode("".join(signature.splitlines()[1:-1]))
    sha1_blob = base64.b64decode(cert.read_text().split()[1])
    sha2_blob = base64.b64decode(sha2.read_text().split()[1])
    assert sha2_blob in blob
    forged_key = blob.replace(ssh_string(sha2_blob), ssh_string(sha1_blob))
    text = armour(base64.b64encode(forged_key).decode())
    with pytest.raises(SignatureError, match=r"signed by its CA with RSA and SHA-1 \(ssh-rsa\)"):
        parse_signature(text)
