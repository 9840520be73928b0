"""smcheck status fits the screen: the text register wraps to the terminal's width (80, 100, 120
columns: no line longer, every note complete), and the HTML register shows every column at 1280 pixels
in a real browser, without scrolling."""

from __future__ import annotations

import html
import json
import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from helpers.desk import Desk, open_desk, runner
from helpers.register import TODAY, desk_of_every_state, shared_desk, signed_record

from smcheck.cli import app


@pytest.fixture
def desk(tmp_path: Path) -> Iterator[Desk]:
    yield from open_desk(tmp_path)


LONG_NOTE = (
    "Replies come through the department office, who read them every weekday morning and pass"
    " anything urgent to the duty press officer, who answers within the hour during term time."
)


@pytest.fixture(scope="module")
def shared(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Desk, Path]]:
    """The desk and its register, built once for the tests that only read it."""
    yield from shared_desk(tmp_path_factory, _build)


def _build(desk: Desk) -> Path:
    """Every state, a deep folder with a long path, a long explanation, and a rejection's comment."""
    folder = desk_of_every_state(desk)
    deep = folder / "a-rather-long-folder-name-for-the-department" / "records-2026"
    deep.mkdir(parents=True)
    signed_record(
        desk,
        "essex-history-instagram-2026-with-a-long-name",
        TODAY,
        handle="@deep",
        department="Department of Literature, Film, and Theatre Studies",
        folder=str(deep),
        edits={
            'frequency = "daily"': 'frequency = "fortnightly"\n'
            f"infrequent_reason = {json.dumps(LONG_NOTE)}",
        },
    )
    return folder


def _json(desk: Desk, folder: Path) -> dict[str, object]:
    args = ["status", "--json", "--allowed-signers", str(desk.trust), folder.name]
    data: dict[str, object] = json.loads(runner.invoke(app, args).stdout)
    return data


@pytest.mark.parametrize("width", [80, 100, 120])
def test_the_text_register_fits_the_width_and_keeps_every_word(
    shared: tuple[Desk, Path], width: int
) -> None:
    desk, folder = shared
    data = _json(desk, folder)
    result = runner.invoke(
        app,
        ["status", "--allowed-signers", str(desk.trust), folder.name],
        env={"COLUMNS": str(width)},
    )
    assert result.exit_code == 1  # the tampered file
    lines = result.stdout.splitlines()
    too_long = [line for line in lines if len(line) > width]
    assert too_long == []
    # The Notes column's text (the whole text when each row is a block): wrapped inside its cell.
    header = next(line for line in lines if line.startswith("State"))
    at = header.find("Notes")
    below = lines[lines.index(header) + 1 :]
    notes = [line[at:] for line in below] if at > 0 else below
    words = " ".join(" ".join(notes).split())
    joined = "".join("".join(notes).split())
    everything = " ".join(result.stdout.split())
    channels = data["channels"]
    assert isinstance(channels, list)
    for row in channels:
        # Who must act and why, and each note, complete once the wrapped lines are joined; the
        # path (folded where it must be) whole once the line breaks are taken out.
        for said in (row["detail"], *row["notes"]):
            assert said in words, (width, said)
        assert "".join(row["path"].split()) in joined
        # The state and the channel are on the row, in words.
        assert row["state"].replace("-", " ") in everything.lower()
        assert row["columns"]["Handle"] in everything
    assert LONG_NOTE in words
    # A path that fits sits on a line of its own (its cell's line, or the block's), beside no words.
    for row in channels:
        path = row["path"]
        if len(path) < 30:
            assert any(line.strip() == path or line.endswith("  " + path) for line in lines), path


@pytest.mark.parametrize("width", [80, 120])
def test_wide_characters_take_two_cells_and_still_fit(
    desk: Desk, tmp_path: Path, width: int
) -> None:
    from smcheck.formats.register.text import cells

    top = tmp_path / "register"
    top.mkdir()
    department = "東京大学 歴史学部 国際交流オフィス 広報担当 東京大学 歴史学部 国際交流オフィス"
    signed_record(desk, "wide", TODAY, handle="@wide", department=department)
    result = runner.invoke(
        app,
        ["status", "--allowed-signers", str(desk.trust), "register"],
        env={"COLUMNS": str(width)},
    )
    assert result.exit_code == 0, result.output
    assert cells("東京") == 4 and cells("e\u0301") == 1
    assert max(cells(line) for line in result.stdout.splitlines()) <= width
    shown = [word for line in result.stdout.splitlines() for word in line.split()]
    for word in department.split():
        assert word in shown


