"""Untrusted text on a terminal (threat model item 14): shown visibly escaped, never interpreted.

Markup (``[bold red]APPROVED[/]``, ``[/]``), ANSI CSI and OSC escapes, C1 controls, bidi overrides and
zero-width characters must reach the screen as visible escapes like ``\\x1b`` or ``\\u202e``.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import re
import subprocess
import sys
import unicodedata
from pathlib import Path

import pytest
from helpers.records import edit, make_record_bytes
from hypothesis import given, settings
from hypothesis import strategies as st
from rich.console import Console
from rich.errors import MarkupError

from smcheck import console, registry
from smcheck.formats.text import show_report, wrap
from smcheck.text import is_clean, visible
from smcheck.verify import Verdict, verify_bytes

MARKUP = "[bold red]APPROVED[/]"
CSI = "\x1b[31m"
OSC = "\x1b]8;;http://x\x07"
C1 = "\x9b"
BIDI = ("\u202e", "\u2066")
ZERO_WIDTH = ("\u200b", "\u200d", "\ufeff")
RAW = (CSI, OSC, "\x1b", "\x07", C1, *BIDI, *ZERO_WIDTH)
"""Nothing of these may reach a terminal raw."""

HOSTILE = f"{MARKUP} {CSI}red {OSC}link {C1}2J {BIDI[0]}evil {BIDI[1]}iso {ZERO_WIDTH[0]}a{ZERO_WIDTH[1]}b{ZERO_WIDTH[2]} [/]"
TODAY = dt.date(2026, 12, 1)
UNSAFE = {"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"}


def squeeze(text: str) -> str:
    """Text without whitespace, so an escape wrapped over two lines still reads as one."""
    return re.sub(r"\s+", "", text)


def assert_nothing_raw(text: str) -> None:
    for raw in RAW:
        assert raw not in text, (raw, text)


# --------------------------------------------------------------------------------------------------
# visible()


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        (MARKUP, MARKUP),
        ("[/]", "[/]"),
        (CSI + "red", "\\x1b[31mred"),
        (OSC + "link", "\\x1b]8;;http://x\\x07link"),
        (C1 + "2J", "\\x9b2J"),
        ("\u202eevil", "\\u202eevil"),
        ("\u2066iso\u2069", "\\u2066iso\\u2069"),
        ("a\u200bb\u200dc\ufeff", "a\\u200bb\\u200dc\\ufeff"),
        ("line\u2028sep\u2029", "line\\u2028sep\\u2029"),
        ("nul\x00del\x7f", "nul\\x00del\\x7f"),
        ("tab\tnew\nret\r", "tab\\x09new\\x0aret\\x0d"),
        ("soft\u00adhyphen", "soft\\xadhyphen"),
        ("tag\U000e0041", "tag\\U000e0041"),
        ("private\ue000", "private\\ue000"),
        ("Café naïve – 日本語 👍", "Café naïve – 日本語 👍"),
    ],
)
def test_visible_escapes_every_hidden_character(text: str, shown: str) -> None:
    assert visible(text) == shown
    assert is_clean(shown)
    assert is_clean(text) == (text == shown)


def test_visible_keeps_newlines_only_when_asked() -> None:
    assert visible("a\nb\x1b", keep_newlines=True) == "a\nb\\x1b"
    assert visible("a\nb", keep_newlines=False) == "a\\x0ab"


@settings(max_examples=200, deadline=None)
@given(text=st.text())
def test_visible_leaves_nothing_hidden(text: str) -> None:
    shown = visible(text)
    assert not any(unicodedata.category(c) in UNSAFE for c in shown)
    assert visible(shown) == shown
    assert is_clean(shown)
    if is_clean(text):
        assert shown == text


# --------------------------------------------------------------------------------------------------
# safe(): a rich Text, never parsed as markup


def rich_console(**options: object) -> tuple[Console, io.StringIO]:
    buffer = io.StringIO()
    return Console(file=buffer, width=300, **options), buffer  # type: ignore[arg-type]


def test_markup_is_dangerous_without_safe() -> None:
    """What the rest of this module guards against: rich parses markup in a plain string."""
    term, buffer = rich_console(color_system=None)
    with pytest.raises(MarkupError):
        term.print("[/]")
    term.print(MARKUP)
    assert MARKUP not in buffer.getvalue()


def test_safe_is_never_markup() -> None:
    text = console.safe(HOSTILE)
    assert text.plain == visible(HOSTILE)
    assert not text.spans
    term, buffer = rich_console(color_system=None)
    term.print(text)
    term.print(console.safe("[/]"))
    out = buffer.getvalue()
    assert MARKUP in out and "[/]" in out
    assert "\x1b" not in out
    assert_nothing_raw(out)


def test_safe_on_a_colour_terminal_interprets_nothing() -> None:
    term, buffer = rich_console(force_terminal=True, color_system="truecolor")
    term.print(console.safe(HOSTILE))
    plain = buffer.getvalue()
    assert "\x1b" not in plain  # no style asked for: rich adds no escape, and the text holds none
    term.print(console.safe(HOSTILE, style="bold"))
    styled = buffer.getvalue()[len(plain) :]
    assert "\x1b[1m" in styled  # rich's own bold
    for raw in (CSI, OSC, C1, "\x07", *BIDI, *ZERO_WIDTH):
        assert raw not in styled
    for shown in ("\\x1b[31m", "\\x1b]8;;http://x\\x07", "\\x9b", "\\u202e", "\\u2066", "\\u200b"):
        assert shown in squeeze(styled)
    assert MARKUP in styled


def test_error_lines_show_untrusted_text_escaped(capsys: pytest.CaptureFixture[str]) -> None:
    console.error(f"cannot read {HOSTILE}", hint=f"rename {HOSTILE}")
    console.plain_error(f"cannot read {HOSTILE}")
    console.show_lines([HOSTILE], out=True)
    console.show_lines([HOSTILE])
    captured = capsys.readouterr()
    for stream in (captured.out, captured.err):
        assert_nothing_raw(stream)
        assert "\\x1b]8;;http://x\\x07" in squeeze(stream)
        assert squeeze(MARKUP) in squeeze(stream)


# --------------------------------------------------------------------------------------------------
# A verify report of a record that holds hostile text


def hostile_record() -> bytes:
    """A record whose sign-off name is markup and whose answers table holds keys full of escapes.

    TOML strings cannot hold raw control characters, so they are written as ``\\u001b`` escapes.
    """
    data = make_record_bytes()
    data = edit(
        data,
        b'[signoff]\nname = "Dr Helen Marsh"',
        b'[signoff]\nname = "[bold red]APPROVED[/] [/]"',
    )
    keys = [
        r"\u001b[31mred",
        r"\u001b]8;;http://x\u0007link",
        r"\u009b2J",
        r"\u202eevil",
        r"\u2066iso",
        r"a\u200bb\u200dc\ufeff",
        "[/]",
    ]
    extra = "".join(f'"{key}" = "x"\n' for key in keys).encode()
    return edit(data, b"[answers.channel]\n", b"[answers.channel]\n" + extra)


def test_hostile_record_is_reported_with_every_key() -> None:
    report = verify_bytes(
        hostile_record(), "hostile.smcheck.toml", lookup=registry.by_id, today=TODAY
    )
    answers = next(c for c in report.checks if c.check == "answers")
    assert answers.verdict is Verdict.FAIL
    assert {d.code for d in answers.details} == {"answer-unknown"}
    assert len(answers.details) == 7
    signoff = next(c for c in report.checks if c.check == "signoff")
    assert signoff.verdict is Verdict.PASS
    assert "[bold red]APPROVED[/] [/]" in signoff.summary


def test_show_report_prints_hostile_text_escaped(capsys: pytest.CaptureFixture[str]) -> None:
    report = verify_bytes(
        hostile_record(),
        f"hostile{CSI}{BIDI[0]}.smcheck.toml",
        lookup=registry.by_id,
        today=TODAY,
    )
    show_report(report)
    out = capsys.readouterr().out
    assert "\x1b" not in out  # not a terminal: no colour, and nothing raw from the record
    assert_nothing_raw(out)
    flat = squeeze(out)
    assert squeeze("[bold red]APPROVED[/] [/]") in flat
    for shown in (
        "hostile\\x1b[31m\\u202e.smcheck.toml",
        "\\x1b[31mred",
        "\\x1b]8;;http://x\\x07link",
        "\\x9b2J",
        "\\u202eevil",
        "\\u2066iso",
        "a\\u200bb\\u200dc\\ufeff",
    ):
        assert shown in flat, shown
    assert "INVALID" in out


# --------------------------------------------------------------------------------------------------
# The installed command, as a reviewer runs it


def smcheck(*args: str | Path, cwd: Path) -> subprocess.CompletedProcess[bytes]:
    exe = Path(sys.executable).parent / "smcheck"
    env = {k: v for k, v in os.environ.items() if k not in ("FORCE_COLOR", "CLICOLOR_FORCE")}
    env["NO_COLOR"] = "1"
    return subprocess.run(
        [str(exe), *map(str, args)],
        capture_output=True,
        cwd=cwd,
        env=env,
        stdin=subprocess.DEVNULL,
        timeout=60,
        check=False,
    )


RAW_BYTES = tuple(raw.encode("utf-8") for raw in RAW)


def assert_no_raw_bytes(data: bytes) -> None:
    for raw in RAW_BYTES:
        assert raw not in data, (raw, data)


def test_cli_report_of_a_hostile_record(tmp_path: Path) -> None:
    name = f"evil{CSI}{BIDI[0]}{ZERO_WIDTH[0]}.smcheck.toml"
    path = tmp_path / name
    path.write_bytes(hostile_record())
    missing = tmp_path / f"gone\x1b]8;;x\x07{C1}.smcheck.toml"  # no "/" in a name
    result = smcheck("verify", path, missing, cwd=tmp_path)
    assert result.returncode == 2
    assert_no_raw_bytes(result.stdout)
    assert_no_raw_bytes(result.stderr)
    out = squeeze(result.stdout.decode("utf-8"))
    assert "evil\\x1b[31m\\u202e\\u200b.smcheck.toml" in out
    assert "\\x1b]8;;http://x\\x07link" in out
    assert squeeze("[bold red]APPROVED[/] [/]") in out
    assert "gone\\x1b]8;;x\\x07\\x9b.smcheck.toml" in squeeze(result.stderr.decode("utf-8"))


def test_cli_json_of_a_hostile_record_is_ascii(tmp_path: Path) -> None:
    path = tmp_path / f"evil{CSI}.smcheck.toml"
    path.write_bytes(hostile_record())
    result = smcheck("verify", "--json", path, cwd=tmp_path)
    assert result.returncode == 1
    assert all(byte < 0x80 for byte in result.stdout)
    assert b"\x1b" not in result.stdout and b"\x07" not in result.stdout
    (report,) = json.loads(result.stdout)
    assert report["path"] == str(path)  # JSON keeps the exact text, escaped
    wheres = {f["where"] for f in report["findings"] if f["code"] == "answer-unknown"}
    assert "channel.\u001b]8;;http://x\u0007link" in wheres
    assert "channel.\u202eevil" in wheres


@pytest.mark.parametrize("blank", ["\u3164", "\u115f", "\u2800", "\uffa0"])
def test_characters_that_draw_nothing_are_made_visible(blank: str) -> None:
    # Printable by Unicode's rules, yet blank on screen: a name of only these would look empty.
    assert blank.isprintable()
    assert visible(f"Dr{blank}Marsh") == f"Dr\\u{ord(blank):04x}Marsh"


def test_a_long_escape_is_never_split_across_lines() -> None:
    text = "name: " + "\\u202e" * 30 + " end"
    for line in wrap(text, 40):
        assert not line.endswith("\\") and not line.startswith("u202e"), line


def test_a_message_never_prints_a_line_break_it_quotes(capsys: pytest.CaptureFixture[str]) -> None:
    """A file named ``a\\nFAKE.smcheck.toml`` cannot print a line of its own under a message."""
    console.say(f"Record written: {'a' + chr(10) + 'Approved FAKE.smcheck.toml'}")
    console.say("")
    err = capsys.readouterr().err
    assert err.splitlines() == ["Record written: a\\x0aApproved FAKE.smcheck.toml", ""]


def test_new_with_an_output_named_with_a_line_break_says_so_on_one_line(tmp_path: Path) -> None:
    from helpers.records import EXAMPLE_ANSWERS
    from typer.testing import CliRunner

    from smcheck.cli import app

    output = tmp_path / "a\nApproved FAKE.smcheck.toml"
    result = CliRunner().invoke(
        app, ["new", "--answers", str(EXAMPLE_ANSWERS), "--output", str(output)]
    )
    assert result.exit_code == 0, result.output
    assert output.is_file()
    assert not any(line.startswith("Approved FAKE") for line in result.output.splitlines())
    assert "a\\x0aApproved FAKE.smcheck.toml" in result.output
