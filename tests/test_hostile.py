"""Every command, over hostile input, ends in exit 0, 1 or 2 (or 130 where input runs out mid-interview):
never a traceback, never "internal error" (exit 3 is for bugs), never a write outside the paths it was
told to write, never a hang (smcheck issue 15; the threat model's classes: changed bytes, truncation,
non-UTF-8, BOM, empty, huge, deeply nested TOML, duplicated keys, wrong types, markup/ANSI/bidi, times
at calendar edges, FIFOs, links, deep folders, file names starting with ``-`` or not UTF-8).

Inputs are made by hypothesis from real files (a signed record, a draft, a trust file, a checklist, a
config file, an answers file) and mutated. Commands run in process (typer's CliRunner); an exception
escaping a command is what ``smcheck.cli.main`` turns into exit 3, and fails the test here. The example
budget is fixed and the examples derandomized, with no example database, so every run is the same.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import os
import re
import shutil
import stat
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import pytest
import tomli_w
from helpers.desk import open_desk
from helpers.records import DATA, EXAMPLE_ANSWERS, make_record_bytes, reseal
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from smcheck import registry
from smcheck.cli import app
from smcheck.drafts import save_draft
from smcheck.errors import SmcheckError
from smcheck.interview import Progress
from smcheck.loader import load_checklist

runner = CliRunner()

SLOWEST = 10.0
"""Seconds any one command may take on any one input (a hang is a bug as much as a crash is)."""


SCALE = int(os.environ.get("SMCHECK_HOSTILE_SCALE", "0") or 0)
"""Unset: the fixed budget, the same examples every run (CI). A number: that many times the examples,
drawn afresh each run, to explore (``SMCHECK_HOSTILE_SCALE=20 pytest tests/test_hostile.py``)."""


def budget(examples: int) -> settings:
    """A fixed, repeatable example budget: the whole file runs in well under a minute on two cores."""
    return settings(
        max_examples=examples * max(1, SCALE),
        deadline=dt.timedelta(seconds=60),
        derandomize=not SCALE,
        database=None,
        suppress_health_check=[
            HealthCheck.function_scoped_fixture,  # the autouse config fixture: the same every example
            HealthCheck.too_slow,
            HealthCheck.data_too_large,
            HealthCheck.large_base_example,
        ],
    )


# --- the real files the inputs are made from ------------------------------------------------------


@dataclass(frozen=True)
class Base:
    """Real files, as bytes: what a hostile input starts from."""

    record: bytes
    """A record signed by the proposer (trusted by ``trust``)."""
    unsigned: bytes
    """A record with no signature: resealed after an edit, every check past integrity runs on it."""
    trust: bytes
    """The reviewer's trust file: proposer, reviewer and a co-signer."""
    keys: dict[str, tuple[bytes, bytes]]
    """Each person's private and public key."""
    draft: bytes
    checklist: bytes
    answers: bytes


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Base:
    root = tmp_path_factory.mktemp("base")
    desk_session = open_desk(root)
    desk = next(desk_session)
    try:
        record = desk.new().read_bytes()
    finally:
        with contextlib.suppress(StopIteration):
            next(desk_session)
    checklist = registry.by_id("essex-social-media")
    assert checklist is not None
    started = dt.datetime(2026, 11, 2, 9, 30, tzinfo=dt.UTC)
    progress = Progress(answers={"channel.platform": "instagram", "channel.name": "Essex History"})
    draft = save_draft(root / "d.draft.toml", checklist, progress, started).read_bytes()
    keys = {
        name: (path.read_bytes(), path.with_suffix(".pub").read_bytes())
        for name, path in desk.keys.items()
    }
    return Base(
        record=record,
        unsigned=make_record_bytes(),
        trust=desk.trust.read_bytes(),
        keys=keys,
        draft=draft,
        checklist=(DATA / "tiny.toml").read_bytes(),
        answers=EXAMPLE_ANSWERS.read_bytes(),
    )


# --- hostile bytes ------------------------------------------------------------------------------

