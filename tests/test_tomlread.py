"""The TOML parser: the compiled ``tomli`` smcheck uses where it is installed reads exactly as ``tomllib``.

Every file smcheck reads goes through :func:`smcheck.tomlread.loads_guarded`. With ``tomli`` (mypyc-compiled,
some three times faster) and with ``tomllib`` (its pure-Python copy in the standard library, the fallback) it
must accept and refuse the same texts, for the same reason, and give equal values, on every input
hypothesis makes: grammar-shaped texts, real files (a signed record, a checklist) with random edits, and
random text. A tomli that reads TOML 1.1 (2.4 and later) fails here.
"""

from __future__ import annotations

import datetime as dt
import math
import subprocess
import sys
import tomllib
from pathlib import Path
from types import ModuleType

import pytest
from helpers.records import make_record_bytes
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from smcheck import tomlread
from smcheck.tomlread import TomlProblem, loads_guarded

tomli = pytest.importorskip("tomli")

CHECKLIST = (
    Path(__file__).resolve().parent.parent / "checklists" / "essex-social-media.toml"
).read_text(encoding="utf-8")
RECORD = make_record_bytes().decode("utf-8")


def outcome(text: str, module: object) -> tuple[str, object]:
    """What loads_guarded makes of ``text`` with one parser: ("ok", value) or ("refused", code)."""
    try:
        return "ok", loads_guarded(text, toml=module)  # type: ignore[arg-type]
    except TomlProblem as exc:
        return "refused", exc.code


