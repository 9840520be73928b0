"""SSHSIG signatures and allowed_signers trust (smcheck.signing), with stock ssh-keygen as the oracle."""

from __future__ import annotations

import base64
import datetime as dt
import importlib.util
import re
import shutil
import stat
import struct
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from smcheck.errors import CannotOpen, FileProblem
from smcheck.trust.allowed import (
    AllowedSigner,
    Trust,
    TrustFile,
    decide_trust,
    load_allowed_signers,
    load_revoked,
)
from smcheck.trust.keys import generate_key_pair, load_private_key, public_key_of
from smcheck.trust.policy import NAMESPACE_APPROVAL, NAMESPACE_RECORD
from smcheck.trust.signing import sign
from smcheck.trust.sshsig import SignatureError, parse_signature, verify
from smcheck.trust.wire import (
    KeyProblem,
    PublicKey,
    is_small_order,
    parse_public_key,
    parse_signer_key,
)

SSH_KEYGEN = shutil.which("ssh-keygen") or (
    "/usr/bin/ssh-keygen" if Path("/usr/bin/ssh-keygen").exists() else None
)
needs_ssh_keygen = pytest.mark.skipif(
    SSH_KEYGEN is None, reason="stock OpenSSH ssh-keygen is not installed: interop not checked"
)
needs_bcrypt = pytest.mark.skipif(
    importlib.util.find_spec("bcrypt") is None,
    reason="the 'bcrypt' package (cryptography[ssh]) is needed for passphrase-protected keys",
)

SEED = bytes(range(32))
KAT_DATA = b"smcheck known-answer test\n"
KAT_SIGNATURE = (
    "-----BEGIN SSH SIGNATURE-----\n"
    "U1NIU0lHAAAAAQAAADMAAAALc3NoLWVkMjU1MTkAAAAgA6EHv/POEL4dcN0Y50vAmWfk1j\n"
    "CbpQ1fHdyGZBJVMbgAAAAOc21jaGVjay1yZWNvcmQAAAAAAAAABnNoYTUxMgAAAFMAAAAL\n"
    "c3NoLWVkMjU1MTkAAABAVLhXZQJ0URraoqzWkwhiw8zhHr5i0VqO7FgClyNTX0XVhjrrMo\n"
    "mDnAJuFeifg9VnKh6mkWt160CT9PzaQkCcDw==\n"
    "-----END SSH SIGNATURE-----\n"
)
KAT_FINGERPRINT = "SHA256:lbmsoA0yIEcEiVDRnMWuzm+nV+3ZEEpVIURqFoeSspg"
KAT_OPENSSH = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIAOhB7/zzhC+HXDdGOdLwJln5NYwm6UNXx3chmQSVTG4"

IDENTITY = b"\x01" + bytes(31)
NOW = dt.datetime(2026, 6, 1, 12, 0, 0, tzinfo=dt.UTC)

# The libsodium blocklist, written out independently of the module (little-endian y, sign bit 0).
P = 2**255 - 19
BLOCKLIST = [
    bytes(32),
    IDENTITY,
    bytes.fromhex("26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05"),
    bytes.fromhex("c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a"),
    (P - 1).to_bytes(32, "little"),
    P.to_bytes(32, "little"),
    (P + 1).to_bytes(32, "little"),
]
SMALL_ORDER = [*BLOCKLIST, *(b[:31] + bytes([b[31] | 0x80]) for b in BLOCKLIST)]


# --- helpers -------------------------------------------------------------------------------------


def kat_key() -> Ed25519PrivateKey:
    return Ed25519PrivateKey.from_private_bytes(SEED)


def string(data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + data


def armour(blob: bytes) -> str:
    text = base64.b64encode(blob).decode()
    lines = [text[i : i + 70] for i in range(0, len(text), 70)]
    return (
        "\n".join(["-----BEGIN SSH SIGNATURE-----", *lines, "-----END SSH SIGNATURE-----"]) + "\n"
    )


def dearmour(text: str) -> bytes:
    return base64.b64decode("".join(text.splitlines()[1:-1]))


def sha(algorithm: hashes.HashAlgorithm, data: bytes) -> bytes:
    digest = hashes.Hash(algorithm)
    digest.update(data)
    return digest.finalize()


def build_blob(
    *,
    key_blob: bytes,
    sig_field: bytes,
    namespace: bytes = NAMESPACE_RECORD.encode(),
    reserved: bytes = b"",
    hash_alg: bytes = b"sha512",
    magic: bytes = b"SSHSIG",
    version: int = 1,
    trailing: bytes = b"",
) -> bytes:
    return (
        magic
        + struct.pack(">I", version)
        + string(key_blob)
        + string(namespace)
        + string(reserved)
        + string(hash_alg)
        + string(sig_field)
        + trailing
    )


def ed_key_blob(raw: bytes, trailing: bytes = b"") -> bytes:
    return string(b"ssh-ed25519") + string(raw) + trailing


def ed_sig_field(sig: bytes, trailing: bytes = b"") -> bytes:
    return string(b"ssh-ed25519") + string(sig) + trailing


def signed_message(namespace: bytes, hash_alg: bytes, digest: bytes) -> bytes:
    return b"SSHSIG" + string(namespace) + string(b"") + string(hash_alg) + string(digest)


def openssh_public(key: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey | Ed25519PrivateKey) -> str:
    return (
        key.public_key()
        .public_bytes(serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH)
        .decode()
    )


def write_openssh_private(path: Path, key: object, passphrase: bytes | None = None) -> Path:
    assert isinstance(key, rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey | Ed25519PrivateKey)
    encryption: serialization.KeySerializationEncryption = (
        serialization.BestAvailableEncryption(passphrase)
        if passphrase
        else serialization.NoEncryption()
    )
    path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.OpenSSH, encryption
        )
    )
    path.chmod(0o600)
    return path