TOML_VALUES = [
    "1",
    "-1",
    "0",
    "9223372036854775807",
    "1.5",
    "nan",
    "-inf",
    "true",
    "false",
    "[]",
    '[1, "a"]',
    '[["nested"]]',
    "{ a = 1 }",
    "{}",
    '""',
    '"   "',
    "1979-05-27",
    "07:32:00",
    "1979-05-27T07:32:00",
]
"""Values of every TOML type, for a value of another type (threat model case 13)."""

HOSTILE_TEXT = [
    r'"[bold red]APPROVED[/]"',
    r'"[/]"',
    r'"\u001b[31mred\u001b[0m\u001b]8;;http://x\u0007link"',
    r'"\u202egnp.exe\u200b\u2066x\u2069"',
    r'"\u0085\u009b31m C1"',
    r'"line\r\nbreak"',
    r'"-rf"',
    r'"$(touch pwned)"',
    '"' + "a" * 5000 + '"',
    '"""multi\nline"""',
]
"""Text a terminal, rich or a shell would act on (threat model cases 14 and 28)."""

CALENDAR_EDGES = [
    "0001-01-01T00:00:00+23:59",
    "0001-01-01T00:00:00Z",
    "9999-12-31T23:59:59-23:59",
    "9999-12-31T23:59:59Z",
    "9999-12-31T23:59:59.999999+00:00",
    "1970-01-01T00:00:00Z",
    "1969-12-31T23:59:59Z",
    "2999-01-01T00:00:00Z",
    "0001-01-01",
    "9999-12-31",
    "9999-12-31T23:59:59",
]
"""Times at the edges of the calendar and of what a machine compares (threat model case 23)."""

_TIME = re.compile(rb"\d{4}-\d\d-\d\d(?:[T ]\d\d:\d\d:\d\d(?:\.\d+)?(?:Z|[+-]\d\d:\d\d)?)?")
_VALUE_LINE = re.compile(rb"(?m)^(\s*[A-Za-z0-9_.\"-]+\s*=\s*)(.*)$")
_TRUST_TIMES = [b'valid-after="00010101"', b'valid-before="99991231235959Z"', b'valid-after="1"']


@st.composite
def hostile(draw: st.DrawFn, data: bytes, *, resealable: bool = False) -> bytes:
    """``data`` changed as someone on the way might change it: one of the threat model's classes."""
    kind = draw(
        st.sampled_from(
            [
                "flip",
                "insert",
                "delete",
                "truncate",
                "non-utf8",
                "bom",
                "empty",
                "huge",
                "nested",
                "nested-inline",
                "duplicate-line",
                "wrong-type",
                "text",
                "time",
                "smuggled-table",
                "crlf",
            ]
        )
    )
    size = len(data)
    at = draw(st.integers(0, max(0, size - 1)))
    lines = data.split(b"\n")
    line = draw(st.integers(0, len(lines) - 1))
    out = data
    if kind == "flip":
        out = data[:at] + bytes([draw(st.integers(0, 255))]) + data[at + 1 :]
    elif kind == "insert":
        out = data[:at] + draw(st.binary(min_size=1, max_size=8)) + data[at:]
    elif kind == "delete":
        out = data[:at] + data[at + draw(st.integers(1, 64)) :]
    elif kind == "truncate":
        out = data[:at]
    elif kind == "non-utf8":
        out = (
            data[:at]
            + draw(st.sampled_from([b"\xff", b"\xc3", b"\xed\xa0\x80", b"\x00"]))
            + data[at:]
        )
    elif kind == "bom":
        out = b"\xef\xbb\xbf" + data
    elif kind == "empty":
        out = b""
    elif kind == "huge":
        out = data + b"#" * (1024 * 1024 + 1)
    elif kind == "nested":
        depth = draw(st.integers(30, 400))
        lines.insert(line, b"deep = " + b"[" * depth + b"]" * depth)
        out = b"\n".join(lines)
    elif kind == "nested-inline":
        depth = draw(st.integers(30, 400))
        lines.insert(line, b"deep = " + b"{ a = " * depth + b"1" + b" }" * depth)
        out = b"\n".join(lines)
    elif kind == "duplicate-line":
        lines.insert(line, lines[line])
        out = b"\n".join(lines)
    elif kind in ("wrong-type", "text"):
        choices = TOML_VALUES if kind == "wrong-type" else HOSTILE_TEXT
        value = draw(st.sampled_from(choices)).encode()
        found = list(_VALUE_LINE.finditer(data))
        if found:
            match = found[draw(st.integers(0, len(found) - 1))]
            out = data[: match.start(2)] + value + data[match.end(2) :]
    elif kind == "time":
        found = list(_TIME.finditer(data))
        edge = draw(st.sampled_from(CALENDAR_EDGES)).encode()
        if found:
            match = found[draw(st.integers(0, len(found) - 1))]
            out = data[: match.start()] + edge + data[match.end() :]
        else:
            out = data + b"\n" + draw(st.sampled_from(_TRUST_TIMES))
    elif kind == "smuggled-table":
        out = data + draw(
            st.sampled_from(
                [
                    b'\n[answers.smuggled]\nx = "y"\n',
                    b"\n[answers]\n",
                    b'\n[[signatures]]\nrole = "reviewer"\n',
                    b'\n[record]\nid = "other"\n',
                    b"\n[smcheck]\n" + b"a." * 200 + b"b = 1\n",
                ]
            )
        )
    elif kind == "crlf":
        out = data.replace(b"\n", b"\r\n")
    if resealable and draw(st.booleans()):
        # Recompute the unsigned digest, as anyone who edits a record can: deeper checks then run.
        with contextlib.suppress(ValueError):
            out = reseal(out)
    return out


