"""Trust files as offices keep them (issue 16): pattern lines for a shared key, misspelt namespaces,
lines past their valid-before, one key under two names, and staff who move on.

The commands run against the reviewer's desk (:mod:`helpers.desk`); the trust decision of a line is
held against ``ssh-keygen -Y verify`` on the same file (a hypothesis test, at the end).
"""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from helpers.desk import PROPOSER_EMAIL, Desk, open_desk, row, runner
from hypothesis import given, settings
from hypothesis import strategies as st

from smcheck.cli import app
from smcheck.text import as_run
from smcheck.trust.allowed import (
    Trust,
    decide_trust,
    keys_of,
    lines_of_key,
    load_allowed_signers,
    load_revoked,
)
from smcheck.trust.keys import LocalKey
from smcheck.trust.wire import PublicKey

REVIEWER_EMAIL = "dmo@essex.ac.uk"


@pytest.fixture
def desk(tmp_path: Path) -> Iterator[Desk]:
    yield from open_desk(tmp_path)


def bot_line(desk: Desk, principals: str = "*@essex.ac.uk") -> None:
    """A shared key (a bot's, a CI's) trusted for every address at the University, to sign records."""
    desk.key("bot")
    desk.trust_line(principals, "bot", 'namespaces="smcheck-record"')


# --- 2. pattern lines -----------------------------------------------------------------------------


@pytest.mark.parametrize("principals", ["*@essex.ac.uk", "*@essex.ac.uk,!intern@essex.ac.uk"])
def test_a_pattern_line_for_a_shared_key_leaves_good_records_good(
    desk: Desk, principals: str
) -> None:
    """One wildcard line for a shared key used to make every approved record INVALID ("signed with a
    key of the proposer's") and approve refuse the real reviewer: a key on a pattern line that signed
    nothing on the record is irrelevant to one person, one role."""
    bot_line(desk, principals)
    record = desk.new()
    code, out = desk.approve(record, "reviewer")
    assert code == 0, out
    code, out = desk.approve(record, "advancement", "--role", "advancement-office")
    assert code == 0, out
    code, out = desk.verify(record, "--require", "approved")
    assert code == 0, out
    assert "PASS" in row(out, "approval")
    assert "key of the proposer" not in out


def test_a_record_signed_with_the_shared_key_is_trusted_through_the_pattern(desk: Desk) -> None:
    bot_line(desk)
    record = desk.new(key="bot")
    code, out = desk.verify(record, "--require", "signed")
    assert code == 0, out
    assert "signed by *@essex.ac.uk" in row(out, "signature")
    # The reviewer is another person: their approval stands beside the bot's signature.
    code, out = desk.approve(record, "reviewer")
    assert code == 0, out
    code, out = desk.verify(record)
    assert code == 0 and "PASS" in row(out, "approval"), out


def test_a_pattern_line_never_grants_an_approving_role(desk: Desk) -> None:
    desk.trust_line("*@essex.ac.uk", "attacker", 'namespaces="smcheck-approval"')
    record = desk.new()
    code, out = desk.approve(record, "attacker")
    assert code == 1
    assert "does not name your key" in " ".join(out.split())


def test_a_negated_pattern_refuses_as_ssh_keygen_does(desk: Desk) -> None:
    """``!`` anywhere in the list makes the whole list fail for the principal it matches."""
    desk.lines = [line for line in desk.lines if not line.startswith(PROPOSER_EMAIL)]
    desk.trust_line(f"*@essex.ac.uk,!{PROPOSER_EMAIL}", "proposer", 'namespaces="smcheck-record"')
    record = desk.new()
    code, out = desk.verify(record)
    assert code == 1
    assert "FAIL" in row(out, "signature")
    assert f"not for '{PROPOSER_EMAIL}'" in row(out, "signature")


def test_one_key_under_two_names_is_still_one_person(desk: Desk) -> None:
    """Named lines still count: a key the file holds for two people by name makes them one person
    (one person, one role), whatever pattern lines say."""
    bot_line(desk)
    desk.trust_line(REVIEWER_EMAIL, "proposer", 'namespaces="smcheck-approval"')
    record = desk.new()
    code, out = desk.approve(record, "proposer")
    assert code == 1
    assert "no one decides on their own record" in " ".join(out.split())


# --- 5. staff who move on -------------------------------------------------------------------------