def run_keygen(*args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
    assert SSH_KEYGEN is not None
    return subprocess.run(
        [SSH_KEYGEN, *args], input=stdin, capture_output=True, timeout=30, check=False
    )


def keygen_verify(
    tmp_path: Path,
    signature: str,
    data: bytes,
    allowed: str,
    principal: str,
    namespace: str,
    at: str | None = None,
) -> subprocess.CompletedProcess[bytes]:
    sig_path = tmp_path / "keygen-verify.sig"
    sig_path.write_text(signature)
    allowed_path = tmp_path / "keygen-allowed"
    allowed_path.write_text(allowed)
    extra = [f"-Overify-time={at}"] if at else []
    return run_keygen(
        "-Y", "verify", "-f", str(allowed_path), "-I", principal, "-n", namespace,
        "-s", str(sig_path), *extra, stdin=data,
    )  # fmt: skip


def trust_file(tmp_path: Path, text: str, name: str = "allowed_signers") -> TrustFile:
    path = tmp_path / name
    path.write_text(text)
    return load_allowed_signers(path)


# --- known answers -------------------------------------------------------------------------------


def test_known_answer_signature_and_fingerprint() -> None:
    key = kat_key()
    assert sign(key, KAT_DATA, NAMESPACE_RECORD) == KAT_SIGNATURE
    public = public_key_of(key)
    assert public.fingerprint() == KAT_FINGERPRINT
    assert public.openssh() == KAT_OPENSSH
    assert parse_public_key(KAT_OPENSSH + " kat@example") == public
    parsed = parse_signature(KAT_SIGNATURE)
    assert parsed.public_key == public
    assert parsed.namespace == NAMESPACE_RECORD
    assert len(parsed.signature) == 64
    assert parsed.blob == dearmour(KAT_SIGNATURE)
    verify(parsed, KAT_DATA, NAMESPACE_RECORD)


def test_signature_lines_are_wrapped_at_70_columns() -> None:
    lines = KAT_SIGNATURE.splitlines()
    assert [len(line) for line in lines[1:-2]] == [70, 70, 70]
    assert len(lines[-2]) <= 70


# --- round trip and tampering --------------------------------------------------------------------


def test_round_trip() -> None:
    key = Ed25519PrivateKey.generate()
    data = b"schema = 1\nid = 'x'\r\n\xff\x00 any bytes"
    sig = parse_signature(sign(key, data, NAMESPACE_APPROVAL))
    verify(sig, data, NAMESPACE_APPROVAL)
    assert sig.public_key == public_key_of(key)


@settings(max_examples=60, deadline=None)
@given(
    data=st.binary(min_size=1, max_size=200), where=st.integers(min_value=0), bit=st.integers(0, 7)
)
def test_any_flipped_byte_of_the_data_fails(data: bytes, where: int, bit: int) -> None:
    key = kat_key()
    sig = parse_signature(sign(key, data, NAMESPACE_RECORD))
    index = where % len(data)
    tampered = data[:index] + bytes([data[index] ^ (1 << bit)]) + data[index + 1 :]
    with pytest.raises(SignatureError, match=r"^the signature does not match these bytes$"):
        verify(sig, tampered, NAMESPACE_RECORD)


@settings(max_examples=40, deadline=None)
@given(data=st.binary(max_size=100), extra=st.binary(min_size=1, max_size=5))
def test_any_byte_added_or_removed_fails(data: bytes, extra: bytes) -> None:
    sig = parse_signature(sign(kat_key(), data, NAMESPACE_RECORD))
    for changed in (data + extra, extra + data, data[:-1] if data else extra):
        with pytest.raises(SignatureError, match="does not match"):
            verify(sig, changed, NAMESPACE_RECORD)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(where=st.integers(min_value=0), mask=st.integers(1, 255))
def test_any_flipped_byte_of_the_signature_blob_fails(where: int, mask: int) -> None:
    blob = bytearray(dearmour(KAT_SIGNATURE))
    blob[where % len(blob)] ^= mask
    with pytest.raises(SignatureError):
        verify(parse_signature(armour(bytes(blob))), KAT_DATA, NAMESPACE_RECORD)


def test_wrong_namespace_is_refused_with_both_names() -> None:
    key = kat_key()
    sig = parse_signature(sign(key, KAT_DATA, "git"))
    with pytest.raises(SignatureError) as caught:
        verify(sig, KAT_DATA, NAMESPACE_RECORD)
    assert (
        caught.value.message == "the signature was made for namespace 'git', not 'smcheck-record'"
    )


def test_a_record_signature_never_passes_as_an_approval() -> None:
    sig = parse_signature(sign(kat_key(), KAT_DATA, NAMESPACE_RECORD))
    with pytest.raises(SignatureError, match="namespace 'smcheck-record', not 'smcheck-approval'"):
        verify(sig, KAT_DATA, NAMESPACE_APPROVAL)


def test_a_forged_namespace_field_does_not_help() -> None:
    """Relabelling a 'git' signature as 'smcheck-record' breaks it: the namespace is signed."""
    sig = parse_signature(sign(kat_key(), KAT_DATA, "git"))
    relabelled = parse_signature(
        armour(
            build_blob(
                key_blob=sig.public_key.wire(),
                sig_field=ed_sig_field(sig.signature),
                namespace=NAMESPACE_RECORD.encode(),
            )
        )
    )
    with pytest.raises(SignatureError, match="does not match"):
        verify(relabelled, KAT_DATA, NAMESPACE_RECORD)


def test_hostile_namespace_is_shown_escaped() -> None:
    sig = parse_signature(sign(kat_key(), KAT_DATA, "\x1b[31mAPPROVED\u202e"))
    with pytest.raises(SignatureError) as caught:
        verify(sig, KAT_DATA, NAMESPACE_RECORD)
    assert "\x1b" not in caught.value.message
    assert "\u202e" not in caught.value.message
    assert "\\x1b[31mAPPROVED\\u202e" in caught.value.message


@pytest.mark.parametrize("algorithm", [b"sha256", b"sha1", b"SHA512", b"md5"])
def test_hash_algorithms_other_than_sha512_are_refused(algorithm: bytes) -> None:
    key = kat_key()
    digest = sha(hashes.SHA256(), KAT_DATA)
    signature = key.sign(signed_message(NAMESPACE_RECORD.encode(), algorithm, digest))
    blob = build_blob(
        key_blob=public_key_of(key).wire(), sig_field=ed_sig_field(signature), hash_alg=algorithm
    )
    with pytest.raises(SignatureError) as caught:
        parse_signature(armour(blob))
    name = algorithm.decode()
    assert caught.value.message == f"the signature uses {name}; smcheck requires sha512"


# --- refused key types ---------------------------------------------------------------------------

OtherKey = rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey
OTHER_KEYS: dict[str, Callable[[], OtherKey]] = {
    "RSA": lambda: rsa.generate_private_key(public_exponent=65537, key_size=2048),
    "ECDSA": lambda: ec.generate_private_key(ec.SECP256R1()),
}


@pytest.fixture(scope="module")
def other_keys() -> dict[str, rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey]:
    return {kind: make() for kind, make in OTHER_KEYS.items()}


@pytest.mark.parametrize("kind", OTHER_KEYS)
def test_load_private_key_refuses_other_key_types(
    tmp_path: Path, kind: str, other_keys: dict[str, object]
) -> None:
    path = write_openssh_private(tmp_path / "id", other_keys[kind])
    with pytest.raises(KeyProblem) as caught:
        load_private_key(path)
    assert caught.value.message == (
        f"{kind} keys are not supported: smcheck signs with Ed25519 keys only; "
        "make one with smcheck keygen"
    )


@pytest.mark.parametrize(
    ("kind", "type_name"), [("RSA", "ssh-rsa"), ("ECDSA", "ecdsa-sha2-nistp256")]
)
def test_parse_public_key_refuses_other_key_types(
    kind: str, type_name: str, other_keys: dict[str, rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey]
) -> None:
    line = openssh_public(other_keys[kind])
    assert line.startswith(type_name + " ")
    with pytest.raises(KeyProblem) as caught:
        parse_public_key(line + " someone@example")
    assert caught.value.message == (
        f"{kind} keys ({type_name}) are not supported: smcheck signs with Ed25519 keys only"
    )


@pytest.mark.parametrize(
    ("kind", "type_name"), [("RSA", "ssh-rsa"), ("ECDSA", "ecdsa-sha2-nistp256")]
)
def test_signatures_by_other_key_types_are_refused(
    kind: str, type_name: str, other_keys: dict[str, rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey]
) -> None:
    key_blob = base64.b64decode(openssh_public(other_keys[kind]).split()[1])
    sig_type = b"rsa-sha2-512" if kind == "RSA" else type_name.encode()
    blob = build_blob(key_blob=key_blob, sig_field=string(sig_type) + string(b"\x01" * 64))
    with pytest.raises(SignatureError) as caught:
        parse_signature(armour(blob))
    assert caught.value.message == (
        f"the signature was made with a {kind} key ({type_name}); "
        "smcheck accepts Ed25519 signatures only"
    )


def test_signature_value_of_another_type_is_refused() -> None:
    blob = build_blob(
        key_blob=public_key_of(kat_key()).wire(),
        sig_field=string(b"rsa-sha2-512") + string(bytes(64)),
    )
    with pytest.raises(SignatureError, match="of type rsa-sha2-512; smcheck requires ssh-ed25519"):
        parse_signature(armour(blob))


def test_public_key_line_whose_blob_disagrees_with_its_type_is_refused(
    other_keys: dict[str, rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey],
) -> None:
    rsa_blob = openssh_public(other_keys["RSA"]).split()[1]
    with pytest.raises(KeyProblem, match="says it is ssh-ed25519 but holds ssh-rsa"):
        parse_public_key(f"ssh-ed25519 {rsa_blob}")


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("", "not an OpenSSH public key line"),
        ("ssh-ed25519", "not an OpenSSH public key line"),
        ("ssh-ed25519 not*base64", "not valid base64"),
        (
            "ssh-ed25519 " + base64.b64encode(ed_key_blob(bytes(31))).decode(),
            "32 bytes, this one is 31",
        ),
        (
            "ssh-ed25519 " + base64.b64encode(ed_key_blob(bytes(32), b"\0")).decode(),
            "1 unexpected byte",
        ),
        ("ssh-ed25519 " + base64.b64encode(string(b"ssh-ed25519")).decode(), "cut short"),
    ],
)
def test_malformed_public_key_lines_are_refused(line: str, message: str) -> None:
    with pytest.raises(KeyProblem, match=message):
        parse_public_key(line)