# --- running a command ------------------------------------------------------------------------


def snapshot(root: Path) -> dict[str, tuple[int, bytes]]:
    """Every entry under ``root`` (links not followed): its kind and size, and a regular file's hash."""
    seen: dict[str, tuple[int, bytes]] = {}
    for folder, folders, files in os.walk(root):
        for name in folders + files:
            path = Path(folder) / name
            info = path.lstat()
            digest = b""
            if stat.S_ISREG(info.st_mode):
                digest = hashlib.sha256(path.read_bytes()).digest()
            seen[str(path)] = (stat.S_IFMT(info.st_mode), digest)
    return seen


@dataclass
class Place:
    """A fresh folder for one example: its files, the environment the commands see, and their runs."""

    root: Path
    env: dict[str, str | None]

    def write(self, name: str, data: bytes) -> Path:
        path = self.root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        return path

    def run(
        self,
        *args: str | Path,
        may_write: Sequence[Path | str] = (),
        codes: Sequence[int] = (0, 1, 2),
        input: str = "",
    ) -> int:
        """Run one command; assert its exit code, its output and what it wrote. ``may_write`` are the
        paths it was told to write (a folder: anything in it)."""
        before = snapshot(self.root)
        words = [str(a) for a in args]
        started = time.monotonic()
        result = runner.invoke(app, words, env=self.env, input=input, catch_exceptions=True)
        elapsed = time.monotonic() - started
        shown = f"smcheck {' '.join(words)!r}"
        if result.exception is not None and not isinstance(result.exception, SystemExit):
            # What smcheck.cli.main turns into "internal error" and exit 3.
            raise AssertionError(f"{shown}: exit 3 ({result.exception!r})") from result.exception
        assert result.exit_code in codes, f"{shown}: exit {result.exit_code}\n{result.output}"
        assert "Traceback" not in result.output, f"{shown}:\n{result.output}"
        assert "internal error" not in result.output, f"{shown}:\n{result.output}"
        assert elapsed < SLOWEST, f"{shown}: took {elapsed:.1f} s"
        after = snapshot(self.root)
        allowed = [str(p) for p in may_write]
        changed = {p for p in before.keys() | after.keys() if before.get(p) != after.get(p)}
        stray = sorted(
            p
            for p in changed
            if not any(p == a or p.startswith(a.rstrip("/") + "/") for a in allowed)
        )
        assert not stray, f"{shown} wrote outside {allowed}: {stray}"
        return result.exit_code