def test_not_a_terminal_is_100_columns_and_never_below_80(shared: tuple[Desk, Path]) -> None:
    desk, folder = shared
    from smcheck.formats.register.text import register_width

    args = ["status", "--allowed-signers", str(desk.trust), str(folder)]
    narrow = runner.invoke(app, args, env={"COLUMNS": "40"}).stdout
    assert max(len(line) for line in narrow.splitlines()) <= 80
    assert max(len(line) for line in narrow.splitlines()) > 60  # laid out in 80, not 40
    assert narrow == runner.invoke(app, args, env={"COLUMNS": "80"}).stdout
    assert register_width() >= 80


def test_a_wide_terminal_shows_a_table_whose_notes_wrap_inside_their_column(
    shared: tuple[Desk, Path],
) -> None:
    desk, folder = shared
    result = runner.invoke(
        app,
        ["status", "--allowed-signers", str(desk.trust), str(folder)],
        env={"COLUMNS": "160"},
    )
    lines = result.stdout.splitlines()
    header = next(line for line in lines if line.startswith("State "))
    assert header.split() == [
        "State", "Platform", "Handle", "Department", "Administrator", "Review", "by", "Notes",
    ]  # fmt: skip
    notes_at = header.index("Notes")
    body = lines[lines.index(header) + 1 :]
    # Every line of the table that has notes has them at the Notes column, and nothing beyond it
    # strays left of it: the notes wrap inside their cell.
    for line in body:
        if len(line) > notes_at:
            assert line[notes_at - 2 : notes_at] == "  ", line
    (row,) = [i for i, line in enumerate(body) if "@deep" in line]
    assert body[row].startswith("awaiting reviewer")


# --- the HTML register at 1280 pixels ---------------------------------------------------------------

_CHROMIUM = [
    "chromium", "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip

_MEASURE = """<script>
// Every cell's right edge within the window, and the table no wider than its box: nothing clipped,
// nothing behind a scroll bar.
const view = document.documentElement.clientWidth;
const bad = [];
for (const cell of document.querySelectorAll("th, td")) {
  const box = cell.getBoundingClientRect();
  if (box.right > view + 0.5) bad.push(`${cell.tagName} ${cell.textContent.slice(0, 40)}: ${box.right} > ${view}`);
}
const table = document.querySelector("table");
const wrap = table.parentElement;
if (table.scrollWidth > table.clientWidth) bad.push(`table scrollWidth ${table.scrollWidth} > ${table.clientWidth}`);
if (wrap.scrollWidth > wrap.clientWidth) bad.push(`scroll area ${wrap.scrollWidth} > ${wrap.clientWidth}`);
if (document.documentElement.scrollWidth > view) bad.push(`page ${document.documentElement.scrollWidth} > ${view}`);
const out = document.createElement("pre");
out.id = "measured";
out.textContent = JSON.stringify({ view, bad, columns: document.querySelectorAll("th").length });
document.body.append(out);
</script>"""


@pytest.mark.skipif(
    shutil.which("chromium") is None, reason="needs Debian's chromium (.ci/run installs it)"
)
def test_the_html_register_shows_every_column_at_1280_pixels(
    shared: tuple[Desk, Path], tmp_path: Path
) -> None:
    desk, folder = shared
    page = tmp_path / "register.html"
    runner.invoke(
        app, ["status", "--html", str(page), "--allowed-signers", str(desk.trust), str(folder)]
    )
    source = page.read_text()
    assert '<body class="register">' in source
    # A copy with the measuring script (the page's own CSP allows no script, rightly).
    source = re.sub(r'<meta http-equiv="Content-Security-Policy"[^>]*>', "", source)
    probe = tmp_path / "probe.html"
    probe.write_text(source.replace("</body>", _MEASURE + "</body>"))
    chromium = subprocess.run(
        [*_CHROMIUM, f"--user-data-dir={tmp_path / 'profile'}", "--window-size=1280,900",
         "--dump-dom", probe.as_uri()],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert chromium.returncode == 0, chromium.stderr
    found = re.search(r'<pre id="measured">(.*?)</pre>', chromium.stdout, re.S)
    assert found is not None, chromium.stdout[-2000:]
    measured = json.loads(html.unescape(found.group(1)))
    assert measured["view"] >= 1200  # laid out at the window's width, not a narrow default
    assert measured["columns"] == 7
    assert measured["bad"] == []


def test_the_html_register_is_not_held_to_a_reading_width_but_exports_are() -> None:
    from smcheck.htmlpage import CSS, page

    css = " ".join(CSS.split())
    assert "body.register { max-width: none;" in css
    assert "max-width: 60rem" in css  # every other page keeps its reading width
    assert '<body class="register">' in page("t", [], wide=True)
    assert "<body>" in page("t", [])
    assert "@page { size: A4 landscape;" in css  # the print stylesheet is kept