# --- strict parsing of the envelope --------------------------------------------------------------


def kat_parts() -> tuple[bytes, bytes]:
    sig = parse_signature(KAT_SIGNATURE)
    return sig.public_key.wire(), ed_sig_field(sig.signature)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"trailing": b"\x00"}, "1 unexpected byte after the signature"),
        ({"trailing": b"more bytes"}, "10 unexpected bytes after the signature"),
        ({"key_trailing": b"\x00\x00"}, "key in the signature is damaged: 2 unexpected bytes"),
        ({"sig_trailing": b"\x00"}, "signature value is damaged: 1 unexpected byte"),
        ({"magic": b"SSHSIH"}, "not an SSH signature"),
        ({"version": 2}, "SSHSIG version 2; smcheck understands version 1"),
        ({"reserved": b"x"}, "reserved field is not empty"),
        ({"namespace": b"\xff\xfe"}, "namespace is not UTF-8"),
        ({"short_sig": True}, "64 bytes, this one is 63"),
        ({"short_key": True}, "32 bytes, this one is 31"),
    ],
)
def test_malformed_envelopes_are_refused(change: dict[str, object], message: str) -> None:
    key_blob, sig_field = kat_parts()
    raw = parse_signature(KAT_SIGNATURE)
    if "key_trailing" in change:
        key_blob += change.pop("key_trailing")  # type: ignore[operator]
    if "sig_trailing" in change:
        sig_field += change.pop("sig_trailing")  # type: ignore[operator]
    if change.pop("short_sig", False):
        sig_field = ed_sig_field(raw.signature[:63])
    if change.pop("short_key", False):
        key_blob = ed_key_blob(raw.public_key.raw[:31])
    blob = build_blob(key_blob=key_blob, sig_field=sig_field, **change)  # type: ignore[arg-type]
    with pytest.raises(SignatureError, match=message):
        parse_signature(armour(blob))


@pytest.mark.parametrize("cut", [1, 5, 40, 100, 150])
def test_truncated_blobs_are_refused(cut: int) -> None:
    blob = dearmour(KAT_SIGNATURE)
    with pytest.raises(SignatureError, match=r"cut short|not an SSH signature"):
        parse_signature(armour(blob[: len(blob) - cut]))


def test_lengths_larger_than_the_blob_are_refused() -> None:
    key_blob, _ = kat_parts()
    blob = b"SSHSIG" + struct.pack(">I", 1) + struct.pack(">I", 0xFFFFFFFF) + key_blob
    with pytest.raises(SignatureError, match="cut short in the public key"):
        parse_signature(armour(blob))


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            KAT_SIGNATURE + "trailing text\n",
            "text after the line -----END SSH SIGNATURE-----",
        ),
        (KAT_SIGNATURE + "-----END SSH SIGNATURE-----\n", "text after the line -----END"),
        (KAT_SIGNATURE + "\n", "text after the line -----END"),
        ("\n" + KAT_SIGNATURE, "does not start with the line -----BEGIN SSH SIGNATURE-----"),
        (KAT_SIGNATURE.replace("\n", "\r\n"), "carriage returns"),
        (
            KAT_SIGNATURE.replace(
                "-----BEGIN SSH SIGNATURE-----", "-----BEGIN SSH SIGNATURE----- "
            ),
            "does not start",
        ),
        (KAT_SIGNATURE.replace("U1NIU0lH", "U1NI U0lH"), "line 2 of the signature is not base64"),
        (KAT_SIGNATURE.replace("\nCbpQ", "\n\nCbpQ"), "line 3 of the signature is not base64"),
        (KAT_SIGNATURE.replace("Dw==", "Dx=="), "not valid base64"),  # non-zero padding bits
        (KAT_SIGNATURE.replace("Dw==", "Dw"), "not valid base64"),
        (KAT_SIGNATURE.replace("mWfk1j\n", "mWfk1=\n"), "not valid base64"),  # padding mid-way
        (KAT_SIGNATURE.replace("U1NIU0lH", "U1NIU0l="), "line 2 of the signature is not base64"),
        ("-----BEGIN SSH SIGNATURE-----\n-----END SSH SIGNATURE-----\n", "the signature is empty"),
        ("", "does not start with"),
        ("x" * 5000, "5000 characters long"),
    ],
)
def test_armour_is_strict(text: str, message: str) -> None:
    with pytest.raises(SignatureError, match=message):
        parse_signature(text)


def test_armour_without_final_newline_is_accepted() -> None:
    assert parse_signature(KAT_SIGNATURE.rstrip("\n")) == parse_signature(KAT_SIGNATURE)