def test_an_approval_stands_after_the_reviewer_moved_on(desk: Desk) -> None:
    record = desk.new()
    assert desk.approve(record, "reviewer")[0] == 0
    # The reviewer leaves: their line gets a valid-before after their approval, in the past now.
    desk.lines = [line for line in desk.lines if not line.startswith(REVIEWER_EMAIL)]
    import datetime as dt

    ended = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=2)
    desk.trust_line(
        REVIEWER_EMAIL,
        "reviewer",
        f'namespaces="smcheck-approval",valid-before="{ended:%Y%m%d%H%M%S}Z"',
    )
    import time

    time.sleep(max(0.0, (ended - dt.datetime.now(dt.UTC)).total_seconds()) + 1.1)
    code, out = desk.verify(record)
    assert code == 0 and "PASS" in row(out, "approval"), out
    result = runner.invoke(app, ["status", "--allowed-signers", str(desk.trust), str(desk.root)])
    flat = " ".join(result.output.split())
    assert f"approved by {REVIEWER_EMAIL}, whose role ended on {ended.date().isoformat()}" in flat
    # A new approval by them is refused: the window is judged when the key signs.
    other = desk.new(output="s.smcheck.toml")
    code, out = desk.approve(other, "reviewer")
    assert code == 1 and "expired at" in " ".join(out.split())


# --- 3. lines that grant nothing are said out loud --------------------------------------------------