@contextlib.contextmanager
def place(base: Base, work: Path) -> Iterator[Place]:
    """A fresh folder holding the keys and the trust file, as the current folder (a command that
    writes a default name writes it here, where the snapshot sees it)."""
    root = Path(tempfile.mkdtemp(dir=work))
    here = Place(
        root,
        {
            "SMCHECK_CONFIG": str(root / "no-config.toml"),
            "SMCHECK_DRAFTS": str(root / "drafts"),
            "SMCHECK_ALLOWED_SIGNERS": None,
            "SSH_AUTH_SOCK": None,
            "HOME": str(root / "home"),
            "NO_COLOR": "1",
        },
    )
    for name, (private, public) in base.keys.items():
        here.write(f"keys/{name}", private).chmod(0o600)
        here.write(f"keys/{name}.pub", public)
    here.write("allowed_signers", base.trust)
    old = Path.cwd()
    os.chdir(root)
    try:
        yield here
    finally:
        os.chdir(old)
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(scope="module")
def work(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("hostile")


# --- records: every command that reads one --------------------------------------------------------


@budget(24)
@given(data=st.data())
def test_every_command_that_reads_a_record_survives_a_hostile_one(
    base: Base, work: Path, data: st.DataObject
) -> None:
    source = data.draw(st.sampled_from([base.record, base.unsigned]), label="source")
    bad = data.draw(hostile(source, resealable=True), label="record")
    with place(base, work) as here:
        record = here.write("r.smcheck.toml", bad)
        good = here.write("good.smcheck.toml", base.record)
        register = here.root / "register"
        here.write("register/r.smcheck.toml", bad)
        trust = here.root / "allowed_signers"
        here.run("verify", record)
        here.run("verify", "--json", record)
        here.run("verify", "--jsonl", "--allowed-signers", trust, record)
        here.run("verify", "--quiet", "--require", "approved", "--allowed-signers", trust, record)
        here.run("show", record)
        here.run("show", "--signed-bytes", record)
        here.run("show", "--signature", "proposer", record)
        here.run("show", "--statement", "reviewer", record)
        here.run("export", record, "-o", "out.md", may_write=[here.root / "out.md"])
        here.run(
            "export", "-f", "html", record, "-o", "out.html", may_write=[here.root / "out.html"]
        )
        here.run("diff", good, record)
        here.run("diff", "--json", record, good)
        here.run("status", register)
        here.run("status", "--format", "json", register)
        here.run(
            "status",
            "--format",
            "html",
            "-o",
            "page.html",
            register,
            may_write=[here.root / "page.html"],
        )
        here.run("verify", "--format", "junit", register)
        here.run(
            "approve",
            record,
            "--key",
            here.root / "keys" / "reviewer",
            "--allowed-signers",
            trust,
            "--comment",
            "[b]ok[/]\x1b[31m",
            may_write=[record],
        )
        here.run("sign", record, "--key", here.root / "keys" / "proposer", may_write=[record])
        here.run(
            "renew",
            record,
            "-o",
            "renewed.smcheck.toml",
            "--plain",
            may_write=[here.root / "renewed.smcheck.toml", here.root / "drafts"],
            codes=(0, 1, 2, 130),  # no input: the interview stops where it must ask (Ctrl-D)
        )
        here.run(
            "new",
            "--answers",
            record,
            "--agree",
            "-o",
            "new.smcheck.toml",
            may_write=[here.root / "new.smcheck.toml"],
        )


# --- answers files, drafts and the commands that read them ---------------------------------------


@budget(10)
@given(data=st.data())
def test_new_and_drafts_survive_hostile_answers_files_and_drafts(
    base: Base, work: Path, data: st.DataObject
) -> None:
    answers = data.draw(hostile(base.answers), label="answers")
    draft = data.draw(hostile(base.draft), label="draft")
    with place(base, work) as here:
        given_answers = here.write("a.answers.toml", answers)
        drafts = here.root / "drafts"
        name = "essex-history-20261102-093000.draft.toml"
        here.write(f"drafts/{name}", draft)
        here.run(
            "new",
            "--answers",
            given_answers,
            "--agree",
            "-o",
            "out.smcheck.toml",
            may_write=[here.root / "out.smcheck.toml"],
        )
        here.run(
            "new",
            "--answers",
            given_answers,
            "--agree",
            "--sign-with",
            here.root / "keys" / "proposer",
            "-o",
            "signed.smcheck.toml",
            may_write=[here.root / "signed.smcheck.toml"],
        )
        here.run(
            "new",
            "--answers",
            given_answers,
            "-o",
            "unsigned.smcheck.toml",
            "--plain",
            may_write=[here.root / "unsigned.smcheck.toml", drafts],
            codes=(0, 1, 2, 130),
        )
        here.run("drafts")
        here.run("drafts", "list")
        here.run("status", drafts)
        here.run(
            "new",
            "--resume",
            name,
            "--plain",
            "-o",
            "resumed.smcheck.toml",
            may_write=[here.root / "resumed.smcheck.toml", drafts],
            codes=(0, 1, 2, 130),
        )
        here.run("drafts", "discard", "--yes", name, may_write=[drafts])


# --- checklists -------------------------------------------------------------------------------


@budget(12)
@given(data=st.data())
def test_every_checklist_command_survives_a_hostile_checklist(
    base: Base, work: Path, data: st.DataObject
) -> None:
    bad = data.draw(st.one_of(hostile(base.checklist), type_mutated(base.checklist)))
    with place(base, work) as here:
        checklist = here.write("c.toml", bad)
        answers = here.write("tiny.answers.toml", TINY_ANSWERS)
        here.run("checklist", "lint", checklist)
        here.run("checklist", "show", checklist)
        here.run("checklist", "show", "--json", checklist)
        here.run("checklist", "template", checklist)
        code = here.run(
            "new",
            "--checklist",
            checklist,
            "--answers",
            answers,
            "--agree",
            "-o",
            "t.smcheck.toml",
            may_write=[here.root / "t.smcheck.toml"],
        )
        if code == 0:
            record = here.root / "t.smcheck.toml"
            here.run("verify", "--checklist", checklist, record)
            here.run("show", record)
            here.run(
                "export",
                "--format",
                "html",
                record,
                "-o",
                "t.html",
                may_write=[here.root / "t.html"],
            )


TINY_ANSWERS = b"""[answers.club]
name = "Chess Club"
kind = "sport"
has_owner = true
owner_email = "a@example.ac.uk"

[answers.web]
sites = ["insta", "site"]
url = "https://chess.example.ac.uk"

[signoff]
name = "A Person"
email = "a@example.ac.uk"
role = "Chair"
department = "Chess"
"""

LEAVES: list[object] = [
    1,
    -5,
    True,
    1.5,
    "",
    "x",
    [],
    [1, 2],
    ["a"],
    [{"a": 1}],
    {},
    {"value": 1},
    dt.date(1, 1, 1),
    dt.datetime(9999, 12, 31, 23, 59, tzinfo=dt.UTC),
    dt.time(7, 32),
]


def _places(node: object, path: tuple[str | int, ...] = ()) -> Iterator[tuple[str | int, ...]]:
    """Every place in a parsed TOML document, tables and arrays included."""
    if path:
        yield path
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _places(value, (*path, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _places(value, (*path, index))


@st.composite
def type_mutated(draw: st.DrawFn, data: bytes) -> bytes:
    """A checklist with one value anywhere in it replaced by a value of another type."""
    import tomllib

    doc = tomllib.loads(data.decode())
    places = list(_places(doc))
    where = places[draw(st.integers(0, len(places) - 1))]
    node: object = doc
    for part in where[:-1]:
        node = node[part]  # type: ignore[index]
    node[where[-1]] = draw(st.sampled_from(LEAVES))  # type: ignore[index]
    return tomli_w.dumps(doc).encode()


@budget(150)
@given(data=st.data())
def test_the_checklist_loader_refuses_a_wrong_type_anywhere_naming_the_place(
    base: Base, work: Path, data: st.DataObject
) -> None:
    """Anything wrong is a FileProblem naming the file and the place; what loads is well typed, so
    nothing downstream meets a wrong type (the shipped checklist, the largest, as well as the tiny)."""
    source = data.draw(st.sampled_from([base.checklist, ESSEX.read_bytes()]), label="checklist")
    text = data.draw(type_mutated(source), label="mutated")
    path = work / "mutated.toml"
    path.write_bytes(text)
    try:
        checklist = load_checklist(path)
    except SmcheckError as exc:
        assert exc.message.startswith(str(path))
        return
    for question in checklist.questions:
        assert isinstance(question.id, str) and isinstance(question.prompt, str)
        assert all(isinstance(c.value, str) and isinstance(c.label, str) for c in question.choices)
        assert isinstance(question.required, bool)


ESSEX = Path(__file__).resolve().parent.parent / "checklists" / "essex-social-media.toml"


# --- trust files and config files -----------------------------------------------------------


@budget(10)
@given(data=st.data())
def test_every_command_that_reads_trust_survives_a_hostile_trust_file_and_config(
    base: Base, work: Path, data: st.DataObject
) -> None:
    trust_lines = st.sampled_from(
        [
            b'*@essex.ac.uk,!h.marsh@essex.ac.uk namespaces="smcheck-record" ',
            b'h.marsh@essex.ac.uk namespaces="smcheck-recrod" ',
            b'h.marsh@essex.ac.uk cert-authority,namespaces="smcheck-record" ',
            b'dmo@essex.ac.uk valid-before="19700101" namespaces="smcheck-approval" ',
            b"-x ",
            b'"unterminated ',
        ]
    )
    extra = data.draw(trust_lines, label="trust line")
    public = b" ".join(base.keys["proposer"][1].split()[:2])
    trust = data.draw(
        st.one_of(hostile(base.trust), st.just(base.trust + extra + public + b"\n")), label="trust"
    )
    config_text = data.draw(
        st.one_of(
            hostile(CONFIG),
            st.sampled_from(
                [
                    b'[signing]\nkey = "~nosuchuser-smcheck/id"\n',
                    b'[verify]\nallowed_signers = "~"\nrevoked = "/dev/zero"\n',
                    b'[verify]\nallowed_signers = "' + b"a" * 5000 + b'"\n',
                ]
            ),
        ),
        label="config",
    )
    with place(base, work) as here:
        record = here.write("r.smcheck.toml", base.record)
        given_trust = here.write("t", trust)
        config = here.write("config.toml", config_text)
        here.run("verify", "--allowed-signers", given_trust, record)
        here.run("status", "--allowed-signers", given_trust, here.root)
        here.run("show", "--allowed-signers", given_trust, record)
        here.run(
            "approve",
            record,
            "--key",
            here.root / "keys" / "reviewer",
            "--allowed-signers",
            given_trust,
            may_write=[record],
        )
        here.run("trust", "check", "--allowed-signers", given_trust)
        here.env["SMCHECK_CONFIG"] = str(config)
        here.run("verify", record)
        here.run("export", record, "-o", "e.md", may_write=[here.root / "e.md"])
        here.run(
            "new",
            "--answers",
            EXAMPLE_ANSWERS,
            "--agree",
            "-o",
            "n.smcheck.toml",
            may_write=[here.root / "n.smcheck.toml"],
        )
        here.env["SMCHECK_ALLOWED_SIGNERS"] = os.fsdecode(bytes(given_trust))
        here.run("verify", record)


CONFIG = b"""[signing]
key = "keys/proposer"

[verify]
allowed_signers = "allowed_signers"
revoked = "revoked"
"""


# --- folder trees ---------------------------------------------------------------------------


Maker = Callable[[Path, Path], None]


def _fifo(folder: Path, _: Path) -> None:
    os.mkfifo(folder / "pipe.smcheck.toml")
    os.mkfifo(folder / "pipe.draft.toml")


def _links(folder: Path, target: Path) -> None:
    (folder / "zero.smcheck.toml").symlink_to("/dev/zero")
    (folder / "gone.smcheck.toml").symlink_to(folder / "nowhere")
    (folder / "self.smcheck.toml").symlink_to(folder / "self.smcheck.toml")
    (folder / "loop").symlink_to(folder, target_is_directory=True)
    (folder / "copy.smcheck.toml").symlink_to(target)


def _deep(folder: Path, target: Path) -> None:
    old = Path.cwd()
    os.chdir(folder)
    try:
        for _ in range(70):
            Path("d").mkdir()
            os.chdir("d")
        shutil.copyfile(target, "deep.smcheck.toml")
    finally:
        os.chdir(old)


def _names(folder: Path, target: Path) -> None:
    shutil.copyfile(target, folder / "-rf.smcheck.toml")
    shutil.copyfile(target, folder / "--help.smcheck.toml")
    shutil.copyfile(target, os.fsdecode(bytes(folder) + b"/\xff\xfe.smcheck.toml"))
    shutil.copyfile(target, os.fsdecode(bytes(folder) + b"/\xff-20261102-093000.draft.toml"))
    shutil.copyfile(target, folder / "\x1b[31mred\u202e.smcheck.toml")
    shutil.copyfile(target, folder / "[bold]x[red].draft.toml")


def _named_folders(folder: Path, target: Path) -> None:
    (folder / "x.smcheck.toml").mkdir()
    (folder / "y.draft.toml").mkdir()
    (folder / "-d").mkdir()
    shutil.copyfile(target, folder / "-d" / "in.smcheck.toml")


FOLDER_MAKERS: dict[str, Maker] = {
    "fifo": _fifo,
    "links": _links,
    "deep": _deep,
    "names": _names,
    "folder-named-like-a-record": _named_folders,
}


@budget(8)
@given(
    makers=st.lists(st.sampled_from(sorted(FOLDER_MAKERS)), min_size=1, max_size=3, unique=True),
    data=st.data(),
)
def test_folder_commands_survive_hostile_folder_trees(
    base: Base, work: Path, makers: list[str], data: st.DataObject
) -> None:
    bad = data.draw(hostile(base.record, resealable=True), label="record")
    with place(base, work) as here:
        register = here.root / "register"
        register.mkdir()
        target = here.write("register/good.smcheck.toml", base.record)
        here.write("register/bad.smcheck.toml", bad)
        for name in makers:
            FOLDER_MAKERS[name](register, target)
        here.run("verify", register)
        here.run("verify", "--jsonl", register)
        here.run("status", register)
        here.run("status", "--json", register)
        here.env["SMCHECK_DRAFTS"] = str(register)
        here.run("drafts")
        for entry in sorted(register.iterdir()):
            if entry.name.endswith((".smcheck.toml", ".draft.toml")):
                here.run("verify", "--", entry)
                here.run("show", "--", entry)
        if "names" in makers:
            here.run(
                "drafts", "discard", "--yes", "--", "[bold]x[red].draft.toml", may_write=[register]
            )


# --- the commands that read no file --------------------------------------------------------------


@pytest.mark.parametrize(
    "args",
    [
        ["schema", "answers"],
        ["schema", "record"],
        ["schema", "checklist"],
        ["checklist", "list"],
        ["checklist", "list", "--json"],
        ["checklist", "template", "essex-social-media"],
        ["--help"],
        ["--version"],
    ],
    ids=" ".join,
)
def test_the_commands_that_read_no_file_survive_a_hostile_environment(
    base: Base, work: Path, args: list[str]
) -> None:
    with place(base, work) as here:
        fifo = here.root / "fifo"
        os.mkfifo(fifo)
        for variable, value in [
            ("SMCHECK_CONFIG", str(fifo)),
            ("SMCHECK_DRAFTS", "/dev/zero"),
            ("SMCHECK_ALLOWED_SIGNERS", "/" + "a" * 5000),
            ("COLUMNS", "-1"),
            ("TERM", "dumb"),
        ]:
            here.env[variable] = value
        here.run(*args)


@pytest.mark.parametrize(
    "email", ["a@example.ac.uk", "[bold]x[/]@e", "\x1b[31m@e\u202e", "-rf", "", "a" * 5000]
)
def test_keygen_survives_a_hostile_email_and_output(base: Base, work: Path, email: str) -> None:
    with place(base, work) as here:
        key = here.root / "k" / "-id"
        here.run(
            "keygen",
            "-o",
            key,
            "--email",
            email,
            may_write=[here.root / "k"],
        )
        here.run("keygen", "-o", key, "--email", email, may_write=[here.root / "k"])  # exists
        here.run("keygen", "-o", here.root / "keys", "--email", email)  # a folder