def same(a: object, b: object) -> bool:
    """Equal values, of the same types all the way down (nan equal to nan, 1 not equal to 1.0 or True)."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        assert isinstance(b, dict)
        return list(a) == list(b) and all(same(a[k], b[k]) for k in a)
    if isinstance(a, list):
        assert isinstance(b, list)
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, float) and math.isnan(a):
        return isinstance(b, float) and math.isnan(b)
    if isinstance(a, dt.datetime | dt.time):
        assert isinstance(b, dt.datetime | dt.time)
        return a == b and a.utcoffset() == b.utcoffset()
    return a == b


def assert_alike(text: str) -> None:
    mine, theirs = outcome(text, tomli), outcome(text, tomllib)
    assert mine[0] == theirs[0], (text, mine, theirs)
    if mine[0] == "ok":
        assert same(mine[1], theirs[1]), (text, mine[1], theirs[1])
    else:
        assert mine[1] == theirs[1], (text, mine, theirs)


def test_the_parser_is_the_compiled_tomli_where_it_is_installed() -> None:
    assert tomlread.parser() is tomli


def test_without_tomli_the_standard_library_parses() -> None:
    probe = (
        "import sys\n"
        "sys.modules['tomli'] = None  # as if not installed\n"
        "from smcheck import tomlread\n"
        "import tomllib\n"
        "assert tomlread.parser() is tomllib\n"
        "assert tomlread.loads_guarded('a = 1') == {'a': 1}\n"
    )
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize(
    "text",
    [
        # TOML 1.1, which tomllib refuses (and so must smcheck, whichever parser it has).
        'a = "\\e"',
        'a = "\\x41"',
        "a = 07:32",
        "a = 1979-05-27T07:32Z",
        "a = {x = 1,}",
        "a = {\nx = 1\n}",
        # TOML 1.0's corners.
        "a = 1979-05-27 07:32:00.1234567Z",
        "a = 1979-05-27T07:32:00+23:59",
        "a = 1979-05-27T07:32:00-00:00",
        "a = 0000-01-01",
        "a = 9999-12-31T23:59:59.999999999Z",
        "a = 0x_1",
        "a = 1__0",
        "a = +nan\nb = -inf\nc = -0.0\nd = 1e1_0",
        "a = 99999999999999999999",
        'a = "\\ud800"',
        'a = "\\U00110000"',
        "a = '''\r\nx\r\n'''",
        'a = """\\\n   x"""',
        'a = "\x7f"',
        "[a]\n[a]",
        "a.b = 1\n[a]",
        "[[a]]\n[a]",
        "a = [1, 'x', {b = 2}]",
        "a = 1\n\ufeffb = 2",
        "\ufeffa = 1",
        "",
        "a = 1 # \x00",
        "a = [" * 40 + "]" * 40,
        "a = " + "{b = " * 40 + "1" + "}" * 40,
        "a = " + "[" * 5000 + "]" * 5000,
        "x" + ".x" * 40 + " = 1",
    ],
)
def test_corners_read_alike(text: str) -> None:
    assert_alike(text)


# Texts built from TOML's pieces: keys, values of every type (well-formed or nearly), tables, comments.
KEYS = st.sampled_from(
    ["a", "b", "a.b", '"a"', "'a b'", "1", "a . b", '"\\u00e9"', "-", "_", "a..b"]
)
SCALARS = st.sampled_from(
    [
        "1",
        "-0",
        "+1_000",
        "0o17",
        "0b1",
        "0xDEAD_beef",
        "01",
        "1.5",
        "1e3",
        "6.626e-34",
        "1.",
        ".5",
        "inf",
        "-nan",
        "true",
        "false",
        "True",
        '"x"',
        '"\\t\\n\\"\\\\"',
        '"\\u00E9\\U0001F600"',
        '"\\q"',
        '"\\e"',
        "'lit\\eral'",
        '"""multi\nline"""',
        "'''raw\nline'''",
        '""""quoted""""',
        "1979-05-27",
        "1979-05-27T07:32:00",
        "1979-05-27 07:32:00Z",
        "1979-05-27T07:32:00.999+01:30",
        "1979-02-29",
        "2000-02-29T24:00:00Z",
        "07:32:00",
        "07:32:00.5",
        "07:32",
        "23:59:60",
        "[]",
        "[1, 2,]",
        "[1,\n 2 # c\n]",
        "{}",
        "{a = 1, b.c = 2}",
        "{a = 1, a = 2}",
        "{a = 1,}",
    ]
)
VALUES = st.recursive(
    SCALARS,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3).map(lambda xs: "[" + ", ".join(xs) + "]"),
        st.lists(st.tuples(KEYS, inner), max_size=3).map(
            lambda kvs: "{" + ", ".join(f"{k} = {v}" for k, v in kvs) + "}"
        ),
    ),
    max_leaves=6,
)
LINES = st.one_of(
    st.tuples(KEYS, VALUES).map(lambda kv: f"{kv[0]} = {kv[1]}"),
    KEYS.map(lambda k: f"[{k}]"),
    KEYS.map(lambda k: f"[[{k}]]"),
    st.sampled_from(["# comment", "", "  ", "\t# x", "a =", "= 1", "[a", "[[a]", "a = 1 b = 2"]),
)
DOCUMENTS = st.lists(LINES, max_size=8).flatmap(
    lambda lines: st.sampled_from(["\n", "\r\n", "\n\n"]).map(lambda end: end.join(lines))
)


@settings(max_examples=600, deadline=None)
@given(text=DOCUMENTS)
def test_grammar_shaped_texts_read_alike(text: str) -> None:
    assert_alike(text)


@settings(max_examples=300, deadline=None)
@given(text=st.text(alphabet=st.characters(codec="utf-8"), max_size=200))
def test_random_text_reads_alike(text: str) -> None:
    assert_alike(text)


def edited(data: st.DataObject, text: str) -> str:
    """``text`` with a few random characters replaced, inserted or removed."""
    for _ in range(data.draw(st.integers(1, 4))):
        at = data.draw(st.integers(0, len(text)))
        new = data.draw(
            st.text(alphabet="\"'\\[]{}=.,#\n\r\t ax01:-+_eE\x00\x7f\u00e9", max_size=3)
        )
        cut = data.draw(st.integers(0, 3))
        text = text[:at] + new + text[at + cut :]
    return text


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_edited_records_read_alike(data: st.DataObject) -> None:
    assert_alike(edited(data, RECORD))


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_edited_checklists_read_alike(data: st.DataObject) -> None:
    assert_alike(edited(data, CHECKLIST))


@pytest.mark.parametrize("toml", [tomllib, tomli], ids=["tomllib", "tomli"])
def test_nesting_is_refused_exactly_past_max_depth(toml: ModuleType) -> None:
    """MAX_DEPTH levels, leaves counted, are read; one more is refused, whether the levels are tables,
    arrays or both (the check recurses no deeper than the limit, so any depth is judged safely)."""

    def arrays(levels: int) -> str:
        return "x = " + "[" * (levels - 1) + "1" + "]" * (levels - 1)

    def tables(levels: int) -> str:
        return "[" + ".".join(["t"] * (levels - 1)) + "]\nx = 1"

    def both(levels: int) -> str:
        half = levels // 2
        return "[" + ".".join(["t"] * half) + "]\n" + arrays(levels - half)

    for make in (arrays, tables, both):
        assert loads_guarded(make(tomlread.MAX_DEPTH), toml=toml)
        with pytest.raises(TomlProblem) as refused:
            loads_guarded(make(tomlread.MAX_DEPTH + 1), toml=toml)
        assert refused.value.code == "too-deep"