def test_loading_notes_lines_that_grant_nothing_once_above_the_report(desk: Desk) -> None:
    desk.lines[1] = desk.lines[1].replace("smcheck-approval", "smcheck-aproval")
    desk.trust_line(
        "c.lee@essex.ac.uk", "attacker", 'namespaces="smcheck-cosign-advancment-office"'
    )
    desk.key("leaver")
    desk.trust_line(
        "old@essex.ac.uk", "leaver", 'namespaces="smcheck-record",valid-before="20200101Z"'
    )
    desk.trust_line("h.marsh2@essex.ac.uk", "proposer", 'namespaces="smcheck-record"')
    record = desk.new()
    code, out = desk.verify(record)
    trust = str(desk.trust)
    flat = " ".join(out.split())
    assert (
        f"smcheck: note: {trust}:2: smcheck never signs in the namespace 'smcheck-aproval', so this"
        " line grants nothing in it; did you mean 'smcheck-approval'?"
    ) in flat, out
    assert (
        f"smcheck: note: {trust}:4: no checklist has the co-signer role 'advancment-office', so the"
        " namespace 'smcheck-cosign-advancment-office' grants nothing; did you mean"
        " 'smcheck-cosign-advancement-office'?"
    ) in flat, out
    assert (
        f"smcheck: note: {trust}:5: the line for 'old@essex.ac.uk' ended at 2020-01-01 00:00 UTC"
        " (valid-before): it trusts only what was signed before then"
    ) in flat, out
    assert f"smcheck: note: {trust}:1: one key (SHA256:" in flat
    assert (
        "under two names, 'h.marsh2@essex.ac.uk' and 'h.marsh@essex.ac.uk' (lines 1 and 6):"
        " smcheck treats them as one person"
    ) in flat, out
    # Once each, above the report (run as a program: the test runner keeps stderr apart).
    assert flat.count("smcheck-aproval'") == 1
    import subprocess
    import sys

    done = subprocess.run(
        [sys.executable, "-m", "smcheck", "verify", "--allowed-signers", trust, str(record)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        check=False,
    )
    assert done.stdout.startswith("smcheck: note: "), done.stdout
    assert done.stdout.count("smcheck-aproval'") == 1
    assert done.stdout.rindex("smcheck: note:") < done.stdout.index(str(record))
    assert code == 0  # notes, not errors: the record is signed and trusted


def test_a_co_signer_role_of_a_given_checklist_is_known(desk: Desk, tmp_path: Path) -> None:
    """A role the shipped checklists do not define but the checklist given to verify does is no
    note; without that checklist it is."""
    from helpers.records import DATA

    desk.trust_line("m.o@essex.ac.uk", "attacker", 'namespaces="smcheck-cosign-music-office"')
    record = desk.new()
    _, out = desk.verify(record)
    assert "'music-office'" in out
    _, out = desk.verify(record, "--checklist", str(DATA / "tiny.toml"))
    assert "'music-office'" not in out


# --- 4. a proposer the trust file does not hold yet ------------------------------------------------


@pytest.mark.parametrize("name", ["r.smcheck.toml", "-new proposer.smcheck.toml"])
def test_a_new_proposers_record_names_them_and_the_command_that_adds_them(
    desk: Desk, name: str
) -> None:
    desk.key("newcomer")
    desk.new(key="newcomer", output=name)
    result = runner.invoke(app, ["verify", "--allowed-signers", str(desk.trust), "--", name])
    code, out = result.exit_code, result.output
    assert code == 1, out
    line = row(out, "signature")
    assert "FAIL" in line
    assert (
        "signed by Dr Helen Marsh <h.marsh@essex.ac.uk>, as the record says: the key SHA256:"
        in line
    )
    assert f"is not in the trust file {desk.trust}: anyone can make a key" in line
    assert "If h.marsh@essex.ac.uk is a new proposer (or has a new key), confirm the key's" in line
    word = "r.smcheck.toml" if name == "r.smcheck.toml" else "'./-new proposer.smcheck.toml'"
    command = as_run(f"smcheck trust add --allowed-signers {desk.trust} {word}")  # as typed
    assert f"run: {command}" in out
    # The register shows verify's words: not "nobody should act on it".
    result = runner.invoke(app, ["status", "--allowed-signers", str(desk.trust), "."])
    flat = " ".join(result.output.split())
    assert "nobody should act on it" not in flat
    assert "not trusted yet: signed by Dr Helen Marsh <h.marsh@essex.ac.uk>" in flat
    # ...without the reviewer's local trust-file path, which the record does not carry.
    assert f"then add it: {as_run(f'smcheck trust add {word}')}" in flat
    assert str(desk.trust) not in flat and "is not in the reviewer's trust file" in flat
    # The command works as typed (by a shell: --yes, as after confirming the key with them).
    import shlex

    words = shlex.split(next(x for x in out.splitlines() if "run: " in x).split("run: ", 1)[1])
    start = words.index("trust")  # after smcheck, however it was run
    assert words[start + 1] == "add"
    result = runner.invoke(app, ["trust", "add", "--yes", *words[start + 2 :]])
    assert result.exit_code == 0, result.output
    assert (
        runner.invoke(app, ["verify", "--allowed-signers", str(desk.trust), "--", name]).exit_code
        == 0
    )


def test_a_tampered_record_by_an_unknown_key_is_still_not_to_be_acted_on(desk: Desk) -> None:
    desk.key("newcomer")
    record = desk.new(key="newcomer")
    record.write_bytes(record.read_bytes().replace(b"essexhistory", b"essexhistorx", 1))
    result = runner.invoke(app, ["status", "--allowed-signers", str(desk.trust), "."])
    assert "nobody should act on it" in result.output


# --- 7. keygen names the right person and the right line ------------------------------------------


@pytest.mark.parametrize(
    ("role", "words", "namespace"),
    [
        ("proposer", "Send this line to the reviewer, for their trust file", "smcheck-record"),
        (
            "reviewer",
            "Add this line to your own trust file (allowed_signers), as the reviewer",
            "smcheck-approval",
        ),
        (
            "advancement-office",
            "Send this line to the reviewer, for their trust file (allowed_signers): it lets you"
            " co-sign as advancement-office:",
            "smcheck-cosign-advancement-office",
        ),
    ],
)
def test_keygen_says_where_the_line_goes_for_each_role(
    tmp_path: Path, role: str, words: str, namespace: str
) -> None:
    result = runner.invoke(
        app,
        ["keygen", "--output", str(tmp_path / "k"), "--email", REVIEWER_EMAIL, "--role", role],
    )
    assert result.exit_code == 0, result.output
    flat = " ".join(result.output.split())
    assert words in flat
    assert f'{REVIEWER_EMAIL} namespaces="{namespace}" ssh-ed25519 ' in result.output
    if role == "reviewer":
        assert "Send this line to the reviewer" not in flat


# --- 2. the same decision as ssh-keygen -Y verify, over generated trust files ---------------------

SSH_KEYGEN = shutil.which("ssh-keygen")
DATA = b"smcheck trust-file interop\n"
KEYS = [Ed25519PrivateKey.from_private_bytes(bytes([n]) * 32) for n in (7, 8, 9)]
"""The key that signs (the first) and two others the trust file may name."""
PRINCIPAL_PATTERNS = [
    "jo@x.ac.uk",
    "sam@x.ac.uk",
    "JO@x.ac.uk",
    "*@x.ac.uk",
    "j?@x.ac.uk",
    "*",
    "!jo@x.ac.uk",
    "!*@y.ac.uk",
    "*@y.ac.uk",
]
NAMESPACE_PATTERNS = [
    "smcheck-record",
    "smcheck-approval",
    "smcheck-*",
    "git",
    "!smcheck-approval",
    "*",
]
TIMES = ["20260101", "20260601120000", "20261231235959"]
"""The times a line's window and a signature's time are drawn from (as written: Z is added)."""


@st.composite
def trust_lines(draw: st.DrawFn) -> str:
    """One allowed_signers line: a key, a principal list (patterns, negations), options."""
    key = KEYS[draw(st.sampled_from([0, 0, 0, 1, 2]))]
    principals = draw(st.lists(st.sampled_from(PRINCIPAL_PATTERNS), min_size=1, max_size=3))
    options: list[str] = []
    if draw(st.booleans()):
        namespaces = draw(st.lists(st.sampled_from(NAMESPACE_PATTERNS), min_size=1, max_size=2))
        options.append(f'namespaces="{",".join(namespaces)}"')
    window = sorted(draw(st.lists(st.sampled_from(TIMES), max_size=2, unique=True)))
    if len(window) == 2:
        options += [f'valid-after="{window[0]}Z"', f'valid-before="{window[1]}Z"']
    elif window:
        option = draw(st.sampled_from(["valid-after", "valid-before"]))
        options.append(f'{option}="{window[0]}Z"')
    option_text = f" {','.join(options)}" if options else ""
    return f"{','.join(principals)}{option_text} {LocalKey(key).public.openssh()}"


@pytest.mark.skipif(SSH_KEYGEN is None, reason="ssh-keygen is not installed: interop not checked")
@settings(max_examples=40, deadline=None, derandomize=True)
@given(
    lines=st.lists(trust_lines(), min_size=1, max_size=4),
    principal=st.sampled_from(["jo@x.ac.uk", "sam@x.ac.uk", "JO@x.ac.uk", "ann@y.ac.uk"]),
    role=st.sampled_from(["proposer", "reviewer"]),
    signed=st.sampled_from(["20251231235959", *TIMES, "20270101"]),
    revoked=st.booleans(),
)
def test_trust_agrees_with_ssh_keygen_verify(
    lines: list[str], principal: str, role: str, signed: str, revoked: bool
) -> None:
    """smcheck's trust (judged when the key signed: -Overify-time) is ssh-keygen's, line kinds alike:
    for the proposer (smcheck-record) the two agree both ways; for an approving role smcheck is
    stricter (a role is granted by name only), so what it trusts ssh-keygen accepts."""
    from smcheck.trust.policy import TRUSTED, namespace_for, trust_at
    from smcheck.trust.signing import sign

    namespace = namespace_for(role)
    signer = LocalKey(KEYS[0]).public
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        (root / "allowed_signers").write_text("\n".join(lines) + "\n")
        (root / "data.sig").write_text(sign(KEYS[0], DATA, namespace))
        (root / "revoked").write_text(signer.openssh() + "\n" if revoked else "")
        assert SSH_KEYGEN is not None
        done = subprocess.run(
            [
                SSH_KEYGEN, "-Y", "verify", "-f", str(root / "allowed_signers"), "-I", principal,
                "-n", namespace, "-s", str(root / "data.sig"), "-r", str(root / "revoked"),
                f"-Overify-time={signed}Z",
            ],
            input=DATA,
            capture_output=True,
            timeout=30,
            check=False,
        )  # fmt: skip
        trust = load_allowed_signers(root / "allowed_signers")
        blobs = load_revoked(root / "revoked")
    at = dt.datetime.strptime(signed.ljust(14, "0"), "%Y%m%d%H%M%S").replace(tzinfo=dt.UTC)
    found = trust_at(
        signer,
        role=role,
        principal=principal,
        trust=trust,
        revoked=blobs,
        signed_at=at,
        now=dt.datetime(2030, 1, 1, tzinfo=dt.UTC),  # later than every window: judged when signed
    )
    ours = found.status == TRUSTED
    theirs = done.returncode == 0
    why = (lines, principal, namespace, signed, revoked, found, done.stderr)
    if role == "proposer":
        assert ours == theirs, why
    else:
        assert theirs or not ours, why


_NAMES = st.sampled_from(
    [
        "h.marsh@essex.ac.uk",
        "H.Marsh@Essex.ac.uk",
        "p.shah@essex.ac.uk",
        "*@essex.ac.uk",
        "!h.marsh@essex.ac.uk",
        "?.shah@essex.ac.uk",
        "t.reid@essex.ac.uk",
    ]
)


@settings(max_examples=60, deadline=None)
@given(
    lines=st.lists(
        st.tuples(st.integers(0, 3), st.lists(_NAMES, min_size=1, max_size=3, unique=True)),
        min_size=1,
        max_size=8,
    ),
    who=_NAMES.filter(lambda name: not name.startswith(("!", "*", "?"))),
)
def test_the_trust_files_index_finds_what_reading_every_line_finds(
    lines: list[tuple[int, list[str]]], who: str
) -> None:
    """A loaded trust file looks a key and a person up in its index (a register's trust file has a line
    per person); the answers are those of reading every line, whatever the patterns and the case."""
    keys = [Ed25519PrivateKey.generate().public_key() for _ in range(4)]
    texts = [k.public_bytes_raw() for k in keys]
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "allowed_signers"
        path.write_text(
            "".join(
                f'{",".join(names)} namespaces="smcheck-record" '
                f"{keys[k].public_bytes(serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH).decode()}\n"
                for k, names in lines
            )
        )
        indexed = load_allowed_signers(path)
    plain = indexed._replace(by_key=None, by_name=None)
    assert indexed.by_key is not None and indexed.by_name is not None
    assert keys_of(indexed, who) == keys_of(plain, who)
    at = dt.datetime(2027, 1, 1, tzinfo=dt.UTC)
    for raw in texts:
        key = PublicKey(raw)
        assert lines_of_key(indexed, key) == lines_of_key(plain, key)
        one = decide_trust(
            key,
            trust=indexed,
            revoked=frozenset(),
            principal=who,
            namespace="smcheck-record",
            at=at,
        )
        other = decide_trust(
            key, trust=plain, revoked=frozenset(), principal=who, namespace="smcheck-record", at=at
        )
        assert one == other
        assert one.status in set(Trust)


def test_a_file_of_another_kind_given_as_a_trust_file_says_what_it_is(tmp_path: Path) -> None:
    """The slips a hurried reviewer makes: the key file itself (not its .pub), a record, a checklist:
    each is refused in one line that says what the file is, never read line by line as a trust file
    ("the line has no key (and 4 more)"); a .pub file's line is noted for what it lacks."""
    from smcheck.errors import FileProblem
    from smcheck.trust.allowed import load_allowed_signers, load_revoked

    private = Ed25519PrivateKey.generate()
    key = tmp_path / "id_ed25519"
    key.write_bytes(
        private.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.OpenSSH,
            serialization.NoEncryption(),
        )
    )
    public = tmp_path / "id_ed25519.pub"
    public.write_bytes(
        private.public_key().public_bytes(
            serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH
        )
        + b" ann@laptop\n"
    )
    record = tmp_path / "r.smcheck.toml"
    record.write_text("# smcheck record\n\n[record]\nschema = 1\n", encoding="utf-8")
    checklist = tmp_path / "c.toml"
    checklist.write_text('format = 1\nid = "x"\n\n[policy]\ntitle = "x"\n', encoding="utf-8")
    said = {}
    # A .pub line alone is skipped, as ssh-keygen skips it ("invalid key"), with a note saying why.
    notes = load_allowed_signers(public).notes
    assert notes == (
        f"{public}:1: skipped: a public key with no email before it, so it grants nothing (a line is"
        " EMAIL ssh-ed25519 AAAA...: smcheck trust add, given the person's signed record, writes it)",
    )
    for path in (key, record, checklist):
        with pytest.raises(FileProblem) as caught:
            load_allowed_signers(path)
        assert len(caught.value.problems) == 1
        said[path.name] = (
            caught.value.problems[0].removeprefix(f"{path}"),
            caught.value.hint or "",
        )
    assert said["id_ed25519"][0].startswith(": a private key (keep it to yourself")
    assert said["r.smcheck.toml"][0] == ": a record, not the allowed signers file"
    assert said["c.toml"][0] == ": a checklist, not the allowed signers file"
    # A revoked-keys file is a list of public keys: a .pub file is one; a private key is not.
    assert load_revoked(public)
    with pytest.raises(FileProblem) as caught:
        load_revoked(key)
    assert "a private key" in caught.value.message and "revoked keys file" in caught.value.message