# --- small-order keys ----------------------------------------------------------------------------


def _edwards_order_divides_8(encoded: bytes) -> bool:
    """Independent check of the blocklist: decode the point and multiply it by 8."""
    d = (-121665 * pow(121666, -1, P)) % P
    y = int.from_bytes(encoded, "little") & ((1 << 255) - 1)
    y %= P
    xx = (y * y - 1) * pow(d * y * y + 1, -1, P) % P
    x = pow(xx, (P + 3) // 8, P)
    if (x * x - xx) % P:
        x = x * pow(2, (P - 1) // 4, P) % P
    assert (x * x - xx) % P == 0, "not a curve point"

    def add(a: tuple[int, int], b: tuple[int, int]) -> tuple[int, int]:
        (x1, y1), (x2, y2) = a, b
        t = d * x1 * x2 * y1 * y2
        return (
            (x1 * y2 + x2 * y1) * pow(1 + t, -1, P) % P,
            (y1 * y2 + x1 * x2) * pow(1 - t, -1, P) % P,
        )

    point = (x, y)
    for _ in range(3):
        point = add(point, point)
    return point == (0, 1)


@pytest.mark.parametrize(
    "encoded", SMALL_ORDER, ids=[f"{b[:4].hex()}..{b[31]:02x}" for b in SMALL_ORDER]
)
def test_blocklisted_encodings_are_small_order(encoded: bytes) -> None:
    assert is_small_order(encoded)
    assert _edwards_order_divides_8(encoded)


def test_real_keys_are_not_small_order() -> None:
    assert not is_small_order(public_key_of(kat_key()).raw)
    assert not is_small_order(b"\x02" + bytes(31))
    assert not is_small_order(bytes(31))


@settings(max_examples=50, deadline=None)
@given(seed=st.binary(min_size=32, max_size=32))
def test_generated_keys_are_never_small_order(seed: bytes) -> None:
    assert not is_small_order(public_key_of(Ed25519PrivateKey.from_private_bytes(seed)).raw)


def test_identity_key_forgery_is_refused_although_cryptography_accepts_it() -> None:
    forged_sig = IDENTITY + bytes(32)  # R = identity, S = 0: "valid" for any message
    message = signed_message(NAMESPACE_RECORD.encode(), b"sha512", sha(hashes.SHA512(), KAT_DATA))
    # pyca cryptography (OpenSSL) alone accepts this forgery: the reason smcheck checks keys.
    Ed25519PublicKey.from_public_bytes(IDENTITY).verify(forged_sig, message)
    blob = build_blob(key_blob=ed_key_blob(IDENTITY), sig_field=ed_sig_field(forged_sig))
    sig = parse_signature(armour(blob))
    with pytest.raises(SignatureError, match="small-order \\(identity-point\\) Ed25519 key"):
        verify(sig, KAT_DATA, NAMESPACE_RECORD)


@pytest.mark.parametrize("encoded", SMALL_ORDER[:4])
def test_every_small_order_key_is_refused_by_verify(encoded: bytes) -> None:
    blob = build_blob(key_blob=ed_key_blob(encoded), sig_field=ed_sig_field(encoded + bytes(32)))
    with pytest.raises(SignatureError, match="small-order"):
        verify(parse_signature(armour(blob)), KAT_DATA, NAMESPACE_RECORD)


# --- private keys and key generation -------------------------------------------------------------


def test_generate_key_pair_writes_both_files(tmp_path: Path) -> None:
    path = tmp_path / "keys" / "id_smcheck"
    public = generate_key_pair(path, passphrase=None, comment="jo@example.ac.uk")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert path.read_bytes().startswith(b"-----BEGIN OPENSSH PRIVATE KEY-----\n")
    pub_text = (tmp_path / "keys" / "id_smcheck.pub").read_text()
    assert pub_text == f"{public.openssh()} jo@example.ac.uk\n"
    assert parse_public_key(pub_text) == public
    assert public_key_of(load_private_key(path)) == public


@pytest.mark.parametrize("existing", ["private", "public"])
def test_generate_key_pair_never_overwrites(tmp_path: Path, existing: str) -> None:
    path = tmp_path / "id"
    victim = path if existing == "private" else tmp_path / "id.pub"
    victim.write_bytes(b"precious")
    with pytest.raises(KeyProblem) as caught:
        generate_key_pair(path, passphrase=None, comment="x")
    assert caught.value.message == f"{victim} already exists"
    assert victim.read_bytes() == b"precious"
    assert sorted(p.name for p in tmp_path.iterdir()) == [victim.name]


def test_generate_key_pair_refuses_a_multi_line_comment(tmp_path: Path) -> None:
    with pytest.raises(KeyProblem, match="one line of printable text"):
        generate_key_pair(tmp_path / "id", passphrase=None, comment="a\nssh-ed25519 AAAA evil")
    assert list(tmp_path.iterdir()) == []


def test_load_private_key_problems(tmp_path: Path) -> None:
    with pytest.raises(KeyProblem, match="no such file") as caught:
        load_private_key(tmp_path / "missing")
    assert caught.value.hint == "make one with smcheck keygen"
    generate_key_pair(tmp_path / "id", passphrase=None, comment="")
    with pytest.raises(
        KeyProblem, match="is a public key; signing needs the private key"
    ) as caught:
        load_private_key(tmp_path / "id.pub")
    assert caught.value.hint == "give the private key file (id)"
    (tmp_path / "junk").write_text("hello\n")
    with pytest.raises(KeyProblem, match="is not a private key file"):
        load_private_key(tmp_path / "junk")
    with pytest.raises(KeyProblem, match="is a folder"):
        load_private_key(tmp_path)


def test_load_private_key_accepts_pkcs8_pem_and_ignores_a_needless_passphrase(
    tmp_path: Path,
) -> None:
    key = kat_key()
    pem = tmp_path / "key.pem"
    pem.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    assert public_key_of(load_private_key(pem)).fingerprint() == KAT_FINGERPRINT
    plain = write_openssh_private(tmp_path / "plain", key)
    assert public_key_of(load_private_key(plain, b"unneeded")).fingerprint() == KAT_FINGERPRINT


@needs_bcrypt
def test_passphrase_protected_key(tmp_path: Path) -> None:
    path = tmp_path / "id"
    public = generate_key_pair(path, passphrase=b"correct horse", comment="jo")
    assert b"aes256-ctr" in base64.b64decode("".join(path.read_text().splitlines()[1:-1]))
    assert public_key_of(load_private_key(path, b"correct horse")) == public
    with pytest.raises(KeyProblem) as caught:
        load_private_key(path)
    assert caught.value.message == f"{path} is protected by a passphrase"
    assert caught.value.hint == "give the key's passphrase to unlock it"
    with pytest.raises(KeyProblem, match="wrong passphrase for"):
        load_private_key(path, b"wrong")


def test_a_missing_bcrypt_package_is_explained(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without 'bcrypt', cryptography cannot open OpenSSH passphrase keys; say so, not a traceback."""
    ssh = pytest.importorskip("cryptography.hazmat.primitives.serialization.ssh")
    if not hasattr(ssh, "_bcrypt_kdf"):
        pytest.skip("this cryptography version has no _bcrypt_kdf to simulate a missing bcrypt")

    def missing(*args: object, **kwargs: object) -> bytes:
        raise UnsupportedAlgorithm("Need bcrypt module")

    monkeypatch.setattr(ssh, "_bcrypt_kdf", missing)
    with pytest.raises(KeyProblem) as caught:
        generate_key_pair(tmp_path / "id", passphrase=b"pw", comment="")
    assert (
        caught.value.message
        == "cannot encrypt the key: the Python package 'bcrypt' is not installed"
    )
    assert caught.value.hint == "install it: pip install 'cryptography[ssh]'"
    assert list(tmp_path.iterdir()) == []
    monkeypatch.undo()
    if importlib.util.find_spec("bcrypt") is None:
        return
    generate_key_pair(tmp_path / "id", passphrase=b"pw", comment="")
    monkeypatch.setattr(ssh, "_bcrypt_kdf", missing)
    with pytest.raises(
        KeyProblem, match=r"cannot unlock .*: the Python package 'bcrypt' is not installed"
    ):
        load_private_key(tmp_path / "id", b"pw")


# --- interop with stock ssh-keygen ---------------------------------------------------------------


@needs_ssh_keygen
def test_keygen_signs_byte_for_byte_what_we_sign(tmp_path: Path) -> None:
    key_path = write_openssh_private(tmp_path / "kat", kat_key())
    data_path = tmp_path / "data"
    data_path.write_bytes(KAT_DATA)
    done = run_keygen("-Y", "sign", "-f", str(key_path), "-n", NAMESPACE_RECORD, str(data_path))
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "data.sig").read_text() == KAT_SIGNATURE


@needs_ssh_keygen
def test_keygen_verifies_our_signature(tmp_path: Path) -> None:
    key = Ed25519PrivateKey.generate()
    data = b"content\r\nwith odd bytes \x00\xff"
    signature = sign(key, data, NAMESPACE_RECORD)
    allowed = f"jo@example.ac.uk {public_key_of(key).openssh()}\n"
    done = keygen_verify(tmp_path, signature, data, allowed, "jo@example.ac.uk", NAMESPACE_RECORD)
    assert done.returncode == 0, done.stderr
    expected = f'Good "{NAMESPACE_RECORD}" signature for jo@example.ac.uk with ED25519 key {public_key_of(key).fingerprint()}'
    assert expected in done.stdout.decode()
    # and it refuses what we refuse
    refused = keygen_verify(
        tmp_path, signature, data + b"x", allowed, "jo@example.ac.uk", NAMESPACE_RECORD
    )
    assert refused.returncode != 0
    refused = keygen_verify(
        tmp_path, signature, data, allowed, "jo@example.ac.uk", NAMESPACE_APPROVAL
    )
    assert refused.returncode != 0


@needs_ssh_keygen
@pytest.mark.parametrize("maker", ["smcheck", "ssh-keygen"])
def test_we_verify_keygen_signatures(tmp_path: Path, maker: str) -> None:
    key_path = tmp_path / "id"
    if maker == "smcheck":
        public = generate_key_pair(key_path, passphrase=None, comment="jo@example.ac.uk")
    else:
        made = run_keygen(
            "-q", "-t", "ed25519", "-N", "", "-C", "jo@example.ac.uk", "-f", str(key_path)
        )
        assert made.returncode == 0, made.stderr
        public = parse_public_key((tmp_path / "id.pub").read_text())
        assert public_key_of(load_private_key(key_path)) == public
    data_path = tmp_path / "record.toml"
    data = b"schema = 1\n"
    data_path.write_bytes(data)
    done = run_keygen("-Y", "sign", "-f", str(key_path), "-n", NAMESPACE_APPROVAL, str(data_path))
    assert done.returncode == 0, done.stderr
    sig = parse_signature((tmp_path / "record.toml.sig").read_text())
    assert sig.public_key == public
    verify(sig, data, NAMESPACE_APPROVAL)
    with pytest.raises(SignatureError, match="does not match"):
        verify(sig, data + b"\n", NAMESPACE_APPROVAL)
    listed = run_keygen("-lf", str(tmp_path / "id.pub"))
    assert listed.returncode == 0, listed.stderr
    assert listed.stdout.decode().split()[1] == public.fingerprint()


@needs_ssh_keygen
def test_keygen_sha256_and_rsa_signatures_are_refused(tmp_path: Path) -> None:
    data_path = tmp_path / "data"
    data_path.write_bytes(KAT_DATA)
    ed_path = write_openssh_private(tmp_path / "ed", kat_key())
    done = run_keygen(
        "-Y", "sign", "-f", str(ed_path), "-n", "x", "-O", "hashalg=sha256", str(data_path)
    )
    assert done.returncode == 0, done.stderr
    with pytest.raises(
        SignatureError, match=r"^the signature uses sha256; smcheck requires sha512$"
    ):
        parse_signature((tmp_path / "data.sig").read_text())
    (tmp_path / "data.sig").unlink()
    made = run_keygen("-q", "-t", "rsa", "-b", "2048", "-N", "", "-f", str(tmp_path / "rsa"))
    assert made.returncode == 0, made.stderr
    done = run_keygen("-Y", "sign", "-f", str(tmp_path / "rsa"), "-n", "x", str(data_path))
    assert done.returncode == 0, done.stderr
    with pytest.raises(SignatureError, match=re.escape("made with a RSA key (ssh-rsa)")):
        parse_signature((tmp_path / "data.sig").read_text())
    with pytest.raises(KeyProblem, match=r"^RSA keys are not supported"):
        load_private_key(tmp_path / "rsa")


@needs_ssh_keygen
@needs_bcrypt
def test_keygen_reads_our_passphrase_protected_key_and_we_read_its(tmp_path: Path) -> None:
    ours = tmp_path / "ours"
    public = generate_key_pair(ours, passphrase=b"s3cret pass", comment="jo")
    shown = run_keygen("-y", "-P", "s3cret pass", "-f", str(ours))
    assert shown.returncode == 0, shown.stderr
    assert parse_public_key(shown.stdout.decode()) == public
    assert run_keygen("-y", "-P", "wrong", "-f", str(ours)).returncode != 0
    theirs = tmp_path / "theirs"
    made = run_keygen("-q", "-t", "ed25519", "-N", "their pass", "-f", str(theirs))
    assert made.returncode == 0, made.stderr
    key = load_private_key(theirs, b"their pass")
    assert public_key_of(key) == parse_public_key((tmp_path / "theirs.pub").read_text())
    with pytest.raises(KeyProblem, match="wrong passphrase"):
        load_private_key(theirs, b"nope")


# --- allowed_signers -----------------------------------------------------------------------------


def some_key(n: int) -> PublicKey:
    return public_key_of(Ed25519PrivateKey.from_private_bytes(bytes([n]) * 32))


def test_allowed_signers_parsing(tmp_path: Path) -> None:
    a, b, c, d = (some_key(n).openssh() for n in range(1, 5))
    text = (
        "# Reviewers of the social media checklist\n"
        "\n"
        f"jo@example.ac.uk,*@review.example.ac.uk {a} Jo's laptop key\n"
        f'   "Jo Bloggs <jo@example.ac.uk>,!x@y" {b}\n'
        f'sam@example.ac.uk NAMESPACES="smcheck-record,smcheck-approval",Valid-After="20250101" {c}\r\n'
        f'kim@example.ac.uk valid-after="202501021530Z",valid-before="20261231235959Z",namespaces="a\\"b" {d}\n'
        "\t# indented comment\n"
        f'tab@example.ac.uk\tnamespaces="x\ty"\t{a}\n'
    )
    trust = trust_file(tmp_path, text)
    assert trust.path == tmp_path / "allowed_signers"
    assert trust.signers == (
        AllowedSigner(
            ("jo@example.ac.uk", "*@review.example.ac.uk"), some_key(1), None, None, None, 3
        ),
        AllowedSigner(("Jo Bloggs <jo@example.ac.uk>", "!x@y"), some_key(2), None, None, None, 4),
        AllowedSigner(
            ("sam@example.ac.uk",),
            some_key(3),
            ("smcheck-record", "smcheck-approval"),
            dt.datetime(2025, 1, 1, tzinfo=dt.UTC),
            None,
            5,
        ),
        AllowedSigner(
            ("kim@example.ac.uk",),
            some_key(4),
            ('a"b',),
            dt.datetime(2025, 1, 2, 15, 30, tzinfo=dt.UTC),
            dt.datetime(2026, 12, 31, 23, 59, 59, tzinfo=dt.UTC),
            6,
        ),
        AllowedSigner(("tab@example.ac.uk",), some_key(1), ("x\ty",), None, None, 8),
    )


def test_an_empty_trust_file_trusts_no_one(tmp_path: Path) -> None:
    trust = trust_file(tmp_path, "# nobody yet\n")
    assert trust.signers == ()
    decision = decide_trust(
        some_key(1), trust=trust, revoked=frozenset(), principal="a", namespace="n", at=NOW
    )
    assert decision.status is Trust.UNKNOWN


RSA_LINE = (
    "ssh-rsa "
    + base64.b64encode(string(b"ssh-rsa") + string(b"\x01\x00\x01") + string(b"\x00\xc3")).decode()
)
SMALL_LINE = "ssh-ed25519 " + base64.b64encode(ed_key_blob(IDENTITY)).decode()
KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIAOhB7/zzhC+HXDdGOdLwJln5NYwm6UNXx3chmQSVTG4"


@pytest.mark.parametrize(
    ("line", "message"),
    [
        (f"jo@x {SMALL_LINE}", "small-order (identity-point) Ed25519 key"),
        ("jo@x", "the line has no key"),
        ('jo@x namespaces="a"', "the line has no key"),
        (f"jo@x namespaces=file {KEY}", "must be in double quotes"),
        (f'jo@x namespaces="file {KEY}', "no closing double quote"),
        (f'jo@x namespaces="a",namespaces="b" {KEY}', "more than one namespaces= option"),
        (f'jo@x namespaces="a", {KEY}', "options end with a comma"),
        (f'jo@x namespaces="a"x {KEY}', "separated by commas"),
        (f'jo@x namespaces="a,,b" {KEY}', "empty entry in the namespaces list"),
        (f'jo@x valid-after="2025" {KEY}', "invalid valid-after time '2025'"),
        (f'jo@x valid-before="20251341" {KEY}', "no such date"),
        (f'jo@x valid-after="20250101",valid-before="20250101" {KEY}', "valid-before is not later"),
        (f"jo@x,,sam@x {KEY}", "empty entry in the principals list"),
        (f'"jo@x {KEY}', "principals have no closing double quote"),
        (f'jo"@x" {KEY}', "double quote inside the principals"),
        (f'"jo@x"sam {KEY}', "a space must follow the quoted principals"),
        ("jo@x ssh-ed25519 AAAA!!!!", "not valid base64"),
        ("jo@x ssh-ed25519", "not an OpenSSH public key line"),
    ],
)
def test_allowed_signers_errors_name_file_and_line(tmp_path: Path, line: str, message: str) -> None:
    path = tmp_path / "allowed_signers"
    path.write_text(f"# a comment\nok@x {KEY}\n{line}\n")
    with pytest.raises(FileProblem) as caught:
        load_allowed_signers(path)
    assert len(caught.value.problems) == 1
    problem = caught.value.problems[0]
    assert problem.startswith(f"{path}:3: ")
    assert message in problem or re.search(message, problem), problem
    assert caught.value.hint


ECDSA_LINE = (
    "ecdsa-sha2-nistp256 AAAAE2VjZHNhLXNoYTItbmlzdHAyNTYAAAAIbmlzdHAyNTYAAABBBEmKSENjQEezOmxkZMy7opKg"
    "wFB9nkt5YRrYMjNuG5N87uRgg6CLrbo5wAdT/y6v0mKV0U2w0WZ2YB/++Tpockg="
)


@pytest.mark.parametrize(
    ("line", "note"),
    [
        (
            "*@example.ac.uk cert-authority sk-ecdsa-sha2-nistp256@openssh.com AAAA",
            "a cert-authority line with a Security-key ECDSA CA key",
        ),
        ('ca@x CERT-AUTHORITY,namespaces="git" ssh-dss AAAA', "with a DSA CA key"),
        ("jo@x ssh-ed25519-cert-v01@openssh.com AAAA", "a certificate in place of a key"),
        (f"jo@x {RSA_LINE}", "RSA keys (ssh-rsa) are not supported"),
        (
            f'jo@x namespaces="git" {ECDSA_LINE}',
            "ECDSA keys (ecdsa-sha2-nistp256) are not supported",
        ),
        (
            "jo@x sk-ecdsa-sha2-nistp256@openssh.com AAAAInNrLWVjZHNhLXNoYTItbmlzdHAyNTZAb3BlbnNzaC5jb20=",
            "Security-key ECDSA keys",
        ),
        (
            f"jo@x no-touch-required {KEY}",
            "the option 'no-touch-required' is one smcheck does not use",
        ),
        (f'jo@x verify-required,namespaces="git" {KEY}', "the option 'verify-required'"),
    ],
)
def test_lines_smcheck_does_not_use_are_skipped_with_a_note(
    tmp_path: Path, line: str, note: str
) -> None:
    """A git allowed_signers file just works for its Ed25519 people: other key types, certificate
    authorities with other kinds of CA key, and options smcheck does not know are skipped, one note
    each, and grant nothing (Ed25519, ECDSA and RSA CA lines are used: tests/test_certificates.py)."""
    path = tmp_path / "allowed_signers"
    path.write_text(f"# a comment\nok@x {KEY}\n{line}\n")
    trust = load_allowed_signers(path)
    assert [s.line for s in trust.signers] == [2]
    (said,) = trust.notes
    assert said.startswith(f"{path}:3: skipped: ") and note in said, said


def test_allowed_signers_reports_every_bad_line(tmp_path: Path) -> None:
    path = tmp_path / "allowed_signers"
    path.write_text(
        f"a@x cert-authority {KEY}\nb@x namespaces=git {KEY}\nc@x {KEY}\nd@x {SMALL_LINE}\n"
        f'e@x namespaces="x {KEY}\n'
    )
    with pytest.raises(FileProblem) as caught:
        load_allowed_signers(path)
    assert [p.split(": ")[0] for p in caught.value.problems] == [
        f"{path}:2",
        f"{path}:4",
        f"{path}:5",
    ]
    assert str(caught.value).endswith("(and 2 more)")
    assert caught.value.details == tuple(caught.value.problems)


def test_unreadable_trust_files(tmp_path: Path) -> None:
    with pytest.raises(CannotOpen, match="no such file"):
        load_allowed_signers(tmp_path / "missing")
    bom = tmp_path / "bom"
    bom.write_bytes(b"\xef\xbb\xbf" + f"jo@x {KEY}\n".encode())
    with pytest.raises(FileProblem, match="byte-order mark"):
        load_allowed_signers(bom)
    binary = tmp_path / "binary"
    binary.write_bytes(b"\xff\xfe\x00garbage")
    with pytest.raises(FileProblem, match="not UTF-8 text"):
        load_allowed_signers(binary)


def test_load_revoked(
    tmp_path: Path, other_keys: dict[str, rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey]
) -> None:
    path = tmp_path / "revoked"
    rsa_line = openssh_public(other_keys["RSA"])
    path.write_text(f"# left the team\n{some_key(1).openssh()} old laptop\n\n{rsa_line}\n")
    revoked = load_revoked(path)
    assert revoked == frozenset({some_key(1).wire(), base64.b64decode(rsa_line.split()[1])})
    krl = tmp_path / "krl"
    krl.write_bytes(b"SSHKRL\n\x00\x00\x00\x00\x01" + bytes(40))
    with pytest.raises(FileProblem) as caught:
        load_revoked(krl)
    assert caught.value.message == f"{krl}: the KRL has a section of an unknown type (0)"
    bad = tmp_path / "bad"
    bad.write_text(f"{some_key(1).openssh()}\ngarbage\n")
    with pytest.raises(FileProblem, match=f"^{bad}:2: not an OpenSSH public key line$"):
        load_revoked(bad)


@needs_ssh_keygen
def test_keygen_makes_a_krl_that_we_read(tmp_path: Path) -> None:
    pub = tmp_path / "k.pub"
    pub.write_text(KAT_OPENSSH + "\n")
    made = run_keygen("-k", "-f", str(tmp_path / "krl"), str(pub))
    assert made.returncode == 0, made.stderr
    assert parse_public_key(KAT_OPENSSH).wire() in load_revoked(tmp_path / "krl")


# --- decide_trust --------------------------------------------------------------------------------

JO, SAM, EVE = some_key(1), some_key(2), some_key(3)


@pytest.fixture
def team(tmp_path: Path) -> TrustFile:
    return trust_file(
        tmp_path,
        f"jo@example.ac.uk {JO.openssh()}\n"
        f'sam@example.ac.uk,sam.t@example.ac.uk namespaces="smcheck-approval" {SAM.openssh()}\n'
        f'sam@example.ac.uk valid-after="20270101Z" {JO.openssh()}\n'
        f'old@example.ac.uk valid-before="20251231235959Z" {some_key(4).openssh()}\n'
        f'new@example.ac.uk valid-after="20270101" {some_key(5).openssh()}\n'
        f"*@review.example.ac.uk,!intern@review.example.ac.uk {some_key(6).openssh()}\n",
    )


def decide(
    key: PublicKey,
    trust: TrustFile,
    principal: str,
    namespace: str = NAMESPACE_RECORD,
    *,
    revoked: frozenset[bytes] = frozenset(),
    at: dt.datetime = NOW,
) -> tuple[Trust, str | None, str]:
    decision = decide_trust(
        key, trust=trust, revoked=revoked, principal=principal, namespace=namespace, at=at
    )
    return decision.status, decision.principal, decision.message


def test_trusted(team: TrustFile) -> None:
    status, principal, message = decide(JO, team, "jo@example.ac.uk")
    assert (status, principal) == (Trust.TRUSTED, "jo@example.ac.uk")
    assert (
        message == f"signed by 'jo@example.ac.uk' with key {JO.fingerprint()} ({team.path} line 1)"
    )
    status, principal, _ = decide(SAM, team, "sam.t@example.ac.uk", NAMESPACE_APPROVAL)
    assert (status, principal) == (Trust.TRUSTED, "sam.t@example.ac.uk")
    status, principal, _ = decide(some_key(6), team, "ann@review.example.ac.uk")
    assert (status, principal) == (Trust.TRUSTED, "*@review.example.ac.uk")


def test_unknown_key_an_attacker_re_signed_with(team: TrustFile) -> None:
    status, principal, message = decide(EVE, team, "jo@example.ac.uk")
    assert (status, principal) == (Trust.UNKNOWN, None)
    assert message.startswith(f"the key {EVE.fingerprint()} is not in the trust file {team.path}")


def test_a_different_trusted_persons_key_is_the_wrong_principal(team: TrustFile) -> None:
    """Threat model case 5: the record names Jo, but Sam's (trusted) key signed it."""
    status, principal, message = decide(SAM, team, "jo@example.ac.uk", NAMESPACE_APPROVAL)
    assert (status, principal) == (Trust.WRONG_PRINCIPAL, None)
    assert message == (
        f"the key {SAM.fingerprint()} is trusted for "
        "'sam@example.ac.uk,sam.t@example.ac.uk' (line 2), not for 'jo@example.ac.uk'"
    )


def test_an_address_that_differs_only_in_capitals_is_another_principal_and_says_so(
    team: TrustFile,
) -> None:
    # As ssh-keygen -Y verify compares principals: exactly. The reason says why it looks the same.
    status, principal, message = decide(JO, team, "Jo@Example.ac.uk")
    assert (status, principal) == (Trust.WRONG_PRINCIPAL, None)
    assert message == (
        f"the key {JO.fingerprint()} is trusted for 'jo@example.ac.uk' (line 1);"
        " 'sam@example.ac.uk' (line 3), not for 'Jo@Example.ac.uk': the two differ only in capital letters, and a trust file compares"
        " addresses exactly, as ssh-keygen does"
    )
    _, _, message = decide(SAM, team, "jo@example.ac.uk", NAMESPACE_APPROVAL)
    assert "capital" not in message


def test_negated_principal_pattern(team: TrustFile) -> None:
    status, _, _ = decide(some_key(6), team, "intern@review.example.ac.uk")
    assert status is Trust.WRONG_PRINCIPAL


def test_wrong_namespace(team: TrustFile) -> None:
    status, principal, message = decide(SAM, team, "sam@example.ac.uk", NAMESPACE_RECORD)
    assert (status, principal) == (Trust.WRONG_NAMESPACE, "sam@example.ac.uk")
    assert message == (
        f"the key {SAM.fingerprint()} of 'sam@example.ac.uk' may sign only for namespaces "
        f"'smcheck-approval', not 'smcheck-record' ({team.path} line 2)"
    )


def test_expired_and_not_yet_valid(team: TrustFile) -> None:
    status, principal, message = decide(some_key(4), team, "old@example.ac.uk")
    assert (status, principal) == (Trust.EXPIRED, "old@example.ac.uk")
    assert message.endswith(f"expired at 2025-12-31 23:59:59 UTC ({team.path} line 4)")
    at_the_second = dt.datetime(2025, 12, 31, 23, 59, 59, 999999, tzinfo=dt.UTC)
    assert decide(some_key(4), team, "old@example.ac.uk", at=at_the_second)[0] is Trust.TRUSTED
    status, principal, message = decide(some_key(5), team, "new@example.ac.uk")
    assert (status, principal) == (Trust.NOT_YET_VALID, "new@example.ac.uk")
    assert message.endswith(f"is not valid until 2027-01-01 00:00:00 UTC ({team.path} line 5)")
    later = dt.datetime(2027, 1, 1, 1, 0, tzinfo=dt.timezone(dt.timedelta(hours=1)))
    assert decide(some_key(5), team, "new@example.ac.uk", at=later)[0] is Trust.TRUSTED


def test_the_same_key_on_several_lines(team: TrustFile) -> None:
    """Jo's key is also listed for Sam from 2027: before then it is not valid for Sam."""
    assert decide(JO, team, "sam@example.ac.uk", NAMESPACE_RECORD)[0] is Trust.NOT_YET_VALID
    assert decide(
        JO, team, "sam@example.ac.uk", NAMESPACE_RECORD, at=dt.datetime(2027, 2, 1, tzinfo=dt.UTC)
    )[:2] == (Trust.TRUSTED, "sam@example.ac.uk")


def test_revoked_comes_first(team: TrustFile) -> None:
    status, principal, message = decide(
        JO, team, "jo@example.ac.uk", revoked=frozenset({JO.wire()})
    )
    assert (status, principal) == (Trust.REVOKED, None)
    assert message == f"the key {JO.fingerprint()} has been revoked"


def test_decide_trust_needs_an_aware_time(team: TrustFile) -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        decide(JO, team, "jo@example.ac.uk", at=dt.datetime(2026, 1, 1))


@needs_ssh_keygen
@pytest.mark.parametrize(
    ("options", "principals", "asked", "namespace", "at"),
    [
        ("", "jo@x", "jo@x", "smcheck-record", "20260601Z"),
        ("", "jo@x", "sam@x", "smcheck-record", "20260601Z"),
        ("", "*@x,!intern@x", "intern@x", "smcheck-record", "20260601Z"),
        ("", "*@x,!intern@x", "ann@x", "smcheck-record", "20260601Z"),
        ("", "j?@x", "jo@x", "smcheck-record", "20260601Z"),
        ("", "j?@x", "joe@x", "smcheck-record", "20260601Z"),
        ("", "JO@x", "jo@x", "smcheck-record", "20260601Z"),
        ('namespaces="smcheck-*"', "jo@x", "jo@x", "smcheck-approval", "20260601Z"),
        ('namespaces="git,file"', "jo@x", "jo@x", "smcheck-record", "20260601Z"),
        ('valid-after="20260601Z"', "jo@x", "jo@x", "smcheck-record", "20260601Z"),
        ('valid-after="20260601Z"', "jo@x", "jo@x", "smcheck-record", "20260531235959Z"),
        ('valid-before="20260601120000Z"', "jo@x", "jo@x", "smcheck-record", "20260601120000Z"),
        ('valid-before="20260601120000Z"', "jo@x", "jo@x", "smcheck-record", "20260601120001Z"),
    ],
)
def test_trust_decisions_agree_with_ssh_keygen(
    tmp_path: Path, options: str, principals: str, asked: str, namespace: str, at: str
) -> None:
    key = kat_key()
    signature = sign(key, KAT_DATA, namespace)
    line = f"{principals} {options} {KAT_OPENSSH}\n".replace("  ", " ")
    done = keygen_verify(tmp_path, signature, KAT_DATA, line, asked, namespace, at)
    trust = trust_file(tmp_path, line, "ours")
    digits = at.rstrip("Z").ljust(14, "0")
    when = dt.datetime.strptime(digits, "%Y%m%d%H%M%S").replace(tzinfo=dt.UTC)
    decision = decide_trust(
        public_key_of(key),
        trust=trust,
        revoked=frozenset(),
        principal=asked,
        namespace=namespace,
        at=when,
    )
    assert (decision.status is Trust.TRUSTED) == (done.returncode == 0), (decision, done.stderr)


def _pack(data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + data


_SK = b"sk-ssh-ed25519@openssh.com"


def _key_blobs(kind: bytes) -> st.SearchStrategy[bytes]:
    """Well-formed, cut-short and over-long key blobs of one type (a security key's with its
    application string)."""
    app = st.just(b"") if kind == b"ssh-ed25519" else st.sampled_from([b"ssh:", b"ssh:x", b""])
    return st.one_of(
        st.tuples(st.binary(min_size=32, max_size=32), app).map(
            lambda p: _pack(kind) + _pack(p[0]) + (_pack(p[1]) if kind == _SK else b"")
        ),
        st.tuples(st.binary(max_size=40), app, st.binary(max_size=4)).map(
            lambda p: _pack(kind) + _pack(p[0]) + (_pack(p[1]) if kind == _SK else b"") + p[2]
        ),
        st.binary(max_size=60).map(lambda tail: _pack(kind) + tail),
    )


@settings(max_examples=300, deadline=None)
@given(
    kind_and_blob=st.sampled_from([b"ssh-ed25519", _SK]).flatmap(
        lambda kind: st.tuples(st.just(kind), _key_blobs(kind))
    )
)
def test_the_key_reader_agrees_with_cryptographys_over_any_ed25519_blob(
    kind_and_blob: tuple[bytes, bytes],
) -> None:
    """A trust file's keys are read by smcheck's own wire reader (loading cryptography's serialization
    package would cost verify some 15 ms of start-up): over well-formed, cut-short and over-long
    blobs, of plain and security keys, it accepts exactly what cryptography's OpenSSH reader accepts,
    as the same 32 bytes."""
    kind, blob = kind_and_blob
    line = f"{kind.decode()} " + base64.b64encode(blob).decode()
    try:
        ours: bytes | None = parse_signer_key(line).raw
    except KeyProblem:
        ours = None
    try:
        loaded = serialization.load_ssh_public_key(line.encode())
        assert isinstance(loaded, Ed25519PublicKey)
        theirs: bytes | None = loaded.public_bytes_raw()
    except (ValueError, UnsupportedAlgorithm):
        theirs = None
    assert ours == theirs
